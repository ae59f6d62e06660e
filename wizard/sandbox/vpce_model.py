"""The sandbox's model of two PrivateLink behaviours moto 5.2 lacks.

- Connection notifications: moto has no Create/Describe/DeleteVpcEndpointConnectionNotification(s).
  The sandbox keeps them per account and region, and when a connection to the service is
  requested, accepted, rejected or deleted it publishes to the notification's SNS topic, as AWS
  does, if the topic's policy lets vpce.amazonaws.com publish (AWS drops the message otherwise).
- DNS names: moto names an interface endpoint `vpce-…-xxxx.com.amazonaws.vpce.<region>.vpce-svc-…`;
  AWS gives a Regional name and one name per zone under `<service-id>.<region>.vpce.amazonaws.com`,
  which the provider reads in its connection list (`DnsEntries`).
"""

from __future__ import annotations

import inspect
import json
import logging
import random
import string
from collections.abc import Callable
from typing import Any

from wizard.sandbox import sns_model

log = logging.getLogger("wizard.sandbox")
# API_CreateVpcEndpointConnectionNotification: ConnectionEvents are Accept, Connect, Delete, Reject.
EVENTS = frozenset({"Accept", "Connect", "Delete", "Reject"})
# API_DescribeVpcEndpointConnectionNotifications: the filters it takes.
NOTIFICATION_FILTERS = {
    "connection-notification-arn": "ConnectionNotificationArn",
    "connection-notification-id": "ConnectionNotificationId",
    "connection-notification-state": "ConnectionNotificationState",
    "connection-notification-type": "ConnectionNotificationType",
    "service-id": "ServiceId",
    "vpc-endpoint-id": "VpcEndpointId",
}


def notifications(ec2_backend: Any) -> dict[str, dict[str, Any]]:
    """This account's connection notifications in the backend's region, by id."""
    found: dict[str, dict[str, Any]] = ec2_backend.__dict__.setdefault("_plw_notifications", {})
    return found


def _error(code: str, message: str) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError(code, message)


def _new_id(prefix: str, length: int = 17) -> str:
    return prefix + "".join(random.choices("0123456789abcdef", k=length))


# --- the three actions (responder methods) -------------------------------------------------------


def _create_notification(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.sns.models import sns_backends

    service_id = self._get_param("ServiceId") or ""
    endpoint_id = self._get_param("VpcEndpointId") or ""
    topic_arn = self._get_param("ConnectionNotificationArn") or ""
    events = list(self._get_param("ConnectionEvents", []) or [])
    token = self._get_param("ClientToken") or ""
    made = notifications(self.ec2_backend)
    if token:
        again = next((n for n in made.values() if n.get("_token") == token), None)
        if again is not None:  # "Ensuring idempotency" (EC2 API Reference): the same one again
            return ActionResult({"ConnectionNotification": _shown(again), "ClientToken": token})
    if not service_id and not endpoint_id:
        raise _error("MissingParameter", "Either ServiceId or VpcEndpointId must be specified")
    if service_id and self.ec2_backend.get_vpc_endpoint_service(service_id) is None:
        raise _error(
            "InvalidVpcEndpointServiceId.NotFound", f"The VpcEndpointService Id '{service_id}' does not exist"
        )
    if not events or set(events) - EVENTS:
        raise _error(
            "InvalidParameterValue",
            f"Invalid ConnectionEvents {events}: the valid values are Accept, Connect, Delete and Reject",
        )
    parts = topic_arn.split(":")
    topics = sns_backends[parts[4]][parts[3]].topics if len(parts) == 6 and parts[2] == "sns" else {}
    if topic_arn not in topics:  # the code and wording are ours: AWS does not document them
        raise _error("InvalidParameterValue", f"The SNS topic '{topic_arn}' does not exist")
    notification = {
        "ConnectionNotificationId": _new_id("vpce-nfn-"),
        "ServiceId": service_id,
        "VpcEndpointId": endpoint_id,
        "ConnectionNotificationType": "Topic",
        "ConnectionNotificationArn": topic_arn,
        "ConnectionEvents": events,
        "ConnectionNotificationState": "Enabled",
        "ServiceRegion": self.region,
        "_token": token,
    }
    made[notification["ConnectionNotificationId"]] = notification
    return ActionResult({"ConnectionNotification": _shown(notification), "ClientToken": token})


def _shown(notification: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in notification.items() if v and not k.startswith("_")}


def _describe_notifications(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import InvalidFilter, InvalidNextToken

    filters = self._filters_from_querystring()
    for name in filters:
        if name not in NOTIFICATION_FILTERS:
            raise InvalidFilter(name)
    wanted = self._get_param("ConnectionNotificationId")
    found = [
        _shown(n)
        for n in notifications(self.ec2_backend).values()
        if (not wanted or n["ConnectionNotificationId"] == wanted)
        and all(str(n.get(NOTIFICATION_FILTERS[k], "")) in v for k, v in filters.items())
    ]
    start = 0
    token = self._get_param("NextToken")
    if token:
        if not str(token).isdigit():
            raise InvalidNextToken(token)
        start = int(token)
    size = self._get_int_param("MaxResults") or 1000
    result: dict[str, Any] = {"ConnectionNotificationSet": found[start : start + size]}
    if start + size < len(found):
        result["NextToken"] = str(start + size)
    return ActionResult(result)


def _delete_notifications(self: Any) -> Any:
    from moto.core.responses import ActionResult

    made = notifications(self.ec2_backend)
    unsuccessful = []
    for notification_id in self._get_param("ConnectionNotificationIds", []) or []:
        if made.pop(notification_id, None) is None:
            unsuccessful.append(
                {
                    "ResourceId": notification_id,
                    # API_DeleteVpcEndpointConnectionNotifications reports failures per id.
                    "Error": {
                        "Code": "InvalidConnectionNotification",
                        "Message": f"The connection notification '{notification_id}' does not exist",
                    },
                }
            )
    return ActionResult({"Unsuccessful": unsuccessful})


# --- publishing the events ---------------------------------------------------------------------


def _service_arn(owner: Any, config: Any) -> str:
    return f"arn:aws:ec2:{owner.region_name}:{owner.account_id}:vpc-endpoint-service/{config.id}"


def vpce_may_publish(policy: dict[str, Any], topic_arn: str, service_arn: str, account: str) -> bool:
    """Whether the topic's access policy lets the VPC endpoint service publish for this service
    (PrivateLink guide, "Receive alerts for endpoint service events": add an access policy)."""
    from wizard.sandbox.iam_model import Resource, decide

    def from_vpce(statement: dict[str, Any]) -> bool:
        services = statement.get("Principal", {})
        services = services.get("Service", []) if isinstance(services, dict) else []
        return "vpce.amazonaws.com" in ([services] if isinstance(services, str) else services)

    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    document = {"Statement": [s for s in statements if from_vpce(s)]}
    keys = {"aws:SourceArn": [service_arn], "aws:SourceAccount": [account]}
    return decide([document], "sns:Publish", Resource(topic_arn), keys)


def notify(owner: Any, config: Any, endpoint: Any, event: str) -> list[str]:
    """Publish `event` for `endpoint` to each topic the service's notifications name; returns
    the topics that took it."""
    from moto.sns.models import sns_backends

    took = []
    for notification in list(notifications(owner).values()):
        if notification["ServiceId"] != config.id or event not in notification["ConnectionEvents"]:
            continue
        topic_arn = notification["ConnectionNotificationArn"]
        topic = sns_backends[owner.account_id][owner.region_name].topics.get(topic_arn)
        if topic is None:
            continue
        policy = json.loads(topic.policy) if isinstance(topic.policy, str) else dict(topic.policy)
        if not vpce_may_publish(policy, topic_arn, _service_arn(owner, config), owner.account_id):
            continue
        # The message's wording is ours (AWS sends its own JSON); the event and ids are AWS's.
        message = json.dumps(
            {
                "eventType": event,
                "endpointId": endpoint.id,
                "endpointOwner": endpoint.ec2_backend.account_id,
                "serviceId": config.id,
                "endpointState": endpoint.state,
            }
        )
        subject = f"VPC endpoint connection {event}: {endpoint.id}"
        topic.publish(message, subject=subject)
        took.append(topic_arn)
        for sub in list(topic.sns_backend.subscriptions.values()):
            if sub.topic is topic and sub.protocol == "email" and not sns_model.pending(sub):
                log.info("Sandbox e-mail to %s: %s", sub.endpoint, subject)  # what the DBA would read
    return took


def _endpoint_dns_entries(endpoint: Any, config: Any, region: str) -> list[dict[str, str]]:
    """PrivateLink guide, "DNS hostnames": a Regional name vpce-<id>-<suffix>.<service-id>.<region>.
    vpce.amazonaws.com, then one zonal name per zone with -<zone> after the suffix."""
    suffix = "".join(random.choices(string.ascii_lowercase + string.digits, k=8))
    domain = f"{config.id}.{region}.vpce.amazonaws.com"
    zone_id = "Z" + "".join(random.choices(string.ascii_uppercase + string.digits, k=12))
    names = [f"{endpoint.id}-{suffix}.{domain}"]
    zones = []
    for subnet_id in endpoint.subnet_ids or []:
        try:
            zones.append(endpoint.ec2_backend.get_subnet(subnet_id).availability_zone)
        except Exception:  # a subnet moto no longer knows: no zonal name for it
            continue
    names += [f"{endpoint.id}-{suffix}-{zone}.{domain}" for zone in sorted(set(zones))]
    return [{"dns_name": name, "hosted_zone_id": zone_id} for name in names]


def _wrap_create_vpc_endpoint(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def create_vpc_endpoint(self: Any, *args: Any, **kwargs: Any) -> Any:
        from wizard.sandbox.moto_ext import find_service_by_name

        bound = signature.bind(self, *args, **kwargs)
        endpoint = original(*bound.args, **bound.kwargs)
        found = find_service_by_name(self.region_name, str(bound.arguments.get("service_name", "")))
        if found is not None and str(endpoint.vpc_endpoint_type or "").lower() == "interface":
            owner, config = found
            endpoint.dns_entries = _endpoint_dns_entries(endpoint, config, self.region_name)
            notify(owner, config, endpoint, "Connect")
        return endpoint

    create_vpc_endpoint.__wrapped__ = original  # type: ignore[attr-defined]
    return create_vpc_endpoint


def _wrap_change(original: Callable[..., Any], event: str) -> Callable[..., Any]:
    """Accept or Reject: publish for each endpoint the call changed."""

    def change(self: Any) -> Any:
        from wizard.sandbox.moto_ext import connections_of

        result = original(self)
        config = self.ec2_backend.get_vpc_endpoint_service(self._get_param("ServiceId"))
        failed = {u["ResourceId"] for u in result.result.get("Unsuccessful", [])}
        by_id = {e.id: e for e in connections_of(config, self.region)} if config else {}
        for endpoint_id in self._get_param("VpcEndpointIds", []) or []:
            if endpoint_id in by_id and endpoint_id not in failed:
                notify(self.ec2_backend, config, by_id[endpoint_id], event)
        return result

    change.__wrapped__ = original  # type: ignore[attr-defined]
    return change


def _wrap_delete_vpc_endpoints(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_vpc_endpoints(self: Any, vpce_ids: list[str] | None = None) -> Any:
        from wizard.sandbox.moto_ext import find_service_by_name

        result = original(self, vpce_ids)
        for endpoint_id in vpce_ids or []:
            endpoint = self.vpc_end_points.get(endpoint_id)
            found = find_service_by_name(self.region_name, endpoint.service_name) if endpoint else None
            if found is not None:
                notify(found[0], found[1], endpoint, "Delete")
        return result

    delete_vpc_endpoints.__wrapped__ = original  # type: ignore[attr-defined]
    return delete_vpc_endpoints


def install() -> None:
    """Patch moto (called once, under moto_ext's lock, after moto_ext's own patches)."""
    from moto.ec2.models import EC2Backend
    from moto.ec2.responses import EC2Response

    EC2Response.create_vpc_endpoint_connection_notification = _create_notification  # type: ignore[attr-defined]
    EC2Response.describe_vpc_endpoint_connection_notifications = _describe_notifications  # type: ignore[attr-defined]
    EC2Response.delete_vpc_endpoint_connection_notifications = _delete_notifications  # type: ignore[attr-defined]
    EC2Backend.create_vpc_endpoint = _wrap_create_vpc_endpoint(EC2Backend.create_vpc_endpoint)  # type: ignore[method-assign]
    EC2Backend.delete_vpc_endpoints = _wrap_delete_vpc_endpoints(EC2Backend.delete_vpc_endpoints)  # type: ignore[method-assign]
    for name, event in (("accept", "Accept"), ("reject", "Reject")):  # moto_ext's own methods
        method = f"{name}_vpc_endpoint_connections"
        setattr(EC2Response, method, _wrap_change(getattr(EC2Response, method), event))
