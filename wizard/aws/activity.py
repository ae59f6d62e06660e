"""Every AWS call, in plain words with its AWS CLI equivalent, as it happens.

Hooked into botocore's event system once per client, so no engine function has to remember to
log. The GUI's activity view, the CLI's --verbose output and the diagnostics report all read it.
"""

from __future__ import annotations

import json
import logging
import re
import shlex
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore import xform_name

log = logging.getLogger("wizard.activity")

# Plain words for the calls the wizard makes; anything else falls back to the operation name.
_PHRASES: dict[str, str] = {
    "GetCallerIdentity": "Checking who you are signed in as",
    "DescribeDBInstances": "Listing your RDS databases",
    "DescribeDBClusters": "Listing your database clusters (Aurora, Multi-AZ)",
    "DescribeDBProxies": "Listing your RDS Proxies",
    "DescribeDBProxyTargets": "Looking up the databases behind the RDS Proxy",
    "DescribeDBParameters": "Reading the database's parameters",
    "DescribeDBParameterGroups": "Reading the database's parameter groups",
    "CreateDBParameterGroup": "Creating a custom parameter group",
    "ModifyDBParameterGroup": "Changing a database parameter",
    "ModifyDBInstance": "Attaching a parameter group to the database",
    "RebootDBInstance": "Rebooting the database",
    "DescribeInstances": "Listing your EC2 servers",
    "DescribeVpcs": "Reading your networks (VPCs)",
    "DescribeSubnets": "Reading your subnets",
    "DescribeAvailabilityZones": "Reading the availability zones",
    "DescribeNetworkInterfaces": "Looking up the database's private IP addresses",
    "DescribeSecurityGroups": "Reading firewall rules (security groups)",
    "AuthorizeSecurityGroupIngress": "Opening the database port to the load balancer",
    "DescribeLoadBalancers": "Looking for the load balancer",
    "CreateLoadBalancer": "Creating the load balancer",
    "DeleteLoadBalancer": "Deleting the load balancer",
    "DescribeLoadBalancerAttributes": "Reading the load balancer's settings",
    "ModifyLoadBalancerAttributes": "Changing the load balancer's settings",
    "DescribeTargetGroups": "Looking for the target group",
    "CreateTargetGroup": "Creating the target group",
    "DeleteTargetGroup": "Deleting the target group",
    "DescribeTargetGroupAttributes": "Reading the target group's settings",
    "ModifyTargetGroupAttributes": "Changing the target group's settings",
    "RegisterTargets": "Registering the database as a target",
    "DeregisterTargets": "Removing old targets",
    "DescribeTargetHealth": "Checking target health",
    "DescribeListeners": "Looking for the listener",
    "CreateListener": "Creating the listener",
    "DeleteListener": "Deleting the listener",
    "DescribeTags": "Reading tags",
    "DescribeVpcEndpointServiceConfigurations": "Looking for the endpoint service",
    "CreateVpcEndpointServiceConfiguration": "Creating the endpoint service",
    "DeleteVpcEndpointServiceConfigurations": "Deleting the endpoint service",
    "DescribeVpcEndpointServicePermissions": "Reading who may connect (allowed principals)",
    "ModifyVpcEndpointServicePermissions": "Allowing the platform to connect",
    "DescribeVpcEndpointServices": "Reading the endpoint service's zones",
    "DescribeVpcEndpointConnections": "Listing connection requests",
    "AcceptVpcEndpointConnections": "Accepting the connection request",
    "RejectVpcEndpointConnections": "Rejecting the connection request",
    "SimulatePrincipalPolicy": "Checking your permissions",
    "GetRole": "Looking up an IAM role (yours for the permission check, or the target sync's)",
    "CopyDBParameterGroup": "Copying the database's parameter group",
    "DeleteDBParameterGroup": "Deleting an old parameter group of the link",
    "DescribeDBClusterParameters": "Reading the cluster's parameters",
    "DescribeDBSubnetGroups": "Reading the database's subnet group",
    "ListTagsForResource": "Reading tags",
    "CreateSecurityGroup": "Creating the load balancer's security group",
    "DeleteSecurityGroup": "Deleting the load balancer's security group",
    "DescribeSecurityGroupRules": "Reading firewall rules",
    "RevokeSecurityGroupIngress": "Removing a firewall rule the wizard added",
    "RevokeSecurityGroupEgress": "Removing a firewall rule the wizard added",
    "SetSecurityGroups": "Letting PrivateLink traffic past the load balancer's security group",
    "SetSubnets": "Adding a zone (subnet) to the load balancer",
    "ModifyVpcEndpointServiceConfiguration": "Changing the endpoint service's settings",
    # The target sync (issue 17): its function, role, triggers and log, and the state it keeps.
    "AddTags": "Noting the target sync's state on the target group",
    "RemoveTags": "Noting the target sync's state on the target group",
    "GetFunction": "Looking for the target sync function",
    "CreateFunction": "Creating the target sync function",
    "UpdateFunctionCode": "Updating the target sync's code",
    "UpdateFunctionConfiguration": "Updating the target sync's settings",
    "AddPermission": "Letting EventBridge run the target sync",
    "DeleteFunction": "Deleting the target sync function",
    "CreateRole": "Creating the target sync's role",
    "PutRolePolicy": "Allowing the target sync only this link's target group",
    "DeleteRolePolicy": "Deleting the target sync's role",
    "DeleteRole": "Deleting the target sync's role",
    "DescribeRule": "Looking for the target sync's triggers",
    "PutRule": "Creating the target sync's trigger",
    "PutTargets": "Pointing the trigger at the target sync",
    "RemoveTargets": "Removing the target sync's trigger",
    "DeleteRule": "Removing the target sync's trigger",
    "DescribeLogGroups": "Looking for the target sync's log",
    "CreateLogGroup": "Creating the target sync's log",
    "PutRetentionPolicy": "Keeping the target sync's log two weeks",
    "DeleteLogGroup": "Deleting the target sync's log",
    # The link's alerts (wizard/aws/alerts.py).
    "ListTopics": "Looking for the alert topic",
    "CreateTopic": "Creating the alert topic",
    "GetTopicAttributes": "Reading the alert topic's policy",
    "SetTopicAttributes": "Letting only the link's notices publish to the alert topic",
    "ListSubscriptionsByTopic": "Reading the alert topic's subscriptions",
    "Subscribe": "Subscribing your e-mail address to the alerts",
    "Unsubscribe": "Removing an alert e-mail subscription",
    "DeleteTopic": "Deleting the alert topic",
    "DescribeAlarms": "Looking for the health alarm",
    "PutMetricAlarm": "Creating (or updating) the health alarm",
    "DeleteAlarms": "Deleting the health alarm",
    "DescribeVpcEndpointConnectionNotifications": "Looking for the connection notices",
    "CreateVpcEndpointConnectionNotification": "Turning on the endpoint service's connection notices",
    "DeleteVpcEndpointConnectionNotifications": "Turning off the connection notices",
}

# Parameters that must never be shown, logged or exported.
_SECRET_PARAMS = {"SecretAccessKey", "SessionToken", "Password", "MasterUserPassword"}


def phrase(operation: str) -> str:
    if operation in _PHRASES:
        return _PHRASES[operation]
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", operation).lower()
    return words[:1].upper() + words[1:]


def _kebab(name: str) -> str:
    # botocore's own conversion, as the AWS CLI uses: DescribeDBInstances -> describe-db-instances.
    return xform_name(name, "-")


def cli_equivalent(service: str, operation: str, params: dict[str, Any], region: str) -> str:
    """The AWS CLI command that does the same thing, ready to copy."""
    parts = ["aws", service, _kebab(operation)]
    for key, value in params.items():
        flag = f"--{_kebab(key)}"
        if key in _SECRET_PARAMS:
            parts += [flag, "****"]
        elif isinstance(value, bool):
            parts.append(flag if value else f"--no-{_kebab(key)}")
        elif isinstance(value, str | int | float):
            parts += [flag, str(value)]
        elif isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            parts += [flag, *(str(v) for v in value)]
        else:
            parts += [flag, json.dumps(value, separators=(",", ":"), default=str)]
    if region:
        parts += ["--region", region]
    return " ".join(shlex.quote(p) for p in parts)


@dataclass
class ActivityEvent:
    time: datetime
    service: str
    operation: str
    summary: str
    cli: str
    ok: bool = True
    error_code: str = ""
    duration_ms: int = 0
    attempts: int = 1
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def result(self) -> str:
        # A lookup that finds nothing is the expected start of find-or-create, not a failure.
        if not self.ok and self.operation.startswith("Describe") and "NotFound" in self.error_code:
            return "nothing found"
        return "done" if self.ok else f"failed ({self.error_code})"

    def line(self) -> str:
        status = self.result
        return f"{self.time:%H:%M:%S}  {self.summary} — {status}"


class ActivityLog:
    """A thread-safe ring buffer of events plus subscribers (the GUI view, the CLI printer)."""

    def __init__(self, size: int = 500) -> None:
        self._events: deque[ActivityEvent] = deque(maxlen=size)
        self._subscribers: list[Callable[[ActivityEvent], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callable[[ActivityEvent], None]) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def record(self, event: ActivityEvent) -> None:
        with self._lock:
            self._events.append(event)
            subscribers = list(self._subscribers)
        log.info("%s | %s", event.line(), event.cli)
        for callback in subscribers:
            callback(event)

    def events(self) -> list[ActivityEvent]:
        with self._lock:
            return list(self._events)

    def clear(self) -> None:
        with self._lock:
            self._events.clear()


ACTIVITY = ActivityLog()


def attach(client: Any, region: str, activity: ActivityLog = ACTIVITY) -> None:
    """Report every call `client` makes to `activity`."""
    service = client.meta.service_model.endpoint_prefix
    cli_service = {"elasticloadbalancing": "elbv2", "monitoring": "cloudwatch"}.get(service, service)
    # Keyed by thread: one client is shared by the worker threads.
    started: dict[int, float] = {}
    call_params: dict[int, dict[str, Any]] = {}

    def provide_params(params: dict[str, Any], **_: Any) -> None:
        # The user-level parameters (before serialisation) make the readable CLI equivalent.
        call_params[threading.get_ident()] = dict(params)

    def before_call(**_: Any) -> None:
        started[threading.get_ident()] = time.monotonic()

    def after_call(model: Any, parsed: dict[str, Any], **_: Any) -> None:
        _finish(model.name, str(parsed.get("Error", {}).get("Code", "")), parsed)

    def after_call_error(event_name: str, exception: Exception, **_: Any) -> None:
        # botocore passes no operation model here: the operation is the event name's last part.
        _finish(event_name.rsplit(".", 1)[-1], type(exception).__name__, {})

    def _finish(op: str, error_code: str, parsed: dict[str, Any]) -> None:
        t0 = started.pop(threading.get_ident(), time.monotonic())
        params = call_params.pop(threading.get_ident(), {})
        attempts = int(parsed.get("ResponseMetadata", {}).get("RetryAttempts", 0)) + 1
        activity.record(
            ActivityEvent(
                time=datetime.now(),
                service=cli_service,
                operation=op,
                summary=phrase(op),
                cli=cli_equivalent(cli_service, op, params, region),
                ok=not error_code,
                error_code=error_code,
                duration_ms=int((time.monotonic() - t0) * 1000),
                attempts=attempts,
                params={k: v for k, v in params.items() if k not in _SECRET_PARAMS},
            )
        )

    events = client.meta.events
    events.register("provide-client-params.*.*", provide_params)
    events.register("before-call.*.*", before_call)
    events.register("after-call.*.*", after_call)
    events.register("after-call-error.*.*", after_call_error)
