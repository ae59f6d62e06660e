"""Optional alerts for a link, so nobody has to watch it: one SNS topic with an e-mail
subscription, fed by (a) the endpoint service's connection notifications (a request is waiting,
accepted, rejected, deleted) and (b) a CloudWatch alarm when the target group has had no healthy
target for 5 minutes. Each piece is found (by name and the link's tags) before it is made."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wizard.alert_words import COST, validate_email
from wizard.aws.errors import aws_step
from wizard.aws.nlb import is_ours, name_taken_error
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import link_tags

# API_CreateVpcEndpointConnectionNotification: the four endpoint events there are.
EVENTS = ("Connect", "Accept", "Reject", "Delete")
PENDING = "PendingConfirmation"  # API_ListSubscriptionsByTopic: a subscription not yet confirmed
# "CloudWatch metrics for your Network Load Balancer": HealthyHostCount in AWS/NetworkELB, with
# the dimensions TargetGroup and LoadBalancer (each the final portion of its ARN).
NAMESPACE = "AWS/NetworkELB"
METRIC = "HealthyHostCount"
PERIOD_SECONDS = 60
EVALUATION_PERIODS = 5  # fewer than 1 healthy target in each of 5 minutes in a row
THRESHOLD = 1.0
__all__ = ["COST", "AlertsInfo", "ensure_alerts", "read_alerts", "validate_email"]
KIND_WORDS = {
    "connection-notification": "connection notification",
    "alarm": "CloudWatch alarm",
    "alert-subscription": "alert e-mail subscription",
    "alert-topic": "SNS topic for alerts",
}
KINDS = tuple(KIND_WORDS)  # the order teardown deletes them in


def topic_name(link_name: str) -> str:
    return f"{link_name}-alerts"


def alarm_name(link_name: str) -> str:
    return f"{link_name}-no-healthy-database"


def database_alarm_name(link_name: str, listener_port: int) -> str:
    """The health alarm of a database added to the link (its listener port tells them apart)."""
    return f"{alarm_name(link_name)}-{listener_port}"


def dimension(arn: str) -> str:
    """A load balancer's or target group's CloudWatch dimension: its ARN after 'loadbalancer/'
    (net/NAME/ID) or after the last ':' (targetgroup/NAME/ID)."""
    return arn.split(":loadbalancer/", 1)[1] if ":loadbalancer/" in arn else arn.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class AlertsInfo:
    topic_arn: str
    email: str = ""
    confirmed: bool = False
    subscription_arn: str = ""  # "PendingConfirmation" until the DBA clicks the link in the e-mail
    notification_id: str = ""
    events: tuple[str, ...] = ()
    alarm_name: str = ""
    alarm_state: str = ""  # OK | ALARM | INSUFFICIENT_DATA

    def missing(self) -> list[str]:
        """What a complete set of alerts has and this one lacks, in plain words."""
        gone = [] if self.email else ["the e-mail subscription"]
        gone += [] if self.notification_id else ["the endpoint service's connection notification"]
        return gone + ([] if self.alarm_name else ["the health alarm"])

    def lines(self) -> list[str]:
        """What status shows, one fact a line."""
        mail = (
            "waiting for you to confirm the e-mail (open the message from AWS Notifications and "
            "click 'Confirm subscription')"
            if self.email and not self.confirmed
            else "confirmed"
        )
        lines = [f"E-mail to {self.email}: {mail}" if self.email else "No e-mail subscription"]
        if self.notification_id:
            lines.append(f"Connection notices ({', '.join(self.events)}): {self.notification_id}")
        if self.alarm_name:
            lines.append(f"Alarm {self.alarm_name} (no healthy target for 5 minutes): {self.alarm_state}")
        return lines


# --- reading -------------------------------------------------------------------------------------


def _topic_tags(aws: AwsContext, arn: str) -> dict[str, str]:
    with aws_step("Reading the alert topic's tags", "sns:ListTagsForResource"):
        tags = aws.client("sns").list_tags_for_resource(ResourceArn=arn).get("Tags", [])
    return {t["Key"]: t.get("Value", "") for t in tags}


def find_topic(aws: AwsContext, link_name: str, strict: bool = False) -> str:
    """The link's alert topic's ARN ("" if none). A topic of that name that is not the link's is
    ignored, or refused when `strict` (about to create one)."""
    with aws_step("Looking for the alert topic", "sns:ListTopics"):
        pages = aws.client("sns").get_paginator("list_topics").paginate()
        arns = [t["TopicArn"] for page in pages for t in page.get("Topics", [])]
    wanted = f":{topic_name(link_name)}"
    for arn in arns:
        if arn.endswith(wanted):
            if is_ours(_topic_tags(aws, arn), link_name):
                return arn
            if strict:
                raise name_taken_error("SNS topic", topic_name(link_name), link_name)
    return ""


def subscriptions(aws: AwsContext, topic_arn: str) -> list[dict[str, Any]]:
    with aws_step("Reading the alert topic's subscriptions", "sns:ListSubscriptionsByTopic"):
        pages = aws.client("sns").get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
        return [s for page in pages for s in page.get("Subscriptions", [])]


def find_notifications(aws: AwsContext, service_id: str, topic_arn: str) -> list[dict[str, Any]]:
    """The service's connection notifications that publish to the link's topic."""
    if not service_id or not topic_arn:
        return []
    with aws_step(
        "Looking for the endpoint service's connection notification",
        "ec2:DescribeVpcEndpointConnectionNotifications",
    ):
        pages = aws.ec2.get_paginator("describe_vpc_endpoint_connection_notifications").paginate(
            Filters=[{"Name": "service-id", "Values": [service_id]}]
        )
        found = [n for page in pages for n in page.get("ConnectionNotificationSet", [])]
    return [n for n in found if n.get("ConnectionNotificationArn") == topic_arn]


def find_alarm(aws: AwsContext, link_name: str) -> dict[str, Any] | None:
    """The link's health alarm, if it exists and carries the link's tags."""
    with aws_step("Looking for the health alarm", "cloudwatch:DescribeAlarms"):
        alarms = (
            aws.client("cloudwatch")
            .describe_alarms(AlarmNames=[alarm_name(link_name)])
            .get("MetricAlarms", [])
        )
    if not alarms:
        return None
    with aws_step("Reading the health alarm's tags", "cloudwatch:ListTagsForResource"):
        tags = (
            aws.client("cloudwatch").list_tags_for_resource(ResourceARN=alarms[0]["AlarmArn"]).get("Tags", [])
        )
    return alarms[0] if is_ours({t["Key"]: t.get("Value", "") for t in tags}, link_name) else None


def _alarm_taken(aws: AwsContext, link_name: str) -> bool:
    with aws_step("Looking for the health alarm", "cloudwatch:DescribeAlarms"):
        return bool(
            aws.client("cloudwatch").describe_alarms(AlarmNames=[alarm_name(link_name)]).get("MetricAlarms")
        )


def read_alerts(aws: AwsContext, link_name: str, service_id: str) -> AlertsInfo | None:
    """The link's alerts as they are in AWS, or None when it has none. Reads only."""
    topic = find_topic(aws, link_name)
    alarm = find_alarm(aws, link_name)
    if not topic and alarm is None:
        return None
    mails = [s for s in subscriptions(aws, topic) if s.get("Protocol") == "email"] if topic else []
    notes = find_notifications(aws, service_id, topic)
    mail = next((s for s in mails if s.get("SubscriptionArn") != PENDING), mails[0] if mails else {})
    return AlertsInfo(
        topic_arn=topic,
        email=str(mail.get("Endpoint", "")),
        confirmed=bool(mail) and mail.get("SubscriptionArn") != PENDING,
        subscription_arn=str(mail.get("SubscriptionArn", "")),
        notification_id=str(notes[0]["ConnectionNotificationId"]) if notes else "",
        events=tuple(notes[0].get("ConnectionEvents", [])) if notes else (),
        alarm_name=alarm["AlarmName"] if alarm else "",
        alarm_state=alarm.get("StateValue", "") if alarm else "",
    )


# --- making --------------------------------------------------------------------------------------


def topic_policy(topic_arn: str, service_id: str, link_name: str) -> dict[str, Any]:
    """Only the endpoint service's notifications and the link's alarm may publish, each for this
    account and resource only (PrivateLink guide, "Receive alerts for endpoint service events";
    SNS Developer Guide, "Amazon SNS access control case examples": CloudWatch alarms)."""
    _, partition, _, region, account, _ = topic_arn.split(":", 5)
    source = {"StringEquals": {"aws:SourceAccount": account}}

    def statement(sid: str, service: str, source_arn: str) -> dict[str, Any]:
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "SNS:Publish",
            "Resource": topic_arn,
            "Condition": {"ArnLike": {"aws:SourceArn": source_arn}, **source},
        }

    return {
        "Version": "2012-10-17",
        "Id": f"privatelink-wizard-{link_name}-alerts",
        "Statement": [
            statement(
                "EndpointServiceNotifications",
                "vpce.amazonaws.com",
                f"arn:{partition}:ec2:{region}:{account}:vpc-endpoint-service/{service_id}",
            ),
            statement(
                "HealthAlarm",
                "cloudwatch.amazonaws.com",
                f"arn:{partition}:cloudwatch:{region}:{account}:alarm:{alarm_name(link_name)}",
            ),
        ],
    }


def _ensure_topic(aws: AwsContext, link_name: str, service_id: str, noted: Callable[[str, str], None]) -> str:
    topic = find_topic(aws, link_name, strict=True)
    if not topic:
        with aws_step("Creating the alert topic", "sns:CreateTopic"):
            topic = aws.client("sns").create_topic(Name=topic_name(link_name), Tags=link_tags(link_name))[
                "TopicArn"
            ]
    noted("alert-topic", topic)
    wanted = topic_policy(topic, service_id, link_name)
    with aws_step("Reading the alert topic's policy", "sns:GetTopicAttributes"):
        current = aws.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"].get("Policy", "{}")
    if json.loads(current) != wanted:
        with aws_step("Letting only the link's notices publish to the alert topic", "sns:SetTopicAttributes"):
            aws.client("sns").set_topic_attributes(
                TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(wanted)
            )
    return topic


def _ensure_subscription(aws: AwsContext, topic: str, email: str, noted: Callable[[str, str], None]) -> None:
    mails = [s for s in subscriptions(aws, topic) if s.get("Protocol") == "email"]
    if not any(s.get("Endpoint", "").lower() == email.lower() for s in mails):
        with aws_step("Subscribing your e-mail address to the alerts", "sns:Subscribe"):
            made = aws.client("sns").subscribe(
                TopicArn=topic, Protocol="email", Endpoint=email, ReturnSubscriptionArn=True
            )
        noted("alert-subscription", made["SubscriptionArn"])
    for old in mails:  # another address asked before: the link now mails only this one
        arn = str(old.get("SubscriptionArn", ""))
        if old.get("Endpoint", "").lower() != email.lower() and arn.startswith("arn:"):
            with aws_step("Removing the earlier alert address", "sns:Unsubscribe"):
                aws.client("sns").unsubscribe(SubscriptionArn=arn)


def _ensure_notification(
    aws: AwsContext, service_id: str, topic: str, noted: Callable[[str, str], None]
) -> None:
    found = find_notifications(aws, service_id, topic)
    if found and set(found[0].get("ConnectionEvents", [])) == set(EVENTS):
        noted("connection-notification", found[0]["ConnectionNotificationId"])
        return
    for old in found:  # events other than the four: made again with all of them
        delete_notification(aws, old["ConnectionNotificationId"])
    # "Ensuring idempotency" (EC2 API Reference): a retried call with this token makes no second one.
    token = hashlib.sha256(f"{service_id} {topic}".encode()).hexdigest()[:32]
    with aws_step(
        "Turning on the endpoint service's connection notices", "ec2:CreateVpcEndpointConnectionNotification"
    ):
        made = aws.ec2.create_vpc_endpoint_connection_notification(
            ServiceId=service_id,
            ConnectionNotificationArn=topic,
            ConnectionEvents=list(EVENTS),
            ClientToken=token,
        )["ConnectionNotification"]
    noted("connection-notification", made["ConnectionNotificationId"])


def _ensure_alarm(
    aws: AwsContext, link_name: str, topic: str, target_group_arn: str, nlb_arn: str, name: str = ""
) -> None:
    if not name and find_alarm(aws, link_name) is None and _alarm_taken(aws, link_name):
        raise name_taken_error("CloudWatch alarm", alarm_name(link_name), link_name)
    with aws_step("Creating (or updating) the health alarm", "cloudwatch:PutMetricAlarm"):
        aws.client("cloudwatch").put_metric_alarm(
            AlarmName=name or alarm_name(link_name),
            AlarmDescription=(
                f"privatelink-wizard link {link_name}: no healthy database target behind the "
                "load balancer for 5 minutes, so the platform cannot reach the database."
            ),
            ActionsEnabled=True,
            AlarmActions=[topic],
            OKActions=[topic],  # and a mail when it is healthy again
            Namespace=NAMESPACE,
            MetricName=METRIC,
            Dimensions=[
                {"Name": "TargetGroup", "Value": dimension(target_group_arn)},
                {"Name": "LoadBalancer", "Value": dimension(nlb_arn)},
            ],
            # Each load balancer node reports what it sees; only when none sees a healthy target
            # is the database out of reach (a node in a zone without the database sees 0).
            Statistic="Maximum",
            Period=PERIOD_SECONDS,
            EvaluationPeriods=EVALUATION_PERIODS,
            DatapointsToAlarm=EVALUATION_PERIODS,
            Threshold=THRESHOLD,
            ComparisonOperator="LessThanThreshold",
            # No data at all means the load balancer or its target group is gone: an outage too.
            TreatMissingData="breaching",
            Tags=link_tags(link_name),
        )


def ensure_alerts(
    aws: AwsContext,
    link_name: str,
    email: str,
    service_id: str,
    target_group_arn: str,
    nlb_arn: str,
    noted: Callable[[str, str], None] = lambda kind, resource_id: None,
    progress: Callable[[str], None] = lambda message: None,
) -> AlertsInfo:
    """Make (or find) the link's alerts, mailing `email`; `noted(kind, id)` as each is known."""
    if not (service_id and target_group_arn and nlb_arn):
        raise UserError(
            "The link is not complete yet, so there is nothing to watch",
            fix="Run setup until the endpoint service exists, then turn the alerts on.",
        )
    progress("Creating (or finding) the alert topic…")
    topic = _ensure_topic(aws, link_name, service_id, noted)
    progress(f"Subscribing {email} (AWS e-mails a link to confirm)…")
    _ensure_subscription(aws, topic, email, noted)
    progress("Turning on the endpoint service's connection notices…")
    _ensure_notification(aws, service_id, topic, noted)
    progress("Creating (or updating) the health alarm…")
    _ensure_alarm(aws, link_name, topic, target_group_arn, nlb_arn)
    noted("alarm", alarm_name(link_name))
    found = read_alerts(aws, link_name, service_id)
    assert found is not None
    return found


# --- removing (teardown) -------------------------------------------------------------------------


def alert_resources(aws: AwsContext, link_name: str, service_ids: list[str]) -> list[tuple[str, str, str]]:
    """(kind, id, words) of each alert piece of the link that exists, in the order to delete."""
    topic = find_topic(aws, link_name)
    found = [
        ("connection-notification", n["ConnectionNotificationId"], f"on endpoint service {s}")
        for s in service_ids
        for n in find_notifications(aws, s, topic)
    ]
    if find_alarm(aws, link_name) is not None:
        found.append(("alarm", alarm_name(link_name), alarm_name(link_name)))
    found += [("alarm", name, name) for name in database_alarms(aws, link_name)]
    if topic:
        found += [
            ("alert-subscription", str(s["SubscriptionArn"]), f"to {s.get('Endpoint', '')}")
            for s in subscriptions(aws, topic)
            if str(s.get("SubscriptionArn", "")).startswith("arn:")  # a pending one goes with the topic
        ]
        found.append(("alert-topic", topic, topic_name(link_name)))
    return found


def database_alarms(aws: AwsContext, link_name: str) -> list[str]:
    """The names of the health alarms of the databases added to the link (tagged for it)."""
    with aws_step("Looking for the health alarm", "cloudwatch:DescribeAlarms"):
        pages = (
            aws.client("cloudwatch")
            .get_paginator("describe_alarms")
            .paginate(AlarmNamePrefix=f"{alarm_name(link_name)}-")
        )
        alarms = [a for page in pages for a in page.get("MetricAlarms", [])]
    names = []
    for alarm in alarms:
        with aws_step("Reading the health alarm's tags", "cloudwatch:ListTagsForResource"):
            tags = (
                aws.client("cloudwatch").list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags", [])
            )
        if is_ours({t["Key"]: t.get("Value", "") for t in tags}, link_name):
            names.append(str(alarm["AlarmName"]))
    return names


def ensure_database_alarm(
    aws: AwsContext, link_name: str, listener_port: int, target_group_arn: str, nlb_arn: str
) -> str:
    """The health alarm of a database added to the link, on the link's alert topic; "" (nothing
    made) when the link has no alerts."""
    topic = find_topic(aws, link_name)
    if not topic:
        return ""
    name = database_alarm_name(link_name, listener_port)
    _ensure_alarm(aws, link_name, topic, target_group_arn, nlb_arn, name=name)
    return name


def delete_notification(aws: AwsContext, notification_id: str) -> None:
    with aws_step("Turning off the connection notices", "ec2:DeleteVpcEndpointConnectionNotifications"):
        aws.ec2.delete_vpc_endpoint_connection_notifications(ConnectionNotificationIds=[notification_id])


def delete(aws: AwsContext, kind: str, resource_id: str) -> None:
    """Delete one alert piece; one already gone is fine."""
    if kind == "connection-notification":
        delete_notification(aws, resource_id)  # an id already gone comes back in Unsuccessful
    elif kind == "alarm":
        with aws_step("Deleting the health alarm", "cloudwatch:DeleteAlarms"):
            aws.client("cloudwatch").delete_alarms(AlarmNames=[resource_id])
    elif kind == "alert-subscription":
        try:
            with aws_step("Removing the alert e-mail subscription", "sns:Unsubscribe"):
                aws.client("sns").unsubscribe(SubscriptionArn=resource_id)
        except UserError as exc:
            if "NotFound" not in exc.code:
                raise
    elif kind == "alert-topic":
        # API_DeleteTopic: deletes the topic and its subscriptions (a pending one too); idempotent.
        with aws_step("Deleting the alert topic", "sns:DeleteTopic"):
            aws.client("sns").delete_topic(TopicArn=resource_id)
