"""Which addresses a link should have now: the RDS API says where the database is (a cluster's
current writer, its zone, subnets and security groups), EC2 lists the network interfaces there,
DNS only breaks a tie. Part of the target sync (see __init__): standard library and boto3 only."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

try:  # in the wizard: AWS errors become its plain-words UserError, naming the IAM action
    from wizard.aws.errors import aws_step
except ImportError:  # in Lambda, where this file is shipped alone

    @contextlib.contextmanager
    def aws_step(step: str, action: str = "") -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            raise SyncError(f"{step} ({action}) failed: {exc}") from exc


# Kinds, as wizard.model.SourceKind spells them.
RDS_INSTANCE, AURORA, MULTI_AZ_CLUSTER, RDS_PROXY = (
    "rds-instance",
    "aurora-cluster",
    "multi-az-cluster",
    "rds-proxy",
)
RDS_ENI_DESCRIPTION = "RDSNetworkInterface"
PROXY_ENI_DESCRIPTION = "Network interface for DBProxy {name}"
DNS_TIMEOUT_SECONDS = 3.0


class SyncError(Exception):
    """The sync could not work out or apply the targets (in Lambda: an AWS call failed)."""


class NoTargets(SyncError):
    """No address could be found for the database: nothing is changed."""

    def __init__(self, what: str, why: str = "", fix: str = "") -> None:
        super().__init__(what)
        self.what, self.why, self.fix = what, why, fix


@dataclass(frozen=True)
class Source:
    """Where the database's addresses are: what the RDS API says about it now."""

    kind: str
    id: str
    vpc_id: str
    instance_id: str = ""  # the instance carrying the traffic (a cluster's writer); "" for a proxy
    endpoint: str = ""
    zone: str = ""  # the instance's (primary's) zone
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    instance_endpoint: str = ""


# ---- which addresses the database has now ------------------------------------------------------


def resolve_host(host: str, timeout: float = DNS_TIMEOUT_SECONDS) -> list[str]:
    """IPv4 addresses of `host`, or [] if it does not resolve within `timeout` seconds
    (getaddrinfo has no timeout: it runs on a daemon thread we stop waiting for)."""
    if not host:
        return []
    found: list[str] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return
        found.extend(str(info[4][0]) for info in infos)

    worker = threading.Thread(target=lookup, name=f"dns-{host}", daemon=True)
    worker.start()
    worker.join(timeout)
    return sorted(set(found)) if not worker.is_alive() else []


def _instance(clients: Any, instance_id: str) -> dict[str, Any]:
    with aws_step("Reading the database", "rds:DescribeDBInstances"):
        try:
            found = clients.rds.describe_db_instances(DBInstanceIdentifier=instance_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "DBInstanceNotFound":
                return {}
            raise
    instances = found.get("DBInstances", [])
    return dict(instances[0]) if instances else {}


def _writer_of(clients: Any, cluster_id: str) -> tuple[str, str]:
    """(writer instance id, cluster endpoint) of a cluster, from the RDS API."""
    with aws_step("Reading the database cluster", "rds:DescribeDBClusters"):
        clusters = clients.rds.describe_db_clusters(DBClusterIdentifier=cluster_id).get("DBClusters", [])
    cluster = clusters[0] if clusters else {}
    writer = next(
        (m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", []) if m.get("IsClusterWriter")),
        "",
    )
    return writer, str(cluster.get("Endpoint", ""))


def locate(clients: Any, kind: str, source_id: str, vpc_id: str) -> Source:
    """Ask the RDS API where the database is now (a cluster's writer changes on failover)."""
    if kind == RDS_PROXY:
        with aws_step("Reading the RDS Proxy", "rds:DescribeDBProxies"):
            proxies = clients.rds.describe_db_proxies(DBProxyName=source_id).get("DBProxies", [])
        proxy = proxies[0] if proxies else {}
        return Source(
            kind,
            source_id,
            str(proxy.get("VpcId") or vpc_id),
            endpoint=str(proxy.get("Endpoint", "")),
            subnet_ids=tuple(proxy.get("VpcSubnetIds", [])),
            security_group_ids=tuple(proxy.get("VpcSecurityGroupIds", [])),
        )
    endpoint = ""
    instance_id = source_id
    if kind in (AURORA, MULTI_AZ_CLUSTER):
        instance_id, endpoint = _writer_of(clients, source_id)
    return Source(kind, source_id, vpc_id, instance_id=instance_id, endpoint=endpoint)


def desired_targets(
    clients: Any, source: Source, resolve: Callable[[str], list[str]] | None = None
) -> list[str]:
    """The private IPs the target group must point at (RDS, a cluster's writer or RDS Proxy).
    Raises NoTargets (nothing is to change) when they cannot be found for sure."""
    resolve = resolve or (lambda host: resolve_host(host))  # looked up now: tests replace it
    vpc_cidrs = _vpc_cidrs(clients, source.vpc_id)
    if source.kind == RDS_PROXY:
        eni_ips = _eni_ips(
            clients,
            source.vpc_id,
            PROXY_ENI_DESCRIPTION.format(name=source.id),
            source.subnet_ids,
            (),
            source.security_group_ids,
        )
        dns_ips = _dns_ips([source.endpoint], vpc_cidrs, resolve)
        if dns_ips:
            return [ip for ip in eni_ips if ip in dns_ips] or dns_ips
        if eni_ips:
            return eni_ips
        raise _no_ips(source)
    instance = _instance(clients, source.instance_id) if source.instance_id else {}
    if not instance:
        cluster = source.kind in (AURORA, MULTI_AZ_CLUSTER)
        raise NoTargets(
            f"Could not find the database instance behind {source.id}",
            "A cluster needs a writer instance, and none was found."
            if cluster
            else "The instance was deleted or renamed.",
            "Check it in the RDS console; for a cluster, add or wait for a writer instance.",
        )
    # The primary's zone only: a Multi-AZ standby's interface does not accept connections.
    zone = instance.get("AvailabilityZone", "")
    subnets = tuple(s["SubnetIdentifier"] for s in instance.get("DBSubnetGroup", {}).get("Subnets", []))
    groups = tuple(g["VpcSecurityGroupId"] for g in instance.get("VpcSecurityGroups", []))
    eni_ips = _eni_ips(
        clients,
        source.vpc_id,
        RDS_ENI_DESCRIPTION,
        subnets or source.subnet_ids,
        (zone,) if zone else (),
        groups or source.security_group_ids,
    )
    # DNS names the current primary: the writer's own endpoint, else the cluster endpoint. From
    # outside the VPC a publicly accessible database resolves to its public address, which is
    # not inside the VPC and so ignored: the interfaces decide then.
    instance_host = str(instance.get("Endpoint", {}).get("Address", ""))
    dns_ips = _dns_ips([instance_host, source.endpoint], vpc_cidrs, resolve)
    if dns_ips:
        both = [ip for ip in eni_ips if ip in dns_ips]
        return both or dns_ips
    if len(eni_ips) == 1:
        return eni_ips
    if eni_ips:
        raise NoTargets(
            f"Several network interfaces could belong to {instance['DBInstanceIdentifier']} "
            f"({', '.join(eni_ips)})",
            "RDS interfaces do not name their database, other databases share its subnets, "
            f"zone and security groups, and the name {instance_host} did not resolve from this "
            "computer to tell them apart.",
            "Run the wizard from a computer whose DNS resolves the database's endpoint "
            "(any computer with internet access does), then try again.",
        )
    raise _no_ips(source)


def _dns_ips(
    hosts: Iterable[str], vpc_cidrs: Sequence[ipaddress.IPv4Network], resolve: Callable[[str], list[str]]
) -> list[str]:
    """Addresses of the first host that resolves inside the VPC (public IPs are not targets)."""
    for host in dict.fromkeys(h for h in hosts if h):
        ips = [ip for ip in resolve(host) if _inside(ip, vpc_cidrs)]
        if ips:
            return ips
    return []


def _no_ips(source: Source) -> NoTargets:
    return NoTargets(
        f"Could not find the private IP addresses of {source.id}",
        f"Its endpoint name {source.endpoint or source.instance_endpoint or '(none)'} did not "
        f"resolve to an address inside its network ({source.vpc_id}), and no network interface "
        "described as belonging to it was found there. This happens while a database is still "
        "being created or is stopped.",
        "Wait until the database shows 'available' in the RDS console, then run the step again.",
    )


def _vpc_cidrs(clients: Any, vpc_id: str) -> list[ipaddress.IPv4Network]:
    with aws_step("Reading your network (VPC)", "ec2:DescribeVpcs"):
        vpcs = clients.ec2.describe_vpcs(VpcIds=[vpc_id]).get("Vpcs", [])
    cidrs: set[str] = set()
    for vpc in vpcs:
        cidrs.add(vpc["CidrBlock"])
        for assoc in vpc.get("CidrBlockAssociationSet", []):
            if assoc.get("CidrBlockState", {}).get("State", "associated") == "associated":
                cidrs.add(assoc["CidrBlock"])
    return [ipaddress.IPv4Network(c) for c in sorted(cidrs)]


def _inside(ip: str, networks: Sequence[ipaddress.IPv4Network]) -> bool:
    try:
        address = ipaddress.IPv4Address(ip)
    except ValueError:
        return False
    return any(address in net for net in networks)


def _eni_ips(
    clients: Any,
    vpc_id: str,
    description: str,
    subnet_ids: Iterable[str],
    zones: Iterable[str],
    group_ids: Iterable[str],
) -> list[str]:
    """Private IPs of the interfaces with this description in these subnets / zones / groups."""
    subnets, wanted_zones, groups = set(subnet_ids), set(zones), set(group_ids)
    filters = [
        {"Name": "vpc-id", "Values": [vpc_id]},
        {"Name": "description", "Values": [description]},
    ]
    with aws_step("Looking up the database's private IP addresses", "ec2:DescribeNetworkInterfaces"):
        pages = clients.ec2.get_paginator("describe_network_interfaces").paginate(Filters=filters)
        enis = [e for page in pages for e in page.get("NetworkInterfaces", [])]
    ips: list[str] = []
    for eni in enis:
        # Checked here as well: not every endpoint honours every filter.
        if eni.get("Description") != description or eni.get("Status") == "deleting":
            continue
        if subnets and eni.get("SubnetId") not in subnets:
            continue
        if wanted_zones and eni.get("AvailabilityZone") not in wanted_zones:
            continue
        if groups and {g["GroupId"] for g in eni.get("Groups", [])} != groups:
            continue
        if eni.get("PrivateIpAddress"):
            ips.append(eni["PrivateIpAddress"])
    return sorted(set(ips), key=ipaddress.IPv4Address)
