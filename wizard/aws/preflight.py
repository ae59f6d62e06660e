"""Before anything is created: may this identity do every step? (the permission preflight)

The IAM policy simulator answers for the signed-in IAM user, or for the role behind an
assumed-role session (an SSO sign-in is one), with iam:SimulatePrincipalPolicy. Where it may not
be called, EC2's DryRun answers for the EC2 reads, and every other action is "unknown".

Conditional allows: the wizard's policy allows changes only on what carries its tag, and tagging
only while creating. Each of its statements is simulated with the condition values the wizard's
own requests carry (e.g. aws:ResourceTag/ManagedBy = privatelink-wizard, ec2:CreateAction =
CreateSecurityGroup, one simulation per value), so a policy that limits these actions as the
wizard's does counts as allowed. A decision that still depends on a condition key the wizard
cannot know (another tag, the source IP, MFA) is reported "unknown", naming the keys.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from wizard.aws import activity
from wizard.aws.errors import aws_step
from wizard.aws.session import AwsContext, Identity
from wizard.errors import UserError
from wizard.policy import policy_document

ALLOWED, DENIED, UNKNOWN = "allowed", "denied", "unknown"
# The EC2 reads that DryRun can check without naming any resource.
_DRY_RUN = {
    "ec2:DescribeVpcs": "describe_vpcs",
    "ec2:DescribeSubnets": "describe_subnets",
    "ec2:DescribeAvailabilityZones": "describe_availability_zones",
    "ec2:DescribeInstances": "describe_instances",
    "ec2:DescribeNetworkInterfaces": "describe_network_interfaces",
    "ec2:DescribeSecurityGroups": "describe_security_groups",
    "ec2:DescribeSecurityGroupRules": "describe_security_group_rules",
    "ec2:DescribeVpcEndpointServiceConfigurations": "describe_vpc_endpoint_service_configurations",
    "ec2:DescribeVpcEndpointConnections": "describe_vpc_endpoint_connections",
}

# Plain words for the permissions AWS checks besides the calls themselves.
_WORDS = {
    "AddTags": "tagging what it creates as the wizard's",
    "CreateTags": "tagging what it creates as the wizard's",
    "AddTagsToResource": "tagging what it creates as the wizard's",
    "CreateServiceLinkedRole": "letting AWS make its load balancer role (an account's first load balancer)",
    "SimulatePrincipalPolicy": "checking your permissions in advance",
    "GetRole": "looking up your role for that check",
    "AllowMultiRegion": "offering the endpoint service in the platform's region (cross-region)",
}
# Needed only by a cross-region link (setup --consumer-region): not asked of the others.
CROSS_REGION_ONLY = frozenset({"vpce:AllowMultiRegion"})


@dataclass(frozen=True)
class Permission:
    action: str
    verdict: str
    note: str = ""

    def words(self) -> str:
        operation = self.action.split(":", 1)[1]
        words = _WORDS.get(operation) or activity.phrase(operation).lower()
        return f"{words} ({self.action})"


@dataclass
class Preflight:
    identity_arn: str
    principal_arn: str  # what was simulated ("" when nothing could be)
    method: str  # "simulated" | "dry-run" | "root"
    permissions: list[Permission]
    note: str = ""  # why the simulator was not used
    _policy: dict[str, Any] = field(default_factory=policy_document, repr=False)

    def with_verdict(self, verdict: str) -> list[Permission]:
        return [p for p in self.permissions if p.verdict == verdict]

    @property
    def ok(self) -> bool:
        return not self.with_verdict(DENIED)

    @property
    def complete(self) -> bool:
        return all(p.verdict == ALLOWED for p in self.permissions)

    def missing_policy(self) -> dict[str, Any]:
        """The wizard's policy statements cut down to the actions surely missing."""
        wanted = {p.action for p in self.with_verdict(DENIED)}
        document = copy.deepcopy(self._policy)
        statements = []
        for statement in document["Statement"]:
            statement["Action"] = [a for a in statement["Action"] if a in wanted]
            if statement["Action"]:
                statements.append(statement)
        document["Statement"] = statements
        return document

    def summary(self) -> str:
        """One plain-words paragraph: what was checked, how, and what is missing."""
        who = self.principal_arn or self.identity_arn
        denied, unknown = self.with_verdict(DENIED), self.with_verdict(UNKNOWN)
        how = {"simulated": "the IAM policy simulator", "root": "the root user"}.get(
            self.method, "EC2 dry runs"
        )
        if self.complete:
            count = len(self.permissions)
            return f"All {count} permissions the wizard needs are allowed for {who} (checked with {how})."
        parts = []
        if self.note:
            parts.append(self.note)
        if denied:
            parts.append(
                f"{who} may not do {len(denied)} of the {len(self.permissions)} things the wizard needs:"
            )
            parts += [f"  - {p.words()}" for p in denied]
        if unknown:
            parts.append(f"Could not tell in advance for {len(unknown)} permission(s):")
            parts += [f"  - {p.words()}{': ' + p.note if p.note else ''}" for p in unknown]
        if denied:
            parts.append(
                "Ask your AWS administrator to attach these policy statements (or the whole policy "
                "`privatelink-wizard policy` prints):"
            )
            parts.append(json.dumps(self.missing_policy(), indent=2))
        elif unknown:
            parts.append(
                "The wizard needs what `privatelink-wizard policy` prints: compare it with your "
                "permissions, or go on and the step that lacks one will name it."
            )
        return "\n".join(parts)


def principal_arn(aws: AwsContext, identity: Identity) -> tuple[str, str]:
    """(the IAM user or role ARN to simulate, or "", and why not)."""
    resource = identity.arn.split(":", 5)[-1]
    account = identity.account_id
    partition = identity.arn.split(":")[1] if identity.arn.count(":") >= 5 else "aws"
    if resource.startswith("user/"):
        return identity.arn, ""
    if resource.startswith("assumed-role/"):
        name = resource.split("/")[1]
        # The session's ARN leaves out the role's path (SSO roles have one): ask IAM for it.
        try:
            with aws_step("Looking up your role", "iam:GetRole"):
                return str(aws.client("iam").get_role(RoleName=name)["Role"]["Arn"]), ""
        except UserError:
            return f"arn:{partition}:iam::{account}:role/{name}", ""
    if resource == "root":
        return "", "You are signed in as the account's root user, which may do everything."
    return "", f"Your identity ({identity.arn}) is not an IAM user or role the simulator can check."


def _variants(statement: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The context entries of each request the statement is meant for (one per value)."""
    keys: list[tuple[str, list[str]]] = []
    for block in dict(statement.get("Condition", {})).values():
        for key, values in dict(block).items():
            keys.append((key, [str(v) for v in (values if isinstance(values, list) else [values])]))
    for combo in itertools.product(*(values for _, values in keys)):
        yield [
            {"ContextKeyName": key, "ContextKeyValues": [value], "ContextKeyType": "string"}
            for (key, _), value in zip(keys, combo, strict=True)
        ]


def _simulations(document: dict[str, Any]) -> Iterator[tuple[list[str], list[str], list[dict[str, Any]]]]:
    """(actions, resource ARNs, context entries) for each simulation call."""
    plain: list[str] = []
    for statement in document["Statement"]:
        resources = statement.get("Resource", "*")
        resources = [r for r in (resources if isinstance(resources, list) else [resources]) if r != "*"]
        if not resources and not statement.get("Condition"):
            plain += statement["Action"]
            continue
        for context in _variants(statement):
            yield list(statement["Action"]), resources, context
    if plain:
        yield plain, [], []


def simulate(aws: AwsContext, principal: str) -> list[Permission]:
    """Every action of the policy, simulated for `principal`; UserError when not allowed."""
    verdicts: dict[str, list[tuple[str, list[str]]]] = {}
    for actions, resources, context in _simulations(policy_document()):
        kwargs: dict[str, Any] = {"PolicySourceArn": principal, "ActionNames": actions}
        if resources:
            kwargs["ResourceArns"] = [r.replace(":*:", f":{principal.split(':')[4]}:", 1) for r in resources]
        if context:
            kwargs["ContextEntries"] = context
        with aws_step("Checking your permissions", "iam:SimulatePrincipalPolicy"):
            pages = aws.client("iam").get_paginator("simulate_principal_policy").paginate(**kwargs)
            for page in pages:
                for result in page["EvaluationResults"]:
                    verdicts.setdefault(result["EvalActionName"], []).append(
                        (result["EvalDecision"], list(result.get("MissingContextValues", [])))
                    )
    return [_combine(action, verdicts.get(action, [])) for action in _all_actions()]


def _combine(action: str, results: list[tuple[str, list[str]]]) -> Permission:
    if results and all(decision == "allowed" for decision, _ in results):
        return Permission(action, ALLOWED)
    missing = sorted({k for decision, keys in results if decision == "implicitDeny" for k in keys})
    if missing and not any(d == "explicitDeny" for d, _ in results):
        return Permission(action, UNKNOWN, f"depends on {', '.join(missing)}")
    return Permission(action, DENIED)


def _all_actions() -> list[str]:
    return [a for st in policy_document()["Statement"] for a in st["Action"]]


def dry_run(aws: AwsContext) -> list[Permission]:
    """EC2's DryRun for the reads it can check; every other action unknown."""
    found: list[Permission] = []
    for action in _all_actions():
        method = _DRY_RUN.get(action)
        if method is None:
            found.append(Permission(action, UNKNOWN))
            continue
        try:
            with aws_step("Checking your permissions", action):
                getattr(aws.ec2, method)(DryRun=True)
        except UserError as exc:
            if exc.code == "DryRunOperation":
                found.append(Permission(action, ALLOWED))
            elif exc.permission:
                found.append(Permission(action, DENIED))
            else:
                found.append(Permission(action, UNKNOWN, exc.what))
        else:  # an endpoint that ignores DryRun answered: the call was allowed
            found.append(Permission(action, ALLOWED))
    return found


def run(aws: AwsContext, identity: Identity, cross_region: bool = False) -> Preflight:
    """Every permission the wizard's policy grants (those only a cross-region link needs
    left out unless `cross_region`)."""
    result = _run(aws, identity)
    if not cross_region:
        result.permissions = [p for p in result.permissions if p.action not in CROSS_REGION_ONLY]
    return result


def _run(aws: AwsContext, identity: Identity) -> Preflight:
    principal, why = principal_arn(aws, identity)
    if identity.arn.endswith(":root"):
        return Preflight(identity.arn, "", "root", [Permission(a, ALLOWED) for a in _all_actions()], note=why)
    if principal:
        try:
            return Preflight(identity.arn, principal, "simulated", simulate(aws, principal))
        except UserError as exc:
            if exc.code == "NoSuchEntity":
                why = f"IAM does not know {principal}, so the IAM policy simulator cannot check it."
            elif exc.permission:
                why = f"Your identity may not use the IAM policy simulator ({exc.permission})."
            else:
                raise
    return Preflight(
        identity.arn,
        "",
        "dry-run",
        dry_run(aws),
        note=f"{why} Only what EC2 can test with a dry run was checked.",
    )
