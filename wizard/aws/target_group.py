"""The TCP target group behind the load balancer: attributes, listener, targets and their health."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wizard.aws.errors import aws_step
from wizard.aws.nlb import elbv2_tags, is_ours, name_taken_error
from wizard.aws.retry import create_once
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import database_tags, link_tags

# What the procedure prescribes for a database behind PrivateLink: the database must see plain
# TCP from the NLB's addresses (no proxy header, no client IP), and no stickiness.
REQUIRED_ATTRIBUTES: dict[str, str] = {
    "proxy_protocol_v2.enabled": "false",
    "preserve_client_ip.enabled": "false",
    "stickiness.enabled": "false",
}
_ATTRIBUTE_WORDS = {
    "proxy_protocol_v2.enabled": "proxy protocol v2",
    "preserve_client_ip.enabled": "preserve client IP",
    "stickiness.enabled": "stickiness",
}
# A target leaving the group stays listed as "draining" for a while; it no longer counts. An
# `unused` one is still registered (stopped, in a zone the NLB is not in, or the group not yet
# behind a listener): registering it again would change nothing, or fail for a stopped server.
LEAVING_STATES = frozenset({"draining"})
# API reference, CreateTargetGroup: a TCP group checks every 30 s and wants 5 good checks in a row.
DEFAULT_INTERVAL = 30
DEFAULT_HEALTHY_THRESHOLD = 5


@dataclass(frozen=True)
class TargetGroupInfo:
    arn: str
    name: str
    port: int
    protocol: str
    target_type: str
    vpc_id: str
    attributes: dict[str, str] = field(default_factory=dict)
    health_check_interval: int = DEFAULT_INTERVAL
    healthy_threshold: int = DEFAULT_HEALTHY_THRESHOLD

    @property
    def first_checks_seconds(self) -> int:
        """How long a new target stays `initial`: the health checks needed to call it healthy."""
        return self.health_check_interval * self.healthy_threshold


@dataclass(frozen=True)
class TargetSync:
    registered: tuple[str, ...]
    deregistered: tuple[str, ...]
    current: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.registered or self.deregistered)


@dataclass(frozen=True)
class TargetHealthInfo:
    target_id: str
    port: int
    state: str  # initial | healthy | unhealthy | unused | draining | unavailable
    reason: str = ""  # AWS's code, e.g. Target.FailedHealthChecks
    description: str = ""
    checks_take: int = 0  # for `initial`: about how many seconds the first health checks take

    @property
    def words(self) -> str:
        """The target's health in plain words for a DBA."""
        if self.state == "healthy":
            return "healthy"
        if self.state == "initial":
            about = f" (takes about {self.checks_take} seconds)" if self.checks_take else ""
            return f"health checks are starting{about}"
        if self.reason == "Target.InvalidState":
            if "terminated" in self.description.lower():
                return f"the server {self.target_id} is terminated; point the link at a running one"
            return f"the server {self.target_id} is stopped; start it"
        if self.reason == "Target.NotInUse":
            return (
                "not in use: no listener of the load balancer sends to its target group yet, or it "
                "is in an Availability Zone the load balancer is not in"
            )
        if self.state == "draining":
            return "being removed from the target group (draining)"
        if self.state == "unhealthy":
            detail = f": {self.description}" if self.description else ""
            return f"fails the load balancer's health checks{detail}"
        detail = self.description or self.reason
        return f"{self.state} ({detail})" if detail else self.state


# ---- target group ----------------------------------------------------------------------------


def _attributes(aws: AwsContext, tg_arn: str) -> dict[str, str]:
    with aws_step(
        "Reading the target group's settings", "elasticloadbalancing:DescribeTargetGroupAttributes"
    ):
        reply = aws.elbv2.describe_target_group_attributes(TargetGroupArn=tg_arn)
    return {a["Key"]: str(a.get("Value", "")) for a in reply.get("Attributes", [])}


def _info(aws: AwsContext, tg: dict[str, Any]) -> TargetGroupInfo:
    return TargetGroupInfo(
        arn=tg["TargetGroupArn"],
        name=tg["TargetGroupName"],
        port=int(tg.get("Port", 0)),
        protocol=tg.get("Protocol", ""),
        target_type=tg.get("TargetType", ""),
        vpc_id=tg.get("VpcId", ""),
        attributes=_attributes(aws, tg["TargetGroupArn"]),
        health_check_interval=int(tg.get("HealthCheckIntervalSeconds") or DEFAULT_INTERVAL),
        healthy_threshold=int(tg.get("HealthyThresholdCount") or DEFAULT_HEALTHY_THRESHOLD),
    )


def _first_checks_seconds(aws: AwsContext, tg_arn: str) -> int:
    """The group's health-check interval x healthy threshold, read without its attributes."""
    with aws_step("Looking for the target group", "elasticloadbalancing:DescribeTargetGroups"):
        reply = aws.elbv2.describe_target_groups(TargetGroupArns=[tg_arn])
    groups = reply.get("TargetGroups", [])
    group: dict[str, Any] = groups[0] if groups else {}
    interval = int(group.get("HealthCheckIntervalSeconds") or DEFAULT_INTERVAL)
    return interval * int(group.get("HealthyThresholdCount") or DEFAULT_HEALTHY_THRESHOLD)


def _all_target_groups(aws: AwsContext) -> list[dict[str, Any]]:
    with aws_step("Looking for the target group", "elasticloadbalancing:DescribeTargetGroups"):
        pages = aws.elbv2.get_paginator("describe_target_groups").paginate()
        return [tg for page in pages for tg in page.get("TargetGroups", [])]


def find_target_groups(aws: AwsContext, link_name: str) -> list[TargetGroupInfo]:
    """Every target group tagged for this link (one per database port)."""
    groups = _all_target_groups(aws)
    tags = elbv2_tags(aws, (tg["TargetGroupArn"] for tg in groups))
    return [_info(aws, tg) for tg in groups if is_ours(tags.get(tg["TargetGroupArn"], {}), link_name)]


def find_target_group(aws: AwsContext, link_name: str, name: str) -> TargetGroupInfo | None:
    return next((tg for tg in find_target_groups(aws, link_name) if tg.name == name), None)


def _group_named(aws: AwsContext, name: str) -> dict[str, Any] | None:
    try:
        with aws_step("Looking for the target group", "elasticloadbalancing:DescribeTargetGroups"):
            reply = aws.elbv2.describe_target_groups(Names=[name])
    except UserError as exc:
        if exc.code == "TargetGroupNotFound":
            return None
        raise
    groups: list[dict[str, Any]] = reply.get("TargetGroups", [])
    return groups[0] if groups else None


def _check_matches(tg: TargetGroupInfo, vpc_id: str, port: int, target_type: str) -> None:
    wanted = ("TCP", port, target_type, vpc_id)
    actual = (tg.protocol, tg.port, tg.target_type, tg.vpc_id)
    if actual != wanted:
        raise UserError(
            what=(
                f"The target group '{tg.name}' exists with different settings "
                f"({tg.protocol} port {tg.port}, type {tg.target_type}, network {tg.vpc_id}) than "
                f"this link needs (TCP port {port}, type {target_type}, network {vpc_id})"
            ),
            why="AWS cannot change a target group's protocol, port, type or network later.",
            fix="Tear down this link and set it up again, or choose another link name.",
            exit_code=2,
        )


def find_or_create_target_group(
    aws: AwsContext,
    link_name: str,
    name: str,
    vpc_id: str,
    port: int,
    target_type: str,
    on_created: Callable[[str], None] | None = None,
    database: str = "",
) -> tuple[TargetGroupInfo, bool]:
    """The link's TCP target group for `port` (type ip or instance), reused if tagged for it;
    a new one also carries the database tag of `database` (its source id) when given."""
    existing = find_target_group(aws, link_name, name)
    if existing is not None:
        _check_matches(existing, vpc_id, port, target_type)
        return existing, False
    if _group_named(aws, name) is not None:
        raise name_taken_error("target group", name, link_name)

    def create() -> TargetGroupInfo:
        with aws_step("Creating the target group", "elasticloadbalancing:CreateTargetGroup"):
            reply = aws.client("elbv2", retries=False).create_target_group(
                Name=name,
                Protocol="TCP",
                Port=port,
                VpcId=vpc_id,
                TargetType=target_type,
                HealthCheckEnabled=True,
                HealthCheckProtocol="TCP",
                HealthCheckPort="traffic-port",
                Tags=database_tags(link_name, database) if database else link_tags(link_name),
            )
        return _info(aws, reply["TargetGroups"][0])

    try:
        info = create_once(create, lambda: find_target_group(aws, link_name, name))
    except UserError as exc:
        if exc.code != "DuplicateTargetGroupName":
            raise
        # Someone (a second click, another window) created it in between: take theirs if it
        # is ours; moto raises this even for identical settings, where AWS would return it.
        again = find_target_group(aws, link_name, name)
        if again is None:
            raise name_taken_error("target group", name, link_name) from None
        _check_matches(again, vpc_id, port, target_type)
        return again, False
    if on_created is not None:
        on_created(info.arn)
    return info, True


def configure_target_group(aws: AwsContext, tg_arn: str) -> dict[str, str]:
    """Set proxy protocol v2, preserve client IP and stickiness off; read back and verify."""
    with aws_step("Changing the target group's settings", "elasticloadbalancing:ModifyTargetGroupAttributes"):
        aws.elbv2.modify_target_group_attributes(
            TargetGroupArn=tg_arn,
            Attributes=[{"Key": k, "Value": v} for k, v in REQUIRED_ATTRIBUTES.items()],
        )
    actual = _attributes(aws, tg_arn)
    wrong = [k for k, v in REQUIRED_ATTRIBUTES.items() if actual.get(k, "").lower() != v]
    if wrong:
        shown = ", ".join(f"{_ATTRIBUTE_WORDS[k]} is '{actual.get(k, 'not reported')}'" for k in wrong)
        raise UserError(
            what=f"The target group's settings did not take effect: {shown}",
            why="AWS accepted the change but reports other values; these must be off for the "
            "database to see plain connections from the load balancer.",
            fix="Open the target group's Attributes tab in the EC2 console, turn them off, and run "
            "the step again.",
            step="Changing the target group's settings",
        )
    return {k: actual[k] for k in REQUIRED_ATTRIBUTES}


# ---- listener --------------------------------------------------------------------------------


def _forward_targets(listener: dict[str, Any]) -> set[str]:
    arns: set[str] = set()
    for action in listener.get("DefaultActions", []):
        if action.get("TargetGroupArn"):
            arns.add(action["TargetGroupArn"])
        for group in action.get("ForwardConfig", {}).get("TargetGroups", []):
            arns.add(group["TargetGroupArn"])
    return arns


def listeners(aws: AwsContext, nlb_arn: str) -> list[dict[str, Any]]:
    with aws_step("Looking for the listener", "elasticloadbalancing:DescribeListeners"):
        pages = aws.elbv2.get_paginator("describe_listeners").paginate(LoadBalancerArn=nlb_arn)
        return [ls for page in pages for ls in page.get("Listeners", [])]


def find_or_create_listener(
    aws: AwsContext,
    link_name: str,
    nlb_arn: str,
    port: int,
    tg_arn: str,
    on_created: Callable[[str], None] | None = None,
    database: str = "",
) -> tuple[str, bool]:
    """A TCP listener on `port` forwarding to the target group; reused if it already does. A new
    one also carries the database tag of `database` when given."""
    for listener in listeners(aws, nlb_arn):
        if int(listener.get("Port", 0)) != port:
            continue
        if listener.get("Protocol") == "TCP" and _forward_targets(listener) == {tg_arn}:
            return listener["ListenerArn"], False
        raise UserError(
            what=f"Port {port} on the load balancer is already used by another listener",
            why="A load balancer can forward each port to only one place, and this port sends "
            "traffic somewhere other than this link's target group.",
            fix="Choose another port for this database, or remove the other listener in the EC2 "
            "console (Load balancers → Listeners) if it is no longer needed.",
            step="Creating the listener",
            exit_code=2,
        )

    def create() -> str:
        with aws_step("Creating the listener", "elasticloadbalancing:CreateListener"):
            reply = aws.client("elbv2", retries=False).create_listener(
                LoadBalancerArn=nlb_arn,
                Protocol="TCP",
                Port=port,
                DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
                Tags=database_tags(link_name, database) if database else link_tags(link_name),
            )
        return str(reply["Listeners"][0]["ListenerArn"])

    def find() -> str | None:
        for listener in listeners(aws, nlb_arn):
            if int(listener.get("Port", 0)) == port and _forward_targets(listener) == {tg_arn}:
                return str(listener["ListenerArn"])
        return None

    arn = create_once(create, find)
    if on_created is not None:
        on_created(arn)
    return arn, True


# ---- targets ---------------------------------------------------------------------------------


def _describe_health(aws: AwsContext, tg_arn: str) -> list[dict[str, Any]]:
    # DescribeTargetHealth has no paginator: it returns every target in one reply.
    with aws_step("Checking target health", "elasticloadbalancing:DescribeTargetHealth"):
        reply = aws.elbv2.describe_target_health(TargetGroupArn=tg_arn)
    descriptions: list[dict[str, Any]] = reply.get("TargetHealthDescriptions", [])
    return descriptions


def target_health(aws: AwsContext, tg_arn: str) -> list[TargetHealthInfo]:
    descriptions = _describe_health(aws, tg_arn)
    starting = any(d.get("TargetHealth", {}).get("State") == "initial" for d in descriptions)
    # Only a target still in its first checks needs the group's settings (one more call).
    checks_take = _first_checks_seconds(aws, tg_arn) if starting else 0
    result = []
    for desc in descriptions:
        health = desc.get("TargetHealth", {})
        target = desc.get("Target", {})
        state = health.get("State", "")
        result.append(
            TargetHealthInfo(
                target_id=target.get("Id", ""),
                port=int(target.get("Port", 0)),
                state=state,
                reason=health.get("Reason", ""),
                description=health.get("Description", ""),
                checks_take=checks_take if state == "initial" else 0,
            )
        )
    return result


def sync_targets(aws: AwsContext, tg_arn: str, targets: Sequence[str], port: int) -> TargetSync:
    """Make the group's targets exactly `targets` on `port`: register what is missing and
    deregister what is no longer wanted (e.g. a database IP that moved after a failover)."""
    wanted = list(dict.fromkeys(targets))
    present = [(h.target_id, h.port) for h in target_health(aws, tg_arn) if h.state not in LEAVING_STATES]
    present_ids = {tid for tid, p in present if p == port}
    to_register = [t for t in wanted if t not in present_ids]
    stale = [(tid, p) for tid, p in present if tid not in wanted or p != port]
    # Stale ones first: a target re-registered on a new port must not be removed again.
    if stale:
        with aws_step("Removing old targets", "elasticloadbalancing:DeregisterTargets"):
            aws.elbv2.deregister_targets(
                TargetGroupArn=tg_arn, Targets=[{"Id": t, "Port": p} for t, p in stale]
            )
    if to_register:
        with aws_step("Registering the database as a target", "elasticloadbalancing:RegisterTargets"):
            aws.elbv2.register_targets(
                TargetGroupArn=tg_arn, Targets=[{"Id": t, "Port": port} for t in to_register]
            )
    return TargetSync(
        registered=tuple(to_register),
        deregistered=tuple(t for t, _ in stale),
        current=tuple(wanted),
    )


def delete_listener(aws: AwsContext, listener_arn: str) -> None:
    try:
        with aws_step("Deleting the listener", "elasticloadbalancing:DeleteListener"):
            aws.elbv2.delete_listener(ListenerArn=listener_arn)
    except UserError as exc:
        if exc.code != "ListenerNotFound":
            raise


def delete_target_group(aws: AwsContext, tg_arn: str) -> None:
    try:
        with aws_step("Deleting the target group", "elasticloadbalancing:DeleteTargetGroup"):
            aws.elbv2.delete_target_group(TargetGroupArn=tg_arn)
    except UserError as exc:
        if exc.code != "TargetGroupNotFound":
            raise
