from __future__ import annotations

from typing import Any

from wizard.aws.activity import ActivityLog, cli_equivalent, phrase
from wizard.redact import redact

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_secrets_are_always_masked_and_accounts_in_presenter_mode() -> None:
    text = (
        f"key AKIAIOSFODNN7EXAMPLE secret {SECRET} "
        "arn:aws:iam::012922587834:root service com.amazonaws.vpce.us-east-1.vpce-svc-0abc"
    )
    plain = redact(text)
    assert "AKIAIOSFODNN7EXAMPLE" not in plain and SECRET not in plain
    assert "012922587834" in plain
    shown = redact(text, presenter=True)
    assert "012922587834" not in shown and "•••• 7834" in shown


def test_cli_equivalent_is_copyable() -> None:
    cmd = cli_equivalent(
        "elbv2",
        "CreateLoadBalancer",
        {
            "Name": "orders",
            "Subnets": ["subnet-1", "subnet-2"],
            "Scheme": "internal",
            "Tags": [{"Key": "a", "Value": "b"}],
        },
        "us-east-1",
    )
    assert cmd.startswith("aws elbv2 create-load-balancer --name orders --subnets subnet-1 subnet-2")
    assert "--region us-east-1" in cmd and '\'[{"Key":"a","Value":"b"}]\'' in cmd
    assert phrase("CreateLoadBalancer") == "Creating the load balancer"
    assert phrase("DescribeFooBar") == "Describe foo bar"


def test_cli_equivalent_names_rds_commands_as_the_aws_cli_does() -> None:
    # The AWS CLI spells "DB" as a word: describe-db-instances, --db-instance-identifier.
    cmd = cli_equivalent("rds", "DescribeDBInstances", {"DBInstanceIdentifier": "orders"}, "")
    assert cmd == "aws rds describe-db-instances --db-instance-identifier orders"
    vpc = cli_equivalent("ec2", "DescribeVpcEndpointServiceConfigurations", {"ServiceIds": ["s"]}, "")
    assert vpc == "aws ec2 describe-vpc-endpoint-service-configurations --service-ids s"


def test_activity_records_calls_with_plain_words(aws: Any) -> None:
    log = ActivityLog()
    seen: list[str] = []
    unsubscribe = log.subscribe(lambda e: seen.append(e.summary))
    from wizard.aws import activity

    client = aws.session.client("ec2", region_name="us-east-1")
    activity.attach(client, "us-east-1", log)
    client.describe_vpcs()
    unsubscribe()
    client.describe_subnets()
    events = log.events()
    assert [e.operation for e in events] == ["DescribeVpcs", "DescribeSubnets"]
    assert seen == ["Reading your networks (VPCs)"]
    assert events[0].ok and events[0].cli == "aws ec2 describe-vpcs --region us-east-1"


def test_a_lookup_that_finds_nothing_is_not_shown_as_a_failure() -> None:
    from datetime import datetime

    from wizard.aws.activity import ActivityEvent

    miss = ActivityEvent(
        datetime.now(),
        "elbv2",
        "DescribeTargetGroups",
        "Looking",
        "aws …",
        ok=False,
        error_code="TargetGroupNotFound",
    )
    refused = ActivityEvent(
        datetime.now(), "elbv2", "CreateTargetGroup", "Creating", "aws …", ok=False, error_code="AccessDenied"
    )
    assert miss.result == "nothing found" and "failed" not in miss.line()
    assert refused.result == "failed (AccessDenied)"


def test_resource_paths_of_secret_length_are_not_masked() -> None:
    arn = (
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/plw-partial-"
        "failure/50dc6c495c0c9188/8f9e2c1a7b3d4e5f"
    )
    assert redact(arn) == arn
    assert SECRET not in redact(f"secret={SECRET}") and SECRET not in redact(SECRET)


def test_every_call_the_engine_makes_has_plain_words_in_the_log() -> None:
    # The activity log is read on screen-shares: no call may show up as "Describe security group rules".
    from tests.reliability.test_least_privilege import code_actions
    from wizard.aws.activity import _PHRASES

    operations = {action.split(":", 1)[1] for action in code_actions()}
    assert sorted(operations - set(_PHRASES)) == []
