"""Finding a link's target sync again (by name, checked by tag) and removing its parts: what
status and teardown use. (Deploying it: sync_deploy.py.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wizard.aws.errors import aws_step
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import LINK_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, link_tags

PREFIX = "privatelink-wizard-sync-"  # functions, roles and rules; iam:PassRole is limited to it
TARGET_ID = "target-sync"


def function_name(link: str) -> str:
    return f"{PREFIX}{link}"


def log_group_name(link: str) -> str:
    return f"/aws/lambda/{function_name(link)}"


def rule_names(link: str) -> tuple[str, str]:
    return f"{function_name(link)}-schedule", f"{function_name(link)}-rds-events"


@dataclass(frozen=True)
class SyncDeployment:
    """What exists of a link's target sync (empty strings: not there)."""

    link: str
    function_arn: str = ""
    role_arn: str = ""
    rule_arns: tuple[str, ...] = ()
    log_group: str = ""
    environment: dict[str, str] | None = None

    @property
    def deployed(self) -> bool:
        return bool(self.function_arn)

    def resources(self) -> list[tuple[str, str, str]]:
        """(kind, id, plain name) of each part, in the order teardown removes them."""
        found = [("sync-rule", arn, arn.rsplit("/", 1)[-1]) for arn in self.rule_arns]
        if self.function_arn:
            found.append(("sync-function", self.function_arn, function_name(self.link)))
        if self.role_arn:
            found.append(("sync-role", self.role_arn, self.role_arn.rsplit("/", 1)[-1]))
        if self.log_group:
            found.append(("sync-log-group", self.log_group, self.log_group))
        return found


def tags_dict(link: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in link_tags(link)}


def _ours(tags: dict[str, str], link: str) -> bool:
    return tags.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE and tags.get(LINK_TAG_KEY) == link


def has_code(exc: UserError, *codes: str) -> bool:
    return exc.code in codes


# ---- finding what exists ------------------------------------------------------------------------


def find_function(aws: AwsContext, link: str) -> dict[str, Any] | None:
    try:
        with aws_step("Looking for the target sync function", "lambda:GetFunction"):
            reply: dict[str, Any] = aws.client("lambda").get_function(FunctionName=function_name(link))
    except UserError as exc:
        if has_code(exc, "ResourceNotFoundException"):
            return None
        raise
    return reply if _ours(dict(reply.get("Tags", {})), link) else None


def find_role(aws: AwsContext, link: str) -> dict[str, Any] | None:
    try:
        with aws_step("Looking for the target sync's role", "iam:GetRole"):
            role: dict[str, Any] = aws.client("iam").get_role(RoleName=function_name(link))["Role"]
    except UserError as exc:
        if has_code(exc, "NoSuchEntity"):
            return None
        raise
    tags = {t["Key"]: t.get("Value", "") for t in role.get("Tags", [])}
    return role if _ours(tags, link) else None


def find_rule_arns(aws: AwsContext, link: str) -> list[str]:
    arns = []
    for name in rule_names(link):
        try:
            with aws_step("Looking for the target sync's triggers", "events:DescribeRule"):
                arn = str(aws.client("events").describe_rule(Name=name)["Arn"])
        except UserError as exc:
            if has_code(exc, "ResourceNotFoundException"):
                continue
            raise
        with aws_step("Looking for the target sync's triggers", "events:ListTagsForResource"):
            tags = aws.client("events").list_tags_for_resource(ResourceARN=arn).get("Tags", [])
        if _ours({t["Key"]: t.get("Value", "") for t in tags}, link):
            arns.append(arn)
    return arns


def find_log_group(aws: AwsContext, link: str) -> str:
    name = log_group_name(link)
    with aws_step("Looking for the target sync's log", "logs:DescribeLogGroups"):
        groups = aws.client("logs").describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
    found = next((g for g in groups if g.get("logGroupName") == name), None)
    if found is None:
        return ""
    with aws_step("Looking for the target sync's log", "logs:ListTagsForResource"):
        arn = str(found["arn"]).removesuffix(":*")
        tags = aws.client("logs").list_tags_for_resource(resourceArn=arn).get("tags", {})
    return name if _ours(dict(tags), link) else ""


def find_sync(aws: AwsContext, link: str) -> SyncDeployment:
    """What of the link's target sync exists, found by name and checked by tag."""
    function = find_function(aws, link)
    role = find_role(aws, link)
    config = (function or {}).get("Configuration", {})
    return SyncDeployment(
        link=link,
        function_arn=str(config.get("FunctionArn", "")),
        role_arn=str((role or {}).get("Arn", "")),
        rule_arns=tuple(find_rule_arns(aws, link)),
        log_group=find_log_group(aws, link),
        environment=dict(config.get("Environment", {}).get("Variables", {})) or None,
    )


# ---- removing ----------------------------------------------------------------------------------


def remove_part(aws: AwsContext, kind: str, resource_id: str) -> None:
    """Delete one part of a target sync (teardown calls this in SyncDeployment.resources order);
    a part already gone is fine."""
    try:
        if kind == "sync-rule":
            name = resource_id.rsplit("/", 1)[-1]
            with aws_step("Removing the target sync's trigger", "events:RemoveTargets"):
                aws.client("events").remove_targets(Rule=name, Ids=[TARGET_ID])
            with aws_step("Removing the target sync's trigger", "events:DeleteRule"):
                aws.client("events").delete_rule(Name=name)
        elif kind == "sync-function":
            with aws_step("Deleting the target sync function", "lambda:DeleteFunction"):
                aws.client("lambda").delete_function(FunctionName=resource_id)
        elif kind == "sync-role":
            name = resource_id.rsplit("/", 1)[-1]
            try:
                with aws_step("Deleting the target sync's role", "iam:DeleteRolePolicy"):
                    aws.client("iam").delete_role_policy(RoleName=name, PolicyName="target-sync")
            except UserError as exc:
                if not has_code(exc, "NoSuchEntity"):
                    raise
            with aws_step("Deleting the target sync's role", "iam:DeleteRole"):
                aws.client("iam").delete_role(RoleName=name)
        elif kind == "sync-log-group":
            with aws_step("Deleting the target sync's log", "logs:DeleteLogGroup"):
                aws.client("logs").delete_log_group(logGroupName=resource_id)
    except UserError as exc:
        if not has_code(exc, "ResourceNotFoundException", "NoSuchEntity"):
            raise
