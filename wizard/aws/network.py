"""The network around the database: its private IPs, and the firewall rules the NLB needs."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from wizard.aws.errors import aws_step
from wizard.aws.session import AwsContext
from wizard.checks import CheckRow
from wizard.errors import UserError
from wizard.model import DataSource, SourceKind, link_tags

RDS_ENI_DESCRIPTION = "RDSNetworkInterface"
PROXY_ENI_DESCRIPTION = "Network interface for DBProxy {name}"
DNS_TIMEOUT_SECONDS = 3.0
RULE_DESCRIPTION = "privatelink-wizard {link}: NLB subnet {az}"
GROUP_RULE_DESCRIPTION = "privatelink-wizard {link}: load balancer security group"


# --- Private IPs -------------------------------------------------------------------------------


def resolve_host(host: str, timeout: float = DNS_TIMEOUT_SECONDS) -> list[str]:
    """IPv4 addresses of `host`, or [] if it does not resolve within `timeout` seconds.

    getaddrinfo has no timeout of its own, so it runs on a daemon thread we stop waiting for.
    Tests replace this function to simulate DNS (moto's hostnames never resolve).
    """
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


def resolve_target_ips(aws: AwsContext, source: DataSource) -> list[str]:
    """The private IPs the target group must point at (RDS, Aurora writer or RDS Proxy)."""
    if source.kind is SourceKind.EC2_INSTANCE:
        raise UserError(
            what=f"{source.id} is an EC2 server, which is registered by instance id, not by IP",
            fix="Register the instance itself (target type 'instance').",
        )
    vpc_cidrs = _vpc_cidrs(aws, source.vpc_id)

    if source.kind is SourceKind.RDS_PROXY:
        dns_ips = _dns_ips([source.endpoint_address], vpc_cidrs)
        if dns_ips:
            return dns_ips
        ips = _eni_ips(
            aws, source.vpc_id, PROXY_ENI_DESCRIPTION.format(name=source.id), source.subnet_ids,
            (), source.security_group_ids,
        )
        if ips:
            return ips
        raise _no_ips(source)

    instance = _rds_instance(aws, source.rds_instance_id) if source.rds_instance_id else {}
    if not instance:
        raise UserError(
            what=f"Could not find the database instance behind {source.id}",
            why=f"A {source.kind.label} needs a writer instance, and none was found."
            if source.kind in (SourceKind.AURORA_CLUSTER, SourceKind.MULTI_AZ_CLUSTER)
            else "The instance was deleted or renamed.",
            fix="Check it in the RDS console; for a cluster, add or wait for a writer instance.",
        )
    # The primary's zone only: a Multi-AZ standby's interface does not accept connections.
    zone = instance.get("AvailabilityZone", "")
    subnets = tuple(s["SubnetIdentifier"] for s in instance.get("DBSubnetGroup", {}).get("Subnets", []))
    groups = tuple(g["VpcSecurityGroupId"] for g in instance.get("VpcSecurityGroups", []))
    eni_ips = _eni_ips(
        aws, source.vpc_id, RDS_ENI_DESCRIPTION, subnets or source.subnet_ids,
        (zone,) if zone else (), groups or source.security_group_ids,
    )
    # DNS names the current primary: the writer's own endpoint, else the cluster endpoint.
    instance_host = str(instance.get("Endpoint", {}).get("Address", ""))
    dns_ips = _dns_ips([instance_host, source.endpoint_address], vpc_cidrs)
    if dns_ips:
        both = [ip for ip in eni_ips if ip in dns_ips]
        return both or dns_ips
    if len(eni_ips) == 1:
        return eni_ips
    if eni_ips:
        raise UserError(
            what=f"Several network interfaces could belong to {instance['DBInstanceIdentifier']} "
            f"({', '.join(eni_ips)})",
            why="RDS interfaces do not name their database, other databases share its subnets, "
            f"zone and security groups, and the name {instance.get('Endpoint', {}).get('Address')} "
            "did not resolve from this computer to tell them apart.",
            fix="Run the wizard from a computer whose DNS resolves the database's endpoint "
            "(any computer with internet access does), then try again.",
        )
    raise _no_ips(source)


def _dns_ips(hosts: Iterable[str], vpc_cidrs: Sequence[ipaddress.IPv4Network]) -> list[str]:
    """Addresses of the first host that resolves inside the VPC (public IPs are not targets)."""
    for host in dict.fromkeys(h for h in hosts if h):
        ips = [ip for ip in resolve_host(host) if _inside(ip, vpc_cidrs)]
        if ips:
            return ips
    return []


def _no_ips(source: DataSource) -> UserError:
    return UserError(
        what=f"Could not find the private IP addresses of {source.id}",
        why=f"Its endpoint name {source.endpoint_address or '(none)'} did not resolve to an address "
        f"inside its network ({source.vpc_id}), and no network interface described as "
        "belonging to it was found there. This happens while a database is still being created "
        "or is stopped.",
        fix="Wait until the database shows 'available' in the RDS console, then run the step "
        "again.",
    )


def _vpc_cidrs(aws: AwsContext, vpc_id: str) -> list[ipaddress.IPv4Network]:
    with aws_step("Reading your network (VPC)", "ec2:DescribeVpcs"):
        vpcs = aws.ec2.describe_vpcs(VpcIds=[vpc_id]).get("Vpcs", [])
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


def _rds_instance(aws: AwsContext, instance_id: str) -> dict[str, Any]:
    with aws_step("Reading the database", "rds:DescribeDBInstances"):
        try:
            found = aws.rds.describe_db_instances(DBInstanceIdentifier=instance_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "DBInstanceNotFound":
                return {}
            raise
    instances = found.get("DBInstances", [])
    return dict(instances[0]) if instances else {}


def _eni_ips(
    aws: AwsContext,
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
        pages = aws.ec2.get_paginator("describe_network_interfaces").paginate(Filters=filters)
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


def subnet_cidrs(aws: AwsContext, subnet_ids: Iterable[str]) -> list[str]:
    """The IPv4 CIDR of each subnet, in the order given."""
    return [s.cidr for s in _subnets(aws, subnet_ids)]


# --- Security group check and fix --------------------------------------------------------------


@dataclass(frozen=True)
class _Subnet:
    subnet_id: str
    zone: str
    cidr: str


def _subnets(aws: AwsContext, subnet_ids: Iterable[str]) -> list[_Subnet]:
    ids = list(dict.fromkeys(subnet_ids))
    if not ids:
        return []
    with aws_step("Reading the load balancer's subnets", "ec2:DescribeSubnets"):
        pages = aws.ec2.get_paginator("describe_subnets").paginate(SubnetIds=ids)
        found = {s["SubnetId"]: s for page in pages for s in page.get("Subnets", [])}
    missing = [i for i in ids if i not in found]
    if missing:
        raise UserError(
            what=f"Subnet {', '.join(missing)} was not found",
            why="It was deleted, or belongs to another region.",
            fix="Choose the load balancer's subnets again.",
        )
    return [_Subnet(i, found[i]["AvailabilityZone"], found[i]["CidrBlock"]) for i in ids]


def _security_groups(aws: AwsContext, group_ids: Sequence[str]) -> list[dict[str, Any]]:
    with aws_step("Reading firewall rules (security groups)", "ec2:DescribeSecurityGroups"):
        pages = aws.ec2.get_paginator("describe_security_groups").paginate(GroupIds=list(group_ids))
        return [g for page in pages for g in page.get("SecurityGroups", [])]


def _allows_port(permission: dict[str, Any], port: int) -> bool:
    protocol = str(permission.get("IpProtocol", ""))
    if protocol == "-1":
        return True
    if protocol not in ("tcp", "6"):
        return False
    low, high = permission.get("FromPort", -1), permission.get("ToPort", -1)
    if low == -1 and high == -1:
        return True
    return bool(low <= port <= high)


def _covers(cidr: str, subnet_cidr: str) -> bool:
    try:
        rule_net = ipaddress.ip_network(cidr, strict=False)
        subnet_net = ipaddress.ip_network(subnet_cidr, strict=False)
    except ValueError:
        return False
    return rule_net.version == subnet_net.version and subnet_net.subnet_of(rule_net)  # type: ignore[arg-type]


def _permissions(groups: Sequence[dict[str, Any]], port: int) -> list[dict[str, Any]]:
    return [p for g in groups for p in g.get("IpPermissions", []) if _allows_port(p, port)]


def _allowed_nlb_group(groups: Sequence[dict[str, Any]], port: int, nlb_group_ids: Iterable[str]) -> str:
    """The load balancer's security group that a rule on `port` allows, or ""."""
    nlb_groups = set(nlb_group_ids)
    for permission in _permissions(groups, port):
        for pair in permission.get("UserIdGroupPairs", []):
            if pair.get("GroupId") in nlb_groups:
                return str(pair["GroupId"])
    return ""


def _missing_subnets(
    groups: Sequence[dict[str, Any]], port: int, subnets: Sequence[_Subnet]
) -> list[_Subnet]:
    """The load balancer subnets no CIDR rule on `port` covers."""
    permissions = _permissions(groups, port)
    cidrs = [r["CidrIp"] for p in permissions for r in p.get("IpRanges", []) if r.get("CidrIp")]
    return [s for s in subnets if not any(_covers(c, s.cidr) for c in cidrs)]


def _noun(source: DataSource) -> str:
    return "server" if source.kind is SourceKind.EC2_INSTANCE else "database"


def _groups_phrase(source: DataSource) -> str:
    ids = source.security_group_ids
    if len(ids) == 1:
        return f"The {_noun(source)}'s security group {ids[0]} does"
    return f"The {_noun(source)}'s security groups ({', '.join(ids)}) do"


def check_security_group(
    aws: AwsContext,
    source: DataSource,
    port: int,
    nlb_subnet_ids: Sequence[str],
    nlb_security_group_ids: Sequence[str] = (),
) -> CheckRow:
    """Do the source's security groups let the NLB in on `port`: a rule for the NLB's security
    group, or CIDR rules covering every NLB subnet (the older form, for an NLB without one)?"""
    label = f"The {_noun(source)}'s firewall lets the load balancer in on port {port}"
    if not source.security_group_ids:
        return CheckRow(
            key="security-group",
            ok=False,
            label=label,
            reason=f"{source.id} has no security group, so the wizard cannot check or open "
            "its firewall.",
            fix="",
        )
    groups = _security_groups(aws, source.security_group_ids)
    ids = ", ".join(source.security_group_ids)
    allowed = _allowed_nlb_group(groups, port, nlb_security_group_ids)
    if allowed:
        return CheckRow(
            key="security-group",
            ok=True,
            label=label,
            reason=f"Security group {ids} allows TCP {port} from the load balancer's security "
            f"group {allowed}.",
        )
    missing = _missing_subnets(groups, port, _subnets(aws, nlb_subnet_ids))
    if not missing:
        return CheckRow(
            key="security-group",
            ok=True,
            label=label,
            reason=f"Security group {ids} allows TCP {port} from every load balancer subnet.",
        )
    target = source.security_group_ids[0]
    blocked = "The load balancer's health checks and the platform's connections would be blocked."
    if nlb_security_group_ids:
        nlb_group = nlb_security_group_ids[0]
        return CheckRow(
            key="security-group",
            ok=False,
            label=label,
            reason=f"{_groups_phrase(source)} not allow TCP port {port} from the load balancer's "
            f"security group {nlb_group}. {blocked}",
            fix=f"Add an inbound rule to security group {target}: TCP {port} from the load "
            f"balancer's security group {nlb_group}, so only the load balancer gets in "
            "(labelled privatelink-wizard, removed again by teardown).",
        )
    listing = "; ".join(f"{s.subnet_id} in {s.zone} ({s.cidr})" for s in missing)
    rules = ", ".join(f"TCP {port} from {s.cidr}" for s in missing)
    return CheckRow(
        key="security-group",
        ok=False,
        label=label,
        reason=(
            f"{_groups_phrase(source)} not allow TCP port {port} from these load balancer "
            f"subnets: {listing}. {blocked}"
        ),
        fix=(
            f"Add {len(missing)} inbound rule{'s' if len(missing) > 1 else ''} to security group "
            f"{target}: {rules} (labelled privatelink-wizard, removed again by teardown)."
        ),
    )


def fix_security_group(
    aws: AwsContext,
    source: DataSource,
    port: int,
    nlb_subnet_ids: Sequence[str],
    link_name: str,
    nlb_security_group_ids: Sequence[str] = (),
) -> list[str]:
    """Add the missing rule to the source's first security group; returns the new rule ids.

    With a load balancer security group: one rule allowing that group. Without (an NLB made by
    an older version, which can never get one): a rule per uncovered NLB subnet CIDR."""
    if not source.security_group_ids:
        raise UserError(
            what=f"{source.id} has no security group to add the rule to",
            fix="Attach a security group to it in the console, then run the check again.",
        )
    target = source.security_group_ids[0]
    groups = _security_groups(aws, source.security_group_ids)
    if _allowed_nlb_group(groups, port, nlb_security_group_ids):
        return []
    missing = _missing_subnets(groups, port, _subnets(aws, nlb_subnet_ids))
    if not missing:
        return []
    if nlb_security_group_ids:
        pair = {
            "GroupId": nlb_security_group_ids[0],
            "Description": GROUP_RULE_DESCRIPTION.format(link=link_name),
        }
        return _authorize(aws, target, port, {"UserIdGroupPairs": [pair]}, link_name)
    added: list[str] = []
    for subnet in missing:
        description = RULE_DESCRIPTION.format(link=link_name, az=subnet.zone)
        source_range = {"IpRanges": [{"CidrIp": subnet.cidr, "Description": description}]}
        added += _authorize(aws, target, port, source_range, link_name)
    return added


def _authorize(
    aws: AwsContext, group_id: str, port: int, source: dict[str, Any], link_name: str
) -> list[str]:
    """Add one tagged inbound TCP rule on `port` from `source`; returns its rule ids."""
    permission = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **source}
    with aws_step("Opening the database port to the load balancer", "ec2:AuthorizeSecurityGroupIngress"):
        try:
            reply = aws.ec2.authorize_security_group_ingress(
                GroupId=group_id,
                IpPermissions=[permission],
                TagSpecifications=[{"ResourceType": "security-group-rule", "Tags": link_tags(link_name)}],
            )
        except ClientError as exc:
            # Someone added the same rule between our read and write: nothing left to do.
            if exc.response.get("Error", {}).get("Code") == "InvalidPermission.Duplicate":
                return []
            raise
    return [r["SecurityGroupRuleId"] for r in reply.get("SecurityGroupRules", [])]
