"""The sandbox's model of cross-region endpoint services (wizard/sandbox/xregion_model.py), against
the PrivateLink guide's "Cross-Region access" and API_SupportedRegionDetail. moto alone lists only
the regions it was given, all Available, checks none of them and answers a removal of a region it
does not list with an HTTP 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core.authorization import disable_iam_authentication, enable_iam_authentication

from wizard.sandbox import moto_ext, timing, xregion_model

REGION = "us-east-1"


@pytest.fixture
def ec2() -> Iterator[Any]:
    moto_ext.install()
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


def nlb(ec2: Any, zones: tuple[str, ...] = ("us-east-1a", "us-east-1b"), name: str = "x") -> str:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for i, zone in enumerate(zones, start=1)
    ]
    elbv2 = boto3.client("elbv2", region_name=REGION)
    lb = elbv2.create_load_balancer(Name=name, Type="network", Scheme="internal", Subnets=subnets)
    return str(lb["LoadBalancers"][0]["LoadBalancerArn"])


def regions(ec2: Any, service_id: str) -> list[tuple[str, str]]:
    config = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])[
        "ServiceConfigurations"
    ][0]
    return [(r["Region"], r["ServiceState"]) for r in config["SupportedRegions"]]


def refused(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValue"
    return str(caught.value.response["Error"]["Message"])


def test_the_host_region_is_always_listed_and_cannot_be_removed(ec2: Any) -> None:
    service = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[nlb(ec2)])
    service_id = service["ServiceConfiguration"]["ServiceId"]
    assert regions(ec2, service_id) == [("us-east-1", "Available")]
    message = refused(
        ec2.modify_vpc_endpoint_service_configuration, ServiceId=service_id, RemoveSupportedRegions=[REGION]
    )
    assert "host region us-east-1 cannot be removed" in message


def test_added_regions_are_pending_then_available_and_removed_ones_go(ec2: Any) -> None:
    with timing.scaled(1):
        made = ec2.create_vpc_endpoint_service_configuration(
            NetworkLoadBalancerArns=[nlb(ec2)], SupportedRegions=["us-west-2"]
        )["ServiceConfiguration"]
        service_id = made["ServiceId"]
        assert ("us-west-2", "Pending") in regions(ec2, service_id)
    with timing.scaled(0):  # the clock runs out: AWS has made it available
        assert regions(ec2, service_id) == [("us-east-1", "Available"), ("us-west-2", "Available")]
    # Adding one already listed keeps one of it; removing one not listed is no error.
    ec2.modify_vpc_endpoint_service_configuration(
        ServiceId=service_id,
        AddSupportedRegions=["us-west-2", "eu-west-1"],
        RemoveSupportedRegions=["ca-central-1"],
    )
    assert [r for r, _ in regions(ec2, service_id)] == ["us-east-1", "us-west-2", "eu-west-1"]
    ec2.modify_vpc_endpoint_service_configuration(ServiceId=service_id, RemoveSupportedRegions=["us-west-2"])
    assert [r for r, _ in regions(ec2, service_id)] == ["us-east-1", "eu-west-1"]


def test_unknown_and_not_enabled_opt_in_regions_are_refused(ec2: Any) -> None:
    lb = nlb(ec2)
    create = ec2.create_vpc_endpoint_service_configuration
    assert "'moon-1' is not valid" in refused(
        create, NetworkLoadBalancerArns=[lb], SupportedRegions=["moon-1"]
    )
    message = refused(create, NetworkLoadBalancerArns=[lb], SupportedRegions=["af-south-1"])
    assert "af-south-1 is not enabled for account 123456789012" in message
    assert ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"] == []
    xregion_model.opt_in("123456789012", "af-south-1")
    made = create(NetworkLoadBalancerArns=[lb], SupportedRegions=["af-south-1"])["ServiceConfiguration"]
    assert ("af-south-1", "Available") in regions(ec2, made["ServiceId"])


def test_cross_region_needs_two_zones_that_support_it(ec2: Any) -> None:
    one = nlb(ec2, ("us-east-1a",), name="one")
    message = refused(
        ec2.create_vpc_endpoint_service_configuration,
        NetworkLoadBalancerArns=[one],
        SupportedRegions=["us-west-2"],
    )
    assert "at least two Availability Zones" in message
    assert ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"] == []
    # A one-zone service is fine in its own region, and refused the other region later.
    service_id = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[one])[
        "ServiceConfiguration"
    ]["ServiceId"]
    message = refused(
        ec2.modify_vpc_endpoint_service_configuration, ServiceId=service_id, AddSupportedRegions=["us-west-2"]
    )
    assert "at least two Availability Zones" in message


def test_vpce_allow_multi_region_is_required_besides_the_ec2_action(ec2: Any) -> None:
    lb, other = nlb(ec2), nlb(ec2, name="y")
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="dba")
    key = iam.create_access_key(UserName="dba")["AccessKey"]
    ec2_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="dba", PolicyName="p", PolicyDocument=json.dumps(ec2_only))
    dba = boto3.client(
        "ec2",
        region_name=REGION,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    with enable_iam_authentication():
        dba.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[lb])  # same region: no need
        with pytest.raises(ClientError) as caught:
            dba.create_vpc_endpoint_service_configuration(
                NetworkLoadBalancerArns=[lb], SupportedRegions=["us-west-2"]
            )
        assert "vpce:AllowMultiRegion" in str(caught.value)
    with disable_iam_authentication():
        both = dict(ec2_only)
        both["Statement"] = [
            *ec2_only["Statement"],
            {
                "Effect": "Allow",
                "Action": "vpce:AllowMultiRegion",
                "Resource": "arn:aws:ec2:*:*:vpc-endpoint-service/*",
                "Condition": {"StringEquals": {"ec2:VpceSupportedRegion": "us-west-2"}},
            },
        ]
        iam.put_user_policy(UserName="dba", PolicyName="p", PolicyDocument=json.dumps(both))
    with enable_iam_authentication():
        made = dba.create_vpc_endpoint_service_configuration(
            NetworkLoadBalancerArns=[other], SupportedRegions=["us-west-2"]
        )
        assert made["ServiceConfiguration"]["ServiceId"].startswith("vpce-svc-")
        with pytest.raises(ClientError) as caught:  # the condition key names the region asked
            dba.modify_vpc_endpoint_service_configuration(
                ServiceId=made["ServiceConfiguration"]["ServiceId"], AddSupportedRegions=["eu-west-1"]
            )
        assert "vpce:AllowMultiRegion" in str(caught.value)


def test_a_consumer_in_an_offered_region_connects_with_service_region_and_the_provider_sees_it(
    ec2: Any,
) -> None:
    from wizard.sandbox.consumer import account_client

    consumer_account = "012922587834"
    made = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb(ec2)], AcceptanceRequired=True, SupportedRegions=["us-west-2"]
    )["ServiceConfiguration"]
    ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=made["ServiceId"], AddAllowedPrincipals=[f"arn:aws:iam::{consumer_account}:root"]
    )
    west = account_client("ec2", "us-west-2", consumer_account)
    vpc = west.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    subnet = west.create_subnet(VpcId=vpc, CidrBlock="10.99.1.0/24", AvailabilityZone="us-west-2a")["Subnet"]
    endpoint = west.create_vpc_endpoint(
        VpcEndpointType="Interface",
        VpcId=vpc,
        ServiceName=made["ServiceName"],
        ServiceRegion=REGION,
        SubnetIds=[subnet["SubnetId"]],
    )["VpcEndpoint"]
    assert endpoint["State"] == "pendingAcceptance"
    assert (
        ".vpce-svc-" in endpoint["DnsEntries"][0]["DnsName"]
        and ".us-east-1.vpce." in endpoint["DnsEntries"][0]["DnsName"]
    )
    [connection] = ec2.describe_vpc_endpoint_connections()["VpcEndpointConnections"]
    assert (connection["VpcEndpointId"], connection["VpcEndpointOwner"], connection["VpcEndpointRegion"]) == (
        endpoint["VpcEndpointId"],
        consumer_account,
        "us-west-2",
    )
    ec2.accept_vpc_endpoint_connections(
        ServiceId=made["ServiceId"], VpcEndpointIds=[endpoint["VpcEndpointId"]]
    )
    [connection] = ec2.describe_vpc_endpoint_connections()["VpcEndpointConnections"]
    assert connection["VpcEndpointState"] == "available"

    # A region the service is not (or no longer) offered in is refused; the endpoint made keeps working.
    ec2.modify_vpc_endpoint_service_configuration(
        ServiceId=made["ServiceId"], RemoveSupportedRegions=["us-west-2"]
    )
    with pytest.raises(ClientError) as caught:
        west.create_vpc_endpoint(
            VpcEndpointType="Interface", VpcId=vpc, ServiceName=made["ServiceName"], ServiceRegion=REGION,
            SubnetIds=[subnet["SubnetId"]],
        )  # fmt: skip
    assert "not available in us-west-2" in str(caught.value)
    assert [
        c["VpcEndpointState"] for c in ec2.describe_vpc_endpoint_connections()["VpcEndpointConnections"]
    ] == ["available"]
    # The service cannot be deleted while that connection is up, as in its own region.
    failed = ec2.delete_vpc_endpoint_service_configurations(ServiceIds=[made["ServiceId"]])["Unsuccessful"]
    assert [f["Error"]["Code"] for f in failed] == ["ExistingVpcEndpointConnections"]


def test_the_simulated_platform_connects_from_the_other_region_once(ec2: Any) -> None:
    from wizard.sandbox.consumer import SimulatedConsumer

    made = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb(ec2)], SupportedRegions=["us-west-2"]
    )["ServiceConfiguration"]
    ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=made["ServiceId"], AddAllowedPrincipals=["arn:aws:iam::012922587834:root"]
    )
    [request] = SimulatedConsumer(REGION, delay=0).poll_once()
    assert request.service_id == made["ServiceId"] and request.state == "pendingAcceptance"
    connections = ec2.describe_vpc_endpoint_connections()["VpcEndpointConnections"]
    assert [(c["VpcEndpointId"], c["VpcEndpointRegion"]) for c in connections] == [
        (request.endpoint_id, "us-west-2")
    ]
    assert SimulatedConsumer(REGION, delay=0).poll_once() == []  # another run never asks twice
