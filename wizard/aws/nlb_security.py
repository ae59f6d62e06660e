"""The load balancer's own security group: made for the link, found again by the link's tags, kept
from filtering PrivateLink traffic, and deleted by teardown.

Why a group of its own: the database's security group can then allow exactly this group on its
port, instead of the load balancer's whole subnets (AWS, Elastic Load Balancing guide: "Update the
security groups for your Network Load Balancer"). AWS only lets a load balancer have security
groups if it was created with one, so the group is made first.

The group needs no inbound rule: health checks are not subject to inbound rules, and with
EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic off, PrivateLink traffic is not either (same
page). Outbound, a new group's default rule (all traffic to anywhere; Amazon VPC User Guide,
"Security groups for your VPC") is the rule that page recommends: the load balancer reaches and
health-checks its targets through it (health checks are subject to outbound rules).
CreateLoadBalancer cannot turn enforcement off; SetSecurityGroups is the only API for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wizard.aws.errors import aws_step
from wizard.aws.retry import create_once
from wizard.aws.session import AwsContext
from wizard.checks import CheckRow
from wizard.errors import UserError
from wizard.model import LINK_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, link_tags

ENFORCE_ATTRIBUTE = "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"
# Security group descriptions allow letters, digits, spaces and ._-:/()#,@[]+=&;{}!$* only.
GROUP_DESCRIPTION = (
    "privatelink-wizard: load balancer of the link {link}. The database allows this group; "
    "PrivateLink traffic is not filtered by it"
)


@dataclass(frozen=True)
class GroupInfo:
    id: str
    name: str
    vpc_id: str


def group_name(link_name: str) -> str:
    return f"{link_name}-nlb"


def _tags(group: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in group.get("Tags", [])}


def find_nlb_security_groups(aws: AwsContext, link_name: str) -> list[GroupInfo]:
    """Every security group tagged as this link's load balancer group (normally one)."""
    filters = [
        {"Name": f"tag:{MANAGED_BY_KEY}", "Values": [MANAGED_BY_VALUE]},
        {"Name": f"tag:{LINK_TAG_KEY}", "Values": [link_name]},
    ]
    with aws_step("Looking for the load balancer's security group", "ec2:DescribeSecurityGroups"):
        pages = aws.ec2.get_paginator("describe_security_groups").paginate(Filters=filters)
        groups = [g for page in pages for g in page.get("SecurityGroups", [])]
    found = []
    for group in groups:
        tags = _tags(group)
        # Checked here as well: not every endpoint honours every filter.
        if tags.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE and tags.get(LINK_TAG_KEY) == link_name:
            found.append(GroupInfo(group["GroupId"], group.get("GroupName", ""), group.get("VpcId", "")))
    return sorted(found, key=lambda g: g.id)


def _check_name_free(aws: AwsContext, name: str, vpc_id: str, link_name: str) -> None:
    filters = [{"Name": "group-name", "Values": [name]}, {"Name": "vpc-id", "Values": [vpc_id]}]
    with aws_step("Looking for the load balancer's security group", "ec2:DescribeSecurityGroups"):
        taken = aws.ec2.describe_security_groups(Filters=filters).get("SecurityGroups", [])
    if any(g.get("GroupName") == name for g in taken):
        raise UserError(
            what=f"A security group named '{name}' already exists in the network {vpc_id}, but "
            "the wizard did not create it",
            why="Security group names are unique within a network, and that one has no "
            f"privatelink-wizard tags for the link '{link_name}', so the wizard will not use it.",
            fix="Choose another link name (for example add '-2' or the database name), then run "
            "the step again.",
            exit_code=2,
        )


def find_or_create_nlb_security_group(
    aws: AwsContext,
    link_name: str,
    vpc_id: str,
    on_created: Callable[[str], None] | None = None,
) -> tuple[GroupInfo, bool]:
    """The link's load balancer security group in `vpc_id` (reused when our tags find it)."""
    for group in find_nlb_security_groups(aws, link_name):
        if group.vpc_id == vpc_id:
            return group, False
    name = group_name(link_name)
    _check_name_free(aws, name, vpc_id, link_name)

    def create() -> str:
        with aws_step("Creating the load balancer's security group", "ec2:CreateSecurityGroup"):
            reply = aws.client("ec2", retries=False).create_security_group(
                GroupName=name,
                Description=GROUP_DESCRIPTION.format(link=link_name),
                VpcId=vpc_id,
                TagSpecifications=[{"ResourceType": "security-group", "Tags": link_tags(link_name)}],
            )
        return str(reply["GroupId"])

    def find() -> str | None:
        return next((g.id for g in find_nlb_security_groups(aws, link_name) if g.vpc_id == vpc_id), None)

    group_id = create_once(create, find)
    if on_created is not None:
        on_created(group_id)
    return GroupInfo(group_id, name, vpc_id), True


def delete_nlb_security_group(aws: AwsContext, group_id: str) -> None:
    """One attempt (gone already is fine). AWS answers DependencyViolation while a load balancer,
    its lingering network interfaces or another group's rule still use the group: the caller
    decides whether to wait."""
    try:
        with aws_step("Deleting the load balancer's security group", "ec2:DeleteSecurityGroup"):
            aws.ec2.delete_security_group(GroupId=group_id)
    except UserError as exc:
        if exc.code != "InvalidGroup.NotFound":
            raise


# --- PrivateLink traffic and the load balancer's security groups -------------------------------


def _load_balancer(aws: AwsContext, nlb_arn: str) -> dict[str, Any]:
    with aws_step("Looking for the load balancer", "elasticloadbalancing:DescribeLoadBalancers"):
        found = aws.elbv2.describe_load_balancers(LoadBalancerArns=[nlb_arn])
    balancers = found.get("LoadBalancers", [])
    if not balancers:
        raise UserError(
            what=f"The load balancer {nlb_arn} was not found",
            why="It was deleted, or belongs to another region.",
            fix="Run the load balancer step again to recreate it.",
        )
    return dict(balancers[0])


def _enforced(balancer: dict[str, Any]) -> bool:
    # AWS turns enforcement on by default for an NLB created with security groups.
    return str(balancer.get(ENFORCE_ATTRIBUTE) or "on").lower() != "off"


def check_nlb_sg_enforcement(aws: AwsContext, nlb_arn: str) -> CheckRow:
    """An NLB with security groups must not filter PrivateLink traffic with them."""
    label = "The load balancer lets PrivateLink traffic through"
    balancer = _load_balancer(aws, nlb_arn)
    groups = balancer.get("SecurityGroups", [])
    if not groups:
        return CheckRow(
            key="nlb-sg-enforcement",
            ok=True,
            label=label,
            reason="The load balancer has no security group, so nothing filters the platform's connections.",
        )
    if not _enforced(balancer):
        return CheckRow(
            key="nlb-sg-enforcement",
            ok=True,
            label=label,
            reason=f"Security group rules ({', '.join(groups)}) are not applied to PrivateLink traffic.",
        )
    return CheckRow(
        key="nlb-sg-enforcement",
        ok=False,
        label=label,
        reason=(
            f"The load balancer has security group{'s' if len(groups) > 1 else ''} "
            f"{', '.join(groups)} and applies them to PrivateLink traffic: the platform's "
            "connections are dropped unless a rule allows them, and their source addresses are "
            "not known in advance."
        ),
        fix="Turn off the load balancer setting 'Enforce inbound rules on PrivateLink traffic' "
        "(its security groups stay attached).",
    )


def fix_nlb_sg_enforcement(aws: AwsContext, nlb_arn: str) -> None:
    """Stop applying the NLB's security groups to PrivateLink traffic (groups stay attached)."""
    balancer = _load_balancer(aws, nlb_arn)
    groups = list(balancer.get("SecurityGroups", []))
    if not groups or not _enforced(balancer):
        return
    with aws_step("Changing the load balancer's settings", "elasticloadbalancing:SetSecurityGroups"):
        reply = aws.elbv2.set_security_groups(
            LoadBalancerArn=nlb_arn,
            SecurityGroups=groups,
            EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic="off",
        )
    if str(reply.get(ENFORCE_ATTRIBUTE, "off")).lower() != "off":
        raise UserError(
            what="AWS did not turn off security group enforcement for PrivateLink traffic",
            why=f"The load balancer still reports {ENFORCE_ATTRIBUTE}={reply.get(ENFORCE_ATTRIBUTE)}.",
            fix="Turn it off in the EC2 console (Load balancers > Security tab), then check again.",
        )
