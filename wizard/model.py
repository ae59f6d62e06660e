"""Plain data the engine, the CLI and the GUI share. No AWS calls and no Qt here. (A consumer
profile is in `wizard.consumers`, a check's answer in `wizard.checks`.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wizard.consumers import Consumer

MANAGED_BY_KEY = "ManagedBy"
MANAGED_BY_VALUE = "privatelink-wizard"
LINK_TAG_KEY = "privatelink-wizard:link"
# On every target group and listener made for one database of a link: that database's id, so a
# link's databases are found in AWS without the record. A target group of the link without it
# (made by an older version) belongs to the link's first database.
DATABASE_TAG_KEY = "privatelink-wizard:database"


def link_tags(link_name: str) -> list[dict[str, str]]:
    """The tags every resource the wizard creates carries (and teardown looks for)."""
    return [
        {"Key": MANAGED_BY_KEY, "Value": MANAGED_BY_VALUE},
        {"Key": LINK_TAG_KEY, "Value": link_name},
        {"Key": "Name", "Value": link_name},
    ]


def database_tags(link_name: str, source_id: str) -> list[dict[str, str]]:
    """The tags of a target group or listener made for the database `source_id` of a link."""
    return [*link_tags(link_name), {"Key": DATABASE_TAG_KEY, "Value": source_id}]


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SourceKind(StrEnum):
    RDS_INSTANCE = "rds-instance"
    AURORA_CLUSTER = "aurora-cluster"
    # A Multi-AZ DB cluster (engine mysql or postgres): a writer and two readable standbys.
    MULTI_AZ_CLUSTER = "multi-az-cluster"
    RDS_PROXY = "rds-proxy"
    EC2_INSTANCE = "ec2-instance"

    @property
    def label(self) -> str:
        return {
            SourceKind.RDS_INSTANCE: "RDS database",
            SourceKind.AURORA_CLUSTER: "Aurora cluster",
            SourceKind.MULTI_AZ_CLUSTER: "Multi-AZ DB cluster",
            SourceKind.RDS_PROXY: "RDS Proxy",
            SourceKind.EC2_INSTANCE: "EC2 server",
        }[self]


@dataclass(frozen=True)
class DataSource:
    """A database (or SSH-tunnel host) the wizard can put behind the load balancer."""

    kind: SourceKind
    id: str  # DB instance id, DB cluster id, RDS Proxy name or EC2 instance id
    vpc_id: str
    engine: str = ""  # "mysql", "aurora-postgresql", ...; "" for EC2
    port: int | None = None  # None for EC2: the user chooses (22 for an SSH tunnel)
    subnet_ids: tuple[str, ...] = ()
    availability_zones: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    endpoint_address: str = ""  # DNS name (RDS) or private IP (EC2)
    parameter_group: str = ""  # RDS instance parameter group (Aurora: the writer's)
    writer_instance_id: str = ""  # clusters: the writer; the NLB targets its IPs, never a reader's
    status: str = ""
    name: str = ""  # EC2 Name tag, for display

    @property
    def target_type(self) -> str:
        return "instance" if self.kind is SourceKind.EC2_INSTANCE else "ip"

    @property
    def is_mysql_family(self) -> bool:
        return any(e in self.engine for e in ("mysql", "mariadb"))

    @property
    def is_postgres_family(self) -> bool:
        return "postgres" in self.engine

    @property
    def rds_instance_id(self) -> str:
        """The RDS instance whose network interfaces carry the traffic ("" for proxy / EC2)."""
        if self.kind is SourceKind.RDS_INSTANCE:
            return self.id
        if self.kind in (SourceKind.AURORA_CLUSTER, SourceKind.MULTI_AZ_CLUSTER):
            return self.writer_instance_id
        return ""

    def describe_target(self) -> str:
        """One plain sentence on what the load balancer will point at."""
        if self.kind is SourceKind.EC2_INSTANCE:
            return (
                f"The load balancer will forward to the server {self.id} itself (target type "
                "'instance'). Use this for a database you run on EC2, or for an SSH-tunnel host: "
                "the platform then connects to the tunnel host and reaches the database through it."
            )
        if self.kind in (SourceKind.AURORA_CLUSTER, SourceKind.MULTI_AZ_CLUSTER):
            return (
                f"The load balancer will forward to the private IP addresses of the cluster's "
                f"writer instance ({self.writer_instance_id or 'unknown'}), never to a reader, so "
                "the platform always reaches the primary copy."
            )
        if self.kind is SourceKind.RDS_PROXY:
            return (
                "The load balancer will forward to the private IP addresses of the RDS Proxy, "
                "which pools connections to your database."
            )
        return (
            "The load balancer will forward to the private IP addresses of this database "
            "(target type 'IP'). RDS may change them after a failover; the status check "
            "tells you when they need refreshing."
        )


@dataclass(frozen=True)
class SubnetInfo:
    subnet_id: str
    vpc_id: str
    availability_zone: str
    availability_zone_id: str
    cidr_block: str
    zone_type: str = "availability-zone"  # or local-zone, wavelength-zone
    zone_state: str = "available"  # or constrained, unavailable (as AWS reports the zone)
    free_addresses: int | None = None  # AvailableIpAddressCount; None when not reported
    problem: str = ""  # why a load balancer cannot use it, in plain words ("" = usable)


@dataclass
class LinkPlan:
    """What the user wants: everything needed to build the chain for one data source."""

    name: str
    region: str
    source: DataSource
    port: int
    subnet_ids: tuple[str, ...]
    consumer: Consumer
    principal: str
    cross_zone: bool = True
    # Deploy the target sync (a Lambda that follows the database's address): IP targets only.
    target_sync: bool = True

    @property
    def wants_target_sync(self) -> bool:
        return self.target_sync and self.source.target_type == "ip"

    @classmethod
    def of(
        cls,
        *,
        name: str,
        region: str,
        source: DataSource,
        consumer: Consumer,
        subnet_ids: Sequence[str],
        port: int | None = None,
        principal: str = "",
        cross_zone: bool = True,
        target_sync: bool = True,
    ) -> LinkPlan:
        """The one way to make a plan: the port defaults to the database's own, the principal to
        the consumer profile's. An EC2 server has no port AWS can tell, so one must be given."""
        port = port or source.port
        if port is None:
            from wizard.errors import bad_input

            raise bad_input(
                f"{source.id} is an EC2 server, so the wizard cannot guess the port",
                "Give the database's port (3306, 5432, …), or 22 for an SSH tunnel host.",
            )
        return cls(
            name=name,
            region=region,
            source=source,
            port=port,
            subnet_ids=tuple(subnet_ids),
            consumer=consumer,
            principal=principal or consumer.principal,
            cross_zone=cross_zone,
            target_sync=target_sync,
        )

    @property
    def platform_account(self) -> str:
        """The account whose connection requests the link accepts: the principal's."""
        return self.consumer.account_for(self.principal)

    @property
    def nlb_name(self) -> str:
        return self.name

    @property
    def target_group_name(self) -> str:
        return f"{self.name}-{self.port}"


@dataclass
class CreatedResource:
    kind: str  # "nlb", "target-group", "listener", "endpoint-service", "security-group-rule", ...
    id: str
    created_at: str = field(default_factory=now_iso)
    note: str = ""
    # A firewall rule, as made: its group, TCP port and source (a CIDR or sg-…). Teardown removes
    # an untagged rule only while it is still exactly this. Empty in records of older versions.
    group_id: str = ""
    port: int = 0
    source: str = ""

    def details(self) -> dict[str, Any]:
        return {"group_id": self.group_id, "port": self.port, "source": self.source}


_CREATED_TEXT = ("kind", "id", "created_at", "note", "group_id", "source")


@dataclass
class LinkDatabase:
    """One database behind a link: its own target group, and a listener on its own port of the
    link's load balancer (`listener_port`, the port the platform uses; it may differ from the
    database's own `port` when two databases use the same one)."""

    source_id: str  # DB instance / cluster id, proxy name or EC2 id
    source_kind: str  # SourceKind value
    port: int  # the database's own port (the target group's port)
    listener_port: int  # the port on the link's load balancer = the port the platform uses
    target_group_arn: str = ""
    listener_arn: str = ""


_DATABASE_TEXT = ("source_id", "source_kind", "target_group_arn", "listener_arn")


@dataclass
class LinkRecord:
    """What exists: saved (as JSON) the moment AWS returns each id, so a crash loses nothing."""

    name: str
    region: str
    account_id: str = ""
    source_id: str = ""
    source_kind: str = ""
    port: int = 0
    principal: str = ""
    nlb_arn: str = ""
    nlb_dns_name: str = ""
    target_group_arn: str = ""
    listener_arn: str = ""
    endpoint_service_id: str = ""
    service_name: str = ""
    az_ids: list[str] = field(default_factory=list)
    accepted_endpoint_ids: list[str] = field(default_factory=list)
    alert_email: str = ""  # where the link's alerts go ("" = no alerts asked)
    created: list[CreatedResource] = field(default_factory=list)
    # The databases added after setup (the first one is in source_id / port / target_group_arn /
    # listener_arn above); records of older versions have none.
    databases: list[LinkDatabase] = field(default_factory=list)
    completed_steps: list[str] = field(default_factory=list)
    last_error: str = ""
    updated_at: str = field(default_factory=now_iso)

    def note_created(
        self,
        kind: str,
        resource_id: str,
        note: str = "",
        *,
        group_id: str = "",
        port: int = 0,
        source: str = "",
    ) -> None:
        found = next((r for r in self.created if r.kind == kind and r.id == resource_id), None)
        if found is None:
            found = CreatedResource(kind, resource_id, note=note)
            self.created.append(found)
        if group_id and not found.group_id:  # the rule's details, learnt just after its id
            found.group_id, found.port, found.source = group_id, port, source

    def mark_done(self, step: str) -> None:
        if step not in self.completed_steps:
            self.completed_steps.append(step)

    def all_databases(self) -> list[LinkDatabase]:
        """The link's first database (the legacy fields; its listener port is its port), then
        the ones added later."""
        first = []
        if self.source_id:
            first.append(
                LinkDatabase(
                    self.source_id,
                    self.source_kind,
                    self.port,
                    self.port,
                    self.target_group_arn,
                    self.listener_arn,
                )
            )
        return first + [d for d in self.databases if d.source_id != self.source_id]

    def database(self, source_id: str) -> LinkDatabase | None:
        return next((d for d in self.all_databases() if d.source_id == source_id), None)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> LinkRecord:
        """The record saved as `data`; ValueError saying what is wrong when its shape is not a
        record's (a damaged or hand-edited file must not pass for a good one)."""
        if not isinstance(data, dict):
            raise ValueError(f"it holds {type(data).__name__}, not a link record")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}")
        for required in ("name", "region"):
            if required not in data:
                raise ValueError(f"the field '{required}' is missing")
        for name, value in data.items():
            if not _fits(fields[name].type, value):
                raise ValueError(f"the field '{name}' holds {value!r}")
        values = dict(data)
        created = []
        for item in values.get("created", []):
            if (
                not isinstance(item, dict)
                or not {"kind", "id"} <= set(item)
                or not all(isinstance(item.get(k, ""), str) for k in _CREATED_TEXT)
                or not _fits("int", item.get("port", 0))
                or set(item) - {*_CREATED_TEXT, "port"}
            ):
                raise ValueError(f"an entry of 'created' holds {item!r}")
            created.append(CreatedResource(**item))
        values["created"] = created
        databases = []
        for item in values.get("databases", []):
            if (
                not isinstance(item, dict)
                or not {"source_id", "port", "listener_port"} <= set(item)
                or set(item) - {*_DATABASE_TEXT, "port", "listener_port"}
                or not all(isinstance(item.get(k, ""), str) for k in _DATABASE_TEXT)
                or not all(_fits("int", item[k]) for k in ("port", "listener_port"))
            ):
                raise ValueError(f"an entry of 'databases' holds {item!r}")
            databases.append(LinkDatabase(**{"source_kind": "", **item}))
        values["databases"] = databases
        return cls(**values)


def _fits(annotation: Any, value: Any) -> bool:
    """Whether a JSON value fits a LinkRecord field's annotation (str, int, list[str], …)."""
    text = str(annotation)
    if text == "str":
        return isinstance(value, str)
    if text == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if text == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, list)  # list[CreatedResource] / list[LinkDatabase]: entry by entry
