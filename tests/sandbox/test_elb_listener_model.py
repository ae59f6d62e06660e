"""The sandbox's model of CreateListener on a used port and of SetSubnets on a Network Load
Balancer (wizard/sandbox/elb_listener_model.py) against what AWS documents, through plain boto3
calls on the in-process moto."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from wizard.aws.session import AwsContext
from wizard.sandbox.seed import SampleAccount


def _nlb(aws: AwsContext, subnets: list[str]) -> str:
    return str(
        aws.elbv2.create_load_balancer(Name="lb", Type="network", Scheme="internal", Subnets=subnets)[
            "LoadBalancers"
        ][0]["LoadBalancerArn"]
    )


def _group(aws: AwsContext, vpc: str, name: str) -> str:
    return str(
        aws.elbv2.create_target_group(Name=name, Protocol="TCP", Port=5432, VpcId=vpc, TargetType="ip")[
            "TargetGroups"
        ][0]["TargetGroupArn"]
    )


def _listener(aws: AwsContext, nlb: str, port: int, group: str) -> Any:
    return aws.elbv2.create_listener(
        LoadBalancerArn=nlb,
        Protocol="TCP",
        Port=port,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group}],
    )["Listeners"][0]


def test_a_port_in_use_is_duplicate_listener_and_the_same_listener_again_is_returned(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    nlb = _nlb(aws, list(seeded.subnet_ids[:2]))
    first, second = _group(aws, seeded.vpc_id, "one"), _group(aws, seeded.vpc_id, "two")
    made = _listener(aws, nlb, 5432, first)

    assert _listener(aws, nlb, 5432, first)["ListenerArn"] == made["ListenerArn"]  # idempotent
    with pytest.raises(ClientError) as refused:
        _listener(aws, nlb, 5432, second)
    assert refused.value.response["Error"]["Code"] == "DuplicateListener"
    assert _listener(aws, nlb, 5433, second)["Port"] == 5433
    assert len(aws.elbv2.describe_listeners(LoadBalancerArn=nlb)["Listeners"]) == 2


def test_set_subnets_adds_a_zone_and_the_endpoint_service_follows(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    zone_a, zone_b, _ = seeded.subnet_ids
    nlb = _nlb(aws, [zone_b])
    service = aws.ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[nlb])
    service_id = service["ServiceConfiguration"]["ServiceId"]

    reply = aws.elbv2.set_subnets(
        LoadBalancerArn=nlb, SubnetMappings=[{"SubnetId": zone_b}, {"SubnetId": zone_a}]
    )

    assert {z["SubnetId"] for z in reply["AvailabilityZones"]} == {zone_a, zone_b}
    [config] = aws.ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])[
        "ServiceConfigurations"
    ]
    assert sorted(config["AvailabilityZones"]) == sorted(seeded.availability_zones[:2])
    # One zone is enough for a Network Load Balancer (moto applies the ALB's two-zone minimum).
    one = aws.elbv2.create_load_balancer(Name="one", Type="network", Scheme="internal", Subnets=[zone_a])
    arn = one["LoadBalancers"][0]["LoadBalancerArn"]
    assert aws.elbv2.set_subnets(LoadBalancerArn=arn, Subnets=[zone_a])["AvailabilityZones"]


def test_set_subnets_refuses_two_subnets_in_one_zone_and_another_vpcs_subnet(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    zone_a = seeded.subnet_ids[0]
    nlb = _nlb(aws, [zone_a])
    twin = aws.ec2.create_subnet(
        VpcId=seeded.vpc_id, CidrBlock="10.20.9.0/24", AvailabilityZone=seeded.availability_zones[0]
    )["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as same_zone:
        aws.elbv2.set_subnets(LoadBalancerArn=nlb, Subnets=[zone_a, twin])
    assert same_zone.value.response["Error"]["Code"] == "InvalidConfigurationRequest"

    vpc = aws.ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    other = aws.ec2.create_subnet(
        VpcId=vpc, CidrBlock="10.99.1.0/24", AvailabilityZone=seeded.availability_zones[1]
    )
    with pytest.raises(ClientError) as elsewhere:
        aws.elbv2.set_subnets(LoadBalancerArn=nlb, Subnets=[zone_a, other["Subnet"]["SubnetId"]])
    assert elsewhere.value.response["Error"]["Code"] == "InvalidSubnet"
