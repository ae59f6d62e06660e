"""The HCL written for cases the sandbox does not make on its own: an e-mail subscription still
waiting for its confirmation (no ARN to import: left out, and said why), and a server target (an
EC2 instance, no target sync: the attachment is left out with how to add it)."""

from __future__ import annotations

from wizard.export import build
from wizard.export.reading import AlertState, LinkState, SyncState, TargetGroupState

GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/plw-b-22/1"
TOPIC = "arn:aws:sns:us-east-1:123456789012:plw-b-alerts"
TAGS = {"ManagedBy": "privatelink-wizard", "privatelink-wizard:link": "plw-b", "Name": "plw-b"}


def test_an_unconfirmed_subscription_is_left_out_and_said_why() -> None:
    state = LinkState("plw-b", "us-east-1")
    state.alerts = AlertState(
        topic_arn=TOPIC,
        topic_policy=None,
        topic_tags=TAGS,
        subscriptions=[{"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "a@b.c"}],
        notifications=[],
        alarms=[],
    )
    main = build(state).files["main.tf"].decode()
    assert 'resource "aws_sns_topic" "alerts"' in main
    assert "aws_sns_topic_subscription" not in main
    assert "The e-mail subscription of a@b.c is not written here" in main
    assert "PendingConfirmation" not in build(state).files["imports.tf"].decode()


def test_server_targets_are_left_out_with_how_to_add_them() -> None:
    state = LinkState("plw-b", "us-east-1")
    state.target_groups.append(
        TargetGroupState(
            group={
                "TargetGroupArn": GROUP,
                "TargetGroupName": "plw-b-22",
                "Port": 22,
                "Protocol": "TCP",
                "TargetType": "instance",
                "VpcId": "vpc-1",
            },
            attributes={"proxy_protocol_v2.enabled": "false", "stickiness.enabled": "false"},
            tags=TAGS,
            targets=[("i-0abc", 22)],
        )
    )
    main = build(state).files["main.tf"].decode()
    assert "Registered now: i-0abc:22" in main
    assert '#   resource "aws_lb_target_group_attachment" "target_1" {\n' in main
    assert "#     target_group_arn = aws_lb_target_group.port_22.arn\n" in main
    assert '#     target_id        = "i-0abc"\n' in main
    assert "target sync (below)" not in main


def test_a_target_sync_cut_short_exports_what_exists() -> None:
    """A deployment stopped after the role (before the function): the role is written, and no
    function, permission or zip."""
    state = LinkState("plw-b", "us-east-1")
    role = {
        "RoleName": "privatelink-wizard-sync-plw-b",
        "Arn": "arn:aws:iam::123456789012:role/privatelink-wizard-sync-plw-b",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
        "Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()],
    }
    state.sync = SyncState(
        function=None,
        tags={},
        role=role,
        role_policies={},
        log_group=None,
        rules=[],
        rule_tags={},
        permissions=[],
        link="plw-b",
    )
    result = build(state)
    main = result.files["main.tf"].decode()
    assert 'resource "aws_iam_role" "target_sync"' in main
    assert "aws_lambda_function" not in main and "target_sync.zip" not in result.files
