"""The engine calls of the window's "several databases on one link" (the Add a database dialog,
the per-database rows of the home screen and the Done page), as plain functions that run on
worker threads. No Qt here, and nothing but composition of wizard.steps.databases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from wizard import diagnostics
from wizard.aws import discovery, nlb
from wizard.aws.session import AwsContext
from wizard.consumers import Consumer
from wizard.errors import UserError
from wizard.model import DataSource, LinkDatabase, LinkRecord
from wizard.state import DamagedRecordError, RecordStore
from wizard.steps import database_fixes, databases
from wizard.steps.databases import AddDatabasePlan, DatabaseOnLink


def _record(store: RecordStore, account_id: str, region: str, name: str) -> LinkRecord | None:
    try:
        return store.load(account_id, region, name)
    except DamagedRecordError:  # what exists is found by its tags all the same
        return None


@dataclass(frozen=True)
class LinkDatabases:
    databases: list[DatabaseOnLink]  # the first database first
    record: LinkRecord | None  # the link's saved record, as it is now (None: not saved here)


def databases_of_link(aws: AwsContext, account_id: str, link_name: str) -> LinkDatabases:
    """The link's databases with their listener ports and target health, and its record."""
    record = _record(RecordStore(), account_id, aws.region, link_name)
    return LinkDatabases(databases.link_databases(aws, link_name, record), record)


# --- the Add a database dialog ---------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    source: DataSource
    on_link: str = ""  # the link it is on already ("" = none): shown, but cannot be picked


@dataclass(frozen=True)
class AddChoices:
    link_name: str
    vpc_id: str  # the link's network: its load balancer's VPC
    candidates: list[Candidate]
    elsewhere: int  # databases of the region in other VPCs (the load balancer cannot reach them)
    skipped: list[str]  # kinds the endpoint could not list


def add_choices(aws: AwsContext, account_id: str, link_name: str) -> AddChoices:
    """The databases the link's load balancer can reach, each with the link it is on already."""
    store = RecordStore()
    balancer = nlb.find_nlb(aws, link_name)
    if balancer is None:
        raise UserError(
            f"The link '{link_name}' has no load balancer",
            why="A database is added as a listener on the link's load balancer, and none carries "
            "this link's tags here.",
            fix="Continue the link in the wizard (or build it again) first, then add the database.",
        )
    skipped: list[str] = []
    sources = discovery.list_data_sources(aws, skipped)
    on_link: dict[str, str] = {}
    for name in diagnostics.link_names(aws, account_id, store):
        record = _record(store, account_id, aws.region, name)
        try:
            for database in databases.link_databases(aws, name, record):
                on_link[database.source_id] = name
        except UserError:
            if record is not None:  # AWS could not say: the record still names its databases
                on_link.update({d.source_id: name for d in record.all_databases()})
    here = [s for s in sources if s.vpc_id == balancer.vpc_id]
    candidates = [Candidate(s, on_link.get(s.id, "")) for s in here]
    return AddChoices(link_name, balancer.vpc_id, candidates, len(sources) - len(here), skipped)


def plan_add_database(
    aws: AwsContext, account_id: str, link_name: str, source: DataSource, listener_port: int | None
) -> AddDatabasePlan:
    """What adding `source` would do, its checks and the free listener port (reads only)."""
    plan = databases.plan_add_database(aws, RecordStore(), account_id, link_name, source, listener_port)
    taken = listener_port is not None and listener_port in databases.used_listener_ports(aws, link_name)
    if plan.refusal is not None and taken:
        # The engine's words name the command line's option; the window has a port field.
        free = databases.free_listener_port(aws, link_name, int(listener_port or 0))
        fix = f"Choose another listener port: {free} is the next free one."
        plan.refusal = replace(plan.refusal, fix=fix)
    return plan


@dataclass(frozen=True)
class Added:
    database: LinkDatabase
    message: str  # the message to the platform, listing every database with its port
    databases: list[DatabaseOnLink]


def add_database(
    aws: AwsContext,
    account_id: str,
    link_name: str,
    source: DataSource,
    consumer: Consumer,
    listener_port: int | None,
    progress: Callable[[str], None],
) -> Added:
    """Add the database under the link's lock, then read the new message and the databases."""
    store = RecordStore()
    database = databases.add_database(
        aws, store, account_id, link_name, source, consumer, listener_port, progress=progress
    )
    progress("Reading the message for the platform…")
    message = platform_message(aws, account_id, link_name, consumer)
    return Added(database, message, databases_of_link(aws, account_id, link_name).databases)


def platform_message(aws: AwsContext, account_id: str, link_name: str, consumer: Consumer) -> str:
    """The message to the platform for the link as it is now, every database with its port ("":
    the link has no service name here yet)."""
    summary = database_fixes.link_summary(aws, RecordStore(), account_id, link_name, consumer)
    return summary.message if summary is not None else ""


# --- removing one database -------------------------------------------------------------------


def remove_database(
    aws: AwsContext, account_id: str, link_name: str, source_id: str, progress: Callable[[str], None]
) -> list[str]:
    """Remove one database (its listener and target group) under the link's lock; in words."""
    return databases.remove_database(aws, RecordStore(), account_id, link_name, source_id, progress=progress)
