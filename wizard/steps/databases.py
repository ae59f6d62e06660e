"""Several databases on one link: add a database to a link (its own target group, and a listener
on its own port of the link's load balancer), remove one, and read a link's databases from AWS.

The link's first database is the one it was set up with (the record's legacy fields); the ones
added later are in `LinkRecord.databases`. Every target group and listener made for a database
carries `DATABASE_TAG_KEY`, so they are found in AWS without the record. Each change runs under
the link's lock."""

from __future__ import annotations

from dataclasses import dataclass, field

from wizard.aws import nlb
from wizard.aws import target_group as tg
from wizard.aws.session import AwsContext
from wizard.checks import CheckRow
from wizard.consumers import Consumer
from wizard.errors import UserError
from wizard.model import DataSource, LinkDatabase, LinkRecord
from wizard.state import RecordStore
from wizard.steps.link import PreviewItem, Progress, quiet

# The highest TCP port a listener may use (API reference, CreateListener: Port 1-65535).
MAX_PORT = 65535


@dataclass
class AddDatabasePlan:
    """What adding a database would do (read only): the listener port chosen, the preview, the
    database's checks; `refusal` says why it cannot be added (None = it can)."""

    link_name: str
    source: DataSource
    listener_port: int
    preview: list[PreviewItem] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)
    refusal: UserError | None = None
    # Subnets the load balancer gains so that it covers the database's zones (may be empty).
    new_subnet_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatabaseOnLink:
    """One database of a link, as found in AWS (tags) and the record."""

    source_id: str
    source_kind: str  # SourceKind value ("" when only AWS knows the database)
    port: int  # the database's own port (the target group's)
    listener_port: int  # the port the platform uses (0: no listener found)
    target_group_arn: str = ""
    listener_arn: str = ""
    target_group_name: str = ""
    first: bool = False  # the database the link was set up with
    health: tuple[tg.TargetHealthInfo, ...] = ()

    def as_link_database(self) -> LinkDatabase:
        return LinkDatabase(
            self.source_id,
            self.source_kind,
            self.port,
            self.listener_port,
            self.target_group_arn,
            self.listener_arn,
        )


def used_listener_ports(aws: AwsContext, link_name: str) -> set[int]:
    """The ports the listeners of the link's load balancer use."""
    balancer = nlb.find_nlb(aws, link_name)
    if balancer is None:
        return set()
    return {int(ls.get("Port", 0)) for ls in tg.listeners(aws, balancer.arn)}


def free_listener_port(aws: AwsContext, link_name: str, wanted: int) -> int:
    """`wanted` if no listener of the link's load balancer uses it, else the next free port up."""
    used = used_listener_ports(aws, link_name)
    port = wanted
    while port in used:
        port += 1
    if port > MAX_PORT:
        raise UserError(
            f"No free port from {wanted} upwards on the link's load balancer",
            fix="Choose a listener port with --listener-port.",
            exit_code=2,
        )
    return port


def plan_add_database(
    aws: AwsContext,
    store: RecordStore,
    account_id: str,
    link_name: str,
    source: DataSource,
    listener_port: int | None = None,
) -> AddDatabasePlan:
    """What adding `source` to the link would do, and whether it can (reads only)."""
    raise NotImplementedError


def add_database(
    aws: AwsContext,
    store: RecordStore,
    account_id: str,
    link_name: str,
    source: DataSource,
    consumer: Consumer,
    listener_port: int | None = None,
    progress: Progress = quiet,
    wait: float = 0,
) -> LinkDatabase:
    """Add `source` to the link under its lock; raises the plan's refusal if it cannot."""
    raise NotImplementedError


def remove_database(
    aws: AwsContext,
    store: RecordStore,
    account_id: str,
    link_name: str,
    source_id: str,
    progress: Progress = quiet,
    wait: float = 0,
) -> list[str]:
    """Remove one database from the link under its lock; returns what was removed, in words."""
    raise NotImplementedError


def link_databases(aws: AwsContext, link_name: str, record: LinkRecord | None) -> list[DatabaseOnLink]:
    """The link's databases, read from AWS (the database tag on its target groups and listeners)
    and the record; the first database first."""
    raise NotImplementedError
