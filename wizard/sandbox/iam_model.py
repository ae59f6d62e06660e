"""IAM policy evaluation as AWS does it, for the sandbox's IAM enforcement.

moto 5.2 checks an action against the caller's policies with the resource "*" and no request
context: a statement that names a resource ARN never applies, a statement with a Condition it
cannot evaluate *denies* the call outright, and the permission AWS checks when a create carries
tags (ec2:CreateTags, elasticloadbalancing:AddTags, rds:AddTagsToResource) is never checked. The
wizard's policy is least privilege in fact (resource ARNs and tag conditions), so the sandbox
evaluates it as AWS does, with each request's resources, their tags and the condition keys AWS
sets. Actions whose resource this module does not know are evaluated against the resource "*".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Keys = Mapping[str, list[str]]


@dataclass(frozen=True)
class Resource:
    arn: str
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One authorization AWS makes for a request: an action on each of some resources."""

    action: str
    resources: tuple[Resource, ...]
    keys: Keys = field(default_factory=dict)


# --- evaluation ----------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    # IAM wildcards: * any run of characters, ? one character; nothing else is special.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda policy, actual: policy == actual,
    "StringEqualsIgnoreCase": lambda policy, actual: policy.lower() == actual.lower(),
    "StringLike": lambda policy, actual: _wildcard(policy, actual),
    "ArnEquals": lambda policy, actual: policy == actual,
    "ArnLike": lambda policy, actual: _wildcard(policy, actual),
    "Bool": lambda policy, actual: policy.lower() == actual.lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _condition_holds(operator: str, key: str, wanted: list[str], keys: Keys) -> bool:
    """One key under one operator (IAM JSON policy elements: Condition operators)."""
    present = key in keys and bool(keys[key])
    values = keys.get(key, [])
    if operator == "Null":
        return all((v.lower() == "true") != present for v in wanted)
    qualifier = ""
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    negated = operator in _NEGATED
    test = _OPERATORS.get(_NEGATED.get(operator, operator))
    if test is None:
        raise NotImplementedError(f"the sandbox does not evaluate the IAM operator {operator}")

    def one(actual: str) -> bool:
        return any(test(w, actual) for w in wanted)

    if qualifier == "ForAllValues":
        return all(one(v) for v in values)  # true for a missing key too, as in AWS
    if qualifier == "ForAnyValue":
        return any(one(v) for v in values)
    if not present:
        # A missing key does not match; a negated operator (or IfExists) is then true.
        return negated or if_exists
    matched = any(one(v) for v in values)
    return not matched if negated else matched


def _statement_applies(statement: Mapping[str, Any], action: str, resource: str, keys: Keys) -> bool:
    if "Action" in statement:
        if not any(_wildcard(a, action, ignore_case=True) for a in _as_list(statement["Action"])):
            return False
    elif any(_wildcard(a, action, ignore_case=True) for a in _as_list(statement.get("NotAction", []))):
        return False
    if "Resource" in statement:
        if not any(_wildcard(r, resource) or r == "*" for r in _as_list(statement["Resource"])):
            return False
    elif any(_wildcard(r, resource) for r in _as_list(statement.get("NotResource", []))):
        return False
    for operator, block in dict(statement.get("Condition", {})).items():
        for key, wanted in dict(block).items():
            if not _condition_holds(operator, key, [str(v) for v in _as_list(wanted)], keys):
                return False
    return True


def decide(documents: Iterable[Mapping[str, Any]], action: str, resource: Resource, keys: Keys) -> bool:
    """Policy evaluation logic for identity policies: an explicit Deny wins, else an Allow is
    needed (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""
    context = dict(keys)
    for tag, value in resource.tags.items():
        context[f"aws:ResourceTag/{tag}"] = [value]
    allowed = False
    for document in documents:
        for statement in _as_list(document.get("Statement", [])):
            if not _statement_applies(statement, action, resource.arn, context):
                continue
            if statement.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def permits(documents: Iterable[Mapping[str, Any]], check: Check) -> bool:
    documents = list(documents)
    return all(decide(documents, check.action, r, check.keys) for r in check.resources)


# --- what a request asks for ---------------------------------------------------------------------


def _values(data: Mapping[str, Any], name: str) -> list[str]:
    """A query-protocol parameter: `Name`, `Name.N`, `Name.member.N` (in order)."""
    found: list[tuple[int, str]] = []
    pattern = re.compile(rf"^{re.escape(name)}(?:\.member)?(?:\.(\d+))?$")
    for key, value in data.items():
        match = pattern.match(key)
        if match:
            for item in _as_list(value):
                found.append((int(match.group(1) or 0), str(item)))
    return [v for _, v in sorted(found)]


def request_tags(data: Mapping[str, Any]) -> dict[str, str]:
    """Tags a request carries: TagSpecification.N.Tag.M (EC2), Tags.member.N / Tags.Tag.N (ELB,
    RDS), Tag.N (EC2 CreateTags)."""
    tags: dict[str, str] = {}
    pattern = re.compile(r"^(?:TagSpecification\.\d+\.Tag|Tags\.member|Tags\.Tag|Tag)\.(\d+)\.Key$")
    for key, value in data.items():
        if pattern.match(key):
            tag_key = str(_as_list(value)[0])
            value_key = key[: -len("Key")] + "Value"
            tags[tag_key] = str(_as_list(data.get(value_key, [""]))[0])
    return tags


def _tag_keys(tags: Mapping[str, str]) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {f"aws:RequestTag/{k}": [v] for k, v in tags.items()}
    if tags:
        keys["aws:TagKeys"] = list(tags)
    return keys


_EC2_TYPES = {"vpce-svc": "vpc-endpoint-service", "sg": "security-group", "sgr": "security-group-rule"}


def _ec2_resource(backend: Any, region: str, account: str, resource_id: str) -> Resource:
    kind = _EC2_TYPES.get(resource_id.rsplit("-", 1)[0], resource_id.rsplit("-", 1)[0])
    rows = backend.describe_tags(filters={"resource-id": [resource_id]})
    tags = {str(r.get("Key", r.get("key"))): str(r.get("Value", r.get("value", ""))) for r in rows}
    return Resource(f"arn:aws:ec2:{region}:{account}:{kind}/{resource_id}", tags)


def _ec2_checks(action: str, data: Mapping[str, Any], region: str, account: str) -> list[Check]:
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[account][region]
    ids = (
        _values(data, "ServiceId")
        + _values(data, "ServiceIds")
        + _values(data, "GroupId")
        + _values(data, "SecurityGroupRuleId")
        + _values(data, "ResourceId")
    )
    resources = tuple(_ec2_resource(backend, region, account, i) for i in ids) or (Resource("*"),)
    tags = request_tags(data)
    checks = [Check(f"ec2:{action}", resources, _tag_keys(tags) if action == "CreateTags" else {})]
    kinds = _values(data, "TagSpecification.1.ResourceType")
    if tags and action != "CreateTags":
        # "Grant permission to tag Amazon EC2 resources during creation" (ec2:CreateAction).
        new = Resource(f"arn:aws:ec2:{region}:{account}:{kinds[0] if kinds else '*'}/*")
        checks.append(Check("ec2:CreateTags", (new,), {"ec2:CreateAction": [action], **_tag_keys(tags)}))
    from wizard.sandbox import xregion_model  # vpce:AllowMultiRegion, for cross-region services

    return checks + xregion_model.iam_checks(action, data, resources, region, account)


def _elb_checks(action: str, data: Mapping[str, Any], region: str, account: str) -> list[Check]:
    from moto.elbv2.models import elbv2_backends

    service = elbv2_backends[account][region].tagging_service
    arns = (
        _values(data, "LoadBalancerArn")
        + _values(data, "TargetGroupArn")
        + _values(data, "ListenerArn")
        + _values(data, "ResourceArns")
    )
    if action.startswith("Create"):
        arns = []  # a create acts on the resource it makes, not on the ones it names
    resources = tuple(Resource(a, service.get_tag_dict_for_resource(a)) for a in arns) or (Resource("*"),)
    tags = request_tags(data)
    checks = [
        Check(f"elasticloadbalancing:{action}", resources, _tag_keys(tags) if action == "AddTags" else {})
    ]
    if tags and action != "AddTags":
        # "ELB API permissions to tag resources during creation" (elasticloadbalancing:CreateAction).
        keys = {"elasticloadbalancing:CreateAction": [action], **_tag_keys(tags)}
        checks.append(Check("elasticloadbalancing:AddTags", (Resource("*"),), keys))
    return checks


def _rds_checks(action: str, data: Mapping[str, Any], region: str, account: str) -> list[Check]:
    from moto.rds.models import rds_backends

    backend = rds_backends[account][region]
    arns = [f"arn:aws:rds:{region}:{account}:pg:{n}" for n in _values(data, "DBParameterGroupName")]
    arns += [f"arn:aws:rds:{region}:{account}:db:{n}" for n in _values(data, "DBInstanceIdentifier")]
    arns += _values(data, "ResourceName")
    if action.startswith(("Create", "Copy")):
        arns = []
    resources = []
    for arn in arns:
        try:
            rows = backend.list_tags_for_resource(arn)
        except Exception:  # moto raises for resources it does not hold: they have no tags
            rows = []
        resources.append(Resource(arn, {r["Key"]: r.get("Value", "") for r in rows}))
    tags = request_tags(data)
    checks = [
        Check(
            f"rds:{action}",
            tuple(resources) or (Resource("*"),),
            _tag_keys(tags) if action == "AddTagsToResource" else {},
        )
    ]
    if tags and action != "AddTagsToResource":
        # "Grant permission to tag Amazon RDS resources during creation" (aws:RequestTag).
        checks.append(Check("rds:AddTagsToResource", (Resource("*"),), _tag_keys(tags)))
    return checks


def _sns_checks(action: str, data: Mapping[str, Any], region: str, account: str) -> list[Check]:
    from moto.sns.models import sns_backends

    topics = sns_backends[account][region].topics
    arns = _values(data, "TopicArn") + _values(data, "ResourceArn")
    if action == "CreateTopic":
        arns = [f"arn:aws:sns:{region}:{account}:{n}" for n in _values(data, "Name")]
    resources = tuple(Resource(a, dict(getattr(topics.get(a), "_tags", {}) or {})) for a in arns)
    tags = request_tags(data)
    keys = _tag_keys(tags) if action in ("CreateTopic", "TagResource") else {}
    checks = [Check(f"sns:{action}", resources or (Resource("*"),), keys)]
    if tags and action == "CreateTopic":
        # "Actions, resources, and condition keys for Amazon SNS": CreateTopic with tags also needs
        # sns:TagResource.
        checks.append(Check("sns:TagResource", resources, keys))
    return checks


def _cloudwatch_checks(
    action: str, data: Mapping[str, Any], region: str, account: str, body: Any
) -> list[Check]:
    import json

    from moto.cloudwatch.models import cloudwatch_backends

    try:
        params = json.loads(body or b"{}")  # the JSON protocol: the parameters are the body
    except ValueError:
        params = {}
    tagger = cloudwatch_backends[account][region].tagger
    names = [params["AlarmName"]] if params.get("AlarmName") else list(params.get("AlarmNames", []))
    arns = [f"arn:aws:cloudwatch:{region}:{account}:alarm:{n}" for n in names]
    arns += [params["ResourceARN"]] if params.get("ResourceARN") else []
    resources = tuple(Resource(a, tagger.get_tag_dict_for_resource(a)) for a in arns)
    tags = {t["Key"]: t.get("Value", "") for t in params.get("Tags", [])}
    keys = _tag_keys(tags) if action in ("PutMetricAlarm", "TagResource") else {}
    checks = [Check(f"cloudwatch:{action}", resources or (Resource("*"),), keys)]
    new = [r for r in resources if r.arn not in tagger.tags]
    if tags and action == "PutMetricAlarm" and new:
        # API_PutMetricAlarm: tagging an alarm as it is created needs cloudwatch:TagResource too
        # (on an update the tags are ignored).
        checks.append(Check("cloudwatch:TagResource", tuple(new), keys))
    return checks


_BY_SERVICE = {
    "ec2": _ec2_checks,
    "elasticloadbalancing": _elb_checks,
    "rds": _rds_checks,
    "sns": _sns_checks,
}
# moto names an action by the request's signing name: CloudWatch signs as "monitoring", but its
# IAM actions are "cloudwatch:…" ("Actions, resources, and condition keys for Amazon CloudWatch").
IAM_PREFIX = {"monitoring": "cloudwatch"}


def checks_for(
    service: str,
    action: str,
    data: Mapping[str, Any],
    region: str,
    account: str,
    body: Any = b"",
    path: str = "",
) -> list[Check]:
    """The authorizations AWS makes for one request (one, plus tag-on-create where tags ride along)."""
    from wizard.sandbox import iam_serverless

    service = IAM_PREFIX.get(service, service)
    if service in iam_serverless.BUILDERS:
        return iam_serverless.BUILDERS[service](action, data, region, account, path, body)
    if service == "cloudwatch":
        return _cloudwatch_checks(action, data, region, account, body)
    builder = _BY_SERVICE.get(service)
    if builder is None:
        return [Check(f"{service}:{action}", (Resource("*"),))]
    return builder(action, data, region, account)


# --- moto hook ----------------------------------------------------------------------------------


def _check_action_permitted(self: Any, resource: str) -> None:
    if self._action == "sts:GetCallerIdentity":  # AWS always allows it, as moto does
        return
    service, action = self._action.split(":", 1)
    from moto.iam.access_control import IAMPolicy

    documents = [dict(IAMPolicy(p)._policy_json) for p in self._access_key.collect_policies()]
    path = getattr(self, "_path", "")
    for check in checks_for(service, action, self._data, self._region, self.account_id, self._body, path):
        if not permits(documents, check):
            self._action = check.action  # the message names the action that was refused
            if service in ("monitoring", "lambda", "events", "logs"):
                # These answer in JSON, as AWS does (moto's refusal is XML): CloudWatch names it
                # AccessDenied, Lambda, EventBridge and Logs AccessDeniedException.
                from moto.core.exceptions import JsonRESTError

                code = "AccessDenied" if service == "monitoring" else "AccessDeniedException"
                denied = JsonRESTError(
                    code, f"User: {self._access_key.arn} is not authorized to perform: {check.action}"
                )
                if service != "monitoring":
                    denied.code = 403
                raise denied
            self._raise_access_denied()


def install() -> None:
    from moto.iam.access_control import IAMRequest

    setattr(IAMRequest, "check_action_permitted", _check_action_permitted)  # noqa: B010
    check_signature = IAMRequest.check_signature

    def _check_signature(self: Any) -> None:
        # moto 5.2 computes the signature of Lambda's REST requests otherwise than botocore signs
        # them and refuses every one: the sandbox checks who asks, and what for, but not that.
        if not str(self._action).startswith("lambda:"):
            check_signature(self)

    setattr(IAMRequest, "check_signature", _check_signature)  # noqa: B010
