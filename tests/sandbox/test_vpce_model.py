"""The sandbox's model of endpoint connection notifications, endpoint DNS names (DnsEntries) and
an SNS e-mail subscription waiting for its confirmation (wizard/sandbox/vpce_model.py,
sns_model.py), against the EC2 and SNS API references."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from tests.aws.test_connections import consumer_endpoint, make_service
from wizard.aws import connections as conn
from wizard.aws.session import AwsContext
from wizard.sandbox import sns_model, timing
from wizard.sandbox.vpce_model import vpce_may_publish


def test_an_endpoint_has_a_regional_and_a_zonal_dns_name_as_aws_gives_them(aws: AwsContext) -> None:
    service = make_service(aws)
    endpoint_id = consumer_endpoint(service.name)
    [request] = conn.list_connections(aws, service.id)
    regional, *zonal = request.dns_names
    domain = rf"\.{service.id}\.us-east-1\.vpce\.amazonaws\.com"
    assert re.fullmatch(rf"{endpoint_id}-[a-z0-9]{{8}}{domain}", regional)
    suffix = regional.split(".")[0]
    assert zonal == [f"{suffix}-us-east-1a.{service.id}.us-east-1.vpce.amazonaws.com"]


def _topic(aws: AwsContext, policy: dict[str, object] | None = None) -> str:
    arn = str(aws.client("sns").create_topic(Name="notices")["TopicArn"])
    if policy is not None:
        aws.client("sns").set_topic_attributes(
            TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(policy)
        )
    return arn


def _vpce_policy(topic: str, service_arn: str) -> dict[str, object]:
    return {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpce.amazonaws.com"},
                "Action": "SNS:Publish",
                "Resource": topic,
                "Condition": {"ArnLike": {"aws:SourceArn": service_arn}},
            }
        ]
    }


def test_notifications_are_created_listed_and_deleted(aws: AwsContext) -> None:
    service = make_service(aws)
    topic = _topic(aws)
    made = aws.ec2.create_vpc_endpoint_connection_notification(
        ServiceId=service.id, ConnectionNotificationArn=topic, ConnectionEvents=["Connect", "Accept"]
    )["ConnectionNotification"]
    assert made["ConnectionNotificationId"].startswith("vpce-nfn-")
    assert (made["ConnectionNotificationState"], made["ConnectionNotificationType"]) == ("Enabled", "Topic")
    listed = aws.ec2.describe_vpc_endpoint_connection_notifications(
        Filters=[{"Name": "service-id", "Values": [service.id]}]
    )["ConnectionNotificationSet"]
    assert [n["ConnectionNotificationId"] for n in listed] == [made["ConnectionNotificationId"]]
    other = aws.ec2.describe_vpc_endpoint_connection_notifications(
        Filters=[{"Name": "service-id", "Values": ["vpce-svc-0000"]}]
    )["ConnectionNotificationSet"]
    assert other == []

    reply = aws.ec2.delete_vpc_endpoint_connection_notifications(
        ConnectionNotificationIds=[made["ConnectionNotificationId"], "vpce-nfn-0123456789abcdef0"]
    )
    assert [u["ResourceId"] for u in reply["Unsuccessful"]] == ["vpce-nfn-0123456789abcdef0"]
    assert aws.ec2.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"] == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"ConnectionEvents": ["Disconnect"]}, "InvalidParameterValue"),
        ({"ServiceId": "vpce-svc-0123456789abcdef0"}, "InvalidVpcEndpointServiceId.NotFound"),
        (
            {"ConnectionNotificationArn": "arn:aws:sns:us-east-1:123456789012:nothing"},
            "InvalidParameterValue",
        ),
    ],
)
def test_a_notification_aws_would_refuse_is_refused(
    aws: AwsContext, change: dict[str, object], code: str
) -> None:
    service = make_service(aws)
    params: dict[str, object] = {
        "ServiceId": service.id,
        "ConnectionNotificationArn": _topic(aws),
        "ConnectionEvents": ["Connect"],
    } | change
    with pytest.raises(ClientError) as refused:
        aws.ec2.create_vpc_endpoint_connection_notification(**params)
    assert refused.value.response["Error"]["Code"] == code


def test_an_event_is_published_only_when_the_topic_policy_lets_vpce_publish(aws: AwsContext) -> None:
    from moto.sns.models import sns_backends

    service = make_service(aws)
    account = aws.client("sts").get_caller_identity()["Account"]
    service_arn = f"arn:aws:ec2:us-east-1:{account}:vpc-endpoint-service/{service.id}"
    closed = _topic(aws)  # moto's default policy: the account's own principals only
    aws.ec2.create_vpc_endpoint_connection_notification(
        ServiceId=service.id, ConnectionNotificationArn=closed, ConnectionEvents=["Connect"]
    )
    consumer_endpoint(service.name)
    assert sns_backends[account]["us-east-1"].topics[closed].sent_notifications == []

    aws.client("sns").set_topic_attributes(
        TopicArn=closed, AttributeName="Policy", AttributeValue=json.dumps(_vpce_policy(closed, service_arn))
    )
    endpoint_id = consumer_endpoint(service.name)
    [(_, message, subject, *_)] = sns_backends[account]["us-east-1"].topics[closed].sent_notifications
    assert json.loads(message)["eventType"] == "Connect" and endpoint_id in str(subject)


def test_the_policy_check_follows_the_source_conditions() -> None:
    topic = "arn:aws:sns:us-east-1:111122223333:t"
    mine = "arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/vpce-svc-1"
    policy = _vpce_policy(topic, mine)
    assert vpce_may_publish(policy, topic, mine, "111122223333")
    assert not vpce_may_publish(policy, topic, mine.replace("svc-1", "svc-2"), "111122223333")
    other_service = {"Statement": [{**policy["Statement"][0], "Principal": {"Service": "s3.amazonaws.com"}}]}  # type: ignore[index]
    assert not vpce_may_publish(other_service, topic, mine, "111122223333")


def test_an_email_subscription_waits_for_its_confirmation(aws: AwsContext) -> None:
    sns = aws.client("sns")
    topic = _topic(aws)
    with timing.scaled(timing.AWS_LIKE):
        arn = sns.subscribe(
            TopicArn=topic, Protocol="email", Endpoint="a@example.com", ReturnSubscriptionArn=True
        )["SubscriptionArn"]
        [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert listed["SubscriptionArn"] == "PendingConfirmation"
        assert (
            sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"]
            == "true"
        )
        from moto.sns.models import sns_backends

        sns_model.confirm(sns_backends[arn.split(":")[4]]["us-east-1"].subscriptions[arn])
        [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        assert listed["SubscriptionArn"] == arn
        assert (
            sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"]
            == "false"
        )


def test_the_simulated_dba_confirms_after_a_while(aws: AwsContext) -> None:
    sns = aws.client("sns")
    topic = _topic(aws)
    with timing.scaled(timing.AWS_LIKE):
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")
        assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"] == (
            "PendingConfirmation"
        )
    # Time passes (the instant scale: every transition done), and the link has been clicked.
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"].startswith(
        "arn:aws:sns:"
    )
