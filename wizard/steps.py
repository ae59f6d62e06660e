"""The procedure as ordered steps. Each step reads its preconditions (check), says what it would do
(preview) and does it idempotently (apply), saving every new id to the link record at once.

The CLI and every GUI page drive the engine through this module only; the flow lives here, the
faces render it (the Electrum idea: no Qt in the flow)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import ClassVar

from wizard.aws import (
    connections,
    converge,
    discovery,
    endpoint_service,
    network,
    nlb,
    nlb_security,
    rds_params,
    teardown,
)
from wizard.aws import target_group as tg
from wizard.aws.connections import Connection
from wizard.aws.session import AwsContext
from wizard.aws.teardown_plan import remember_rules
from wizard.checks import CheckRow
from wizard.errors import UserError, bad_input
from wizard.model import LinkPlan, LinkRecord
from wizard.state import DamagedRecordError, RecordStore
from wizard.validators import validate_principal

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class Link:
    """Everything a step needs: where to act, what is wanted, what exists."""

    aws: AwsContext
    plan: LinkPlan
    record: LinkRecord
    store: RecordStore
    notes: list[str] = field(default_factory=list)  # what the user should hear about opening it

    def save(self) -> None:
        self.store.save(self.record)

    def created(self, kind: str) -> Callable[[str], None]:
        """An on_created callback: note the new id in the record and save it immediately."""

        def note(resource_id: str) -> None:
            self.record.note_created(kind, resource_id)
            self.save()

        return note


def open_link(
    aws: AwsContext, plan: LinkPlan, account_id: str, store: RecordStore | None = None
) -> Link:
    """Resume the saved record for this link, or start a new one (setting a damaged one aside:
    every step finds what exists by its tags, so nothing is lost)."""
    store = store or RecordStore()
    notes = []
    try:
        saved = store.load(account_id, plan.region, plan.name)
    except DamagedRecordError as damaged:
        kept = store.set_aside(damaged)
        notes.append(f"The saved progress file was damaged ({damaged.why}); it is kept as {kept}.")
        saved = None
    record = saved or LinkRecord(name=plan.name, region=plan.region, account_id=account_id)
    if record.port and record.port != plan.port and "target_group" in record.completed_steps:
        # Another port is asked: the target group step is to do again (it converges the link).
        record.completed_steps.remove("target_group")
    record.source_id = plan.source.id
    record.source_kind = plan.source.kind.value
    record.port = plan.port
    record.principal = plan.principal
    return Link(aws, plan, record, store, notes)


@dataclass(frozen=True)
class PreviewItem:
    action: str  # "create" | "reuse" | "change" | "remove"
    what: str
    detail: str = ""

    def line(self) -> str:
        verb = {
            "create": "Will create",
            "reuse": "Will reuse",
            "change": "Will change",
            "remove": "Will remove",
        }[self.action]
        return f"{verb}: {self.what}" + (f" ({self.detail})" if self.detail else "")


class Step:
    id: ClassVar[str]
    title: ClassVar[str]

    def check(self, link: Link) -> list[CheckRow]:
        return []

    def preview(self, link: Link) -> list[PreviewItem]:
        raise NotImplementedError

    def apply(self, link: Link, progress: Progress = _quiet) -> None:
        raise NotImplementedError

    def fix(self, link: Link, key: str, allow_reboot: bool = False) -> str:
        raise bad_input(f"There is no automatic fix for '{key}' on this step")


def _require_nlb(link: Link) -> nlb.NlbInfo:
    found = nlb.find_nlb(link.aws, link.plan.name)
    if found is None:
        raise UserError(
            what="The load balancer for this link does not exist yet",
            fix="Run the load balancer step first.",
        )
    return found


class NlbStep(Step):
    id = "nlb"
    title = "Load balancer"

    def check(self, link: Link) -> list[CheckRow]:
        plan = link.plan
        listed = discovery.list_subnets(link.aws, plan.source.vpc_id)
        subnets = {s.subnet_id: s for s in listed}
        unknown = [s for s in plan.subnet_ids if s not in subnets]
        unusable = [subnets[s] for s in plan.subnet_ids if s in subnets and subnets[s].problem]
        zones = {subnets[s].availability_zone for s in plan.subnet_ids if s in subnets}
        rows = [
            CheckRow(
                "subnets",
                bool(plan.subnet_ids) and not unknown,
                "Subnets are in the database's network",
                reason=(
                    f"Not in VPC {plan.source.vpc_id}: {', '.join(unknown)}"
                    if unknown
                    else ""
                    if plan.subnet_ids
                    else "Choose at least one subnet."
                ),
            ),
            CheckRow(
                "one-subnet-per-zone",
                len(zones) == len([s for s in plan.subnet_ids if s in subnets]),
                "At most one subnet per availability zone",
                reason=""
                if len(zones) == len(plan.subnet_ids)
                else "A load balancer takes one subnet per zone; untick the extra ones.",
            ),
            CheckRow(
                "usable-subnets",
                not unusable,
                "The load balancer can use these subnets",
                reason="; ".join(f"{s.subnet_id}: {s.problem}" for s in unusable)
                + (". Untick it and choose a subnet in another zone." if unusable else ""),
            ),
        ]
        left_out = discovery.left_out_zones(listed, plan.subnet_ids, "no subnet is chosen there")
        if left_out:
            rows.append(
                CheckRow(
                    "left-out-zones",
                    True,
                    "Availability zones the load balancer leaves out",
                    warning=True,
                    required=False,
                    reason=discovery.left_out_note(left_out),
                )
            )
        if len(zones) == 1 and not plan.cross_zone:
            rows.append(
                CheckRow(
                    "single-zone",
                    True,
                    "Only one availability zone",
                    warning=True,
                    required=False,
                    reason="With one zone the link stops if that zone has an outage.",
                )
            )
        return rows

    def preview(self, link: Link) -> list[PreviewItem]:
        existing = nlb.find_nlb(link.aws, link.plan.name)
        if existing:
            return [PreviewItem("reuse", f"Load balancer '{existing.name}'", existing.state)]
        plan = link.plan
        zones = "on" if plan.cross_zone else "off"
        group = next(
            (
                g
                for g in nlb_security.find_nlb_security_groups(link.aws, plan.name)
                if g.vpc_id == plan.source.vpc_id
            ),
            None,
        )
        return [
            PreviewItem(
                "reuse" if group else "create",
                f"Security group '{group.name if group else nlb_security.group_name(plan.name)}' "
                "for the load balancer",
                f"in {plan.source.vpc_id}; the database will allow only this group on port "
                f"{plan.port}; PrivateLink traffic is not filtered by it",
            ),
            PreviewItem(
                "create",
                f"Internal network load balancer '{plan.nlb_name}'",
                f"in {plan.source.vpc_id}, subnets {', '.join(plan.subnet_ids)}, cross-zone {zones}",
            ),
        ]

    def apply(self, link: Link, progress: Progress = _quiet) -> None:
        plan = link.plan
        progress(f"Creating (or finding) the load balancer '{plan.nlb_name}'…")
        arn, created = nlb.start_nlb(
            link.aws,
            plan.name,
            plan.source.vpc_id,
            plan.subnet_ids,
            on_created=link.created("nlb"),
            on_security_group_created=link.created("security-group"),
        )
        info = nlb.describe_nlb(link.aws, arn)
        link.record.nlb_arn = info.arn
        link.record.nlb_dns_name = info.dns_name
        link.record.mark_done(self.id)
        link.save()
        # AWS provisions a new one for a few minutes: the target group and listener are made
        # meanwhile, and the endpoint service step waits for it to be active.
        starting = " (AWS takes a few minutes to start it; the next steps go on meanwhile)"
        progress(
            f"Load balancer {'created' if created else 'found'}: {info.name} ({info.state})"
            + (starting if info.state == "provisioning" else "")
            + "."
        )


class TargetGroupStep(Step):
    id = "target_group"
    title = "Target group"

    def targets(self, link: Link) -> list[str]:
        source = link.plan.source
        if source.target_type == "instance":
            return [source.id]
        return network.resolve_target_ips(link.aws, source)

    def check(self, link: Link) -> list[CheckRow]:
        plan = link.plan
        found = nlb.find_nlb(link.aws, plan.name)
        subnet_ids = found.subnet_ids if found else plan.subnet_ids
        sgs = found.security_group_ids if found else ()
        rows = [network.check_security_group(link.aws, plan.source, plan.port, subnet_ids, sgs)]
        if found:
            rows.append(nlb_security.check_nlb_sg_enforcement(link.aws, found.arn))
        if plan.source.is_mysql_family:
            rows.append(rds_params.check_skip_name_resolve(link.aws, plan.source, plan.name))
            rows.append(rds_params.check_max_connect_errors(link.aws, plan.source, plan.name))
        if plan.source.kind.value == "rds-proxy" and plan.source.is_postgres_family:
            rows.append(
                CheckRow(
                    "proxy-cdc",
                    True,
                    "RDS Proxy and change data capture",
                    warning=True,
                    required=False,
                    reason="RDS Proxy does not carry PostgreSQL logical replication: if the platform "
                    "will use CDC, point the link at the database itself instead.",
                )
            )
        return rows

    def preview(self, link: Link) -> list[PreviewItem]:
        plan = link.plan
        items = []
        kind = "IP addresses" if plan.source.target_type == "ip" else "the server"
        # Look in AWS, not the local record: after a crash the record may miss what exists.
        existing = nlb.find_nlb(link.aws, plan.name)
        group = tg.find_target_group(link.aws, plan.name, plan.target_group_name)
        listening = existing is not None and any(
            ls["Port"] == plan.port for ls in tg.listeners(link.aws, existing.arn)
        )
        items.append(
            PreviewItem(
                "reuse" if group else "create",
                f"TCP target group '{plan.target_group_name}' on port {plan.port}",
                f"targets: {kind}; proxy protocol, client IP preservation and stickiness off",
            )
        )
        items.append(
            PreviewItem(
                "reuse" if listening else "create",
                f"TCP listener on port {plan.port}",
                f"on load balancer {existing.name if existing else plan.nlb_name}",
            )
        )
        # What the link has but no longer asks for (the old port's listener, target group and
        # firewall rule): a re-run removes it, so the old port is not left reachable.
        for old in _leftovers(link, existing):
            if old.ours:
                items.append(PreviewItem("remove", old.describe(), _REMOVE_WHY[old.kind]))
        return items

    def apply(self, link: Link, progress: Progress = _quiet) -> None:
        plan, record = link.plan, link.record
        found = _require_nlb(link)
        progress("Creating (or finding) the target group…")
        info, _ = tg.find_or_create_target_group(
            link.aws,
            plan.name,
            plan.target_group_name,
            plan.source.vpc_id,
            plan.port,
            plan.source.target_type,
            on_created=link.created("target-group"),
        )
        record.target_group_arn = info.arn
        link.save()
        progress("Turning off proxy protocol, client IP preservation and stickiness…")
        tg.configure_target_group(link.aws, info.arn)
        progress(f"Creating (or finding) the listener on port {plan.port}…")
        record.listener_arn, _ = tg.find_or_create_listener(
            link.aws,
            plan.name,
            found.arn,
            plan.port,
            info.arn,
            on_created=link.created("listener"),
        )
        link.save()
        targets = self.targets(link)
        progress(f"Registering targets: {', '.join(targets)}…")
        tg.sync_targets(link.aws, info.arn, targets, plan.port)
        _remove_leftovers(link, found, progress)
        record.mark_done(self.id)
        link.save()

    def fix(self, link: Link, key: str, allow_reboot: bool = False) -> str:
        plan = link.plan
        if key == "security-group":
            found = nlb.find_nlb(link.aws, plan.name)
            subnets = found.subnet_ids if found else plan.subnet_ids
            groups = found.security_group_ids if found else ()
            rules = network.fix_security_group(link.aws, plan.source, plan.port, subnets, plan.name, groups)
            for rule in rules:
                link.record.note_created("security-group-rule", rule)
            link.save()
            remember_rules(link.aws, link.record, rules)  # what each allows: teardown's exact match
            link.save()
            if not rules:
                return "The database's security group already allows the load balancer."
            if groups:
                return (
                    f"Added an inbound rule on port {plan.port} to the database's security group "
                    f"for the load balancer's security group {groups[0]}."
                )
            return (
                f"Added {len(rules)} inbound rule(s) on port {plan.port} to the database's "
                "security group for the load balancer's subnets."
            )
        if key == "nlb-sg-enforcement":
            nlb_security.fix_nlb_sg_enforcement(link.aws, _require_nlb(link).arn)
            return "The load balancer no longer filters PrivateLink traffic by security group."
        if key in ("skip-name-resolve", "max-connect-errors"):
            if key == "skip-name-resolve":
                result = rds_params.fix_skip_name_resolve(
                    link.aws, plan.source, plan.name, allow_reboot=allow_reboot
                )
            else:
                result = rds_params.fix_max_connect_errors(link.aws, plan.source, plan.name)
            # Only the link's own group is the wizard's (teardown keeps it: the database uses it).
            if result.parameter_group == rds_params.link_group_name(plan.name):
                link.record.note_created("db-parameter-group", result.parameter_group)
                link.save()
            return result.message
        if key == "refresh-targets":
            # After an RDS failover the database's IPs change: register the ones it has now.
            arn = link.record.target_group_arn
            if not arn:
                found_tg = tg.find_target_group(link.aws, plan.name, plan.target_group_name)
                if found_tg is None:
                    raise UserError(
                        "The target group of this link does not exist",
                        fix="Run the target group step (or setup) again to create it.",
                    )
                arn = found_tg.arn
            sync = tg.sync_targets(link.aws, arn, self.targets(link), plan.port)
            if not sync.changed:
                return f"The target group already points at {', '.join(sync.current)}."
            parts = []
            if sync.registered:
                parts.append(f"registered {', '.join(sync.registered)}")
            if sync.deregistered:
                parts.append(f"removed {', '.join(sync.deregistered)}")
            return "Targets updated: " + "; ".join(parts) + "."
        if key == "remove-leftovers":
            removed = _remove_leftovers(link, nlb.find_nlb(link.aws, plan.name))
            if not removed:
                return f"The link has nothing left over from another port than {plan.port}."
            return "Removed " + "; ".join(r.describe() for r in removed) + "."
        return super().fix(link, key, allow_reboot)


_REMOVE_WHY = {
    "listener": "it forwards the old port; the link now uses only the port asked",
    "target-group": "the old port's target group, once its listener is gone",
    "security-group-rule": "the database's firewall rule the wizard added for the old port",
}


def _leftovers(link: Link, balancer: nlb.NlbInfo | None) -> list[converge.Leftover]:
    plan = link.plan
    return converge.find_leftovers(link.aws, plan.name, plan.port, plan.target_group_name, balancer)


def _remove_leftovers(
    link: Link, balancer: nlb.NlbInfo | None, progress: Progress = _quiet
) -> list[converge.Leftover]:
    """Remove what the link no longer asks for (its caller holds the link's lock: apply_step,
    apply_fix) and forget it in the record; say what stays because the wizard did not make it."""
    found = _leftovers(link, balancer)
    for other in (f for f in found if not f.ours):
        progress(
            f"Leaving the {other.describe()} alone: the wizard did not create it. Remove it in "
            "the EC2 console if the platform must not reach that port."
        )
    removed = converge.remove_leftovers(link.aws, found, progress)
    if removed:
        gone = {r.id for r in removed}
        link.record.created = [r for r in link.record.created if r.id not in gone]
        link.save()
    return removed


class EndpointServiceStep(Step):
    id = "endpoint_service"
    title = "Endpoint service"

    def check(self, link: Link) -> list[CheckRow]:
        found = nlb.find_nlb(link.aws, link.plan.name)
        starting = found is not None and found.state == "provisioning"
        return [
            CheckRow(
                "nlb-active",
                bool(found and found.state in ("active", "provisioning")),
                "The load balancer is active",
                warning=starting,
                reason=""
                if found and found.state == "active"
                else "AWS is still starting it; creating the service waits until it is active."
                if starting
                else f"It is '{found.state}'; set the load balancer up again."
                if found
                else "Create the load balancer first.",
            )
        ]

    def preview(self, link: Link) -> list[PreviewItem]:
        existing = endpoint_service.find_endpoint_service(link.aws, link.plan.name)
        if existing:
            return [PreviewItem("reuse", f"Endpoint service {existing.id}", existing.state)]
        return [
            PreviewItem(
                "create",
                "VPC endpoint service in front of the load balancer",
                "every connection request must be accepted by you",
            )
        ]

    def apply(self, link: Link, progress: Progress = _quiet) -> None:
        found = _require_nlb(link)
        if found.state != "active":
            progress("Waiting for AWS to finish starting the load balancer (a few minutes)…")
        nlb.ready_nlb(link.aws, found.arn, link.plan.cross_zone)
        progress("Creating (or finding) the endpoint service and waiting until it is available…")
        info, _ = endpoint_service.find_or_create_endpoint_service(
            link.aws, link.plan.name, found.arn, on_created=link.created("endpoint-service")
        )
        link.record.endpoint_service_id = info.id
        link.record.service_name = info.name
        link.record.az_ids = endpoint_service.zone_ids(link.aws, info)
        link.record.mark_done(self.id)
        link.save()
        progress(f"Endpoint service ready: {info.name}")


class AllowlistStep(Step):
    id = "allowlist"
    title = "Allow the platform"

    def check(self, link: Link) -> list[CheckRow]:
        try:
            validate_principal(link.plan.principal)
            ok, reason = True, ""
        except UserError as exc:
            ok, reason = False, exc.paragraph()
        rows = [CheckRow("principal", ok, "The platform's principal (ARN) is valid", reason)]
        others = self.other_principals(link) if ok else []
        if others:
            rows.append(_others_row(link.plan.principal, others))
        return rows

    def other_principals(self, link: Link) -> list[str]:
        """Who else the endpoint service allows besides the link's principal (e.g. the one an
        earlier run allowed, or '*' added in the console): each can request a connection."""
        try:
            allowed = allowed_principals(link)
        except UserError as exc:
            if "NotFound" not in exc.code:
                raise
            allowed = []  # the service was removed outside the wizard: its step makes it again
        return [p for p in allowed if p != link.plan.principal]

    def fix(self, link: Link, key: str, allow_reboot: bool = False) -> str:
        if key != "other-principals":
            return super().fix(link, key, allow_reboot)
        others = self.other_principals(link)
        if not others:
            return f"Only {link.plan.principal} is allowed; nothing to remove."
        left = endpoint_service.remove_principals(link.aws, link.record.endpoint_service_id, others)
        return f"Removed {', '.join(others)} from the allow list; allowed now: {', '.join(left) or 'nobody'}."

    def preview(self, link: Link) -> list[PreviewItem]:
        return [
            PreviewItem(
                "change",
                f"Allow {link.plan.principal} to connect",
                f"on endpoint service {link.record.endpoint_service_id or '(new)'}",
            )
        ]

    def apply(self, link: Link, progress: Progress = _quiet) -> None:
        principal = validate_principal(link.plan.principal)
        service_id = link.record.endpoint_service_id
        if not service_id:
            raise UserError(
                "The endpoint service does not exist yet",
                fix="Run the endpoint service step first.",
            )
        progress(f"Allowing {principal} to connect…")
        endpoint_service.allow_principal(link.aws, service_id, principal)
        link.record.principal = principal
        link.record.mark_done(self.id)
        link.save()


def _others_row(principal: str, others: list[str]) -> CheckRow:
    anyone = "*" in others
    named = [p for p in others if p != "*"]
    reason = (
        "'*' is on the allow list: any AWS account can request a connection to the endpoint "
        "service (each request still waits for your acceptance). "
        if anyone
        else ""
    ) + (
        f"{', '.join(named)} {'is' if len(named) == 1 else 'are'} allowed besides {principal} "
        "and stays allowed unless removed: each can still request a connection. "
        if named
        else ""
    )
    return CheckRow(
        "other-principals",
        False,
        "Any AWS account may connect" if anyone else "Other principals are allowed to connect",
        reason=reason.strip(),
        fix=f"Remove {', '.join(others)} from the endpoint service's allow list, so only "
        f"{principal} may request a connection.",
        required=False,
        warning=True,
    )


SETUP_STEPS: list[Step] = [NlbStep(), TargetGroupStep(), EndpointServiceStep(), AllowlistStep()]


def step_by_id(step_id: str) -> Step:
    for step in SETUP_STEPS:
        if step.id == step_id:
            return step
    raise KeyError(step_id)


def link_lock(
    link: Link, wait: float = 0, progress: Progress = _quiet
) -> AbstractContextManager[None]:
    """The link's lock. The GUI refuses at once (wait 0); the CLI waits up to `wait` seconds,
    saying so, and then finds whatever the other run created."""

    def waiting() -> None:
        progress(
            f"Another window or command is changing the link '{link.plan.name}'; waiting up to "
            f"{wait:g} s for it to finish…"
        )

    return link.store.locked(
        link.record.account_id, link.plan.region, link.plan.name, wait=wait, on_wait=waiting
    )


def _merge_saved(link: Link) -> None:
    """Fold in what another run saved while this one waited for the lock, so saving this record
    never drops a resource the other run noted."""
    saved = link.store.load(link.record.account_id, link.plan.region, link.plan.name)
    if saved is None:
        return
    record = link.record
    for res in saved.created:
        record.note_created(res.kind, res.id, res.note, **res.details())
    for step_id in saved.completed_steps:
        record.mark_done(step_id)
    for name in ("nlb_arn", "nlb_dns_name", "target_group_arn", "listener_arn",
                 "endpoint_service_id", "service_name"):
        if not getattr(record, name):
            setattr(record, name, getattr(saved, name))
    record.az_ids = record.az_ids or saved.az_ids
    for endpoint_id in saved.accepted_endpoint_ids:
        if endpoint_id not in record.accepted_endpoint_ids:
            record.accepted_endpoint_ids.append(endpoint_id)


def apply_step(link: Link, step: Step, progress: Progress = _quiet, wait: float = 0) -> None:
    """Run one step under the link's lock (another window or command cannot build the same link
    at once), recording a failure for the resume offer."""
    with link_lock(link, wait, progress):
        _merge_saved(link)
        try:
            step.apply(link, progress)
        except UserError as exc:
            link.record.last_error = exc.paragraph()
            link.save()
            raise
        link.record.last_error = ""
        link.save()


def apply_fix(
    link: Link, step: Step, key: str, allow_reboot: bool = False, wait: float = 0,
    progress: Progress = _quiet,
) -> str:
    """Apply one check's fix under the link's lock (it changes the database's firewall or
    settings, or the link's resources); returns what was done, in plain words."""
    with link_lock(link, wait, progress):
        _merge_saved(link)
        done = step.fix(link, key, allow_reboot)
        link.save()
        return done


def run_setup(
    link: Link, progress: Progress = _quiet, steps: Sequence[Step] = SETUP_STEPS, wait: float = 0
) -> None:
    """Run every step in order (each under the link's lock, waiting up to `wait` seconds)."""
    for step in steps:
        apply_step(link, step, progress, wait)


def allowed_principals(link: Link) -> list[str]:
    if not link.record.endpoint_service_id:
        return []
    return endpoint_service.allowed_principals(link.aws, link.record.endpoint_service_id)


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
    message = "\n".join(
        [
            f"Hello {plan.consumer.display_name} team,",
            "",
            "Please connect to our database over AWS PrivateLink:",
            f"  Service name: {record.service_name}",
            f"  Region: {plan.region}",
            f"  Availability zone IDs: {', '.join(az_ids) or 'n/a'}",
            f"  Port: {plan.port}",
            "",
            f"Your principal {plan.principal} is allowed. {host_hint}",
            "Please send us the endpoint's DNS name once the connection is accepted.",
        ]
    )
    return ServiceSummary(record.service_name, plan.region, az_ids, plan.port, message)


def list_requests(link: Link) -> list[Connection]:
    if not link.record.endpoint_service_id:
        return []
    return connections.list_connections(link.aws, link.record.endpoint_service_id)


def expected_owner(link: Link) -> str:
    return link.plan.principal.split(":")[4] if link.plan.principal.count(":") >= 5 else ""


def accept_requests(link: Link, endpoint_ids: Sequence[str]) -> list[Connection]:
    return accept_on_service(
        link.aws, link.record.endpoint_service_id, endpoint_ids, link.store,
        link.record.account_id, link.plan.name, record=link.record,
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
    progress: Progress = _quiet,
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
