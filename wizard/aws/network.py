"""The network around the database: its private IPs, and the firewall rules the NLB needs."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from wizard.aws import target_sync
from wizard.aws.errors import aws_step
from wizard.aws.session import AwsContext
from wizard.checks import CheckRow
from wizard.errors import UserError
from wizard.model import DataSource, SourceKind, link_tags

RULE_DESCRIPTION = "privatelink-wizard {link}: NLB subnet {az}"
GROUP_RULE_DESCRIPTION = "privatelink-wizard {link}: load balancer security group"


# --- Private IPs (the target sync's code: wizard/aws/target_sync) ----------------------------------


def resolve_host(host: str, timeout: float = target_sync.addresses.DNS_TIMEOUT_SECONDS) -> list[str]:
    """IPv4 addresses of `host`, or [] if it does not resolve within `timeout` seconds.
    Tests replace this function to simulate DNS (moto's hostnames never resolve)."""
    return target_sync.resolve_host(host, timeout)


def resolve_target_ips(aws: AwsContext, source: DataSource) -> list[str]:
    """The private IPs the target group must point at (RDS, Aurora writer or RDS Proxy): the same
    lookup the deployed target sync makes, for the writer discovery found."""
    if source.kind is SourceKind.EC2_INSTANCE:
        raise UserError(
            what=f"{source.id} is an EC2 server, which is registered by instance id, not by IP",
            fix="Register the instance itself (target type 'instance').",
        )
    where = target_sync.Source(
        kind=source.kind.value,
        id=source.id,
        vpc_id=source.vpc_id,
        instance_id=source.rds_instance_id,
        endpoint=source.endpoint_address,
        subnet_ids=source.subnet_ids,
        security_group_ids=source.security_group_ids,
    )
    try:
        # resolve_host looked up when called: tests replace it.
        return target_sync.desired_targets(aws, where, lambda host: resolve_host(host))
    except target_sync.NoTargets as exc:
        raise UserError(what=exc.what, why=exc.why, fix=exc.fix) from None


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
            reason=f"{source.id} has no security group, so the wizard cannot check or open its firewall.",
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
