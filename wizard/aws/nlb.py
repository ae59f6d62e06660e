"""The internal Network Load Balancer in front of the database: found by our tags, or created."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from wizard.aws.errors import aws_step
from wizard.aws.nlb_security import find_or_create_nlb_security_group, fix_nlb_sg_enforcement
from wizard.aws.polling import DEFAULT_PATIENCE, Patience, wait_until
from wizard.aws.retry import create_once
from wizard.aws.session import AwsContext
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.model import LINK_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, link_tags

CROSS_ZONE_KEY = "load_balancing.cross_zone.enabled"
# elbv2 DescribeTags takes at most 20 ARNs per call.
_TAG_BATCH = 20


@dataclass(frozen=True)
class NlbInfo:
    arn: str
    name: str
    dns_name: str
    vpc_id: str
    state: str
    scheme: str
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    cross_zone: bool


# ---- tag helpers shared by the other elbv2 modules ------------------------------------------


def elbv2_tags(aws: AwsContext, arns: Iterable[str]) -> dict[str, dict[str, str]]:
    """Tags of elbv2 resources (load balancers, target groups, listeners), keyed by ARN."""
    arns = list(arns)
    result: dict[str, dict[str, str]] = {}
    with aws_step("Reading tags", "elasticloadbalancing:DescribeTags"):
        for i in range(0, len(arns), _TAG_BATCH):
            reply = aws.elbv2.describe_tags(ResourceArns=arns[i : i + _TAG_BATCH])
            for desc in reply.get("TagDescriptions", []):
                result[desc["ResourceArn"]] = {t["Key"]: t.get("Value", "") for t in desc.get("Tags", [])}
    return result


def is_ours(tags: dict[str, str], link_name: str) -> bool:
    """True when the tags say the wizard created this resource for this link."""
    return tags.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE and tags.get(LINK_TAG_KEY) == link_name


def name_taken_error(kind: str, name: str, link_name: str) -> UserError:
    return UserError(
        what=(f"A {kind} named '{name}' already exists in this region, but the wizard did not create it"),
        why=(
            "AWS names must be unique, and that one has no privatelink-wizard tags for the link "
            f"'{link_name}', so the wizard will not reuse or change it."
        ),
        fix=(
            "Choose another link name (for example add '-2' or the database name), then run the step again."
        ),
        exit_code=2,
    )


# ---- load balancer ---------------------------------------------------------------------------


def _all_load_balancers(aws: AwsContext) -> list[dict[str, Any]]:
    with aws_step("Looking for the load balancer", "elasticloadbalancing:DescribeLoadBalancers"):
        pages = aws.elbv2.get_paginator("describe_load_balancers").paginate()
        return [lb for page in pages for lb in page.get("LoadBalancers", [])]


def _cross_zone(aws: AwsContext, arn: str) -> bool:
    with aws_step(
        "Reading the load balancer's settings",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
    ):
        reply = aws.elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)
    values = {a["Key"]: a.get("Value", "") for a in reply.get("Attributes", [])}
    return values.get(CROSS_ZONE_KEY, "false").lower() == "true"


def _info(aws: AwsContext, lb: dict[str, Any]) -> NlbInfo:
    return NlbInfo(
        arn=lb["LoadBalancerArn"],
        name=lb["LoadBalancerName"],
        dns_name=lb.get("DNSName", ""),
        vpc_id=lb.get("VpcId", ""),
        state=lb.get("State", {}).get("Code", ""),
        scheme=lb.get("Scheme", ""),
        subnet_ids=tuple(z["SubnetId"] for z in lb.get("AvailabilityZones", []) if z.get("SubnetId")),
        security_group_ids=tuple(lb.get("SecurityGroups", [])),
        cross_zone=_cross_zone(aws, lb["LoadBalancerArn"]),
    )


def describe_nlb(aws: AwsContext, arn: str) -> NlbInfo:
    with aws_step("Looking for the load balancer", "elasticloadbalancing:DescribeLoadBalancers"):
        reply = aws.elbv2.describe_load_balancers(LoadBalancerArns=[arn])
    return _info(aws, reply["LoadBalancers"][0])


def _tagged_nlbs(aws: AwsContext, link_name: str) -> list[dict[str, Any]]:
    nlbs = [lb for lb in _all_load_balancers(aws) if lb.get("Type") == "network"]
    tags = elbv2_tags(aws, (lb["LoadBalancerArn"] for lb in nlbs))
    ours = [lb for lb in nlbs if is_ours(tags.get(lb["LoadBalancerArn"], {}), link_name)]
    # Oldest first: if a race ever left two, every caller settles on the same one.
    return sorted(ours, key=lambda lb: str(lb.get("CreatedTime", "")))


def find_nlbs(aws: AwsContext, link_name: str) -> list[NlbInfo]:
    """Every network load balancer tagged for this link (normally one)."""
    return [_info(aws, lb) for lb in _tagged_nlbs(aws, link_name)]


def find_nlb(aws: AwsContext, link_name: str) -> NlbInfo | None:
    ours = _tagged_nlbs(aws, link_name)
    return _info(aws, ours[0]) if ours else None


def check_name_free(aws: AwsContext, name: str, link_name: str) -> None:
    # describe_load_balancers(Names=...) raises LoadBalancerNotFound when the name is free.
    try:
        with aws_step("Looking for the load balancer", "elasticloadbalancing:DescribeLoadBalancers"):
            reply = aws.elbv2.describe_load_balancers(Names=[name])
    except UserError as exc:
        if exc.code == "LoadBalancerNotFound":
            return
        raise
    if reply.get("LoadBalancers"):
        raise name_taken_error("load balancer", name, link_name)


def set_cross_zone(aws: AwsContext, arn: str, enabled: bool) -> bool:
    """Turn cross-zone load balancing on or off and return the value AWS reports afterwards."""
    with aws_step(
        "Changing the load balancer's settings", "elasticloadbalancing:ModifyLoadBalancerAttributes"
    ):
        aws.elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=arn,
            Attributes=[{"Key": CROSS_ZONE_KEY, "Value": "true" if enabled else "false"}],
        )
    actual = _cross_zone(aws, arn)
    if actual != enabled:
        raise UserError(
            what=(f"Cross-zone load balancing is still {'on' if actual else 'off'} after changing it"),
            why="AWS accepted the change but reports the old value.",
            fix=("Check the load balancer's Attributes tab in the EC2 console, then run the step again."),
            step="Changing the load balancer's settings",
        )
    return actual


def _state(aws: AwsContext, arn: str) -> str:
    """The load balancer's state code, or "deleted" once AWS no longer lists it."""
    try:
        with aws_step("Looking for the load balancer", "elasticloadbalancing:DescribeLoadBalancers"):
            reply = aws.elbv2.describe_load_balancers(LoadBalancerArns=[arn])
    except UserError as exc:
        if exc.code == "LoadBalancerNotFound":
            return "deleted"
        raise
    balancers = reply.get("LoadBalancers", [])
    return str(balancers[0].get("State", {}).get("Code", "")) if balancers else "deleted"


def wait_available(aws: AwsContext, arn: str, patience: Patience = DEFAULT_PATIENCE) -> None:
    """Wait while the new load balancer is `provisioning` (AWS: a few minutes)."""

    def done(state: str) -> bool:
        if state in {"failed", "deleted"}:
            raise UserError(
                what=f"The load balancer is '{state}' instead of becoming active",
                why="AWS could not finish creating it (for example a subnet ran out of free "
                "addresses), or it was deleted meanwhile.",
                fix="Run `privatelink-wizard teardown` for this link, then set it up again.",
                step="Waiting for the load balancer to become active",
            )
        return state == "active"

    wait_until(
        lambda: _state(aws, arn),
        done,
        patience,
        lambda state: _still(f"still '{state}'", patience, "become active"),
    )


def _still(what: str, patience: Patience, waiting_to: str) -> UserError:
    return UserError(
        what=f"The load balancer is {what} after {patience.timeout:g} seconds",
        why="AWS is taking longer than usual.",
        fix="Nothing is lost: run the same command again and it continues where it stopped.",
        step=f"Waiting for the load balancer to {waiting_to}",
        exit_code=EXIT_TIMEOUT,
    )


def find_or_create_nlb(
    aws: AwsContext,
    link_name: str,
    vpc_id: str,
    subnet_ids: Sequence[str],
    cross_zone: bool = True,
    on_created: Callable[[str], None] | None = None,
    patience: Patience = DEFAULT_PATIENCE,
    on_security_group_created: Callable[[str], None] | None = None,
) -> tuple[NlbInfo, bool]:
    """The link's internal NLB (reused when our tags find it), active, cross-zone as asked."""
    arn, created = start_nlb(aws, link_name, vpc_id, subnet_ids, on_created, on_security_group_created)
    return ready_nlb(aws, arn, cross_zone, patience), created


def start_nlb(
    aws: AwsContext,
    link_name: str,
    vpc_id: str,
    subnet_ids: Sequence[str],
    on_created: Callable[[str], None] | None = None,
    on_security_group_created: Callable[[str], None] | None = None,
) -> tuple[str, bool]:
    """Find the link's NLB or start creating it (AWS then provisions it for minutes, while the
    target group and listener can be made); returns its ARN and whether it is new.

    A new one gets the link's own security group (made first: AWS never adds one to an NLB
    created without)."""
    existing = find_nlb(aws, link_name)
    created = existing is None
    if existing is not None:
        if existing.vpc_id != vpc_id:
            raise UserError(
                what=(
                    f"The load balancer for the link '{link_name}' is in the network "
                    f"{existing.vpc_id}, not in {vpc_id} where the database is"
                ),
                why=(
                    "Each link name has one load balancer, and a load balancer cannot move between networks."
                ),
                fix="Choose another link name for this database, or tear down the old link first.",
                exit_code=2,
            )
        arn = existing.arn
    else:
        check_name_free(aws, link_name, link_name)
        group, _ = find_or_create_nlb_security_group(
            aws, link_name, vpc_id, on_created=on_security_group_created
        )

        def create() -> str:
            with aws_step("Creating the load balancer", "elasticloadbalancing:CreateLoadBalancer"):
                reply = aws.client("elbv2", retries=False).create_load_balancer(
                    Name=link_name,
                    Subnets=list(subnet_ids),
                    Scheme="internal",
                    Type="network",
                    IpAddressType="ipv4",
                    SecurityGroups=[group.id],
                    Tags=link_tags(link_name),
                )
            return str(reply["LoadBalancers"][0]["LoadBalancerArn"])

        def find() -> str | None:
            found = find_nlb(aws, link_name)
            return found.arn if found else None

        arn = create_once(create, find)
        if on_created is not None:
            on_created(arn)
    # Right away (SetSecurityGroups names no state it needs), and on a re-run too: a crash may
    # have come between creating the NLB and this call.
    fix_nlb_sg_enforcement(aws, arn)
    return arn, created


def ready_nlb(aws: AwsContext, arn: str, cross_zone: bool, patience: Patience = DEFAULT_PATIENCE) -> NlbInfo:
    """Wait until the NLB is active, with cross-zone load balancing as asked (idempotent)."""
    wait_available(aws, arn, patience)
    info = describe_nlb(aws, arn)
    if info.cross_zone != cross_zone:
        set_cross_zone(aws, arn, cross_zone)
        info = describe_nlb(aws, arn)
    return info


def delete_nlb(aws: AwsContext, arn: str, patience: Patience = DEFAULT_PATIENCE) -> None:
    """Delete the load balancer and wait until AWS no longer lists it (gone already is fine)."""
    try:
        with aws_step("Deleting the load balancer", "elasticloadbalancing:DeleteLoadBalancer"):
            aws.elbv2.delete_load_balancer(LoadBalancerArn=arn)
    except UserError as exc:
        if exc.code == "LoadBalancerNotFound":
            return
        raise
    wait_until(
        lambda: _state(aws, arn),
        lambda state: state == "deleted",
        patience,
        lambda _: _still("still being deleted", patience, "be deleted"),
    )
