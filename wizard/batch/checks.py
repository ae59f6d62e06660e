"""A batch file's rows checked against AWS, reading only: each database exists, the subnets are
usable, names are free, no database is on another link. What passes becomes the plan `run`
follows; every problem keeps its line, and any problem means nothing is created."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from wizard.aws import discovery, endpoint_service, nlb
from wizard.aws.link_databases import find_databases
from wizard.aws.session import AwsContext, Identity
from wizard.batch.rows import BatchFile, DatabaseRow, LinkRow, Problem
from wizard.checks import CheckRow
from wizard.consumers import Consumer, load_consumer
from wizard.errors import UserError
from wizard.model import DataSource, LinkPlan, LinkRecord
from wizard.state import DamagedRecordError, RecordStore
from wizard.steps import SETUP_STEPS, AllowlistStep, Link, open_link
from wizard.steps.link import PreviewItem

# Signing in to a region: (AWS context, who we are there); the command keeps one per region.
Sessions = Callable[[str], tuple[AwsContext, Identity]]


@dataclass
class PlannedLink:
    row: LinkRow
    link: Link
    nlb_rows: list[CheckRow]
    others: list[str]  # other principals the endpoint service allows
    existed: bool  # the whole chain was there before this run


@dataclass
class PlannedDatabase:
    row: DatabaseRow
    aws: AwsContext
    account_id: str
    source: DataSource
    consumer: Consumer  # its link's platform
    already: bool  # on its link already
    listener_port: int | None  # chosen already when its link exists, else the row's
    preview: list[PreviewItem] = field(default_factory=list)


@dataclass
class BatchPlan:
    links: list[PlannedLink] = field(default_factory=list)
    databases: list[PlannedDatabase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    store: RecordStore = field(default_factory=RecordStore)


def check_with_aws(
    batch: BatchFile, sessions: Sessions, store: RecordStore, consumer: Consumer | None = None
) -> BatchPlan:
    """Every row checked with AWS reads; the plan, or the problems (by line). `consumer` is the
    platform of the links this file does not build (the command line's)."""
    plan = BatchPlan(store=store)
    for row in batch.links:
        sessions(row.region)  # signing in failing is the whole command's problem, not a row's
        try:
            planned = _check_link(row, sessions, store, plan.problems)
        except UserError as exc:  # a read AWS refused: the row cannot be checked, so it is a problem
            plan.problems.append(Problem(row.line, exc.paragraph()))
            continue
        if planned is not None:
            plan.links.append(planned)
    by_name = {(p.row.region, p.row.name): p for p in plan.links}
    for db_row in batch.databases:
        sessions(db_row.region)
        try:
            found = _check_database(
                db_row, sessions, store, by_name, consumer or load_consumer(), plan.problems
            )
        except UserError as exc:
            plan.problems.append(Problem(db_row.line, exc.paragraph()))
            continue
        if found is not None:
            plan.databases.append(found)
    plan.problems.sort(key=lambda p: p.line)
    return plan


def _elsewhere(aws: AwsContext, store: RecordStore, account: str, source_id: str, link: str) -> str:
    """The link other than `link` that has the database already ('' if none): by the database
    tag in AWS and by the saved records."""
    from wizard.steps import databases

    others = databases.links_with(aws, store, account, source_id, link)
    return others[0] if others else ""


def _check_link(
    row: LinkRow,
    sessions: Sessions,
    store: RecordStore,
    problems: list[Problem],
) -> PlannedLink | None:
    aws, identity = sessions(row.region)
    try:
        source = discovery.find_data_source(aws, row.source)
    except UserError as exc:
        problems.append(Problem(row.line_of("source"), exc.paragraph()))
        return None
    if row.port is None and source.port is None:
        problems.append(
            Problem(
                row.line,
                f"{source.id} is an EC2 server, so the wizard cannot guess the port. Add "
                "port = … to this row: the database's port (3306, 5432, …) or 22 for an SSH tunnel host.",
            )
        )
        return None
    other = _elsewhere(aws, store, identity.account_id, source.id, row.name)
    if other:
        problems.append(
            Problem(
                row.line_of("source"),
                f"{source.id} is on the link '{other}' already: a database can be on one link only. "
                f"Remove this row, or take it off that link first (`privatelink-wizard remove "
                f"--region {aws.region} --name {other} --source {source.id}`).",
            )
        )
        return None
    saved = _saved(store, identity.account_id, aws.region, row.name)
    if saved is not None and saved.source_id and saved.source_id.lower() != source.id.lower():
        problems.append(
            Problem(
                row.line_of("name"),
                f"The link '{row.name}' exists already, for {saved.source_id}, not {source.id}. "
                'Give this row another name = "…", or add the database to that link with a '
                "[[link.database]] table.",
            )
        )
        return None
    if nlb.find_nlb(aws, row.name) is None:
        try:
            nlb.check_name_free(aws, row.name, row.name)  # a load balancer not the wizard's
        except UserError as exc:
            problems.append(Problem(row.line_of("name"), exc.paragraph()))
            return None
    plan = LinkPlan.of(
        name=row.name,
        region=aws.region,
        source=source,
        port=row.port,
        subnet_ids=row.subnets or discovery.default_subnets(aws, source),
        consumer=row.consumer,
        principal=row.principal,
        cross_zone=row.cross_zone,
        target_sync=row.sync,
        consumer_regions=row.consumer_regions,
    )
    link = open_link(aws, plan, identity.account_id, store)
    nlb_rows = SETUP_STEPS[0].check(link)
    # As the single setup: cross-region needs two zones that serve other regions.
    nlb_rows += [r for r in SETUP_STEPS[2].check(link) if r.key == "cross-region-zones"]
    blocking = [r for r in nlb_rows if r.required and not r.ok]
    if blocking:
        problems.append(
            Problem(
                row.line_of("subnets"),
                "; ".join(f"{r.label}: {r.reason}" for r in blocking)
                + ". Correct subnets = [...] in this row (or leave it out for the recommended ones).",
            )
        )
        return None
    existed = (
        saved is not None
        and all(step.id in saved.completed_steps for step in SETUP_STEPS)
        and endpoint_service.find_endpoint_service(aws, row.name) is not None
    )
    return PlannedLink(row, link, nlb_rows, AllowlistStep().other_principals(link), existed)


def _check_database(
    row: DatabaseRow,
    sessions: Sessions,
    store: RecordStore,
    links: dict[tuple[str, str], PlannedLink],
    default_consumer: Consumer,
    problems: list[Problem],
) -> PlannedDatabase | None:
    from wizard.steps import databases

    aws, identity = sessions(row.region)
    try:
        source = discovery.find_data_source(aws, row.source)
    except UserError as exc:
        problems.append(Problem(row.line_of("source"), exc.paragraph()))
        return None
    if row.port is not None:
        source = dataclasses.replace(source, port=row.port)
    elif source.port is None:
        problems.append(
            Problem(
                row.line,
                f"{source.id} is an EC2 server, so the wizard cannot guess the port. Add port = … "
                "to this row: the database's port (3306, 5432, …).",
            )
        )
        return None
    other = _elsewhere(aws, store, identity.account_id, source.id, row.link)
    if other:
        problems.append(
            Problem(
                row.line_of("source"),
                f"{source.id} is on the link '{other}' already: a database can be on one link only. "
                "Remove this row, or take it off that link first.",
            )
        )
        return None
    planned_link = links.get((row.region, row.link))
    consumer = planned_link.row.consumer if planned_link else default_consumer
    balancer = nlb.find_nlb(aws, row.link)
    if balancer is not None:
        saved = _saved(store, identity.account_id, aws.region, row.link)
        on_link = find_databases(aws, row.link, saved, balancer)
        here = next((d for d in on_link if d.source_id == source.id), None)
        if here is not None and here.target_group_arn and here.listener_arn:
            return PlannedDatabase(row, aws, identity.account_id, source, consumer, True, here.listener_port)
        # Half-added by an earlier run (AWS refused, or it was stopped): add continues it.
    if balancer is None:
        if not row.in_file:
            problems.append(
                Problem(
                    row.line_of("link"),
                    f"There is no link named '{row.link}' in {aws.region}. Check the name "
                    "(`privatelink-wizard list` shows the links), or add a [[link]] table for it.",
                )
            )
            return None
        # Its link is built by this run first: the rest of its checks run when it is added.
        first = planned_link.link.plan.source if planned_link else None
        if first is not None and first.vpc_id != source.vpc_id:
            problems.append(
                Problem(
                    row.line_of("source"),
                    f"{source.id} is in the network {source.vpc_id}, the link's first database "
                    f"{first.id} in {first.vpc_id}: a load balancer reaches one network only. Give "
                    "it a [[link]] table of its own.",
                )
            )
            return None
        port = planned_link.link.plan.port if planned_link else None
        if port is not None and row.listener_port == port:
            problems.append(
                Problem(
                    row.line_of("listener_port"),
                    f"Listener port {port} is the port of the link's first database. Choose another "
                    "listener_port, or leave it out to take the next free one.",
                )
            )
            return None
        where = f"listener port {row.listener_port}" if row.listener_port else "the next free listener port"
        preview = [PreviewItem("create", f"a target group and a listener for {source.id}", where)]
        return PlannedDatabase(
            row, aws, identity.account_id, source, consumer, False, row.listener_port, preview
        )
    adding = databases.plan_add_database(aws, store, identity.account_id, row.link, source, row.listener_port)
    if adding.refusal is not None:
        problems.append(Problem(row.line, adding.refusal.paragraph()))
        return None
    return PlannedDatabase(
        row, aws, identity.account_id, source, consumer, False, adding.listener_port, list(adding.preview)
    )


def _saved(store: RecordStore, account: str, region: str, name: str) -> LinkRecord | None:
    try:
        return store.load(account, region, name)
    except DamagedRecordError:  # open_link sets it aside and finds everything by its tags
        return None
