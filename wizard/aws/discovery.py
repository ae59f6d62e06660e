"""Find the databases (and SSH-tunnel hosts) in a region, and the subnets and zones around them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import ClientError

from wizard.aws.errors import aws_step
from wizard.aws.session import AwsContext
from wizard.errors import UserError, bad_input
from wizard.model import DataSource, SourceKind, SubnetInfo

log = logging.getLogger(__name__)

# RDS Proxy reports an engine family but no port: the proxy listens on the family's default port.
PROXY_ENGINES: dict[str, tuple[str, int]] = {
    "MYSQL": ("mysql", 3306),
    "POSTGRESQL": ("postgres", 5432),
    "SQLSERVER": ("sqlserver", 1433),
}

EC2_LISTED_STATES = ("pending", "running", "stopping", "stopped")
# "Supported Regions and DB engines for Multi-AZ DB clusters" (RDS User Guide): MySQL, PostgreSQL.
MULTI_AZ_CLUSTER_ENGINES = frozenset({"mysql", "postgres"})
AVAILABILITY_ZONE = "availability-zone"
ZONE_WORDS = {"local-zone": "Local Zone", "wavelength-zone": "Wavelength Zone"}
# "Update the Availability Zones for your Network Load Balancer": 8 free addresses per subnet.
NLB_MIN_FREE_ADDRESSES = 8
MAX_IDS_IN_MESSAGE = 10


def list_data_sources(aws: AwsContext, skipped: list[str] | None = None) -> list[DataSource]:
    """RDS instances, DB clusters (Aurora, Multi-AZ), RDS Proxies and EC2 servers of the region,
    in that order. DocumentDB and Neptune clusters, which the RDS API also lists, are left out.

    A kind the endpoint cannot list (an emulator without that API) is left out and named in
    `skipped` instead of failing the whole listing; a refused permission still raises.
    """
    notes = skipped if skipped is not None else []
    instances = _optional("RDS databases", notes, lambda: _describe_db_instances(aws))
    by_id = {i["DBInstanceIdentifier"]: i for i in instances}
    clusters = _optional("DB clusters", notes, lambda: _describe_db_clusters(aws))
    proxies = _optional("RDS Proxies", notes, lambda: _describe_db_proxies(aws))
    servers = _optional("EC2 servers", notes, lambda: _describe_ec2_instances(aws))

    sources: list[DataSource] = []
    sources += sorted(
        (_rds_source(i) for i in instances if not i.get("DBClusterIdentifier") and _vpc_of(i)),
        key=lambda s: s.id,
    )
    sources += sorted(
        (_cluster_source(aws, c, by_id) for c in clusters if _cluster_kind(c)), key=lambda s: s.id
    )
    if proxies:
        subnet_azs = _subnet_azs(aws, {s for p in proxies for s in p.get("VpcSubnetIds", [])})
        sources += sorted((_proxy_source(p, subnet_azs) for p in proxies), key=lambda s: s.id)
    sources += sorted((_ec2_source(i) for i in servers if i.get("VpcId")), key=lambda s: s.id)
    return sources


def find_data_source(aws: AwsContext, source_id: str) -> DataSource:
    """The data source with this id (RDS ids are case-insensitive); exit code 2 if there is none."""
    wanted = source_id.strip()
    sources = list_data_sources(aws)
    for source in sources:
        if source.id == wanted:
            return source
    for source in sources:
        # RDS stores identifiers in lower case whatever the user typed.
        if source.kind is not SourceKind.EC2_INSTANCE and source.id.lower() == wanted.lower():
            return source
    if not sources:
        raise bad_input(
            f"'{wanted}' was not found in region {aws.region}",
            why=f"There are no RDS databases, DB clusters, RDS Proxies or EC2 servers in "
            f"{aws.region} that these credentials can see.",
            fix="Check that you chose the region your database is in.",
        )
    shown = [s.id for s in sources[:MAX_IDS_IN_MESSAGE]]
    more = len(sources) - len(shown)
    listing = ", ".join(shown) + (f" (and {more} more)" if more else "")
    raise bad_input(
        f"'{wanted}' was not found in region {aws.region}",
        why="No RDS database, DB cluster, RDS Proxy or EC2 server has that id there.",
        fix=f"Use one of the ids that exist in {aws.region}: {listing}; or choose another region.",
    )


def list_subnets(aws: AwsContext, vpc_id: str) -> list[SubnetInfo]:
    """The VPC's subnets, sorted by zone then id, with their zone (id, type, state), their free
    addresses, and why a load balancer could not use them."""
    with aws_step("Reading the subnets of the network", "ec2:DescribeSubnets"):
        pages = aws.ec2.get_paginator("describe_subnets").paginate(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
        )
        raw = [s for page in pages for s in page.get("Subnets", [])]
    zones = _zones(aws, {s["AvailabilityZone"] for s in raw})
    subnets = []
    for s in raw:
        zone = zones.get(s["AvailabilityZone"], {})
        free = s.get("AvailableIpAddressCount")
        info = SubnetInfo(
            subnet_id=s["SubnetId"],
            vpc_id=s["VpcId"],
            availability_zone=s["AvailabilityZone"],
            availability_zone_id=s.get("AvailabilityZoneId") or zone.get("ZoneId", ""),
            cidr_block=s.get("CidrBlock", ""),
            zone_type=zone.get("ZoneType") or AVAILABILITY_ZONE,
            zone_state=zone.get("State") or "available",
            free_addresses=int(free) if free is not None else None,
        )
        subnets.append(replace(info, problem=_zone_problem(info) or _address_problem(info)))
    return sorted(subnets, key=lambda s: (s.availability_zone, s.subnet_id))


def _zones(aws: AwsContext, names: set[str]) -> dict[str, dict[str, Any]]:
    if not names:
        return {}
    with aws_step("Reading the availability zones", "ec2:DescribeAvailabilityZones"):
        reply = aws.ec2.describe_availability_zones(ZoneNames=sorted(names))
    return {z["ZoneName"]: z for z in reply.get("AvailabilityZones", [])}


def _zone_problem(subnet: SubnetInfo) -> str:
    zone = subnet.availability_zone
    # "Update the Availability Zones for your Network Load Balancer" (ELB guide): no subnet in a
    # Local Zone, none in a constrained zone.
    if subnet.zone_type != AVAILABILITY_ZONE:
        kind = ZONE_WORDS.get(subnet.zone_type, subnet.zone_type)
        return f"{zone} is a {kind}, and a network load balancer can only use regular availability zones"
    if subnet.zone_state == "constrained":
        return f"AWS reports zone {zone} as constrained (short of capacity): it takes no new load balancers"
    if subnet.zone_state != "available":
        return f"AWS reports zone {zone} as {subnet.zone_state}"
    return ""


def _address_problem(subnet: SubnetInfo) -> str:
    # Same page: every subnet needs at least 8 free addresses for the load balancer's node.
    free = subnet.free_addresses
    if free is not None and free < NLB_MIN_FREE_ADDRESSES:
        return (
            f"it has only {free} free IP address{'' if free == 1 else 'es'}, and a load balancer "
            f"needs at least {NLB_MIN_FREE_ADDRESSES}"
        )
    return ""


@dataclass(frozen=True)
class LeftOutZone:
    """A zone of the network the load balancer will not be in, and why."""

    zone: str
    zone_id: str
    zone_type: str
    reason: str


@dataclass(frozen=True)
class SubnetChoice:
    subnet_ids: tuple[str, ...]  # one per zone, sorted by zone
    left_out: tuple[LeftOutZone, ...]


def left_out_zones(
    subnets: Iterable[SubnetInfo], chosen: Iterable[str], unchosen_reason: str
) -> tuple[LeftOutZone, ...]:
    """Every zone of `subnets` without a chosen subnet: why (no usable subnet there, or
    `unchosen_reason`)."""
    picked = set(chosen)
    by_zone: dict[str, list[SubnetInfo]] = {}
    for subnet in subnets:
        by_zone.setdefault(subnet.availability_zone, []).append(subnet)
    left = []
    for zone, members in sorted(by_zone.items()):
        if any(s.subnet_id in picked for s in members):
            continue
        first = members[0]
        if any(not s.problem for s in members):
            reason = unchosen_reason
        elif _zone_problem(first):
            reason = _zone_problem(first)
        else:
            counts = ", ".join(f"{s.subnet_id}: {s.free_addresses}" for s in members)
            reason = (
                f"its subnets have too few free IP addresses ({counts}); a load balancer needs "
                f"at least {NLB_MIN_FREE_ADDRESSES}"
            )
        left.append(LeftOutZone(zone, first.availability_zone_id, first.zone_type, reason))
    return tuple(left)


def left_out_note(left_out: Iterable[LeftOutZone]) -> str:
    """One paragraph: each zone left out and why, then the zone IDs the platform may miss."""
    zones = list(left_out)
    if not zones:
        return ""
    lines = "; ".join(f"{z.zone} ({z.zone_id or 'no id'}): {z.reason}" for z in zones)
    missed = [z.zone_id for z in zones if z.zone_type == AVAILABILITY_ZONE and z.zone_id]
    if not missed:
        return f"Left out: {lines}."
    return (
        f"Left out: {lines}. The platform can only connect through zones the endpoint service "
        f"shares with it: if its network is only in {', '.join(missed)}, it cannot connect."
    )


def choose_subnets(
    aws: AwsContext, source: DataSource, subnets: list[SubnetInfo] | None = None
) -> SubnetChoice:
    """One usable subnet per zone the source's subnets cover (its own first); when they cover
    fewer than two usable zones (an EC2 server), one per usable zone of the VPC: the platform can
    only connect through zones the endpoint service shares with it, so more zones (with
    cross-zone on) is the safe default. Says which zones it left out, and why."""
    subnets = list_subnets(aws, source.vpc_id) if subnets is None else subnets
    usable = [s for s in subnets if not s.problem]
    own = set(source.subnet_ids)
    zones = {s.availability_zone for s in usable if s.subnet_id in own}
    if len(zones) < 2:
        zones = {s.availability_zone for s in usable}
    chosen: dict[str, str] = {}
    # Sorting puts the source's own subnets first within a zone, then the lowest id: deterministic.
    for subnet in sorted(usable, key=lambda s: (s.availability_zone, s.subnet_id not in own, s.subnet_id)):
        if subnet.availability_zone in zones and subnet.availability_zone not in chosen:
            chosen[subnet.availability_zone] = subnet.subnet_id
    left = left_out_zones(
        subnets, chosen.values(), "the database has no subnet there (the load balancer follows it)"
    )
    return SubnetChoice(tuple(chosen[zone] for zone in sorted(chosen)), left)


def default_subnets(aws: AwsContext, source: DataSource) -> tuple[str, ...]:
    """The subnets `choose_subnets` recommends."""
    return choose_subnets(aws, source).subnet_ids


def az_ids(aws: AwsContext, az_names: Iterable[str]) -> list[str]:
    """Zone ids (use1-az1 …) for zone names, in the same order: names differ between accounts."""
    names = list(az_names)
    if not names:
        return []
    with aws_step("Reading the availability zones", "ec2:DescribeAvailabilityZones"):
        reply = aws.ec2.describe_availability_zones(ZoneNames=sorted(set(names)))
    by_name = {z["ZoneName"]: z.get("ZoneId", "") for z in reply.get("AvailabilityZones", [])}
    unknown = [n for n in names if not by_name.get(n)]
    if unknown:
        raise UserError(
            what=f"AWS did not return a zone id for {', '.join(unknown)}",
            why=f"The zone is not part of region {aws.region}, or is not enabled for this account.",
            fix="Choose subnets in the region's standard availability zones.",
        )
    return [by_name[n] for n in names]


# --- AWS reads ---------------------------------------------------------------------------------


def _paginate(aws: AwsContext, service: str, operation: str, key: str, **kwargs: Any) -> list[Any]:
    pages = aws.client(service).get_paginator(operation).paginate(**kwargs)
    return [item for page in pages for item in page.get(key, [])]


def _describe_db_instances(aws: AwsContext) -> list[dict[str, Any]]:
    with aws_step("Listing your RDS databases", "rds:DescribeDBInstances"):
        return _paginate(aws, "rds", "describe_db_instances", "DBInstances")


def _describe_db_clusters(aws: AwsContext) -> list[dict[str, Any]]:
    with aws_step("Listing your database clusters (Aurora, Multi-AZ)", "rds:DescribeDBClusters"):
        return _paginate(aws, "rds", "describe_db_clusters", "DBClusters")


def _describe_db_proxies(aws: AwsContext) -> list[dict[str, Any]]:
    with aws_step("Listing your RDS Proxies", "rds:DescribeDBProxies"):
        return _paginate(aws, "rds", "describe_db_proxies", "DBProxies")


def _describe_ec2_instances(aws: AwsContext) -> list[dict[str, Any]]:
    with aws_step("Listing your EC2 servers", "ec2:DescribeInstances"):
        reservations = _paginate(
            aws,
            "ec2",
            "describe_instances",
            "Reservations",
            Filters=[{"Name": "instance-state-name", "Values": list(EC2_LISTED_STATES)}],
        )
    return [i for r in reservations for i in r.get("Instances", [])]


def _subnet_azs(aws: AwsContext, subnet_ids: set[str]) -> dict[str, str]:
    if not subnet_ids:
        return {}
    with aws_step("Reading your subnets", "ec2:DescribeSubnets"):
        subnets = _paginate(
            aws,
            "ec2",
            "describe_subnets",
            "Subnets",
            Filters=[{"Name": "subnet-id", "Values": sorted(subnet_ids)}],
        )
    return {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}


def _subnet_group_vpc(aws: AwsContext, name: str) -> tuple[str, tuple[str, ...]]:
    with aws_step("Reading the database's subnet group", "rds:DescribeDBSubnetGroups"):
        groups = _paginate(aws, "rds", "describe_db_subnet_groups", "DBSubnetGroups", DBSubnetGroupName=name)
    if not groups:
        return "", ()
    group = groups[0]
    return group.get("VpcId", ""), tuple(s["SubnetIdentifier"] for s in group.get("Subnets", []))


def _is_unsupported(exc: BaseException) -> bool:
    """True for an API the endpoint lacks (moto: NotImplementedError in-process, 500 as a server)."""
    if isinstance(exc, NotImplementedError):
        return True
    cause = exc.__cause__ if isinstance(exc, UserError) else exc
    if isinstance(cause, NotImplementedError):
        return True
    if isinstance(cause, ClientError):
        status = cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = str(cause.response.get("Error", {}).get("Code", ""))
        return status in (500, 501) or code in {"NotImplemented", "InvalidAction"}
    return False


def _optional(label: str, skipped: list[str], call: Callable[[], list[Any]]) -> list[Any]:
    try:
        return call()
    except UserError as exc:
        if not _is_unsupported(exc):
            raise
        log.warning("Skipping %s: the AWS endpoint cannot list them (%s)", label, exc)
        skipped.append(f"{label} could not be listed: this AWS endpoint does not support it.")
        return []


# --- Shaping -----------------------------------------------------------------------------------


def _vpc_of(instance: dict[str, Any]) -> str:
    return str(instance.get("DBSubnetGroup", {}).get("VpcId", ""))


def _subnets_of(instance: dict[str, Any]) -> tuple[str, ...]:
    subnets = instance.get("DBSubnetGroup", {}).get("Subnets", [])
    return tuple(s["SubnetIdentifier"] for s in subnets)


def _zones_of(instance: dict[str, Any]) -> tuple[str, ...]:
    zones = [instance.get("AvailabilityZone", ""), instance.get("SecondaryAvailabilityZone", "")]
    return tuple(dict.fromkeys(z for z in zones if z))


def _sgs_of(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(g["VpcSecurityGroupId"] for g in item.get("VpcSecurityGroups", []))


def _param_group_of(instance: dict[str, Any]) -> str:
    groups = instance.get("DBParameterGroups", [])
    return str(groups[0]["DBParameterGroupName"]) if groups else ""


def _rds_source(i: dict[str, Any]) -> DataSource:
    endpoint = i.get("Endpoint", {})
    return DataSource(
        kind=SourceKind.RDS_INSTANCE,
        id=i["DBInstanceIdentifier"],
        vpc_id=_vpc_of(i),
        engine=i.get("Engine", ""),
        port=endpoint.get("Port") or i.get("DbInstancePort") or None,
        subnet_ids=_subnets_of(i),
        availability_zones=_zones_of(i),
        security_group_ids=_sgs_of(i),
        endpoint_address=endpoint.get("Address", ""),
        parameter_group=_param_group_of(i),
        status=i.get("DBInstanceStatus", ""),
    )


def _cluster_source(aws: AwsContext, c: dict[str, Any], instances: dict[str, dict[str, Any]]) -> DataSource:
    writer_id = next(
        (m["DBInstanceIdentifier"] for m in c.get("DBClusterMembers", []) if m.get("IsClusterWriter")),
        "",
    )
    writer = instances.get(writer_id, {})
    vpc_id, subnet_ids = _vpc_of(writer), _subnets_of(writer)
    if not vpc_id and c.get("DBSubnetGroup"):
        vpc_id, subnet_ids = _subnet_group_vpc(aws, str(c["DBSubnetGroup"]))
    writer_port = writer.get("Endpoint", {}).get("Port")
    return DataSource(
        kind=_cluster_kind(c) or SourceKind.AURORA_CLUSTER,
        id=c["DBClusterIdentifier"],
        vpc_id=vpc_id,
        engine=c.get("Engine", ""),
        port=writer_port or c.get("Port") or None,
        subnet_ids=subnet_ids,
        # The writer's zone only: the load balancer targets the writer, never a reader.
        availability_zones=_zones_of(writer),
        security_group_ids=_sgs_of(writer) or _sgs_of(c),
        endpoint_address=c.get("Endpoint", ""),
        parameter_group=_param_group_of(writer),
        writer_instance_id=writer_id,
        status=c.get("Status", ""),
    )


def _cluster_kind(c: dict[str, Any]) -> SourceKind | None:
    """Aurora (aurora-mysql, aurora-postgresql) or a Multi-AZ DB cluster (mysql, postgres: a writer
    and two readable standbys; the load balancer targets the writer, as for Aurora). None for the
    other engines DescribeDBClusters returns (docdb, neptune): not databases the wizard links."""
    engine = str(c.get("Engine", "")).lower()
    if engine.startswith("aurora"):
        return SourceKind.AURORA_CLUSTER
    if engine in MULTI_AZ_CLUSTER_ENGINES:
        return SourceKind.MULTI_AZ_CLUSTER
    return None


def _proxy_source(p: dict[str, Any], subnet_azs: dict[str, str]) -> DataSource:
    engine, port = PROXY_ENGINES.get(str(p.get("EngineFamily", "")).upper(), ("", 0))
    subnets = tuple(p.get("VpcSubnetIds", []))
    return DataSource(
        kind=SourceKind.RDS_PROXY,
        id=p["DBProxyName"],
        vpc_id=p.get("VpcId", ""),
        engine=engine,
        port=port or None,
        subnet_ids=subnets,
        availability_zones=tuple(sorted({subnet_azs[s] for s in subnets if s in subnet_azs})),
        security_group_ids=tuple(p.get("VpcSecurityGroupIds", [])),
        endpoint_address=p.get("Endpoint", ""),
        status=p.get("Status", ""),
    )


def _ec2_source(i: dict[str, Any]) -> DataSource:
    name = next((t["Value"] for t in i.get("Tags", []) if t.get("Key") == "Name"), "")
    zone = i.get("Placement", {}).get("AvailabilityZone", "")
    return DataSource(
        kind=SourceKind.EC2_INSTANCE,
        id=i["InstanceId"],
        vpc_id=i.get("VpcId", ""),
        subnet_ids=(i["SubnetId"],) if i.get("SubnetId") else (),
        availability_zones=(zone,) if zone else (),
        security_group_ids=tuple(g["GroupId"] for g in i.get("SecurityGroups", [])),
        endpoint_address=i.get("PrivateIpAddress", ""),
        status=i.get("State", {}).get("Name", ""),
        name=name,
    )
