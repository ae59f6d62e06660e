"""Issue 20 (2): converging an endpoint service's other regions, and waiting while AWS adds one
(the sandbox keeps an added region Pending for a while, as API_SupportedRegionDetail allows)."""

from __future__ import annotations

from typing import Any

import pytest

from wizard.aws import service_regions
from wizard.aws.polling import Patience
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.sandbox import timing

REGION = "us-east-1"


def _service(aws: Any) -> str:
    vpc = aws.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        aws.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")[
            "Subnet"
        ]["SubnetId"]
        for i, z in enumerate("ab", start=1)
    ]
    lb = aws.elbv2.create_load_balancer(Name="x", Type="network", Scheme="internal", Subnets=subnets)
    made = aws.ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[lb["LoadBalancers"][0]["LoadBalancerArn"]]
    )
    return str(made["ServiceConfiguration"]["ServiceId"])


def test_converge_adds_and_removes_only_what_differs(aws: Any) -> None:
    service_id = _service(aws)
    info = service_regions.converge(aws, service_id, REGION, ("us-west-2", "eu-west-1"))
    assert service_regions.other_regions(info, REGION) == {"us-west-2": "Available", "eu-west-1": "Available"}
    info = service_regions.converge(aws, service_id, REGION, ("eu-west-1",))
    assert service_regions.other_regions(info, REGION) == {"eu-west-1": "Available"}
    assert service_regions.change_for(["eu-west-1"], ["eu-west-1"]) == service_regions.RegionChange()
    info = service_regions.converge(aws, service_id, REGION, ())
    assert service_regions.other_regions(info, REGION) == {}


def test_a_region_aws_is_still_adding_is_waited_for_then_times_out_plainly(aws: Any) -> None:
    service_id = _service(aws)
    with timing.scaled(1), pytest.raises(UserError) as caught:
        service_regions.converge(
            aws, service_id, REGION, ("us-west-2",), Patience(timeout=0.2, shortest=0.01)
        )
    assert caught.value.exit_code == EXIT_TIMEOUT
    assert "not yet available in us-west-2 (Pending)" in caught.value.what
    # Run again once AWS has made it available: nothing to change, nothing to wait for.
    info = service_regions.converge(aws, service_id, REGION, ("us-west-2",))
    assert service_regions.other_regions(info, REGION) == {"us-west-2": "Available"}
