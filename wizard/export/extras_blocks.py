"""The link's target sync (Lambda function, its role and log, the EventBridge rules that run it)
and its alerts (SNS topic, e-mail subscription, connection notification, health alarm) as HCL.

Import ids as the AWS provider documents them (Terraform Registry, hashicorp/aws, "Import"):
function name (aws_lambda_function), role name (aws_iam_role), role_name:policy_name
(aws_iam_role_policy), log group name, rule name (aws_cloudwatch_event_rule, default bus),
rule-name/target-id (aws_cloudwatch_event_target), function_name/statement_id
(aws_lambda_permission), topic ARN (aws_sns_topic, aws_sns_topic_policy), subscription ARN
(aws_sns_topic_subscription), vpce-nfn-… (aws_vpc_endpoint_connection_notification), alarm name
(aws_cloudwatch_metric_alarm)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from wizard.aws.alerts import dimension
from wizard.aws.sync_deploy import function_name, package
from wizard.export.builder import Export, label
from wizard.export.hcl import Expr
from wizard.export.reading import AlertState, LinkState, SyncState

ZIP_NAME = "target_sync.zip"
FUNCTION_SKIPS = (
    "checkov:skip=CKV_AWS_117:It calls only AWS APIs (RDS, EC2, ELB), so it runs outside any VPC: "
    "no network interface, nothing to open\n"
    "checkov:skip=CKV_AWS_116:Run every 5 minutes and on RDS events; a failed run is made good by "
    "the next, so a dead-letter queue would hold nothing to act on\n"
    "checkov:skip=CKV_AWS_115:One short run every 5 minutes; reserving concurrency would take "
    "capacity from the account's other functions for nothing\n"
    "checkov:skip=CKV_AWS_50:Its log says what each run changed; X-Ray traces would add cost, not answers\n"
    "checkov:skip=CKV_AWS_173:Its environment holds ids and a port, no secret: Lambda encrypts it "
    "at rest with an AWS key already\n"
    "checkov:skip=CKV_AWS_272:The code is the wizard's own, deployed from this app; code signing "
    "needs a signing profile the wizard does not make"
)
LOG_SKIPS = (
    "checkov:skip=CKV_AWS_338:Two weeks, as the wizard set it: the log only says which addresses "
    "each run registered or removed\n"
    "checkov:skip=CKV_AWS_158:Holds no secret or customer data; CloudWatch Logs encrypts it at rest already"
)
READ_POLICY_SKIPS = (
    "checkov:skip=CKV_AWS_355:The describe calls in the Read statement take no resource-level "
    'permission (IAM: Actions, resources, and condition keys for ELB, RDS, EC2): "*" is the only '
    "Resource they accept; the changes are limited to the link's target group\n"
    'checkov:skip=CKV_AWS_290:Same: only describe calls have Resource "*"'
)
TOPIC_SKIP = (
    "checkov:skip=CKV_AWS_26:CloudWatch alarms and endpoint services cannot publish to a topic "
    "under the AWS managed key aws/sns, whose policy cannot grant them the key (SNS guide, "
    "compatibility between event sources from AWS services and encrypted topics); the notices "
    "carry no data, only that a connection or the database's health changed"
)
CODE_COMMENT = (
    "The code is the wizard's (wizard/aws/target_sync), the same zip as {zip} here ({match}). A "
    "newer wizard's `setup` updates it, so Terraform leaves the code alone (ignore_changes) and "
    "manages the rest."
)


def _sha(code: bytes) -> str:
    return base64.b64encode(hashlib.sha256(code).digest()).decode()


def _function(export: Export, sync: SyncState) -> None:
    config = sync.function
    if config is None:
        return
    code = package()
    export.files[ZIP_NAME] = code
    match = (
        "the deployed CodeSha256 matches it"
        if config.get("CodeSha256") == _sha(code)
        else f"the deployed code ({config.get('CodeSha256', '?')}) is another version of the wizard's"
    )
    block = export.resource(
        "aws_lambda_function",
        "target_sync",
        config["FunctionName"],
        CODE_COMMENT.format(zip=ZIP_NAME, match=match),
    )
    export.refer(config["FunctionArn"], block, "arn")
    block.comment(FUNCTION_SKIPS)
    block.set("function_name", config["FunctionName"])
    block.set("description", config.get("Description", ""))
    block.set("role", export.ref(config["Role"]))
    block.set("handler", config["Handler"]).set("runtime", config["Runtime"])
    block.set("timeout", int(config.get("Timeout", 3))).set("memory_size", int(config.get("MemorySize", 128)))
    block.set("filename", Expr(f'"${{path.module}}/{ZIP_NAME}"'))
    block.set("source_code_hash", Expr(f'filebase64sha256("${{path.module}}/{ZIP_NAME}")'))
    variables = config.get("Environment", {}).get("Variables", {})
    if variables:
        block.block("environment").set("variables", export.ref(dict(variables)))
    export.set_tags(block, sync.tags)
    block.block("lifecycle").set("ignore_changes", [Expr("filename"), Expr("source_code_hash")])


def _role(export: Export, sync: SyncState) -> None:
    role = sync.role
    if role is None:
        return
    block = export.resource("aws_iam_role", "target_sync", role["RoleName"])
    export.refer(role["Arn"], block, "arn")
    block.set("name", role["RoleName"])
    if role.get("Description"):
        block.set("description", role["Description"])
    if role.get("Path", "/") != "/":
        block.set("path", role["Path"])
    block.set("assume_role_policy", export.json(role["AssumeRolePolicyDocument"]))
    if int(role.get("MaxSessionDuration", 3600)) != 3600:
        block.set("max_session_duration", int(role["MaxSessionDuration"]))
    export.set_tags(block, {t["Key"]: t.get("Value", "") for t in role.get("Tags", [])})
    for name, document in sync.role_policies.items():
        policy = export.resource(
            "aws_iam_role_policy",
            label("target_sync" if name == "target-sync" else f"target_sync_{name}"),
            f"{role['RoleName']}:{name}",
        )
        policy.comment(READ_POLICY_SKIPS)
        policy.set("name", name).set("role", Expr(f"{export.address(block)}.id"))
        policy.set("policy", export.json(document))


def _log_group(export: Export, sync: SyncState) -> None:
    group = sync.log_group
    if group is None:
        return
    block = export.resource("aws_cloudwatch_log_group", "target_sync", group["logGroupName"])
    block.comment(LOG_SKIPS)
    block.set("name", group["logGroupName"])
    if group.get("retentionInDays"):
        block.set("retention_in_days", int(group["retentionInDays"]))
    export.set_tags(block, sync.log_tags)


def _permission_source(statement: dict[str, Any]) -> str:
    for condition in statement.get("Condition", {}).values():
        for key, value in condition.items():
            if key.lower() == "aws:sourcearn":
                return str(value)
    return ""


def _rules(export: Export, sync: SyncState) -> None:
    function = sync.function["FunctionName"] if sync.function else function_name(sync.link)
    permissions = {_permission_source(s): s for s in sync.permissions}
    for rule, targets in sync.rules:
        name = label("target_sync_" + rule["Name"].removeprefix(function).strip("-"))
        block = export.resource("aws_cloudwatch_event_rule", name, rule["Name"])
        export.refer(rule["Arn"], block, "arn")
        block.set("name", rule["Name"])
        if rule.get("Description"):
            block.set("description", rule["Description"])
        if rule.get("ScheduleExpression"):
            block.set("schedule_expression", rule["ScheduleExpression"])
        if rule.get("EventPattern"):
            import json

            block.set("event_pattern", export.json(json.loads(rule["EventPattern"])))
        block.set("state", rule.get("State", "ENABLED"))
        export.set_tags(block, sync.rule_tags.get(rule["Arn"], {}))
        for target in targets:
            t = export.resource("aws_cloudwatch_event_target", name, f"{rule['Name']}/{target['Id']}")
            t.set("rule", Expr(f"{export.address(block)}.name")).set("target_id", target["Id"])
            t.set("arn", export.ref(target["Arn"]))
        statement = permissions.get(rule["Arn"])
        if statement is not None and sync.function:
            p = export.resource("aws_lambda_permission", name, f"{function}/{statement['Sid']}")
            p.set("statement_id", statement["Sid"])
            p.set("action", str(statement.get("Action", "")))
            p.set("function_name", Expr("aws_lambda_function.target_sync.function_name"))
            principal = statement.get("Principal", {})
            p.set(
                "principal", principal.get("Service", "") if isinstance(principal, dict) else str(principal)
            )
            p.set("source_arn", export.ref(rule["Arn"]))


def target_sync(export: Export, state: LinkState) -> None:
    if state.sync is None:
        return
    _log_group(export, state.sync)
    _role(export, state.sync)
    _function(export, state.sync)
    _rules(export, state.sync)


def _subscriptions(export: Export, alerts: AlertState, topic: str) -> None:
    for sub in alerts.subscriptions:
        arn = str(sub.get("SubscriptionArn", ""))
        if not arn.startswith("arn:"):
            export.main.append(
                _note(
                    f"The e-mail subscription of {sub.get('Endpoint', '')} is not written here: it "
                    "waits for its confirmation e-mail, and an unconfirmed subscription has no ARN "
                    "to import. Export again once it is confirmed."
                )
            )
            continue
        block = export.resource("aws_sns_topic_subscription", "alert_email", arn)
        block.set("topic_arn", Expr(f"{topic}.arn")).set("protocol", sub.get("Protocol", "email"))
        if sub.get("Protocol") == "email":
            email = export.variable(
                "alert_email", "string", "Where the link's alerts are e-mailed.", sub.get("Endpoint", "")
            )
            block.set("endpoint", email)
        else:
            block.set("endpoint", sub.get("Endpoint", ""))


def _note(text: str) -> Any:
    from wizard.export.hcl import Comment

    return Comment(text)


def alerts(export: Export, state: LinkState) -> None:
    found = state.alerts
    if found is None:
        return
    topic = ""
    if found.topic_arn:
        block = export.resource("aws_sns_topic", "alerts", found.topic_arn)
        export.refer(found.topic_arn, block, "arn")
        topic = export.address(block)
        block.comment(TOPIC_SKIP)
        block.set("name", found.topic_arn.rsplit(":", 1)[-1])
        export.set_tags(block, found.topic_tags)
        if found.topic_policy is not None:
            policy = export.resource("aws_sns_topic_policy", "alerts", found.topic_arn)
            policy.set("arn", Expr(f"{topic}.arn")).set("policy", export.json(found.topic_policy))
        _subscriptions(export, found, topic)
    for note in found.notifications:
        block = export.resource(
            "aws_vpc_endpoint_connection_notification", "alerts", note["ConnectionNotificationId"]
        )
        block.set("vpc_endpoint_service_id", export.ref(note.get("ServiceId", "")))
        block.set("connection_notification_arn", export.ref(note["ConnectionNotificationArn"]))
        block.set("connection_events", list(note.get("ConnectionEvents", [])))
    for alarm, tags in found.alarms:
        _alarm(export, alarm, tags)


def _alarm(export: Export, alarm: dict[str, Any], tags: dict[str, str]) -> None:
    block = export.resource("aws_cloudwatch_metric_alarm", "no_healthy_database", alarm["AlarmName"])
    block.set("alarm_name", alarm["AlarmName"])
    if alarm.get("AlarmDescription"):
        block.set("alarm_description", alarm["AlarmDescription"])
    block.set("namespace", alarm["Namespace"]).set("metric_name", alarm["MetricName"])
    block.set("statistic", alarm["Statistic"]).set("period", int(alarm["Period"]))
    block.set("evaluation_periods", int(alarm["EvaluationPeriods"]))
    if alarm.get("DatapointsToAlarm"):
        block.set("datapoints_to_alarm", int(alarm["DatapointsToAlarm"]))
    block.set("threshold", float(alarm["Threshold"]))
    block.set("comparison_operator", alarm["ComparisonOperator"])
    block.set("treat_missing_data", alarm.get("TreatMissingData", "missing"))
    block.set("actions_enabled", bool(alarm.get("ActionsEnabled", True)))
    for key, name in (
        ("AlarmActions", "alarm_actions"),
        ("OKActions", "ok_actions"),
        ("InsufficientDataActions", "insufficient_data_actions"),
    ):
        if alarm.get(key):
            block.set(name, export.ref(list(alarm[key])))
    dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    block.set("dimensions", {k: _dimension_ref(export, v) for k, v in dims.items()})
    export.set_tags(block, tags)


def _dimension_ref(export: Export, text: str) -> Any:
    """A dimension value is the final part of an ARN: the resource's arn_suffix when it is ours."""
    for literal, expr in export.refs().items():
        if literal.startswith("arn:") and dimension(literal) == text and isinstance(expr, Expr):
            return Expr(expr.text.rsplit(".", 1)[0] + ".arn_suffix")
    return text
