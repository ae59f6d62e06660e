"""Remove what the wizard built for a link, in the order AWS allows, touching only what carries
our tags. AWS frees some things a while after the call that uses them is gone (a target group
after its listener, a security group after its load balancer's network interfaces): teardown
waits for that, saying so, within its patience."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wizard.aws.connections import OPEN_STATES, list_connections, reject_connections
from wizard.aws.endpoint_service import delete_endpoint_service, find_endpoint_services
from wizard.aws.errors import aws_step
from wizard.aws.nlb import delete_nlb, find_nlbs, is_ours
from wizard.aws.nlb_security import delete_nlb_security_group, find_nlb_security_groups
from wizard.aws.polling import DEFAULT_PATIENCE, Patience, wait_until
from wizard.aws.session import AwsContext
from wizard.aws.target_group import (
    delete_listener,
    delete_target_group,
    find_target_groups,
    listeners,
)
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.model import LINK_TAG_KEY

# Deletion order: what depends on something is removed before it. The load balancer goes before
# its target groups (one a listener uses cannot be deleted: ResourceInUse), and the database's
# rule before the load balancer's group (a group another group's rule names cannot be deleted:
# DependencyViolation).
KIND_ORDER = (
    "endpoint-service",
    "listener",
    "nlb",
    "target-group",
    "security-group-rule",
    "security-group",
)
KIND_WORDS = {
    "endpoint-service": "endpoint service",
    "listener": "listener",
    "target-group": "target group",
    "nlb": "load balancer",
    "security-group-rule": "firewall rule",
    "security-group": "security group",
}


@dataclass(frozen=True)
class ManagedResource:
    kind: str  # one of KIND_ORDER
    id: str  # ARN, vpce-svc-… or sgr-…
    name: str = ""
    parent: str = ""  # security-group rules: the group id (needed to revoke); else ""
    egress: bool = False

    def describe(self) -> str:
        label = f"{KIND_WORDS.get(self.kind, self.kind)} {self.name or self.id}"
        return label if not self.name or self.name == self.id else f"{label} ({self.id})"


def _rule_description_pattern(link_name: str) -> re.Pattern[str]:
    # "privatelink-wizard orders" must not match the rules of "orders-db".
    return re.compile(rf"^privatelink-wizard {re.escape(link_name)}(?![A-Za-z0-9-])")


def _all_rules(aws: AwsContext) -> list[dict[str, Any]]:
    with aws_step("Reading firewall rules (security groups)", "ec2:DescribeSecurityGroupRules"):
        pages = aws.ec2.get_paginator("describe_security_group_rules").paginate()
        return [r for page in pages for r in page.get("SecurityGroupRules", [])]


def _security_group_rules(aws: AwsContext, link_name: str) -> list[ManagedResource]:
    pattern = _rule_description_pattern(link_name)
    found = []
    for rule in _all_rules(aws):
        tags = {t["Key"]: t.get("Value", "") for t in rule.get("Tags", [])}
        tagged = is_ours(tags, link_name)
        described = bool(pattern.match(rule.get("Description", "") or ""))
        # A rule tagged for another link is never ours, whatever its description says.
        if tagged or (described and tags.get(LINK_TAG_KEY, link_name) == link_name):
            found.append(
                ManagedResource(
                    kind="security-group-rule",
                    id=rule["SecurityGroupRuleId"],
                    name=f"port {rule.get('FromPort')} on {rule.get('GroupId')}",
                    parent=rule.get("GroupId", ""),
                    egress=bool(rule.get("IsEgress", False)),
                )
            )
    return found


def find_link_resources(aws: AwsContext, link_name: str) -> list[ManagedResource]:
    """What the wizard built for this link and still exists, in the order teardown deletes it."""
    found: list[ManagedResource] = [
        ManagedResource("endpoint-service", s.id, s.name) for s in find_endpoint_services(aws, link_name)
    ]
    nlbs = find_nlbs(aws, link_name)
    for nlb in nlbs:
        # Listeners live and die with our load balancer, whoever added them.
        found += [
            ManagedResource("listener", ls["ListenerArn"], f"port {ls.get('Port')} on {nlb.name}")
            for ls in listeners(aws, nlb.arn)
        ]
    found += [ManagedResource("nlb", nlb.arn, nlb.name) for nlb in nlbs]
    found += [ManagedResource("target-group", tg.arn, tg.name) for tg in find_target_groups(aws, link_name)]
    found += _security_group_rules(aws, link_name)
    found += [
        ManagedResource("security-group", g.id, g.name) for g in find_nlb_security_groups(aws, link_name)
    ]
    return found


def _wait_service_gone(aws: AwsContext, service_id: str, patience: Patience) -> None:
    # The load balancer cannot be deleted while an endpoint service still uses it.
    def state() -> str:
        with aws_step(
            "Waiting for the endpoint service to be deleted",
            "ec2:DescribeVpcEndpointServiceConfigurations",
        ):
            pages = aws.ec2.get_paginator("describe_vpc_endpoint_service_configurations").paginate()
            states = {
                c["ServiceId"]: c.get("ServiceState", "")
                for page in pages
                for c in page.get("ServiceConfigurations", [])
            }
        return str(states.get(service_id, "Deleted"))

    wait_until(
        state,
        lambda current: current == "Deleted",
        patience,
        lambda _: UserError(
            what=f"The endpoint service {service_id} is still being deleted",
            why="AWS is taking longer than usual.",
            fix="Wait a minute and run teardown again; it continues where it stopped.",
            step="Deleting the endpoint service",
            exit_code=EXIT_TIMEOUT,
        ),
    )


def _revoke_rule(aws: AwsContext, rule: ManagedResource) -> None:
    try:
        if rule.egress:
            with aws_step("Removing a firewall rule the wizard added", "ec2:RevokeSecurityGroupEgress"):
                aws.ec2.revoke_security_group_egress(GroupId=rule.parent, SecurityGroupRuleIds=[rule.id])
        else:
            with aws_step("Removing a firewall rule the wizard added", "ec2:RevokeSecurityGroupIngress"):
                aws.ec2.revoke_security_group_ingress(GroupId=rule.parent, SecurityGroupRuleIds=[rule.id])
    except UserError as exc:
        if "NotFound" not in exc.code:
            raise


def _refuse_if_named_elsewhere(aws: AwsContext, resources: list[ManagedResource]) -> None:
    """Stop before deleting anything when a rule the wizard did not add names the link's load
    balancer group: AWS would refuse to delete that group (DependencyViolation) for good."""
    groups = {r.id: r for r in resources if r.kind == "security-group"}
    if not groups:
        return
    ours = {r.id for r in resources if r.kind == "security-group-rule"}
    foreign = [
        rule
        for rule in _all_rules(aws)
        if rule.get("ReferencedGroupInfo", {}).get("GroupId") in groups
        and rule["SecurityGroupRuleId"] not in ours
        and rule.get("GroupId") not in groups
    ]
    if foreign:
        named = ", ".join(f"{r['SecurityGroupRuleId']} in {r.get('GroupId')}" for r in foreign)
        group = groups[foreign[0]["ReferencedGroupInfo"]["GroupId"]]
        raise UserError(
            what=f"Other firewall rules still allow the link's {group.describe()}: {named}",
            why="The wizard did not add these rules, so it will not remove them, and AWS cannot "
            "delete a security group that another group's rule names.",
            fix="Remove those rules (or point them at another source) in the EC2 console, then run "
            "teardown again. Nothing was deleted.",
            step="Checking what uses the load balancer's security group",
        )


def _delete_when_free(
    delete: Callable[[], None],
    busy_code: str,
    waiting: str,
    timed_out: UserError,
    patience: Patience,
    say: Callable[[str], None],
) -> None:
    """Call `delete` until AWS stops answering `busy_code` (it frees the resource on its own a
    little later), with the engine's growing pauses; say once what it waits for."""
    said = False

    def attempt() -> bool:
        nonlocal said
        try:
            delete()
        except UserError as exc:
            if exc.code != busy_code:
                raise
            if not said:
                say(waiting)
                said = True
            return False
        return True

    wait_until(attempt, lambda deleted: deleted, patience, lambda _: timed_out)


def _delete_target_group(
    aws: AwsContext, res: ManagedResource, patience: Patience, say: Callable[[str], None]
) -> None:
    _delete_when_free(
        lambda: delete_target_group(aws, res.id),
        "ResourceInUse",
        f"AWS still counts the {res.describe()} as in use; it frees it shortly after the load "
        "balancer's listeners are gone. Trying again until it is free…",
        UserError(
            what=f"The {res.describe()} is still in use after {patience.timeout:g} seconds",
            why="A listener still forwards to it: AWS had not finished removing the load "
            "balancer's listeners, or a listener the wizard did not create uses it.",
            fix="Run teardown again in a few minutes; it continues where it stopped. If it "
            "persists, the target group's page in the EC2 console shows what uses it.",
            step="Deleting the target group",
            exit_code=EXIT_TIMEOUT,
        ),
        patience,
        say,
    )


def _delete_security_group(
    aws: AwsContext, res: ManagedResource, patience: Patience, say: Callable[[str], None]
) -> None:
    _delete_when_free(
        lambda: delete_nlb_security_group(aws, res.id),
        "DependencyViolation",
        f"AWS still counts the {res.describe()} as in use: it releases a deleted load "
        "balancer's network interfaces a few minutes after it. Trying again until they are gone…",
        UserError(
            what=f"The {res.describe()} is still in use after {patience.timeout:g} seconds",
            why="AWS had not yet released the deleted load balancer's network interfaces, or "
            "something the wizard did not make (a network interface or server) uses the group.",
            fix="Run teardown again in a few minutes; it continues where it stopped. If it "
            "persists, the security group's page in the EC2 console shows what uses it.",
            step="Deleting the load balancer's security group",
            exit_code=EXIT_TIMEOUT,
        ),
        patience,
        say,
    )


def teardown(
    aws: AwsContext,
    link_name: str,
    progress: Callable[[str], None] | None = None,
    patience: Patience = DEFAULT_PATIENCE,
) -> list[ManagedResource]:
    """Delete every tagged resource of the link in KIND_ORDER; returns what was deleted.
    Safe to run again: a second run finds nothing and does nothing."""

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    resources = find_link_resources(aws, link_name)
    _refuse_if_named_elsewhere(aws, resources)
    deleted: list[ManagedResource] = []
    for res in resources:
        if res.kind == "endpoint-service":
            # AWS refuses to delete a service that still has endpoints attached.
            attached = [c.endpoint_id for c in list_connections(aws, res.id) if c.state in OPEN_STATES]
            if attached:
                say(f"Rejecting {len(attached)} connection(s) to the endpoint service {res.id}")
                reject_connections(aws, res.id, attached)
            say(f"Deleting the {res.describe()}")
            delete_endpoint_service(aws, res.id)
            _wait_service_gone(aws, res.id, patience)
        elif res.kind == "listener":
            say(f"Deleting the {res.describe()}")
            delete_listener(aws, res.id)
        elif res.kind == "nlb":
            say(f"Deleting the {res.describe()} (this can take a minute)")
            delete_nlb(aws, res.id, patience)
        elif res.kind == "target-group":
            say(f"Deleting the {res.describe()}")
            _delete_target_group(aws, res, patience, say)
        elif res.kind == "security-group-rule":
            say(f"Removing the {res.describe()}")
            _revoke_rule(aws, res)
        elif res.kind == "security-group":
            say(f"Deleting the {res.describe()}")
            _delete_security_group(aws, res, patience, say)
        deleted.append(res)
    say("Nothing left to delete" if not deleted else f"Deleted {len(deleted)} resource(s)")
    return deleted
