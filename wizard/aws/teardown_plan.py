"""What teardown would remove for a link, what it leaves, and what would stop it — read before
anything is deleted, so teardown is all-or-nothing over exactly what the link owns.

A resource is the link's when it carries the link's tags. A firewall rule (security-group rule)
also when the link's record holds it as made by the wizard: AWS cannot tag a rule on every path,
so the record notes each rule's id, group, port and source the moment it is made. A rule that is
neither is never removed, whatever its description says; teardown names it instead."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wizard.aws.alerts import KIND_WORDS as ALERT_WORDS
from wizard.aws.alerts import alert_resources
from wizard.aws.connections import OPEN_STATES, Connection, list_connections
from wizard.aws.endpoint_service import find_endpoint_services
from wizard.aws.errors import aws_step
from wizard.aws.nlb import NlbInfo, find_nlbs, is_ours
from wizard.aws.nlb_security import find_nlb_security_groups
from wizard.aws.session import AwsContext
from wizard.aws.sync_lookup import find_sync
from wizard.aws.target_group import TargetGroupInfo, find_target_groups, listeners
from wizard.errors import UserError
from wizard.model import LINK_TAG_KEY, CreatedResource, LinkRecord

# Deletion order: what depends on something is removed before it. The load balancer goes before
# its target groups (one a listener uses cannot be deleted: ResourceInUse), and the database's
# rule before the load balancer's group (a group another group's rule names cannot be deleted:
# DependencyViolation).
KIND_ORDER = (
    # The target sync first: nothing then re-registers targets while the rest goes.
    "sync-rule",
    "sync-function",
    "sync-role",
    "sync-log-group",
    "endpoint-service",
    "listener",
    "nlb",
    "target-group",
    "security-group-rule",
    "security-group",
)
KIND_WORDS = {
    **ALERT_WORDS,  # the link's alerts go first (wizard/aws/alerts.py: KINDS)
    "sync-rule": "target sync trigger",
    "sync-function": "target sync function",
    "sync-role": "target sync IAM role",
    "sync-log-group": "target sync log group",
    "endpoint-service": "endpoint service",
    "listener": "listener",
    "target-group": "target group",
    "nlb": "load balancer",
    "security-group-rule": "firewall rule",
    "security-group": "load balancer's security group",
}
RULE_KIND = "security-group-rule"
PROTECTION_KEY = "deletion_protection.enabled"
NOT_RECORDED = "not removed: not recorded as the wizard's"
CHANGED = "not removed: changed since the wizard made it"


@dataclass(frozen=True)
class ManagedResource:
    kind: str  # one of KIND_ORDER
    id: str  # ARN, vpce-svc-…, sgr-… or sg-…
    name: str = ""  # plain words after the kind ("orders-db", "on port 5432 of …", "allowing …")
    parent: str = ""  # security-group rules: the group id (needed to revoke); else ""
    egress: bool = False

    def describe(self) -> str:
        label = f"{KIND_WORDS.get(self.kind, self.kind)} {self.name or self.id}"
        return label if not self.name or self.name == self.id else f"{label} ({self.id})"


@dataclass(frozen=True)
class LeftRule:
    """A rule that looks like the wizard's (its description) but that teardown will not remove."""

    rule: ManagedResource
    reason: str  # NOT_RECORDED or CHANGED

    def line(self) -> str:
        return f"{self.reason[0].upper()}{self.reason[1:]}: {self.rule.describe()}"

    @property
    def why(self) -> str:
        if self.reason == CHANGED:
            return (
                "The wizard made this rule, but its port or source has been changed since, so it "
                "may now serve something else: teardown leaves it."
            )
        return (
            "Its description names the link, but it carries no tag of the link and the link's "
            "record does not hold it, so it may not be the wizard's: teardown leaves it."
        )

    @property
    def fix(self) -> str:
        return (
            f"If nothing needs it, remove it yourself: EC2 console, Security groups, "
            f"{self.rule.parent}, {'Outbound' if self.rule.egress else 'Inbound'} rules."
        )


@dataclass(frozen=True)
class Blocker:
    """Something outside the link that would make AWS refuse part of the teardown."""

    what: str
    why: str
    fix: str


@dataclass
class TeardownPlan:
    link_name: str
    resources: list[ManagedResource]
    connections: list[tuple[str, Connection]] = field(default_factory=list)  # (service id, open)
    left: list[LeftRule] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    platform_account: str = ""

    def connection_lines(self) -> list[str]:
        """Each open connection the teardown cuts off, in the words the confirmation uses."""
        lines = []
        for _, c in self.connections:
            whose = "the platform's" if c.owner_account == self.platform_account else "the"
            if c.state == "available":
                lines.append(
                    f"{whose} live connection {c.endpoint_id} from account {c.owner_account} will "
                    "be rejected: it stops carrying traffic to the database at once"
                )
            else:
                lines.append(
                    f"{whose} connection request {c.endpoint_id} from account {c.owner_account} "
                    f"({c.state}) will be rejected"
                )
        return [line[0].upper() + line[1:] for line in lines]

    def blocked_error(self) -> UserError:
        return UserError(
            what=" ".join(_sentence(b.what) for b in self.blockers),
            why=" ".join(dict.fromkeys(_sentence(b.why) for b in self.blockers)),
            fix=" ".join(_sentence(b.fix) for b in self.blockers)
            + " Then run teardown again. Nothing was deleted.",
            step=f"Checking what would stop the teardown of the link '{self.link_name}'",
        )


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


# --- firewall rules ------------------------------------------------------------------------------


def all_rules(aws: AwsContext) -> list[dict[str, Any]]:
    with aws_step("Reading firewall rules (security groups)", "ec2:DescribeSecurityGroupRules"):
        pages = aws.ec2.get_paginator("describe_security_group_rules").paginate()
        return [r for page in pages for r in page.get("SecurityGroupRules", [])]


def rule_source(rule: dict[str, Any]) -> str:
    """What a rule allows traffic from (or to): a CIDR, a security group or a prefix list."""
    group = rule.get("ReferencedGroupInfo", {}).get("GroupId", "")
    return str(rule.get("CidrIpv4") or rule.get("CidrIpv6") or group or rule.get("PrefixListId") or "")


def _rule_words(rule: dict[str, Any], nlb_groups: Iterable[str]) -> str:
    """A rule in plain words: allowing TCP 5432 from the load balancer's security group sg-… in …"""
    protocol = str(rule.get("IpProtocol", ""))
    low, high = rule.get("FromPort", -1), rule.get("ToPort", -1)
    if protocol == "-1":
        traffic = "all traffic"
    else:
        ports = "" if low == -1 else f" {low}" if low == high else f" {low}-{high}"
        traffic = {"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "6": "TCP"}.get(protocol, protocol) + ports
    source = rule_source(rule)
    if source.startswith("sg-"):
        owner = "the load balancer's security group" if source in set(nlb_groups) else "security group"
        source = f"{owner} {source}"
    elif source.startswith("pl-"):
        source = f"prefix list {source}"
    direction = f"outbound {traffic} to" if rule.get("IsEgress") else f"{traffic} from"
    return f"allowing {direction} {source} in security group {rule.get('GroupId', '')}"


def _as_resource(rule: dict[str, Any], nlb_groups: Iterable[str]) -> ManagedResource:
    return ManagedResource(
        kind=RULE_KIND,
        id=rule["SecurityGroupRuleId"],
        name=_rule_words(rule, nlb_groups),
        parent=rule.get("GroupId", ""),
        egress=bool(rule.get("IsEgress", False)),
    )


def _still_as_made(entry: CreatedResource, rule: dict[str, Any]) -> bool:
    if not entry.group_id:  # recorded by an older version: its id alone
        return True
    made = (entry.group_id, entry.port, entry.port, entry.source)
    return made == (rule.get("GroupId"), rule.get("FromPort"), rule.get("ToPort"), rule_source(rule))


def _described_as_ours(link_name: str) -> re.Pattern[str]:
    # "privatelink-wizard orders" must not match the rules of "orders-db".
    return re.compile(rf"^privatelink-wizard {re.escape(link_name)}(?![A-Za-z0-9-])")


def _sort_rules(
    rules: Sequence[dict[str, Any]], link_name: str, record: LinkRecord | None, nlb_groups: Sequence[str]
) -> tuple[list[ManagedResource], list[LeftRule]]:
    """The link's rules (tagged for it, or recorded and unchanged), and those that only look it."""
    recorded = {r.id: r for r in record.created if r.kind == RULE_KIND} if record else {}
    described = _described_as_ours(link_name)
    ours: list[ManagedResource] = []
    left: list[LeftRule] = []
    for rule in rules:
        tags = {t["Key"]: t.get("Value", "") for t in rule.get("Tags", [])}
        if tags.get(LINK_TAG_KEY, link_name) != link_name:
            continue  # tagged for another link: never this one's
        entry = recorded.get(rule["SecurityGroupRuleId"])
        if is_ours(tags, link_name) or (entry is not None and _still_as_made(entry, rule)):
            ours.append(_as_resource(rule, nlb_groups))
        elif entry is not None:
            left.append(LeftRule(_as_resource(rule, nlb_groups), CHANGED))
        elif described.match(rule.get("Description", "") or ""):
            left.append(LeftRule(_as_resource(rule, nlb_groups), NOT_RECORDED))
    return ours, left


def remember_rules(aws: AwsContext, record: LinkRecord, rule_ids: Sequence[str]) -> None:
    """Note what each new rule allows next to its id (already noted), so teardown can tell it is
    still the rule the wizard made. Best effort: without it, the id alone is the rule."""
    if not rule_ids:
        return
    try:
        with aws_step("Reading the firewall rule the wizard added", "ec2:DescribeSecurityGroupRules"):
            reply = aws.ec2.describe_security_group_rules(SecurityGroupRuleIds=list(rule_ids))
    except UserError:
        return
    for rule in reply.get("SecurityGroupRules", []):
        record.note_created(
            RULE_KIND,
            rule["SecurityGroupRuleId"],
            group_id=str(rule.get("GroupId", "")),
            port=int(rule.get("FromPort", 0)),
            source=rule_source(rule),
        )


# --- what the link owns --------------------------------------------------------------------------


@dataclass
class _Found:
    resources: list[ManagedResource]
    left: list[LeftRule]
    rules: list[dict[str, Any]]
    nlbs: list[NlbInfo]
    target_groups: list[TargetGroupInfo]


def _find(aws: AwsContext, link_name: str, record: LinkRecord | None) -> _Found:
    services = find_endpoint_services(aws, link_name)
    found = [ManagedResource(*r) for r in alert_resources(aws, link_name, [s.id for s in services])]
    found += [ManagedResource(k, i, n) for k, i, n in find_sync(aws, link_name).resources()]
    found += [ManagedResource("endpoint-service", s.id, s.name) for s in services]
    nlbs = find_nlbs(aws, link_name)
    for nlb in nlbs:
        # Listeners live and die with our load balancer, whoever added them.
        found += [
            ManagedResource(
                "listener", ls["ListenerArn"], f"on port {ls.get('Port')} of the load balancer {nlb.name}"
            )
            for ls in listeners(aws, nlb.arn)
        ]
    found += [ManagedResource("nlb", nlb.arn, nlb.name) for nlb in nlbs]
    groups = find_target_groups(aws, link_name)
    found += [ManagedResource("target-group", tg.arn, tg.name) for tg in groups]
    nlb_groups = find_nlb_security_groups(aws, link_name)
    rules = all_rules(aws)
    ours, left = _sort_rules(rules, link_name, record, [g.id for g in nlb_groups])
    found += ours
    found += [ManagedResource("security-group", g.id, g.name) for g in nlb_groups]
    return _Found(found, left, rules, nlbs, groups)


def left_rules(aws: AwsContext, link_name: str, record: LinkRecord | None = None) -> list[LeftRule]:
    """Rules described as the link's that teardown would leave (for `status` to mention)."""
    nlb_groups = [g.id for g in find_nlb_security_groups(aws, link_name)]
    return _sort_rules(all_rules(aws), link_name, record, nlb_groups)[1]


def find_link_resources(
    aws: AwsContext, link_name: str, record: LinkRecord | None = None
) -> list[ManagedResource]:
    """What the wizard built for this link and still exists, in the order teardown deletes it."""
    return _find(aws, link_name, record).resources


def plan_teardown(
    aws: AwsContext, link_name: str, record: LinkRecord | None = None, platform_account: str = ""
) -> TeardownPlan:
    """Everything the teardown of the link would do and meet, read without changing anything."""
    found = _find(aws, link_name, record)
    connections = [
        (r.id, c)
        for r in found.resources
        if r.kind == "endpoint-service"
        for c in list_connections(aws, r.id)
        if c.state in OPEN_STATES
    ]
    blockers = (
        _protected(aws, found.nlbs)
        + _used_elsewhere(aws, found.target_groups, {n.arn for n in found.nlbs})
        + _named_elsewhere(found)
    )
    return TeardownPlan(link_name, found.resources, connections, found.left, blockers, platform_account)


# --- what would stop it (checked before anything is deleted) ------------------------------------


def _protected(aws: AwsContext, nlbs: Sequence[NlbInfo]) -> list[Blocker]:
    blockers = []
    for nlb in nlbs:
        with aws_step(
            "Checking the load balancer's deletion protection",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
        ):
            reply = aws.elbv2.describe_load_balancer_attributes(LoadBalancerArn=nlb.arn)
        values = {a["Key"]: str(a.get("Value", "")) for a in reply.get("Attributes", [])}
        if values.get(PROTECTION_KEY, "false").lower() == "true":
            blockers.append(
                Blocker(
                    what=f"The load balancer {nlb.name} has deletion protection turned on",
                    why="AWS refuses to delete a load balancer while its deletion protection is "
                    "on, and the wizard does not turn off a protection someone chose",
                    fix=f"If the link is to go, turn it off: EC2 console, Load balancers, "
                    f"{nlb.name}, Attributes, Edit, clear Deletion protection (or `aws elbv2 "
                    f"modify-load-balancer-attributes --load-balancer-arn {nlb.arn} --attributes "
                    "Key=deletion_protection.enabled,Value=false`)",
                )
            )
    return blockers


def _used_elsewhere(aws: AwsContext, groups: Sequence[TargetGroupInfo], link_nlbs: set[str]) -> list[Blocker]:
    """A listener of a load balancer outside the link forwarding to one of its target groups."""
    if not groups:
        return []
    with aws_step("Checking what uses the link's target group", "elasticloadbalancing:DescribeTargetGroups"):
        reply = aws.elbv2.describe_target_groups(TargetGroupArns=[g.arn for g in groups])
    names = {g.arn: g.name for g in groups}
    blockers = []
    for described in reply.get("TargetGroups", []):
        arn = described["TargetGroupArn"]
        for lb_arn in described.get("LoadBalancerArns", []):
            if lb_arn in link_nlbs:
                continue
            # AWS's list is what uses the group; its listeners say on which port.
            try:
                ports = [ls.get("Port") for ls in listeners(aws, lb_arn) if arn in _forwards_to(ls)]
            except UserError as exc:
                if exc.code == "LoadBalancerNotFound":
                    continue
                raise
            lb_name = lb_arn.split("/")[-2] if lb_arn.count("/") >= 2 else lb_arn
            blockers += [
                Blocker(
                    what=f"The load balancer {lb_name}, which is not part of the link, sends its "
                    f"listener on port {port} to the link's target group {names[arn]}",
                    why="AWS cannot delete a target group a listener uses",
                    fix=f"Point that listener at another target group, or delete it (EC2 console, "
                    f"Load balancers, {lb_name}, Listeners)",
                )
                for port in ports
            ]
    return blockers


def _forwards_to(listener: dict[str, Any]) -> set[str]:
    arns = set()
    for action in listener.get("DefaultActions", []):
        if action.get("TargetGroupArn"):
            arns.add(action["TargetGroupArn"])
        arns.update(g["TargetGroupArn"] for g in action.get("ForwardConfig", {}).get("TargetGroups", []))
    return arns


def _named_elsewhere(found: _Found) -> list[Blocker]:
    """A rule the wizard did not add naming the link's load balancer group: AWS would refuse to
    delete that group (DependencyViolation) for good."""
    groups = {r.id: r for r in found.resources if r.kind == "security-group"}
    ours = {r.id for r in found.resources if r.kind == RULE_KIND}
    foreign = [
        rule
        for rule in found.rules
        if rule.get("ReferencedGroupInfo", {}).get("GroupId") in groups
        and rule["SecurityGroupRuleId"] not in ours
        and rule.get("GroupId") not in groups
    ]
    if not foreign:
        return []
    group = groups[foreign[0]["ReferencedGroupInfo"]["GroupId"]]
    named = "; ".join(_as_resource(r, groups).describe() for r in foreign)
    return [
        Blocker(
            what=f"Firewall rules the wizard did not add still allow the {group.describe()}: {named}",
            why="They carry no tag of the link and its record does not hold them, so the wizard "
            "will not remove them, and AWS cannot delete a security group another group's rule names",
            fix="Remove those rules (or point them at another source) in the EC2 console",
        )
    ]
