"""The sandbox's Elastic Load Balancing model (wizard/sandbox/elb_model.py, elb_service_role.py)
against what AWS documents, through plain boto3 calls on the in-process moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core.authorization import enable_iam_authentication

from tests.sandbox.clock import SandboxClock
from wizard.aws.session import AwsContext
from wizard.policy import policy_document
from wizard.sandbox import ec2_model, elb_model, timing
from wizard.sandbox.elb_service_role import ROLE_NAME, ROLE_PATH

REGION = "us-east-1"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxClock]:
    with timing.scaled(1):
        yield SandboxClock(monkeypatch)


@dataclass
class Net:
    vpc: str
    zone_a: str  # subnet 10.0.1.0/24 in us-east-1a
    zone_b: str  # subnet 10.0.2.0/24 in us-east-1b


def make_net(aws: AwsContext) -> Net:
    vpc = aws.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        aws.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")
        for i, z in ((1, "a"), (2, "b"))
    ]
    return Net(vpc, subnets[0]["Subnet"]["SubnetId"], subnets[1]["Subnet"]["SubnetId"])


def make_nlb(aws: AwsContext, subnets: list[str], name: str = "nlb") -> str:
    reply = aws.elbv2.create_load_balancer(Name=name, Type="network", Scheme="internal", Subnets=subnets)
    return str(reply["LoadBalancers"][0]["LoadBalancerArn"])


def make_group(aws: AwsContext, net: Net, target_type: str = "ip", **settings: Any) -> str:
    reply = aws.elbv2.create_target_group(
        Name=f"tg-{target_type}", Protocol="TCP", Port=5432, VpcId=net.vpc, TargetType=target_type, **settings
    )
    return str(reply["TargetGroups"][0]["TargetGroupArn"])


def forward(aws: AwsContext, nlb_arn: str, group_arn: str) -> None:
    aws.elbv2.create_listener(
        LoadBalancerArn=nlb_arn,
        Protocol="TCP",
        Port=5432,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group_arn}],
    )


def nlb_state(aws: AwsContext, arn: str) -> str:
    [balancer] = aws.elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
    return str(balancer["State"]["Code"])


def health(aws: AwsContext, group_arn: str) -> dict[str, tuple[str, str]]:
    """{target id: (state, reason)} as DescribeTargetHealth lists them."""
    reply = aws.elbv2.describe_target_health(TargetGroupArn=group_arn)["TargetHealthDescriptions"]
    return {
        d["Target"]["Id"]: (d["TargetHealth"]["State"], d["TargetHealth"].get("Reason", "")) for d in reply
    }


# ---- load balancers --------------------------------------------------------------------------


def test_an_nlb_provisions_for_minutes_then_is_active(aws: AwsContext, clock: SandboxClock) -> None:
    net = make_net(aws)
    created = aws.elbv2.create_load_balancer(
        Name="nlb", Type="network", Scheme="internal", Subnets=[net.zone_a]
    )["LoadBalancers"][0]
    arn = created["LoadBalancerArn"]

    assert created["State"]["Code"] == "provisioning"
    assert nlb_state(aws, arn) == "provisioning"  # moto alone: active on the first describe
    clock.advance(elb_model.PROVISIONING_SECONDS - 1)
    assert nlb_state(aws, arn) == "provisioning"
    clock.advance(2)
    assert nlb_state(aws, arn) == "active"
    assert aws.elbv2.describe_load_balancers()["LoadBalancers"][0]["State"]["Code"] == "active"


def test_at_scale_zero_an_nlb_is_active_when_first_read(aws: AwsContext) -> None:
    arn = make_nlb(aws, [make_net(aws).zone_a])
    assert nlb_state(aws, arn) == "active"


def test_a_deleted_nlb_is_listed_as_it_was_for_a_while_then_not_found(
    aws: AwsContext, clock: SandboxClock
) -> None:
    net = make_net(aws)
    arn = make_nlb(aws, [net.zone_a])
    forward(aws, arn, make_group(aws, net))
    clock.advance(elb_model.PROVISIONING_SECONDS)
    assert nlb_state(aws, arn) == "active"

    aws.elbv2.delete_load_balancer(LoadBalancerArn=arn)

    assert nlb_state(aws, arn) == "active"
    assert aws.elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"] == []  # deleted with it
    aws.elbv2.delete_load_balancer(LoadBalancerArn=arn)  # deleting again is fine
    clock.advance(elb_model.DELETING_SECONDS)
    with pytest.raises(ClientError) as err:
        aws.elbv2.describe_load_balancers(LoadBalancerArns=[arn])
    assert err.value.response["Error"]["Code"] == "LoadBalancerNotFound"
    assert aws.elbv2.describe_load_balancers()["LoadBalancers"] == []


def test_an_nlb_with_deletion_protection_is_not_deleted(aws: AwsContext) -> None:
    net = make_net(aws)
    arn = make_nlb(aws, [net.zone_a])
    forward(aws, arn, make_group(aws, net))
    protect = [{"Key": "deletion_protection.enabled", "Value": "true"}]
    aws.elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=protect)

    with pytest.raises(ClientError) as err:
        aws.elbv2.delete_load_balancer(LoadBalancerArn=arn)

    assert err.value.response["Error"]["Code"] == "OperationNotPermitted"
    assert "deletion protection" in err.value.response["Error"]["Message"]
    assert nlb_state(aws, arn) == "active"
    assert len(aws.elbv2.describe_listeners(LoadBalancerArn=arn)["Listeners"]) == 1  # untouched
    protect[0]["Value"] = "false"
    aws.elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=protect)
    aws.elbv2.delete_load_balancer(LoadBalancerArn=arn)
    assert aws.elbv2.describe_load_balancers()["LoadBalancers"] == []


# ---- target health ---------------------------------------------------------------------------


def test_targets_of_a_group_no_listener_uses_are_unused(aws: AwsContext) -> None:
    net = make_net(aws)
    make_nlb(aws, [net.zone_a])
    group = make_group(aws, net)
    aws.elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.1.10"}])

    assert health(aws, group) == {"10.0.1.10": ("unused", "Target.NotInUse")}


def test_new_targets_are_initial_for_interval_times_threshold_once_checks_start(
    aws: AwsContext, clock: SandboxClock
) -> None:
    net = make_net(aws)
    nlb = make_nlb(aws, [net.zone_a])
    group = make_group(aws, net, HealthCheckIntervalSeconds=10, HealthyThresholdCount=3)
    aws.elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.1.10"}])
    assert health(aws, group)["10.0.1.10"] == ("unused", "Target.NotInUse")
    forward(aws, nlb, group)

    # Checks start only once the load balancer is active: 180 s, then 10 s x 3 checks.
    starting = ("initial", "Elb.RegistrationInProgress")
    assert health(aws, group)["10.0.1.10"] == starting
    clock.advance(elb_model.PROVISIONING_SECONDS + 29)
    assert health(aws, group)["10.0.1.10"] == starting
    clock.advance(2)
    assert health(aws, group)["10.0.1.10"] == ("healthy", "")

    # A target registered later starts its own checks; the group's defaults are AWS's (30 s x 5).
    aws.elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.1.11"}])
    clock.advance(29)
    assert health(aws, group) == {"10.0.1.10": ("healthy", ""), "10.0.1.11": starting}
    clock.advance(2)
    assert health(aws, group)["10.0.1.11"] == ("healthy", "")


def test_aws_default_tcp_checks_take_150_seconds(aws: AwsContext, clock: SandboxClock) -> None:
    net = make_net(aws)
    nlb = make_nlb(aws, [net.zone_a])
    clock.advance(elb_model.PROVISIONING_SECONDS)
    group = make_group(aws, net)
    [described] = aws.elbv2.describe_target_groups(TargetGroupArns=[group])["TargetGroups"]
    assert (described["HealthCheckIntervalSeconds"], described["HealthyThresholdCount"]) == (30, 5)
    forward(aws, nlb, group)
    aws.elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.1.10"}])
    clock.advance(149)
    assert health(aws, group)["10.0.1.10"][0] == "initial"
    clock.advance(2)
    assert health(aws, group)["10.0.1.10"][0] == "healthy"


def test_a_target_in_a_zone_the_nlb_is_not_in_is_unused(aws: AwsContext) -> None:
    net = make_net(aws)
    nlb = make_nlb(aws, [net.zone_a])
    group = make_group(aws, net)
    forward(aws, nlb, group)
    # Cross-zone load balancing spreads traffic over the load balancer's own zones only.
    aws.elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=nlb, Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}]
    )
    aws.elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.1.10"}, {"Id": "10.0.2.10"}])

    assert health(aws, group) == {
        "10.0.1.10": ("healthy", ""),
        "10.0.2.10": ("unused", "Target.NotInUse"),
    }


def test_a_stopped_instance_is_unused_invalid_state(aws: AwsContext) -> None:
    net = make_net(aws)
    nlb = make_nlb(aws, [net.zone_a, net.zone_b])
    group = make_group(aws, net, "instance")
    forward(aws, nlb, group)
    instance = aws.ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=net.zone_b)[
        "Instances"
    ][0]["InstanceId"]
    aws.elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": instance}])
    assert health(aws, group) == {instance: ("healthy", "")}

    aws.ec2.stop_instances(InstanceIds=[instance])

    assert health(aws, group) == {instance: ("unused", "Target.InvalidState")}


def test_a_deregistered_target_drains_for_the_delay_then_is_gone(
    aws: AwsContext, clock: SandboxClock
) -> None:
    net = make_net(aws)
    nlb = make_nlb(aws, [net.zone_a])
    group = make_group(aws, net)
    forward(aws, nlb, group)
    aws.elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.1.10"}, {"Id": "10.0.1.11"}])
    clock.advance(3600)

    aws.elbv2.deregister_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.1.10"}])

    draining = ("draining", "Target.DeregistrationInProgress")
    assert health(aws, group) == {"10.0.1.11": ("healthy", ""), "10.0.1.10": draining}
    asked = aws.elbv2.describe_target_health(TargetGroupArn=group, Targets=[{"Id": "10.0.1.10"}])
    assert asked["TargetHealthDescriptions"][0]["TargetHealth"]["State"] == "draining"
    clock.advance(elb_model.DEFAULT_DEREGISTRATION_DELAY - 1)
    assert health(aws, group)["10.0.1.10"] == draining
    clock.advance(2)
    assert health(aws, group) == {"10.0.1.11": ("healthy", "")}


def test_the_groups_deregistration_delay_is_used(aws: AwsContext, clock: SandboxClock) -> None:
    net = make_net(aws)
    group = make_group(aws, net)
    aws.elbv2.modify_target_group_attributes(
        TargetGroupArn=group, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "20"}]
    )
    aws.elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.1.10"}])
    aws.elbv2.deregister_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.1.10"}])
    clock.advance(19)
    assert health(aws, group)["10.0.1.10"][0] == "draining"
    clock.advance(2)
    assert health(aws, group) == {}


# ---- subnets the load balancer cannot use ----------------------------------------------------


def test_an_unusable_subnet_is_refused_at_create(aws: AwsContext, monkeypatch: pytest.MonkeyPatch) -> None:
    # ec2_model (another part of the sandbox) decides which subnets are unusable; a stand-in here.
    net = make_net(aws)

    def reason(_backend: Any, subnet_id: str) -> str | None:
        return "it has fewer than 8 free IP addresses" if subnet_id == net.zone_b else None

    monkeypatch.setattr(ec2_model, "unusable_subnet_reason", reason, raising=False)

    with pytest.raises(ClientError) as err:
        make_nlb(aws, [net.zone_a, net.zone_b])

    error = err.value.response["Error"]
    assert error["Code"] == "InvalidSubnet"
    assert net.zone_b in error["Message"] and "fewer than 8 free IP addresses" in error["Message"]
    assert aws.elbv2.describe_load_balancers()["LoadBalancers"] == []
    make_nlb(aws, [net.zone_a])  # the other subnet is fine


# ---- the service-linked role -----------------------------------------------------------------


def roles(aws: AwsContext) -> list[tuple[str, str]]:
    iam = aws.client("iam")
    return [(r["RoleName"], r["Path"]) for r in iam.list_roles()["Roles"]]


def test_without_iam_enforcement_the_role_is_created_silently(aws: AwsContext) -> None:
    assert roles(aws) == []
    make_group(aws, make_net(aws))
    assert roles(aws) == [(ROLE_NAME, ROLE_PATH)]
    make_nlb(aws, [make_net(aws).zone_a])  # created once
    assert roles(aws) == [(ROLE_NAME, ROLE_PATH)]


def iam_user(policy: dict[str, Any]) -> Any:
    """An elbv2 client signed as a new IAM user holding `policy`."""
    iam = boto3.client("iam", region_name=REGION)
    name = f"dba-{len(iam.list_users()['Users'])}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3.client(
        "elbv2",
        region_name=REGION,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )


def the_apps_policy(without_role: bool = False, service: str = "") -> dict[str, Any]:
    document = policy_document()
    statements = document["Statement"]
    if without_role:
        statements[:] = [s for s in statements if "iam:CreateServiceLinkedRole" not in s["Action"]]
    if service:
        for s in statements:
            if "Condition" in s:
                s["Condition"]["StringEquals"]["iam:AWSServiceName"] = service
    return document


def test_under_iam_enforcement_the_apps_policy_creates_the_role(aws: AwsContext) -> None:
    net = make_net(aws)
    user = iam_user(the_apps_policy())
    with enable_iam_authentication():
        user.create_load_balancer(Name="nlb", Type="network", Scheme="internal", Subnets=[net.zone_a])
    role = aws.client("iam").get_role(RoleName=ROLE_NAME)["Role"]
    assert role["Path"] == "/aws-service-role/elasticloadbalancing.amazonaws.com/"
    assert role["Arn"].endswith(":role/aws-service-role/elasticloadbalancing.amazonaws.com/" + ROLE_NAME)


@pytest.mark.parametrize(
    "policy",
    [the_apps_policy(without_role=True), the_apps_policy(service="ec2.amazonaws.com")],
    ids=["no-statement", "other-service"],
)
def test_under_iam_enforcement_a_policy_without_the_role_permission_is_refused(
    aws: AwsContext, policy: dict[str, Any]
) -> None:
    net = make_net(aws)
    user = iam_user(policy)
    with enable_iam_authentication(), pytest.raises(ClientError) as err:
        user.create_load_balancer(Name="nlb", Type="network", Scheme="internal", Subnets=[net.zone_a])

    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    error = err.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert (
        "is not authorized to perform: iam:CreateServiceLinkedRole on resource: arn:aws:iam::"
        in (error["Message"])
    )
    assert roles(aws) == []
    assert aws.elbv2.describe_load_balancers()["LoadBalancers"] == []
    with enable_iam_authentication(), pytest.raises(ClientError):
        user.create_target_group(Name="tg", Protocol="TCP", Port=5432, VpcId=net.vpc, TargetType="ip")


def test_once_the_role_exists_the_permission_is_not_needed(aws: AwsContext) -> None:
    net = make_net(aws)
    make_group(aws, net)  # unchecked: the role now exists
    user = iam_user(the_apps_policy(without_role=True))
    with enable_iam_authentication():
        user.create_load_balancer(Name="nlb", Type="network", Scheme="internal", Subnets=[net.zone_a])
    assert len(aws.elbv2.describe_load_balancers()["LoadBalancers"]) == 1
