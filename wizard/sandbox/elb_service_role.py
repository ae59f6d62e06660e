"""The sandbox's model of Elastic Load Balancing's service-linked role.

ELB user guide, "Elastic Load Balancing service-linked role": AWS creates the role
AWSServiceRoleForElasticLoadBalancing when an account creates its first load balancer or target
group, with the caller's permissions: without iam:CreateServiceLinkedRole for
elasticloadbalancing.amazonaws.com that create is refused (AccessDenied, HTTP 403, naming the
action and the role's ARN, as reported e.g. in kubernetes/kops#16218). moto never asks.

Here, with moto's IAM enforcement on (`enable_iam_authentication`, `set_initial_no_auth_action_count`),
CreateLoadBalancer and CreateTargetGroup evaluate iam:CreateServiceLinkedRole for the caller's
policies as the sandbox's IAM model evaluates every other action (wizard/sandbox/iam_model.py),
with the condition key iam:AWSServiceName, while the role does not exist yet. Without enforcement (the
default in tests and the demo) the role is created silently.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

SERVICE = "elasticloadbalancing.amazonaws.com"
ROLE_NAME = "AWSServiceRoleForElasticLoadBalancing"
ROLE_PATH = f"/aws-service-role/{SERVICE}/"
ACTION = "iam:CreateServiceLinkedRole"

_lock = threading.Lock()


def install() -> None:
    """Patch moto's elbv2 responder (called once, from elb_model.install)."""
    from moto.elbv2.responses import ELBV2Response

    ELBV2Response._authenticate_and_authorize_normal_action = _note_enforcement(  # type: ignore[method-assign]
        ELBV2Response._authenticate_and_authorize_normal_action
    )
    for name in ("create_load_balancer", "create_target_group"):
        setattr(ELBV2Response, name, _needs_the_role(getattr(ELBV2Response, name)))


def role_arn(account_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:role{ROLE_PATH}{ROLE_NAME}"


def find_role(iam_backend: Any) -> Any | None:
    return next((r for r in list(iam_backend.roles.values()) if r.name == ROLE_NAME), None)


def _note_enforcement(original: Callable[..., Any]) -> Callable[..., Any]:
    def authenticate(self: Any, *args: Any, **kwargs: Any) -> None:
        from moto import settings
        from moto.core.authorization import ActionAuthenticatorMixin

        # moto counts requests it let through unchecked; this one is checked when the count is up.
        count = ActionAuthenticatorMixin.request_count
        self._plw_iam_enforced = count >= settings.INITIAL_NO_AUTH_ACTION_COUNT
        original(self, *args, **kwargs)

    authenticate.__wrapped__ = original  # type: ignore[attr-defined]
    return authenticate


def _needs_the_role(original: Callable[..., Any]) -> Callable[..., Any]:
    def create(self: Any) -> Any:
        ensure_role(self)
        return original(self)

    create.__wrapped__ = original  # type: ignore[attr-defined]
    return create


def ensure_role(response: Any) -> None:
    """Create the role for the caller's account, if missing and (under enforcement) allowed."""
    from moto.iam.models import iam_backends
    from moto.utilities.utils import get_partition

    partition = get_partition(response.region)
    iam = iam_backends[response.current_account][partition]
    arn = role_arn(response.current_account, partition)
    with _lock:
        if find_role(iam) is not None:
            return
        if getattr(response, "_plw_iam_enforced", False):
            _check_caller_may_create(response, partition, arn)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": [SERVICE]}, "Action": ["sts:AssumeRole"]}
            ],
        }
        iam.create_role(
            ROLE_NAME,
            json.dumps(trust),
            ROLE_PATH,
            permissions_boundary=None,
            description="Allows ELB to call AWS services on your behalf.",
            tags=[],
            max_session_duration="3600",
            linked_service=SERVICE,
        )


def _check_caller_may_create(response: Any, partition: str, arn: str) -> None:
    """Raise AWS's AccessDenied unless the caller's policies allow creating the role (evaluated
    as AWS does, by the sandbox's IAM model)."""
    from moto.core.exceptions import AccessDeniedError
    from moto.iam.access_control import IAMPolicy, create_access_key

    from wizard.sandbox.iam_model import Check, Resource, permits

    key = create_access_key(
        account_id=response.current_account,
        partition=partition,
        access_key_id=response.get_access_key(),
        headers=response.headers,
    )
    documents = [dict(IAMPolicy(p)._policy_json) for p in key.collect_policies()]
    if not permits(documents, Check(ACTION, (Resource(arn),), {"iam:AWSServiceName": [SERVICE]})):
        raise AccessDeniedError(
            user_arn=key.arn,
            action=(
                f"{ACTION} on resource: {arn} because no identity-based policy allows the {ACTION} action"
            ),
        )
