"""The sandbox's model of an SNS e-mail subscription waiting for its confirmation.

moto 5.2 confirms every subscription at once. AWS sends an e-mail subscription a confirmation
message and holds it pending until the recipient clicks the link (SNS Developer Guide, "Email
notifications"); meanwhile ListSubscriptionsByTopic shows its ARN as `PendingConfirmation` and
GetSubscriptionAttributes says `PendingConfirmation: true`. The sandbox plays the DBA: it clicks
the link CONFIRM_SECONDS after subscribing (scaled by wizard/sandbox/timing.py: at once in tests,
a few seconds in the demo), or when a test calls `confirm()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wizard.sandbox import timing

EMAIL_PROTOCOLS = frozenset({"email", "email-json"})
# How long the simulated DBA takes to click the confirmation link: our estimate, not AWS's.
CONFIRM_SECONDS = 300.0


def pending(subscription: Any) -> bool:
    """Whether the e-mail subscription still waits for its confirmation."""
    if subscription.protocol not in EMAIL_PROTOCOLS or subscription.__dict__.get("_plw_confirmed"):
        return False
    if timing.has_passed(timing.mark(subscription, "subscribed"), CONFIRM_SECONDS):
        subscription.__dict__["_plw_confirmed"] = True
        return False
    return True


def confirm(subscription: Any) -> None:
    """The recipient clicks the confirmation link."""
    subscription.__dict__["_plw_confirmed"] = True


def _wrap_subscribe(original: Callable[..., Any]) -> Callable[..., Any]:
    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        subscription = original(self, topic_arn, endpoint, protocol)
        timing.mark(subscription, "subscribed")  # idempotent: a repeat keeps the first time
        return subscription

    subscribe.__wrapped__ = original  # type: ignore[attr-defined]
    return subscribe


def _wrap_attributes(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_subscription_attributes(self: Any, arn: str) -> Any:
        attributes = dict(original(self, arn))
        waiting = pending(self.subscriptions[arn])
        # API_GetSubscriptionAttributes: PendingConfirmation is 'true' until confirmed.
        attributes["PendingConfirmation"] = "true" if waiting else "false"
        attributes["ConfirmationWasAuthenticated"] = "false" if waiting else "true"
        return attributes

    get_subscription_attributes.__wrapped__ = original  # type: ignore[attr-defined]
    return get_subscription_attributes


def _wrap_listing(original: Callable[..., Any]) -> Callable[..., Any]:
    def list_subscriptions_by_topic(self: Any) -> Any:
        result = original(self)
        result.result["Subscriptions"] = [
            {
                # API_ListSubscriptionsByTopic: a pending subscription's ARN reads PendingConfirmation.
                "SubscriptionArn": "PendingConfirmation" if pending(s) else s.arn,
                "Owner": s.owner,
                "Protocol": s.protocol,
                "Endpoint": s.endpoint,
                "TopicArn": s.topic.arn,
            }
            for s in result.result.get("Subscriptions", [])
        ]
        return result

    list_subscriptions_by_topic.__wrapped__ = original  # type: ignore[attr-defined]
    return list_subscriptions_by_topic


def install() -> None:
    """Patch moto (called once, under moto_ext's lock)."""
    from moto.sns.models import SNSBackend
    from moto.sns.responses import SNSResponse

    SNSBackend.subscribe = _wrap_subscribe(SNSBackend.subscribe)  # type: ignore[method-assign]
    SNSBackend.get_subscription_attributes = _wrap_attributes(  # type: ignore[method-assign]
        SNSBackend.get_subscription_attributes
    )
    SNSResponse.list_subscriptions_by_topic = _wrap_listing(  # type: ignore[method-assign]
        SNSResponse.list_subscriptions_by_topic
    )
