"""The engine calls the pages make, as plain functions that run on worker threads.

No Qt here, and nothing but composition: every AWS action is an engine function (session,
discovery, steps); one a page calls as it is is re-exported here (`import x as x`). Importing
this module imports the engine (boto3), so pages reach it through `wizard.ui.worker.tasks`, which
imports it on the first call, after the first window is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard import diagnostics, link_states, secrets, steps
from wizard.aws import discovery, model_loader, nlb, teardown
from wizard.aws.connections import Connection
from wizard.aws.session import (
    AwsContext,
    Credentials,
    Identity,
    make_context,
    whoami,
)
from wizard.aws.session import list_profiles as list_profiles
from wizard.checks import CheckRow
from wizard.consumers import Consumer
from wizard.diagnostics import LinkStatus
from wizard.model import DataSource, LinkPlan, LinkRecord, SubnetInfo
from wizard.state import RecordStore
from wizard.steps import allowed_principals as allowed_principals
from wizard.steps import list_requests as list_requests
from wizard.steps import service_summary as service_summary
from wizard.steps import target_health as target_health
from wizard.ui.collector import collector_paused
from wizard.ui.database_tasks import add_choices as add_choices
from wizard.ui.database_tasks import add_database as add_database
from wizard.ui.database_tasks import databases_of_link as databases_of_link
from wizard.ui.database_tasks import plan_add_database as plan_add_database
from wizard.ui.database_tasks import platform_message as platform_message
from wizard.ui.database_tasks import remove_database as remove_database


def sign_in(
    kind: str,
    name: str,
    access_key: str,
    secret: str,
    token: str,
    region: str,
    endpoint_url: str | None,
) -> tuple[Credentials, AwsContext, Identity]:
    """kind: "profile" (name = AWS config profile), "saved" (name = keyring profile), "keys" or
    "demo" (the access key fields)."""
    if kind == "saved":
        credentials = secrets.load_profile(name)
    elif kind == "profile":
        credentials = Credentials(profile=name)
    else:
        credentials = Credentials(access_key_id=access_key, secret_access_key=secret, session_token=token)
    aws = make_context(credentials, region, endpoint_url)
    identity = whoami(aws)
    # The next pages' AWS models and clients, made now while the page waits for this answer:
    # made later, as the next page opens, they would slow its first paint (they share the
    # interpreter lock with the window). A client is thousands of objects, all kept: made with
    # the collector paused, then frozen.
    aws.warm_up_models()
    with collector_paused:
        for service in model_loader.SERVICES:
            aws.client(service)
    return credentials, aws, identity


def save_profile(name: str, access_key: str, secret: str, token: str) -> None:
    secrets.save_profile(
        name, Credentials(access_key_id=access_key, secret_access_key=secret, session_token=token)
    )


@dataclass(frozen=True)
class Discovery:
    sources: list[DataSource]
    skipped: list[str]  # kinds the endpoint could not list ("RDS Proxies"), said on the page


def discover(aws: AwsContext) -> Discovery:
    skipped: list[str] = []
    sources = discovery.list_data_sources(aws, skipped)
    return Discovery(sources, skipped)


@dataclass(frozen=True)
class NetworkChoice:
    subnets: list[SubnetInfo]
    recommended: tuple[str, ...]
    existing_nlb: nlb.NlbInfo | None


def network_choice(aws: AwsContext, source: DataSource, link_name: str) -> NetworkChoice:
    existing = nlb.find_nlb(aws, link_name) if link_name else None
    return NetworkChoice(
        discovery.list_subnets(aws, source.vpc_id),
        discovery.default_subnets(aws, source),
        existing,
    )


@dataclass
class StepView:
    link: steps.Link
    rows: list[CheckRow]
    preview: list[steps.PreviewItem]

    def done(self, step_id: str) -> bool:
        return step_id in self.link.record.completed_steps


def evaluate_step(step_id: str, aws: AwsContext, plan: LinkPlan, account_id: str) -> StepView:
    """Open the link for `plan` and read the step's checks and preview (reads only)."""
    step = steps.step_by_id(step_id)
    link = steps.open_link(aws, plan, account_id)
    return StepView(link, step.check(link), step.preview(link))


def apply_step(step_id: str, link: steps.Link, progress: Callable[[str], None]) -> steps.Link:
    steps.apply_step(link, steps.step_by_id(step_id), progress)
    return link


def fix_check(step_id: str, link: steps.Link, key: str, allow_reboot: bool = False) -> str:
    return steps.apply_fix(link, steps.step_by_id(step_id), key, allow_reboot)


def set_up_alerts(link: steps.Link, email: str, progress: Callable[[str], None]) -> Any:
    """The link's alerts, as `setup --notify` makes them (returns wizard.aws.alerts.AlertsInfo)."""
    record = link.record
    return steps.set_up_alerts(
        link.aws, link.store, record.account_id, record.name, email, record=record, progress=progress
    )


def accept_requests(link: steps.Link, endpoint_ids: list[str]) -> list[Connection]:
    steps.accept_requests(link, endpoint_ids)
    return steps.list_requests(link)


@dataclass(frozen=True)
class Resumed:
    source: DataSource
    link: steps.Link


def resume(aws: AwsContext, record: LinkRecord, consumer: Consumer, account_id: str) -> Resumed:
    """Rebuild the plan of a saved link: its source, and the subnets of its load balancer."""
    source = discovery.find_data_source(aws, record.source_id)
    existing = nlb.find_nlb(aws, record.name)
    subnets = existing.subnet_ids if existing else discovery.default_subnets(aws, source)
    plan = LinkPlan.of(
        name=record.name,
        region=record.region,
        source=source,
        port=record.port,
        subnet_ids=subnets,
        consumer=consumer,
        principal=record.principal,
        cross_zone=existing.cross_zone if existing else True,
        consumer_regions=record.consumer_regions,
    )
    return Resumed(source, steps.open_link(aws, plan, account_id))


# --- support: link health, fixes, the diagnostics report ------------------------------------


def link_health(aws: AwsContext, identity: Identity, name: str, consumer: Consumer) -> list[LinkStatus]:
    """Every check on the link `name` (all links of this account and region when empty)."""
    store = RecordStore()
    names = [name] if name else diagnostics.link_names(aws, identity.account_id, store)
    return [diagnostics.link_status(aws, identity, n, consumer, store) for n in names]


def fix_finding(aws: AwsContext, status: LinkStatus, key: str, consumer: Consumer) -> str:
    return diagnostics.apply_fix(aws, status, key, consumer, RecordStore())


def write_diagnostics(
    path: str,
    aws: AwsContext | None,
    identity: Identity | None,
    name: str,
    consumer: Consumer,
    presenter: bool,
) -> Path:
    """The redacted report; without a sign-in it still holds the app, OS and activity log."""
    reports = link_health(aws, identity, name, consumer) if aws and identity else []
    return diagnostics.write_report(path, aws, identity, reports, presenter=presenter)


# --- after a failed step: what the wizard built for the link, and removing it ---------------


def link_resources(link: steps.Link) -> teardown.TeardownPlan:
    """What `remove_link` would delete (found by the link's tags and record), the connections it
    would reject, the rules it would leave, and anything that would stop it."""
    platform = link.plan.platform_account
    return teardown.plan_teardown(link.aws, link.plan.name, link.record, platform)


def remove_link(link: steps.Link, progress: Callable[[str], None]) -> list[teardown.ManagedResource]:
    """Delete what is the link's (newest first) and forget its saved progress. Holds the link's
    lock, so no other window builds the link while it is being removed."""
    record = link.record
    return steps.remove_link(link.aws, link.store, record.account_id, link.plan.name, record, progress)[0]


# --- the home screen: the links of this account and region -------------------------------------


def link_overview(aws: AwsContext, identity: Identity, consumer: Consumer) -> list[link_states.LinkState]:
    return link_states.list_links(aws, identity, consumer, RecordStore())


def removal_plan(aws: AwsContext, account_id: str, name: str, consumer: Consumer) -> teardown.TeardownPlan:
    """What removing the link `name` would delete (its record, if saved here, names its rules)."""
    record = _saved_record(account_id, aws.region, name)
    return teardown.plan_teardown(aws, name, record, consumer.account_for(record.principal if record else ""))


def remove_by_name(
    aws: AwsContext, account_id: str, name: str, progress: Callable[[str], None]
) -> tuple[list[teardown.ManagedResource], list[str]]:
    """Delete what is the link's and forget its record (under its lock); (deleted, kept groups)."""
    from wizard.state import RecordStore

    record = _saved_record(account_id, aws.region, name)
    return steps.remove_link(aws, RecordStore(), account_id, name, record, progress)


def _saved_record(account_id: str, region: str, name: str) -> LinkRecord | None:
    from wizard.state import DamagedRecordError, RecordStore

    try:
        return RecordStore().load(account_id, region, name)
    except DamagedRecordError:  # what exists is found by its tags all the same
        return None


def sandbox_failover(endpoint_url: str, source_id: str, region: str) -> str:
    """The demo's Sandbox menu: fail the database over in the sandbox (its control endpoint)."""
    from wizard.sandbox.failover import request_failover

    return request_failover(endpoint_url, source_id, region)


# --- the link as code ----------------------------------------------------------------------------


def export_terraform(
    aws: AwsContext, account_id: str, name: str, folder: Path, progress: Callable[[str], None]
) -> list[Path]:
    """Write the link as Terraform into `folder` (new or empty); the files written."""
    from wizard import export

    export.check_folder(folder, in_window=True)  # before reading AWS: a refusal costs nothing
    result = export.export_terraform(aws, name, _saved_record(account_id, aws.region, name), progress)
    return export.write_folder(result, folder, in_window=True)
