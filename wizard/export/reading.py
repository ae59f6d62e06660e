"""Everything a link owns, read from AWS as AWS reports it, for the Terraform export.

What belongs to the link is what teardown would remove (teardown_plan.find_link_resources: the
link's tags, and the firewall rules its record holds), plus the parameter group the wizard made
for it (`<link>-params`, which teardown keeps because the database still uses it). Each piece is
then described in full, so the export writes the values AWS reports, not the wizard's defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from wizard.aws import parameter_group
from wizard.aws.alerts import subscriptions
from wizard.aws.endpoint_service import allowed_principals
from wizard.aws.errors import aws_step
from wizard.aws.nlb import elbv2_tags
from wizard.aws.session import AwsContext
from wizard.aws.sync_lookup import function_name, has_code
from wizard.aws.target_group import listeners, target_health
from wizard.aws.teardown_plan import find_link_resources
from wizard.errors import UserError
from wizard.model import LINK_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, LinkRecord

Raw = dict[str, Any]


@dataclass
class TargetGroupState:
    group: Raw  # DescribeTargetGroups
    attributes: dict[str, str]
    tags: dict[str, str]
    targets: list[tuple[str, int]] = field(default_factory=list)  # (id, port) registered now


@dataclass
class SyncState:
    function: Raw | None  # GetFunction's Configuration (None: a deployment cut short)
    tags: dict[str, str]
    role: Raw | None  # GetRole's Role
    role_policies: dict[str, Any]  # inline policy name -> document
    log_group: Raw | None  # DescribeLogGroups entry
    rules: list[tuple[Raw, list[Raw]]]  # (DescribeRule, its targets)
    rule_tags: dict[str, dict[str, str]]
    permissions: list[Raw]  # statements of the function's resource policy
    link: str = ""
    log_tags: dict[str, str] = field(default_factory=dict)


@dataclass
class AlertState:
    topic_arn: str
    topic_policy: Any  # the policy document, or None
    topic_tags: dict[str, str]
    subscriptions: list[Raw]
    notifications: list[Raw]
    alarms: list[tuple[Raw, dict[str, str]]]  # (DescribeAlarms entry, tags)


@dataclass
class LinkState:
    """The link as AWS reports it: the raw descriptions the HCL is written from."""

    name: str
    region: str
    nlbs: list[tuple[Raw, dict[str, str], dict[str, str]]] = field(default_factory=list)  # lb, attrs, tags
    nlb_groups: list[Raw] = field(default_factory=list)  # DescribeSecurityGroups
    nlb_group_rules: list[Raw] = field(default_factory=list)  # rules of those groups
    database_rules: list[Raw] = field(default_factory=list)  # rules the wizard added elsewhere
    target_groups: list[TargetGroupState] = field(default_factory=list)
    listeners: list[tuple[Raw, dict[str, str]]] = field(default_factory=list)
    services: list[tuple[Raw, list[str]]] = field(default_factory=list)  # config, principals
    parameter_group: Raw | None = None
    parameter_group_tags: dict[str, str] = field(default_factory=dict)
    parameters: list[Raw] = field(default_factory=list)  # those set in the group (Source user)
    sync: SyncState | None = None
    alerts: AlertState | None = None

    @property
    def empty(self) -> bool:
        return not (self.nlbs or self.services or self.target_groups or self.parameter_group)


def unknown_link(name: str, region: str) -> UserError:
    return UserError(
        what=f"No link named '{name}' was found in {region}",
        why="Nothing in this account and region carries the privatelink-wizard tags of that link.",
        fix="Check the name and the region (`privatelink-wizard list --region R` shows the links "
        "there), then run the export again.",
        step="Reading the link",
        exit_code=2,
    )


def _tag_map(tags: Any) -> dict[str, str]:
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {t["Key"]: t.get("Value", "") for t in tags or []}


def _document(text: Any) -> Any:
    """A policy document from an API reply: IAM returns it decoded (boto3) or URL-encoded JSON."""
    if isinstance(text, str):
        from urllib.parse import unquote

        try:
            return json.loads(text)
        except ValueError:
            return json.loads(unquote(text))
    return text


def read_link(aws: AwsContext, name: str, record: LinkRecord | None = None) -> LinkState:
    """Read everything the link owns; UserError (exit 2) when nothing of it exists."""
    owned = find_link_resources(aws, name, record)
    ids: dict[str, list[str]] = {}
    for res in owned:
        ids.setdefault(res.kind, []).append(res.id)
    state = LinkState(name=name, region=aws.region)
    _read_load_balancing(aws, state, ids)
    _read_security(aws, state, ids)
    _read_services(aws, state, ids)
    _read_parameter_group(aws, state, name)
    if ids.get("sync-function") or ids.get("sync-role"):
        state.sync = _read_sync(aws, name, ids)
    if ids.get("alert-topic") or ids.get("alarm"):
        state.alerts = _read_alerts(aws, ids)
    if state.empty:
        raise unknown_link(name, aws.region)
    return state


def _read_load_balancing(aws: AwsContext, state: LinkState, ids: dict[str, list[str]]) -> None:
    nlb_arns = ids.get("nlb", [])
    tg_arns = ids.get("target-group", [])
    tags = elbv2_tags(aws, [*nlb_arns, *tg_arns, *ids.get("listener", [])])
    if nlb_arns:
        with aws_step("Reading the load balancer", "elasticloadbalancing:DescribeLoadBalancers"):
            balancers = aws.elbv2.describe_load_balancers(LoadBalancerArns=nlb_arns)["LoadBalancers"]
        for lb in balancers:
            with aws_step(
                "Reading the load balancer's settings", "elasticloadbalancing:DescribeLoadBalancerAttributes"
            ):
                reply = aws.elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])
            attributes = {a["Key"]: str(a.get("Value", "")) for a in reply.get("Attributes", [])}
            state.nlbs.append((lb, attributes, tags.get(lb["LoadBalancerArn"], {})))
            state.listeners += [
                (ls, tags.get(ls["ListenerArn"], {}))
                for ls in listeners(aws, lb["LoadBalancerArn"])
                if ls["ListenerArn"] in ids.get("listener", [])
            ]
    if tg_arns:
        with aws_step("Reading the target groups", "elasticloadbalancing:DescribeTargetGroups"):
            groups = aws.elbv2.describe_target_groups(TargetGroupArns=tg_arns)["TargetGroups"]
        for group in sorted(groups, key=lambda g: str(g["TargetGroupName"])):
            with aws_step(
                "Reading the target group's settings", "elasticloadbalancing:DescribeTargetGroupAttributes"
            ):
                reply = aws.elbv2.describe_target_group_attributes(TargetGroupArn=group["TargetGroupArn"])
            attributes = {a["Key"]: str(a.get("Value", "")) for a in reply.get("Attributes", [])}
            targets = [(t.target_id, t.port) for t in target_health(aws, group["TargetGroupArn"])]
            state.target_groups.append(
                TargetGroupState(group, attributes, tags.get(group["TargetGroupArn"], {}), targets)
            )


def _read_security(aws: AwsContext, state: LinkState, ids: dict[str, list[str]]) -> None:
    group_ids = ids.get("security-group", [])
    if group_ids:
        with aws_step("Reading the load balancer's security group", "ec2:DescribeSecurityGroups"):
            state.nlb_groups = aws.ec2.describe_security_groups(GroupIds=group_ids)["SecurityGroups"]
        with aws_step("Reading firewall rules (security groups)", "ec2:DescribeSecurityGroupRules"):
            pages = aws.ec2.get_paginator("describe_security_group_rules").paginate(
                Filters=[{"Name": "group-id", "Values": group_ids}]
            )
            rules = [r for page in pages for r in page.get("SecurityGroupRules", [])]
        # Checked here as well: not every endpoint honours every filter.
        state.nlb_group_rules = [r for r in rules if r.get("GroupId") in group_ids]
    rule_ids = [i for i in ids.get("security-group-rule", [])]
    if rule_ids:
        with aws_step("Reading firewall rules (security groups)", "ec2:DescribeSecurityGroupRules"):
            reply = aws.ec2.describe_security_group_rules(SecurityGroupRuleIds=rule_ids)
        known = {r["SecurityGroupRuleId"] for r in state.nlb_group_rules}
        state.database_rules = [
            r for r in reply.get("SecurityGroupRules", []) if r["SecurityGroupRuleId"] not in known
        ]


def _read_services(aws: AwsContext, state: LinkState, ids: dict[str, list[str]]) -> None:
    service_ids = ids.get("endpoint-service", [])
    if not service_ids:
        return
    with aws_step("Reading the endpoint service", "ec2:DescribeVpcEndpointServiceConfigurations"):
        reply = aws.ec2.describe_vpc_endpoint_service_configurations(ServiceIds=service_ids)
    for config in reply.get("ServiceConfigurations", []):
        state.services.append((config, allowed_principals(aws, config["ServiceId"])))


def _read_parameter_group(aws: AwsContext, state: LinkState, name: str) -> None:
    group_name = parameter_group.link_group_name(name)
    try:
        with aws_step("Reading the link's parameter group", "rds:DescribeDBParameterGroups"):
            groups = aws.rds.describe_db_parameter_groups(DBParameterGroupName=group_name)
    except UserError as exc:
        if exc.code == "DBParameterGroupNotFound":
            return
        raise
    found = groups.get("DBParameterGroups", [])
    if not found:
        return
    group = found[0]
    with aws_step("Reading the tags of a parameter group", "rds:ListTagsForResource"):
        tags = _tag_map(aws.rds.list_tags_for_resource(ResourceName=group["DBParameterGroupArn"])["TagList"])
    if tags.get(MANAGED_BY_KEY) != MANAGED_BY_VALUE or tags.get(LINK_TAG_KEY) != name:
        return  # a group of that name the wizard did not make for this link: not the link's
    with aws_step("Reading the link's parameter group", "rds:DescribeDBParameters"):
        pages = aws.rds.get_paginator("describe_db_parameters").paginate(
            DBParameterGroupName=group_name, Source="user"
        )
        params = [p for page in pages for p in page.get("Parameters", [])]
    state.parameter_group, state.parameter_group_tags = group, tags
    # Only what is set in the group: the rest are the family's defaults, which Terraform leaves.
    state.parameters = sorted(
        (p for p in params if p.get("Source", "user") == "user" and p.get("ParameterValue") is not None),
        key=lambda p: str(p["ParameterName"]),
    )


def _read_sync(aws: AwsContext, link: str, ids: dict[str, list[str]]) -> SyncState | None:
    fn = function_name(link)
    function: Raw = {}
    if ids.get("sync-function"):
        with aws_step("Reading the target sync function", "lambda:GetFunction"):
            function = aws.client("lambda").get_function(FunctionName=fn)
    role = None
    policies: dict[str, Any] = {}
    if ids.get("sync-role"):
        with aws_step("Reading the target sync's role", "iam:GetRole"):
            role = aws.client("iam").get_role(RoleName=fn)["Role"]
        try:
            with aws_step("Reading the target sync's role policy", "iam:GetRolePolicy"):
                reply = aws.client("iam").get_role_policy(RoleName=fn, PolicyName="target-sync")
            policies["target-sync"] = _document(reply["PolicyDocument"])
        except UserError as exc:
            if not has_code(exc, "NoSuchEntity"):
                raise
    log_group = None
    if ids.get("sync-log-group"):
        with aws_step("Reading the target sync's log", "logs:DescribeLogGroups"):
            groups = aws.client("logs").describe_log_groups(logGroupNamePrefix=ids["sync-log-group"][0])
        log_group = next(
            (g for g in groups.get("logGroups", []) if g.get("logGroupName") == ids["sync-log-group"][0]),
            None,
        )
    log_tags: dict[str, str] = {}
    if log_group is not None:
        with aws_step("Reading the target sync's log", "logs:ListTagsForResource"):
            arn = str(log_group["arn"]).removesuffix(":*")
            log_tags = _tag_map(aws.client("logs").list_tags_for_resource(resourceArn=arn).get("tags", {}))
    rules, rule_tags = [], {}
    for arn in ids.get("sync-rule", []):
        rule_name = arn.rsplit("/", 1)[-1]
        with aws_step("Reading the target sync's triggers", "events:DescribeRule"):
            rule = aws.client("events").describe_rule(Name=rule_name)
        with aws_step("Reading the target sync's triggers", "events:ListTargetsByRule"):
            targets = aws.client("events").list_targets_by_rule(Rule=rule_name).get("Targets", [])
        with aws_step("Reading the target sync's triggers", "events:ListTagsForResource"):
            rule_tags[arn] = _tag_map(
                aws.client("events").list_tags_for_resource(ResourceARN=arn).get("Tags", [])
            )
        rules.append((rule, targets))
    permissions: list[Raw] = []
    if function:
        try:
            with aws_step("Reading who may run the target sync", "lambda:GetPolicy"):
                policy = aws.client("lambda").get_policy(FunctionName=fn)["Policy"]
            permissions = _document(policy)["Statement"]
        except UserError as exc:
            if not has_code(exc, "ResourceNotFoundException"):
                raise
    return SyncState(
        function=function.get("Configuration"),
        tags=_tag_map(function.get("Tags", {}) or (role or {}).get("Tags", [])),
        role=role,
        role_policies=policies,
        log_group=log_group,
        rules=rules,
        rule_tags=rule_tags,
        permissions=permissions,
        link=link,
        log_tags=log_tags,
    )


def _read_alerts(aws: AwsContext, ids: dict[str, list[str]]) -> AlertState:
    topic = (ids.get("alert-topic") or [""])[0]
    policy: Any = None
    tags: dict[str, str] = {}
    subs: list[Raw] = []
    if topic:
        with aws_step("Reading the alert topic's policy", "sns:GetTopicAttributes"):
            attributes = aws.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
        policy = _document(attributes["Policy"]) if attributes.get("Policy") else None
        with aws_step("Reading the alert topic's tags", "sns:ListTagsForResource"):
            tags = _tag_map(aws.client("sns").list_tags_for_resource(ResourceArn=topic).get("Tags", []))
        subs = subscriptions(aws, topic)
    notes: list[Raw] = []
    for note_id in ids.get("connection-notification", []):
        with aws_step(
            "Reading the endpoint service's connection notification",
            "ec2:DescribeVpcEndpointConnectionNotifications",
        ):
            reply = aws.ec2.describe_vpc_endpoint_connection_notifications(ConnectionNotificationId=note_id)
        notes += [
            n for n in reply.get("ConnectionNotificationSet", []) if n["ConnectionNotificationId"] == note_id
        ]
    alarms: list[tuple[Raw, dict[str, str]]] = []
    if ids.get("alarm"):
        with aws_step("Reading the health alarm", "cloudwatch:DescribeAlarms"):
            found = aws.client("cloudwatch").describe_alarms(AlarmNames=ids["alarm"]).get("MetricAlarms", [])
        for alarm in found:
            with aws_step("Reading the health alarm's tags", "cloudwatch:ListTagsForResource"):
                alarm_tags = aws.client("cloudwatch").list_tags_for_resource(ResourceARN=alarm["AlarmArn"])
            alarms.append((alarm, _tag_map(alarm_tags.get("Tags", []))))
    return AlertState(topic, policy, tags, subs, notes, alarms)
