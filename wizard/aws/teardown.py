"""Remove what the wizard built for a link, newest first, touching only what carries our tags."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wizard.aws.connections import OPEN_STATES, list_connections, reject_connections
from wizard.aws.endpoint_service import delete_endpoint_service, find_endpoint_services
from wizard.aws.errors import aws_step
from wizard.aws.nlb import delete_nlb, find_nlbs, is_ours
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

# Deletion order: what depends on something is removed before it.
KIND_ORDER = ("endpoint-service", "listener", "target-group", "nlb", "security-group-rule")
KIND_WORDS = {
    "endpoint-service": "endpoint service",
    "listener": "listener",
    "target-group": "target group",
    "nlb": "load balancer",
    "security-group-rule": "firewall rule",
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


def _security_group_rules(aws: AwsContext, link_name: str) -> list[ManagedResource]:
    pattern = _rule_description_pattern(link_name)
    with aws_step("Reading firewall rules (security groups)", "ec2:DescribeSecurityGroupRules"):
        pages = aws.ec2.get_paginator("describe_security_group_rules").paginate()
        rules: list[dict[str, Any]] = [r for page in pages for r in page.get("SecurityGroupRules", [])]
    found = []
    for rule in rules:
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
    found += [ManagedResource("target-group", tg.arn, tg.name) for tg in find_target_groups(aws, link_name)]
    found += [ManagedResource("nlb", nlb.arn, nlb.name) for nlb in nlbs]
    found += _security_group_rules(aws, link_name)
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


def teardown(
    aws: AwsContext,
    link_name: str,
    progress: Callable[[str], None] | None = None,
    patience: Patience = DEFAULT_PATIENCE,
) -> list[ManagedResource]:
    """Delete every tagged resource of the link, newest first; returns what was deleted.
    Safe to run again: a second run finds nothing and does nothing."""

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    resources = find_link_resources(aws, link_name)
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
        elif res.kind == "target-group":
            say(f"Deleting the {res.describe()}")
            delete_target_group(aws, res.id)
        elif res.kind == "nlb":
            say(f"Deleting the {res.describe()} (this can take a minute)")
            delete_nlb(aws, res.id, patience)
        elif res.kind == "security-group-rule":
            say(f"Removing the {res.describe()}")
            _revoke_rule(aws, res)
        deleted.append(res)
    say("Nothing left to delete" if not deleted else f"Deleted {len(deleted)} resource(s)")
    return deleted
