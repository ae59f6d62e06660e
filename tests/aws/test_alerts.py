"""Issue 17 (2): a link's alerts — an SNS topic only the link's notices may publish to, an e-mail
subscription waiting for its confirmation, the endpoint service's connection notification and
the health alarm — made once, kept up to date, shown in status and removed by teardown."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.test_connections import consumer_endpoint
from tests.support.helpers import build_link, finding, status_of
from wizard import steps
from wizard.aws import alerts
from wizard.aws import teardown as td
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import LINK_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE
from wizard.sandbox import sns_model, timing
from wizard.sandbox.seed import SampleAccount

EMAIL = "dba@example.com"


def turn_on(link: steps.Link, email: str = EMAIL) -> alerts.AlertsInfo:
    record = link.record
    return steps.set_up_alerts(link.aws, link.store, record.account_id, record.name, email, record=record)


def topics(aws: AwsContext) -> list[str]:
    return [t["TopicArn"] for t in aws.client("sns").list_topics()["Topics"]]


def alarms(aws: AwsContext) -> list[dict[str, Any]]:
    return list(aws.client("cloudwatch").describe_alarms()["MetricAlarms"])


def notifications(aws: AwsContext) -> list[dict[str, Any]]:
    reply = aws.ec2.describe_vpc_endpoint_connection_notifications()
    return list(reply["ConnectionNotificationSet"])


def test_alerts_are_made_with_the_documented_settings(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.orders_mysql)
    record = link.record
    info = turn_on(link)

    # The topic: tagged as the link's, and only the link's two sources may publish to it.
    [topic] = topics(aws)
    assert info.topic_arn == topic and topic.endswith(":orders-alerts")
    tags = {t["Key"]: t["Value"] for t in aws.client("sns").list_tags_for_resource(ResourceArn=topic)["Tags"]}
    assert tags[MANAGED_BY_KEY] == MANAGED_BY_VALUE and tags[LINK_TAG_KEY] == "orders"
    policy = json.loads(aws.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    account = seeded.account_id
    by_service = {s["Principal"]["Service"]: s for s in policy["Statement"]}
    assert set(by_service) == {"vpce.amazonaws.com", "cloudwatch.amazonaws.com"}
    vpce, cloudwatch = by_service["vpce.amazonaws.com"], by_service["cloudwatch.amazonaws.com"]
    assert {vpce["Action"], vpce["Resource"]} == {"SNS:Publish", topic}
    service_arn = f"arn:aws:ec2:us-east-1:{account}:vpc-endpoint-service/{record.endpoint_service_id}"
    assert vpce["Condition"] == {
        "ArnLike": {"aws:SourceArn": service_arn},
        "StringEquals": {"aws:SourceAccount": account},
    }
    assert cloudwatch["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{account}:alarm:orders-no-healthy-database"
    }

    # The e-mail subscription.
    [mail] = aws.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (mail["Protocol"], mail["Endpoint"]) == ("email", EMAIL)

    # The connection notification: the four events, on the link's service, to the topic.
    [note] = notifications(aws)
    assert note["ServiceId"] == record.endpoint_service_id
    assert note["ConnectionNotificationArn"] == topic
    assert sorted(note["ConnectionEvents"]) == ["Accept", "Connect", "Delete", "Reject"]

    # The alarm: fewer than 1 healthy target in each of 5 one-minute periods, on this target group.
    [alarm] = alarms(aws)
    assert alarm["AlarmName"] == "orders-no-healthy-database"
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
        "AWS/NetworkELB",
        "HealthyHostCount",
        "Maximum",
    )
    assert (alarm["Period"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (60, 5, 5)
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1.0, "LessThanThreshold")
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]
    dimensions = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
    assert dimensions == {
        "TargetGroup": record.target_group_arn.split(":")[-1],
        "LoadBalancer": record.nlb_arn.split(":loadbalancer/")[1],
    }
    assert dimensions["TargetGroup"].startswith("targetgroup/orders-3306/")

    # Each piece is in the record, and so is the address.
    assert record.alert_email == EMAIL
    kinds = {r.kind for r in record.created}
    assert {"alert-topic", "alert-subscription", "connection-notification", "alarm"} <= kinds
    saved = link.store.load(record.account_id, record.region, "orders")
    assert saved is not None and saved.alert_email == EMAIL


def test_a_rerun_finds_what_exists_and_a_new_address_replaces_the_old(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    link = build_link(aws, seeded.orders_mysql)
    first = turn_on(link)
    again = turn_on(link)
    assert again == first
    assert len(topics(aws)) == 1 and len(alarms(aws)) == 1 and len(notifications(aws)) == 1
    assert len(aws.client("sns").list_subscriptions_by_topic(TopicArn=first.topic_arn)["Subscriptions"]) == 1

    moved = turn_on(link, "ops@example.com")
    subs = aws.client("sns").list_subscriptions_by_topic(TopicArn=first.topic_arn)["Subscriptions"]
    assert [s["Endpoint"] for s in subs] == ["ops@example.com"]
    assert moved.email == "ops@example.com" and link.record.alert_email == "ops@example.com"


def test_a_topic_of_that_name_that_is_not_the_links_is_left_alone(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    link = build_link(aws, seeded.orders_mysql)
    theirs = aws.client("sns").create_topic(Name="orders-alerts")["TopicArn"]
    with pytest.raises(UserError) as refused:
        turn_on(link)
    assert "did not create it" in refused.value.what
    assert aws.client("sns").get_topic_attributes(TopicArn=theirs)["Attributes"].get("Policy")
    assert alarms(aws) == [] and notifications(aws) == []


def test_a_bad_address_is_refused_before_anything_is_made(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.orders_mysql)
    with pytest.raises(UserError) as refused:
        turn_on(link, "dba at example")
    assert refused.value.exit_code == 2
    assert topics(aws) == []


def test_status_says_the_email_waits_for_its_confirmation(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.orders_mysql)
    with timing.scaled(timing.AWS_LIKE):  # the simulated DBA has not clicked the link yet
        turn_on(link)
        status = status_of(aws)
    assert status.alerts is not None and not status.alerts.confirmed
    assert "waiting for you to confirm the e-mail" in status.text()
    waiting = finding(status, "The alerts are waiting for you to confirm the e-mail")
    assert waiting.severity == "warning" and "Confirm subscription" in waiting.fix
    assert "Connection notices (Connect, Accept, Reject, Delete)" in status.text()
    assert "Alarm orders-no-healthy-database" in status.text()
    assert status.to_dict()["alerts"]["email"] == EMAIL

    from moto.sns.models import sns_backends

    for sub in sns_backends[seeded.account_id]["us-east-1"].subscriptions.values():
        sns_model.confirm(sub)  # the DBA clicks "Confirm subscription"
    with timing.scaled(timing.AWS_LIKE):
        confirmed = status_of(aws)
    assert confirmed.alerts is not None and confirmed.alerts.confirmed
    assert f"E-mail to {EMAIL}: confirmed" in confirmed.text()
    assert not [f for f in confirmed.findings if "confirm the e-mail" in f.title]


def test_status_names_a_missing_piece_and_how_to_add_it(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.orders_mysql)
    info = turn_on(link)
    aws.ec2.delete_vpc_endpoint_connection_notifications(ConnectionNotificationIds=[info.notification_id])
    status = status_of(aws)
    missing = finding(status, "The alerts are incomplete")
    assert "connection notification" in missing.title
    assert "privatelink-wizard notify --region us-east-1 --name orders --email dba@example.com" in missing.fix
    turn_on(link)  # the fix: the same command again
    assert len(notifications(aws)) == 1


def test_a_link_without_alerts_says_how_to_turn_them_on(aws: AwsContext, seeded: SampleAccount) -> None:
    build_link(aws, seeded.orders_mysql)
    status = status_of(aws)
    assert status.alerts is None
    assert "Alerts: off (`privatelink-wizard notify" in status.text()


def test_teardown_previews_and_removes_all_four(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.orders_mysql)
    info = turn_on(link)
    plan = td.plan_teardown(aws, "orders", link.record)
    kinds = [r.kind for r in plan.resources]
    assert kinds[:4] == ["connection-notification", "alarm", "alert-subscription", "alert-topic"]
    described = [r.describe() for r in plan.resources[:4]]
    assert described[3] == f"SNS topic for alerts orders-alerts ({info.topic_arn})"

    deleted = steps.remove_link(aws, link.store, link.record.account_id, "orders", link.record)[0]
    assert [r.kind for r in deleted][:4] == kinds[:4]
    assert topics(aws) == [] and alarms(aws) == [] and notifications(aws) == []
    from moto.sns.models import sns_backends

    assert not sns_backends[seeded.account_id]["us-east-1"].subscriptions


def test_notify_off_removes_only_the_alerts(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.orders_mysql)
    turn_on(link)
    record = link.record
    removed = steps.remove_alerts(aws, link.store, record.account_id, "orders", record=record)
    assert len(removed) == 4
    assert topics(aws) == [] and alarms(aws) == [] and notifications(aws) == []
    assert record.alert_email == "" and not {r.kind for r in record.created} & set(alerts.KINDS)
    kinds = [r.kind for r in td.plan_teardown(aws, "orders", record).resources]
    # The link keeps the rest: its target sync (which teardown removes first) and the chain.
    assert kinds[0] == "sync-rule" and "endpoint-service" in kinds and not set(kinds) & set(alerts.KINDS)


def test_the_platforms_request_reaches_the_topic(
    aws: AwsContext, seeded: SampleAccount, caplog: pytest.LogCaptureFixture
) -> None:
    # The sandbox publishes what AWS would: the DBA learns a request is waiting.
    link = build_link(aws, seeded.orders_mysql)
    info = turn_on(link)
    caplog.set_level("INFO", logger="wizard.sandbox")
    endpoint_id = consumer_endpoint(link.record.service_name)
    assert f"Sandbox e-mail to {EMAIL}: VPC endpoint connection Connect: {endpoint_id}" in caplog.text
    steps.accept_requests(link, [endpoint_id])
    from moto.sns.models import sns_backends

    sent = sns_backends[seeded.account_id]["us-east-1"].topics[info.topic_arn].sent_notifications
    assert [json.loads(message)["eventType"] for _, message, *_ in sent] == ["Connect", "Accept"]


def test_alerts_need_the_link_built_first(aws: AwsContext, seeded: SampleAccount) -> None:
    from wizard.state import RecordStore

    with pytest.raises(UserError) as refused:
        steps.set_up_alerts(aws, RecordStore(), seeded.account_id, "nothing-here", EMAIL)
    assert "not complete yet" in refused.value.what
    assert topics(aws) == []
