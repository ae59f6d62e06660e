"""The sandbox's IAM policy simulator: SimulatePrincipalPolicy, which moto 5.2 lacks.

IAM API Reference, "SimulatePrincipalPolicy": the policies attached to a user (with its groups')
or a role, evaluated for each action name on each resource ARN ("*" when none is given), with
the condition keys the caller supplies as ContextEntries; each EvaluationResult names the action,
the resource and the decision (allowed, explicitDeny, implicitDeny), and lists the condition keys
a policy needed that no context entry gave (MissingContextValues). A missing principal is
NoSuchEntity. The evaluation is the sandbox's IAM model (wizard/sandbox/iam_model.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wizard.sandbox import iam_model


def _principal_documents(backend: Any, arn: str) -> list[dict[str, Any]]:
    from moto.iam.access_control import IAMPolicy
    from moto.iam.exceptions import NotFoundException

    policies: list[Any] = []
    kind, _, rest = arn.split(":", 5)[-1].partition("/")
    name = rest.rsplit("/", 1)[-1]
    if kind == "user":
        if not any(u.arn == arn for u in list(backend.users.values())):
            raise NotFoundException(f"The user with name {name} cannot be found.")
        policies += [backend.get_user_policy(name, p) for p in backend.list_user_policies(name)]
        policies += backend.list_attached_user_policies(name)[0]
        for group in backend.get_groups_for_user(name):
            policies += [
                backend.get_group_policy(group.name, p) for p in backend.list_group_policies(group.name)
            ]
            policies += backend.list_attached_group_policies(group.name)[0]
    elif kind == "role":
        role = next((r for r in list(backend.roles.values()) if r.arn == arn), None)
        if role is None:
            raise NotFoundException(f"The role with name {name} cannot be found.")
        policies += [backend.get_role_policy(role.name, p)[1] for p in backend.list_role_policies(role.name)]
        policies += backend.list_attached_role_policies(role.name)[0]
    else:
        raise NotFoundException(f"{arn} is not a user or a role.")
    return [dict(IAMPolicy(p)._policy_json) for p in policies]


def _context(query: Mapping[str, list[str]]) -> dict[str, list[str]]:
    entries: dict[int, dict[str, Any]] = {}
    pattern = re.compile(r"^ContextEntries\.member\.(\d+)\.(ContextKeyName|ContextKeyValues\.member\.(\d+))$")
    for key, values in query.items():
        match = pattern.match(key)
        if not match:
            continue
        entry = entries.setdefault(int(match.group(1)), {"name": "", "values": {}})
        if match.group(2) == "ContextKeyName":
            entry["name"] = values[0]
        else:
            entry["values"][int(match.group(3))] = values[0]
    return {e["name"]: [v for _, v in sorted(e["values"].items())] for e in entries.values() if e["name"]}


def evaluate(
    documents: list[dict[str, Any]], action: str, resource: str, context: dict[str, list[str]]
) -> dict[str, Any]:
    """One EvaluationResult: the decision and the condition keys nobody supplied."""
    missing: set[str] = set()
    decision = "implicitDeny"
    for document in documents:
        for statement in iam_model._as_list(document.get("Statement", [])):
            bare = {k: v for k, v in statement.items() if k != "Condition"}
            if not iam_model._statement_applies(bare, action, resource, {}):
                continue
            keys = {k for block in dict(statement.get("Condition", {})).values() for k in dict(block)}
            missing |= {k for k in keys if k not in context}
            if not iam_model._statement_applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == "Deny":
                decision = "explicitDeny"
            elif decision != "explicitDeny":
                decision = "allowed"
    result: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision,
    }
    if decision != "allowed" and missing:
        result["MissingContextValues"] = sorted(missing)
    return result


def _simulate_principal_policy(self: Any) -> Any:
    from moto.core.responses import ActionResult

    query = self.querystring
    arn = self._get_param("PolicySourceArn")
    actions = iam_model._values(query, "ActionNames")
    resources = iam_model._values(query, "ResourceArns") or ["*"]
    documents = _principal_documents(self.backend, arn)
    context = _context(query)
    results = [evaluate(documents, a, r, context) for a in actions for r in resources]
    return ActionResult({"EvaluationResults": results, "IsTruncated": False})


def install() -> None:
    from moto.iam.responses import IamResponse

    setattr(IamResponse, "simulate_principal_policy", _simulate_principal_policy)  # noqa: B010
