"""What a link still has but no longer asks for: after its port changes, the listener and target
group of the old port and the database's firewall rule for it. A re-run removes them, so a
corrected port never leaves the old one reachable through PrivateLink.

Only the link's own things are ever removed: what carries its tags, or a listener on its own
load balancer that forwards only to its target groups. Anything else on the load balancer is
reported (`ours` False) and left alone. The link's other databases (added with
`privatelink-wizard add`, see wizard/steps/databases.py) are wanted too: their listeners, target
groups and firewall rules are never leftovers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from wizard.aws import target_group as tg
from wizard.aws.errors import aws_step
from wizard.aws.nlb import NlbInfo, elbv2_tags, is_ours
from wizard.aws.polling import Patience, delete_when_free
from wizard.aws.session import AwsContext
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.model import LINK_TAG_KEY

# Removal order: API reference, DeleteTargetGroup: a group an action still references cannot be
# deleted (ResourceInUse), so listeners go first.
KIND_ORDER = ("listener", "target-group", "security-group-rule")
# AWS frees a target group seconds after its listener is deleted; a minute means something else
# (a listener the wizard did not make) still uses it.
PATIENCE = Patience(timeout=60.0)


@dataclass(frozen=True)
class Leftover:
    kind: str  # one of KIND_ORDER
    id: str  # listener or target group ARN, or the rule's sgr-… id
    port: int
    where: str  # the load balancer's name, the target group's name, or the rule's security group
    ours: bool = True  # False: on the link's load balancer but not the wizard's; never removed

    def describe(self) -> str:
        if self.kind == "listener":
            return f"TCP listener on port {self.port} of load balancer '{self.where}'"
        if self.kind == "target-group":
            return f"TCP target group '{self.where}' on port {self.port}"
        return f"firewall rule {self.id} in security group {self.where} (TCP {self.port})"


@dataclass(frozen=True)
class Wanted:
    """One more database the link keeps besides the one a setup asks for."""

    listener_port: int  # its listener's port on the link's load balancer
    target_group_name: str
    port: int  # the database's own port (its firewall rule's)


def _covers(rule: dict[str, Any], port: int) -> bool:
    low, high = int(rule.get("FromPort", -1)), int(rule.get("ToPort", -1))
    return rule.get("IpProtocol") == "-1" or (low, high) == (-1, -1) or low <= port <= high


def _rules(aws: AwsContext, link_name: str, ports: Sequence[int]) -> list[Leftover]:
    """The link's inbound rules (tagged for it) that open none of `ports`."""
    with aws_step("Reading firewall rules (security groups)", "ec2:DescribeSecurityGroupRules"):
        pages = aws.ec2.get_paginator("describe_security_group_rules").paginate(
            Filters=[{"Name": f"tag:{LINK_TAG_KEY}", "Values": [link_name]}]
        )
        rules = [r for page in pages for r in page.get("SecurityGroupRules", [])]
    found = []
    for rule in rules:
        tags = {t["Key"]: t.get("Value", "") for t in rule.get("Tags", [])}
        # The filter narrows the list; the tags decide (a rule someone else added is never ours).
        wanted = any(_covers(rule, port) for port in ports)
        if is_ours(tags, link_name) and not rule.get("IsEgress") and not wanted:
            found.append(
                Leftover(
                    "security-group-rule",
                    rule["SecurityGroupRuleId"],
                    int(rule.get("FromPort", -1)),
                    str(rule.get("GroupId", "")),
                )
            )
    return found


def find_leftovers(
    aws: AwsContext,
    link_name: str,
    port: int,
    target_group_name: str,
    balancer: NlbInfo | None,
    others_wanted: Sequence[Wanted] = (),
) -> list[Leftover]:
    """Listeners on the link's load balancer on another port than `port`, the link's target
    groups other than `target_group_name`, and its firewall rules for other ports; in
    KIND_ORDER; what `others_wanted` (the link's other databases) uses is kept. Reads only."""
    groups = tg.find_target_groups(aws, link_name)
    ours = {g.arn for g in groups}
    listener_ports = {port, *(w.listener_port for w in others_wanted)}
    group_names = {target_group_name, *(w.target_group_name for w in others_wanted)}
    found: list[Leftover] = []
    if balancer is not None:
        others = [
            ls for ls in tg.listeners(aws, balancer.arn) if int(ls.get("Port", 0)) not in listener_ports
        ]
        tags = elbv2_tags(aws, (ls["ListenerArn"] for ls in others)) if others else {}
        for ls in others:
            forwards = tg._forward_targets(ls)
            mine = is_ours(tags.get(ls["ListenerArn"], {}), link_name) or bool(forwards and forwards <= ours)
            found.append(Leftover("listener", ls["ListenerArn"], int(ls["Port"]), balancer.name, mine))
    found += [Leftover("target-group", g.arn, g.port, g.name) for g in groups if g.name not in group_names]
    found += _rules(aws, link_name, [port, *(w.port for w in others_wanted)])
    return found


def _delete_target_group(
    aws: AwsContext, item: Leftover, patience: Patience, say: Callable[[str], None]
) -> None:
    """AWS refuses while a listener still forwards to it (ResourceInUse), and may say so a
    moment after that listener is deleted: try again, with the engine's growing pauses."""
    delete_when_free(
        lambda: tg.delete_target_group(aws, item.id),
        "ResourceInUse",
        f"AWS still counts the {item.describe()} as in use; trying again until it is free…",
        UserError(
            what=f"The {item.describe()} is still in use after {patience.timeout:g} seconds",
            why="A listener the wizard did not create still forwards to it, or AWS had not "
            "finished removing the old listener.",
            fix="Run setup again in a few minutes; it continues where it stopped. The target "
            "group's page in the EC2 console shows what uses it.",
            step="Removing the old target group",
            exit_code=EXIT_TIMEOUT,
        ),
        patience,
        say,
    )


def _revoke(aws: AwsContext, item: Leftover) -> None:
    try:
        with aws_step("Closing the old port in the database's firewall", "ec2:RevokeSecurityGroupIngress"):
            aws.ec2.revoke_security_group_ingress(GroupId=item.where, SecurityGroupRuleIds=[item.id])
    except UserError as exc:
        if "NotFound" not in exc.code:
            raise


def remove_leftovers(
    aws: AwsContext,
    leftovers: list[Leftover],
    say: Callable[[str], None],
    patience: Patience = PATIENCE,
) -> list[Leftover]:
    """Remove the wizard's leftovers (never one with `ours` False): listeners first, then
    target groups, then firewall rules. Returns what was removed."""
    removed = []
    for item in sorted((i for i in leftovers if i.ours), key=lambda i: KIND_ORDER.index(i.kind)):
        say(f"Removing the {item.describe()}…")
        if item.kind == "listener":
            tg.delete_listener(aws, item.id)
        elif item.kind == "target-group":
            _delete_target_group(aws, item, patience, say)
        else:
            _revoke(aws, item)
        removed.append(item)
    return removed
