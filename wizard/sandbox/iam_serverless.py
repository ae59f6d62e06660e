"""What IAM authorizes for the target sync's calls (IAM, Lambda, EventBridge, CloudWatch Logs), for
the sandbox's IAM model (iam_model.py): each request's resource ARN with its tags, the tags a
create carries, the extra permissions AWS checks for them, and iam:PassRole.

moto hands these requests over as a JSON body (Lambda, EventBridge, Logs) or query parameters
(IAM), and names a Lambda function in the URL path; so the resource is read from wherever the
request carries it. ARNs follow "Actions, resources, and condition keys" of each service.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import unquote

from wizard.sandbox.iam_model import Check, Resource, _tag_keys, _values, request_tags

_LAMBDA_PATH = re.compile(r"/functions/([^/?]+)")


def _body(body: Any) -> dict[str, Any]:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        parsed = json.loads(body or "{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _iam(
    action: str, data: Mapping[str, Any], region: str, account: str, path: str, body: Any
) -> list[Check]:
    from moto.iam.models import iam_backends

    names = _values(data, "RoleName")
    if not names:
        return [Check(f"iam:{action}", (Resource("*"),))]
    arn = f"arn:aws:iam::{account}:role/{names[0]}"
    tags: dict[str, str] = {}
    if action != "CreateRole":
        try:
            role = iam_backends[account]["aws"].get_role(names[0])
            listed = role.tags.values() if isinstance(role.tags, dict) else role.tags
            tags = {str(t["Key"]): str(t.get("Value", "")) for t in listed}
        except Exception:  # no such role: it has no tags (AWS then answers NoSuchEntity)
            tags = {}
    request = request_tags(data)
    checks = [
        Check(f"iam:{action}", (Resource(arn, tags),), _tag_keys(request) if action == "CreateRole" else {})
    ]
    if action == "CreateRole" and request:
        # IAM user guide, "Controlling access during IAM tagging": creating a tagged role needs
        # iam:TagRole too.
        checks.append(Check("iam:TagRole", (Resource(arn),), _tag_keys(request)))
    return checks


def _json_tags(tags: Any) -> dict[str, str]:
    """The tags a JSON request sets: a map (Lambda, Logs) or a list of Key/Value (EventBridge)."""
    if isinstance(tags, list):
        return {str(t["Key"]): str(t.get("Value", "")) for t in tags}
    return {str(k): str(v) for k, v in dict(tags or {}).items()}


def _on_resource(
    service: str, action: str, arn: str, tags: dict[str, str], new_tags: dict[str, str], create: str
) -> list[Check]:
    """The action on one resource (its tags, and those the request sets); creating it with tags
    (`create`) needs `<service>:TagResource` too (cited where each service is described)."""
    checks = [Check(f"{service}:{action}", (Resource(arn, tags),), _tag_keys(new_tags))]
    if action == create and new_tags:
        checks.append(Check(f"{service}:TagResource", (Resource(arn),), _tag_keys(new_tags)))
    return checks


def _lambda(
    action: str, data: Mapping[str, Any], region: str, account: str, path: str, body: Any
) -> list[Check]:
    from moto.awslambda.models import lambda_backends

    request = _body(body)
    match = _LAMBDA_PATH.search(path or "")
    name = str(request.get("FunctionName") or (unquote(match.group(1)) if match else ""))
    if not name:
        return [Check(f"lambda:{action}", (Resource("*"),))]
    name = name.rsplit(":function:", 1)[-1].split(":")[0]
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    tags: dict[str, str] = {}
    if action != "CreateFunction":
        try:
            tags = dict(lambda_backends[account][region].list_tags(arn))
        except Exception:  # no such function
            tags = {}
    # Lambda developer guide, "Using tags on Lambda functions": tags on create need TagResource.
    checks = _on_resource("lambda", action, arn, tags, _json_tags(request.get("Tags")), "CreateFunction")
    role = str(request.get("Role") or "")
    if role and action in ("CreateFunction", "UpdateFunctionConfiguration"):
        # IAM user guide, "Grant a user permissions to pass a role to an AWS service".
        keys = {"iam:PassedToService": ["lambda.amazonaws.com"]}
        checks.append(Check("iam:PassRole", (Resource(role),), keys))
    return checks


@dataclass(frozen=True)
class _Named:
    """Where a JSON request names a service's resource, by its ARN or by its name."""

    arn_key: str
    name_keys: tuple[str, ...]
    kind: str  # the ARN of a name: arn:aws:<service>:<region>:<account>:<kind><name>
    tags_key: str
    create: str  # the action that makes it


_NAMED = {
    # EventBridge user guide, "Tagging": a rule created with tags needs events:TagResource.
    "events": _Named("ResourceARN", ("Name", "Rule"), "rule/", "Tags", "PutRule"),
    # CloudWatch Logs API reference, CreateLogGroup: tags on create need logs:TagResource.
    "logs": _Named("resourceArn", ("logGroupName",), "log-group:", "tags", "CreateLogGroup"),
}


def _current_tags(service: str, account: str, region: str, arn: str) -> dict[str, str]:
    if service == "events":
        from moto.events.models import events_backends

        return dict(events_backends[account][region].tagger.get_tag_dict_for_resource(arn))
    from moto.logs.models import logs_backends

    return dict(logs_backends[account][region].list_tags_for_resource(arn))


def _rule_or_log_group(
    service: str, action: str, data: Mapping[str, Any], region: str, account: str, path: str, body: Any
) -> list[Check]:
    """An EventBridge rule's or a CloudWatch Logs log group's request."""
    named = _NAMED[service]
    request = _body(body)
    arn = str(request.get(named.arn_key) or "")
    name = next((str(request[key]) for key in named.name_keys if request.get(key)), "")
    if not arn and not name:
        return [Check(f"{service}:{action}", (Resource("*"),))]
    arn = (arn or f"arn:aws:{service}:{region}:{account}:{named.kind}{name}").removesuffix(":*")
    tags = _current_tags(service, account, region, arn)
    return _on_resource(service, action, arn, tags, _json_tags(request.get(named.tags_key)), named.create)


BUILDERS: dict[str, Callable[..., list[Check]]] = {
    "iam": _iam,
    "lambda": _lambda,
    "events": partial(_rule_or_log_group, "events"),
    "logs": partial(_rule_or_log_group, "logs"),
}
