"""The operations that change a link, each under the link's lock: run the steps, apply a fix,
accept the platform's connection, remove the link; and what the faces read after setup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wizard.aws import alerts, connections, endpoint_service, nlb, teardown
from wizard.aws import target_group as tg
from wizard.aws.connections import Connection
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import LinkRecord, SourceKind
from wizard.state import DamagedRecordError, RecordStore
from wizard.steps.link import Link, Progress, Step, link_lock, merge_saved, quiet
from wizard.steps.nlb_step import NlbStep
from wizard.steps.service_steps import AllowlistStep, EndpointServiceStep
from wizard.steps.target_group_step import TargetGroupStep

SETUP_STEPS: list[Step] = [NlbStep(), TargetGroupStep(), EndpointServiceStep(), AllowlistStep()]


def step_by_id(step_id: str) -> Step:
    for step in SETUP_STEPS:
        if step.id == step_id:
            return step
    raise KeyError(step_id)


def apply_step(link: Link, step: Step, progress: Progress = quiet, wait: float = 0) -> None:
    """Run one step under the link's lock (another window or command cannot build the same link
    at once), recording a failure for the resume offer."""
    with link_lock(link, wait, progress):
        merge_saved(link)
        try:
            step.apply(link, progress)
        except UserError as exc:
            link.record.last_error = exc.paragraph()
            link.save()
            raise
        link.record.last_error = ""
        link.save()


def apply_fix(
    link: Link,
    step: Step,
    key: str,
    allow_reboot: bool = False,
    wait: float = 0,
    progress: Progress = quiet,
) -> str:
    """Apply one check's fix under the link's lock (it changes the database's firewall or
    settings, or the link's resources); returns what was done, in plain words."""
    with link_lock(link, wait, progress):
        merge_saved(link)
        done = step.fix(link, key, allow_reboot)
        link.save()
        return done


def run_setup(
    link: Link, progress: Progress = quiet, steps: Sequence[Step] = SETUP_STEPS, wait: float = 0
) -> None:
    """Run every step in order (each under the link's lock, waiting up to `wait` seconds)."""
    for step in steps:
        apply_step(link, step, progress, wait)


@dataclass(frozen=True)
class ServiceSummary:
    service_name: str
    region: str
    az_ids: tuple[str, ...]
    port: int
    message: str


def service_summary(link: Link) -> ServiceSummary:
    record, plan = link.record, link.plan
    if not record.service_name:
        raise UserError("There is no service name yet", fix="Create the endpoint service first.")
    az_ids = tuple(record.az_ids)
    source = plan.source
    host_hint = (
        f"It forwards to our SSH tunnel host ({source.id}) on port {plan.port}."
        if source.kind.value == "ec2-instance" and plan.port == 22
        else f"It forwards to our {source.kind.label} {source.id} on port {plan.port}."
    )
    if len(record.all_databases()) > 1:
        host_hint = "Each port forwards to the database named beside it."
    message = "\n".join(
        [
            f"Hello {plan.consumer.display_name} team,",
            "",
            "Please connect to our database over AWS PrivateLink:",
            f"  Service name: {record.service_name}",
            f"  Region: {plan.region}",
            f"  Availability zone IDs: {', '.join(az_ids) or 'n/a'}",
            *_port_lines(record, plan.port),
            "",
            f"Your principal {plan.principal} is allowed. {host_hint}",
            "Please send us the endpoint's DNS name once the connection is accepted.",
        ]
    )
    return ServiceSummary(record.service_name, plan.region, az_ids, plan.port, message)


def _port_lines(record: LinkRecord, port: int) -> list[str]:
    """The port the platform uses; with several databases on the link, each with its own."""
    found = record.all_databases()
    if len(found) < 2:
        return [f"  Port: {port}"]
    lines = ["  Databases, each on its own port:"]
    for db in found:
        kind = SourceKind(db.source_kind).label if db.source_kind in set(SourceKind) else "database"
        lines.append(f"    {db.source_id} ({kind}): port {db.listener_port}")
    return lines


def list_requests(link: Link) -> list[Connection]:
    if not link.record.endpoint_service_id:
        return []
    return connections.list_connections(link.aws, link.record.endpoint_service_id)


def expected_owner(link: Link) -> str:
    return link.plan.platform_account


def accept_requests(link: Link, endpoint_ids: Sequence[str]) -> list[Connection]:
    return accept_on_service(
        link.aws,
        link.record.endpoint_service_id,
        endpoint_ids,
        link.store,
        link.record.account_id,
        link.plan.name,
        record=link.record,
    )


def accept_on_service(
    aws: AwsContext,
    service_id: str,
    endpoint_ids: Sequence[str],
    store: RecordStore,
    account_id: str,
    link_name: str = "",
    wait: float = 0,
    record: LinkRecord | None = None,
) -> list[Connection]:
    """Accept these requests on the service; for a named link, under its lock and noted in its
    record (`record`, the one a window holds, or the saved one): the one place the CLI and the
    window accept."""
    if not link_name:
        return connections.accept_connections(aws, service_id, list(endpoint_ids))
    with store.locked(account_id, aws.region, link_name, wait=wait):
        result = connections.accept_connections(aws, service_id, list(endpoint_ids))
        record = record if record is not None else store.load(account_id, aws.region, link_name)
        if record is not None:
            for conn in result:
                if conn.endpoint_id not in record.accepted_endpoint_ids:
                    record.accepted_endpoint_ids.append(conn.endpoint_id)
            record.mark_done("accept")
            store.save(record)
        return result


def set_up_alerts(
    aws: AwsContext,
    store: RecordStore,
    account_id: str,
    link_name: str,
    email: str,
    wait: float = 0,
    record: LinkRecord | None = None,
    progress: Progress = quiet,
) -> alerts.AlertsInfo:
    """Turn the link's alerts on (or update them: another address, another port's target group)
    under its lock, noting each piece in its record (`record`, the one a window holds, or the
    saved one): the one place the CLI and the window do it."""
    email = alerts.validate_email(email)
    with store.locked(account_id, aws.region, link_name, wait=wait):
        record = record if record is not None else store.load(account_id, aws.region, link_name)
        service = endpoint_service.find_endpoint_service(aws, link_name)
        found_nlb = nlb.find_nlb(aws, link_name)
        groups = tg.find_target_groups(aws, link_name)
        group = next((g for g in groups if record and g.port == record.port), groups[0] if groups else None)

        def noted(kind: str, resource_id: str) -> None:
            if record is not None:
                record.note_created(kind, resource_id, email if kind == "alert-subscription" else "")
                store.save(record)

        info = alerts.ensure_alerts(
            aws,
            link_name,
            email,
            service.id if service else "",
            group.arn if group else "",
            found_nlb.arn if found_nlb else "",
            noted,
            progress,
        )
        if record is not None:
            record.alert_email = email
            store.save(record)
        return info


def remove_alerts(
    aws: AwsContext,
    store: RecordStore,
    account_id: str,
    link_name: str,
    wait: float = 0,
    record: LinkRecord | None = None,
    progress: Progress = quiet,
) -> list[str]:
    """Delete the link's alerts only (notification, alarm, subscription, topic) under its lock;
    returns what was deleted, in words."""
    with store.locked(account_id, aws.region, link_name, wait=wait):
        record = record if record is not None else store.load(account_id, aws.region, link_name)
        services = [s.id for s in endpoint_service.find_endpoint_services(aws, link_name)]
        removed = []
        for kind, resource_id, words in alerts.alert_resources(aws, link_name, services):
            progress(f"Deleting the {alerts.KIND_WORDS[kind]} {words}")
            alerts.delete(aws, kind, resource_id)
            removed.append(f"{alerts.KIND_WORDS[kind]} {words}")
        if record is not None:
            record.alert_email = ""
            record.created = [r for r in record.created if r.kind not in alerts.KINDS]
            store.save(record)
        return removed


def target_health(link: Link) -> list[tg.TargetHealthInfo]:
    if not link.record.target_group_arn:
        return []
    return tg.target_health(link.aws, link.record.target_group_arn)


def remove_link(
    aws: AwsContext,
    store: RecordStore,
    account_id: str,
    name: str,
    record: LinkRecord | None = None,
    progress: Progress = quiet,
    wait: float = 0,
) -> tuple[list[teardown.ManagedResource], list[str]]:
    """Delete what is the link's and forget its record, under the link's lock: a setup racing it
    either finishes first (and is removed whole) or starts after (and builds anew). Returns what
    was deleted and the parameter groups kept (the database still uses them)."""

    def waiting() -> None:
        progress(f"Another window or command is changing the link '{name}'; waiting up to {wait:g} s…")

    with store.locked(account_id, aws.region, name, wait=wait, on_wait=waiting):
        deleted = teardown.teardown(aws, name, progress=progress, record=record)
        return deleted, _forget(store, account_id, aws.region, name)


def _forget(store: RecordStore, account_id: str, region: str, name: str) -> list[str]:
    """Delete the link's record; return the parameter groups it made, which teardown keeps."""
    try:
        record = store.load(account_id, region, name)
    except DamagedRecordError as damaged:  # what it listed was found by tags all the same
        damaged.path.unlink(missing_ok=True)
        return []
    if not record:
        return []
    store.delete(record)
    return [r.id for r in record.created if r.kind == "db-parameter-group"]
