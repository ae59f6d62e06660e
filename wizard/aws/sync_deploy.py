"""Deploying the target sync (wizard/aws/target_sync) as an AWS Lambda function in the provider's
account, finding it again, and removing it.

What is made, each tagged with the link's tags and found by name and tag before anything is
created: the function's log group (two weeks of logs), an IAM role Lambda may assume whose only
policy lets it act on *this* link's target group, the function (python3.12, the sync's own source
zipped from this app, no layer), and two EventBridge rules that invoke it: every 5 minutes, and on
the database's RDS failover / maintenance / configuration events. The function calls only AWS
APIs (the RDS API says where the database is, EC2 lists its interfaces), so it runs outside any
VPC: no network interface, no NAT, nothing to open.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from wizard.aws import target_sync
from wizard.aws.errors import aws_step
from wizard.aws.polling import Patience, wait_until
from wizard.aws.session import AwsContext
from wizard.aws.sync_lookup import (
    PREFIX,
    TARGET_ID,
    SyncDeployment,
    find_function,
    find_log_group,
    find_role,
    find_rule_arns,
    find_sync,
    function_name,
    has_code,
    log_group_name,
    remove_part,
    rule_names,
    tags_dict,
)
from wizard.errors import UserError
from wizard.model import link_tags

__all__ = [
    "PREFIX",
    "SyncDeployment",
    "deploy",
    "find_sync",
    "function_name",
    "log_group_name",
    "package",
    "remove_part",
]

RUNTIME = "python3.12"
HANDLER = "target_sync.handler"
SCHEDULE = "rate(5 minutes)"
LOG_RETENTION_DAYS = 14
TIMEOUT_SECONDS = 60
MEMORY_MB = 128
# "Amazon RDS event categories and event messages" (RDS user guide): the categories of the events
# after which a database's addresses can change, e.g. RDS-EVENT-0049 (Multi-AZ failover
# completed), RDS-EVENT-0071..0073 (DB cluster failover started / completed); RDS sends them to
# EventBridge as "RDS DB Instance / Cluster / Proxy Event" (EventBridge events reference, RDS).
EVENT_CATEGORIES = ("failover", "maintenance", "configuration change", "availability", "recovery")
EVENT_TYPES = ("RDS DB Instance Event", "RDS DB Cluster Event", "RDS DB Proxy Event")
# A role is assumable by Lambda a few seconds after IAM creates it (IAM's eventual consistency):
# CreateFunction meanwhile says the role "cannot be assumed".
ROLE_PATIENCE = Patience(timeout=60, shortest=1, longest=5)
SOURCE_DIR = Path(target_sync.__file__).parent


def package() -> bytes:
    """The function's code: the target sync's own modules from this app, as `target_sync/`.
    Fixed timestamps, so the same source gives the same zip (and CodeSha256)."""
    sources = sorted(SOURCE_DIR.glob("*.py"))
    if not sources:  # an installer built without them (packaging/privatelink-wizard.spec adds them)
        raise UserError(
            "This copy of the wizard lacks the target sync's source files",
            f"They belong in {SOURCE_DIR}.",
            "Reinstall the wizard, or set the link up without the target sync (--no-sync).",
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sources:
            info = zipfile.ZipInfo(f"target_sync/{path.name}", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def trust_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def role_policy(tg_arn: str | Sequence[str], log_group_arn: str) -> dict[str, Any]:
    """Only what the function does: change this link's target groups (one per database: targets,
    and the tags that hold its state), read what it needs, write its own log."""
    arns = [tg_arn] if isinstance(tg_arn, str) else list(tg_arn)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ThisLinksTargetGroup",
                "Effect": "Allow",
                "Action": [
                    "elasticloadbalancing:RegisterTargets",
                    "elasticloadbalancing:DeregisterTargets",
                    "elasticloadbalancing:AddTags",
                    "elasticloadbalancing:RemoveTags",
                ],
                "Resource": arns[0] if len(arns) == 1 else arns,
            },
            {
                # These describe calls take no resource-level permission ("Actions, resources,
                # and condition keys" for ELB, RDS and EC2): "*" is the only Resource they allow.
                "Sid": "Read",
                "Effect": "Allow",
                "Action": [
                    "elasticloadbalancing:DescribeTargetHealth",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTags",
                    "rds:DescribeDBInstances",
                    "rds:DescribeDBClusters",
                    "rds:DescribeDBProxies",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeVpcs",
                ],
                "Resource": "*",
            },
            {
                "Sid": "OwnLog",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn}:*",
            },
        ],
    }


def event_pattern(source_ids: list[str]) -> dict[str, Any]:
    return {
        "source": ["aws.rds"],
        "detail-type": list(EVENT_TYPES),
        "detail": {"SourceIdentifier": source_ids, "EventCategories": list(EVENT_CATEGORIES)},
    }


# ---- deploying ----------------------------------------------------------------------------------


def _taken(what: str, name: str, link: str) -> UserError:
    return UserError(
        what=f"A {what} named '{name}' exists but was not made by the wizard for the link '{link}'",
        why="The wizard never changes or replaces what it did not create.",
        fix=f"Rename or delete that {what}, or set the link up without the target sync (--no-sync).",
        step="Deploying the target sync",
        exit_code=2,
    )


def _ensure_log_group(aws: AwsContext, link: str, note: Callable[[str, str], None]) -> None:
    name = log_group_name(link)
    if find_log_group(aws, link):
        return
    try:
        with aws_step("Creating the target sync's log", "logs:CreateLogGroup"):
            aws.client("logs", retries=False).create_log_group(logGroupName=name, tags=tags_dict(link))
    except UserError as exc:
        if has_code(exc, "ResourceAlreadyExistsException"):
            raise _taken("log group", name, link) from None
        raise
    note("sync-log-group", name)
    with aws_step("Keeping the target sync's log two weeks", "logs:PutRetentionPolicy"):
        aws.client("logs").put_retention_policy(logGroupName=name, retentionInDays=LOG_RETENTION_DAYS)


def _ensure_role(
    aws: AwsContext, link: str, tg_arn: str | Sequence[str], log_arn: str, note: Callable[[str, str], None]
) -> str:
    name = function_name(link)
    role = find_role(aws, link)
    if role is None:
        try:
            with aws_step("Creating the target sync's role", "iam:CreateRole"):
                role = aws.client("iam", retries=False).create_role(
                    RoleName=name,
                    AssumeRolePolicyDocument=json.dumps(trust_policy()),
                    Description=f"privatelink-wizard target sync of the link {link}",
                    Tags=link_tags(link),
                )["Role"]
        except UserError as exc:
            if has_code(exc, "EntityAlreadyExists"):
                raise _taken("IAM role", name, link) from None
            raise
        note("sync-role", str(role["Arn"]))
    with aws_step("Allowing the target sync only this link's target group", "iam:PutRolePolicy"):
        aws.client("iam").put_role_policy(
            RoleName=name, PolicyName="target-sync", PolicyDocument=json.dumps(role_policy(tg_arn, log_arn))
        )
    return str(role["Arn"])


def _code_sha(code: bytes) -> str:
    return base64.b64encode(hashlib.sha256(code).digest()).decode()


def _ensure_function(
    aws: AwsContext, link: str, role_arn: str, env: dict[str, str], note: Callable[[str, str], None]
) -> str:
    code = package()
    found = find_function(aws, link)
    if found is not None:
        current = found.get("Configuration", {})
        if current.get("CodeSha256") != _code_sha(code):
            with aws_step("Updating the target sync's code", "lambda:UpdateFunctionCode"):
                aws.client("lambda").update_function_code(FunctionName=function_name(link), ZipFile=code)
        if current.get("Environment", {}).get("Variables", {}) != env:
            with aws_step("Updating the target sync's settings", "lambda:UpdateFunctionConfiguration"):
                aws.client("lambda").update_function_configuration(
                    FunctionName=function_name(link), Environment={"Variables": env}
                )
        return str(current["FunctionArn"])

    def create() -> str:
        try:
            with aws_step("Creating the target sync function", "lambda:CreateFunction"):
                reply = aws.client("lambda", retries=False).create_function(
                    FunctionName=function_name(link),
                    Runtime=RUNTIME,
                    Role=role_arn,
                    Handler=HANDLER,
                    Code={"ZipFile": code},
                    Description=f"Keeps the target group of the privatelink-wizard link {link} "
                    "pointed at its database",
                    Timeout=TIMEOUT_SECONDS,
                    MemorySize=MEMORY_MB,
                    Environment={"Variables": env},
                    Tags=tags_dict(link),
                )
        except UserError as exc:
            if has_code(exc, "InvalidParameterValueException") and "assume" in exc.what.lower():
                return ""  # the new role is not usable yet: try again shortly
            if has_code(exc, "ResourceConflictException"):
                raise _taken("Lambda function", function_name(link), link) from None
            raise
        return str(reply["FunctionArn"])

    arn = wait_until(
        create,
        bool,
        ROLE_PATIENCE,
        lambda _: UserError(
            what="Lambda could not use the target sync's new role in time",
            why="IAM makes a new role usable a few seconds after creating it; this took longer.",
            fix="Run setup again in a minute; it continues where it stopped.",
            step="Creating the target sync function",
            exit_code=3,
        ),
    )
    note("sync-function", arn)
    return arn


def _ensure_rule(
    aws: AwsContext, link: str, name: str, function_arn: str, note: Callable[[str, str], None], **trigger: str
) -> str:
    existing = find_rule_arns(aws, link)
    try:
        with aws_step("Looking for the target sync's triggers", "events:DescribeRule"):
            arn = str(aws.client("events").describe_rule(Name=name)["Arn"])
        if arn not in existing:
            raise _taken("EventBridge rule", name, link)
    except UserError as exc:
        if not has_code(exc, "ResourceNotFoundException"):
            raise
        with aws_step("Creating the target sync's trigger", "events:PutRule"):
            arn = str(
                aws.client("events", retries=False).put_rule(
                    Name=name,
                    State="ENABLED",
                    Description=f"Runs the privatelink-wizard target sync of the link {link}",
                    Tags=link_tags(link),
                    **trigger,
                )["RuleArn"]
            )
        note("sync-rule", arn)
    with aws_step("Pointing the trigger at the target sync", "events:PutTargets"):
        aws.client("events").put_targets(Rule=name, Targets=[{"Id": TARGET_ID, "Arn": function_arn}])
    try:
        with aws_step("Letting EventBridge run the target sync", "lambda:AddPermission"):
            aws.client("lambda").add_permission(
                FunctionName=function_name(link),
                StatementId=name,
                Action="lambda:InvokeFunction",
                Principal="events.amazonaws.com",
                SourceArn=arn,
            )
    except UserError as exc:
        if not has_code(exc, "ResourceConflictException"):  # the permission is there already
            raise
    return arn


def deploy(
    aws: AwsContext,
    link: str,
    account_id: str,
    config: target_sync.Config | Sequence[target_sync.Config],
    source_ids: list[str],
    note: Callable[[str, str], None] = lambda kind, arn: None,
) -> SyncDeployment:
    """Create (or find and bring up to date) the link's target sync, keeping the target group of
    each database in `config` (the link's first database first) filled; `note(kind, id)` is
    called the moment each part is created (the link's record)."""
    configs = [config] if isinstance(config, target_sync.Config) else list(config)
    env = target_sync.environment_of(configs)
    log_arn = f"arn:aws:logs:{aws.region}:{account_id}:log-group:{log_group_name(link)}"
    _ensure_log_group(aws, link, note)
    role_arn = _ensure_role(aws, link, [c.target_group_arn for c in configs], log_arn, note)
    function_arn = _ensure_function(aws, link, role_arn, env, note)
    schedule, on_events = rule_names(link)
    rules = (
        _ensure_rule(aws, link, schedule, function_arn, note, ScheduleExpression=SCHEDULE),
        _ensure_rule(
            aws, link, on_events, function_arn, note, EventPattern=json.dumps(event_pattern(source_ids))
        ),
    )
    return SyncDeployment(link, function_arn, role_arn, rules, log_group_name(link), env)


# ---- what it costs -------------------------------------------------------------------------------

# AWS Lambda pricing: the free tier has 1 million requests and 400,000 GB-seconds a month. Every
# 5 minutes is 12 x 24 x 365 / 12 = 8,760 runs a month (plus a few on RDS events); at 128 MB and
# about a second each, ~1,100 GB-seconds. CloudWatch Logs keeps a few kB a run for two weeks.
RUNS_PER_MONTH = 12 * 24 * 365 // 12
COST_WORDS = (
    f"effectively free: ~{RUNS_PER_MONTH:,} runs a month, within AWS Lambda's free tier (1 million "
    "requests and 400,000 GB-seconds a month); a few MB of logs, kept two weeks"
)
