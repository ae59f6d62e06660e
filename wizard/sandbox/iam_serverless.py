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
from collections.abc import Mapping
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
    new_tags = {str(k): str(v) for k, v in dict(request.get("Tags") or {}).items()}
    checks = [Check(f"lambda:{action}", (Resource(arn, tags),), _tag_keys(new_tags))]
    if action == "CreateFunction" and new_tags:
        # Lambda developer guide, "Using tags on Lambda functions": tags on create need TagResource.
        checks.append(Check("lambda:TagResource", (Resource(arn),), _tag_keys(new_tags)))
    role = str(request.get("Role") or "")
    if role and action in ("CreateFunction", "UpdateFunctionConfiguration"):
        # IAM user guide, "Grant a user permissions to pass a role to an AWS service".
        keys = {"iam:PassedToService": ["lambda.amazonaws.com"]}
        checks.append(Check("iam:PassRole", (Resource(role),), keys))
    return checks


def _events(
    action: str, data: Mapping[str, Any], region: str, account: str, path: str, body: Any
) -> list[Check]:
    from moto.events.models import events_backends

    request = _body(body)
    arn = str(request.get("ResourceARN") or "")
    name = str(request.get("Name") or request.get("Rule") or "")
    if not arn and not name:
        return [Check(f"events:{action}", (Resource("*"),))]
    arn = arn or f"arn:aws:events:{region}:{account}:rule/{name}"
    backend = events_backends[account][region]
    tags = dict(backend.tagger.get_tag_dict_for_resource(arn))
    new_tags = {str(t["Key"]): str(t.get("Value", "")) for t in request.get("Tags") or []}
    checks = [Check(f"events:{action}", (Resource(arn, tags),), _tag_keys(new_tags))]
    if action == "PutRule" and new_tags:
        # EventBridge user guide, "Tagging": a rule created with tags needs events:TagResource.
        checks.append(Check("events:TagResource", (Resource(arn),), _tag_keys(new_tags)))
    return checks


def _logs(
    action: str, data: Mapping[str, Any], region: str, account: str, path: str, body: Any
) -> list[Check]:
    from moto.logs.models import logs_backends

    request = _body(body)
    arn = str(request.get("resourceArn") or "")
    name = str(request.get("logGroupName") or "")
    if not arn and not name:
        return [Check(f"logs:{action}", (Resource("*"),))]
    arn = (arn or f"arn:aws:logs:{region}:{account}:log-group:{name}").removesuffix(":*")
    tags = dict(logs_backends[account][region].list_tags_for_resource(arn))
    new_tags = {str(k): str(v) for k, v in dict(request.get("tags") or {}).items()}
    checks = [Check(f"logs:{action}", (Resource(arn, tags),), _tag_keys(new_tags))]
    if action == "CreateLogGroup" and new_tags:
        # CloudWatch Logs API reference, CreateLogGroup: tags on create need logs:TagResource.
        checks.append(Check("logs:TagResource", (Resource(arn),), _tag_keys(new_tags)))
    return checks


BUILDERS = {"iam": _iam, "lambda": _lambda, "events": _events, "logs": _logs}
