"""The sandbox's EC2 model: zone states and Local Zones, subnets a Network Load Balancer can use,
and endpoint services (Pending first, zone ids, one per load balancer), in-process and served."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sandbox.helpers import PROVIDER, REGION, Accounts, accounts
from wizard.sandbox import ec2_model, moto_ext, timing

LOCAL_ZONE = "us-east-1-bos-1a"
LOCAL_ZONE_ID = "use1-bos1-az1"


pytestmark = pytest.mark.usefixtures("no_default_amis")


@pytest.fixture(params=["in-process", "server"])
def acc(request: pytest.FixtureRequest) -> Iterator[Accounts]:
    from moto import mock_aws
    from moto.moto_api._internal.models import moto_api_backend

    moto_ext.install()
    if request.param == "in-process":
        with mock_aws():
            clients = accounts(None)
            yield clients
            clients.close()
    else:
        clients = accounts(request.getfixturevalue("moto_server_url"))
        moto_api_backend.reset()  # the server shares this process's moto state
        try:
            yield clients
        finally:
            clients.close()
            moto_api_backend.reset()


@pytest.fixture
def local(aws: object) -> Iterator[Accounts]:
    """Clients on the in-process moto of `aws` (for the tests that read the model directly)."""
    clients = accounts(None)
    yield clients
    clients.close()


def backend(account: str = PROVIDER) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account][REGION]


def vpc(acc: Accounts) -> str:
    return str(acc.provider.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"])


def subnet(acc: Accounts, vpc_id: str, cidr: str, zone: str) -> str:
    reply = acc.provider.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)
    return str(reply["Subnet"]["SubnetId"])


def zone_view(acc: Accounts, **kwargs: Any) -> dict[str, dict[str, Any]]:
    zones = acc.provider.describe_availability_zones(**kwargs)["AvailabilityZones"]
    return {z["ZoneName"]: z for z in zones}


# --- zones ----------------------------------------------------------------------------------


def test_zones_report_state_type_and_opt_in(acc: Accounts) -> None:
    acc.provider.describe_vpcs()  # makes the account's backend
    ec2_model.set_zone_state(backend(), "us-east-1c", "constrained", "Capacity is limited.")

    zones = zone_view(acc)

    assert zones["us-east-1c"]["State"] == "constrained"
    assert zones["us-east-1c"]["Messages"] == [{"Message": "Capacity is limited."}]
    assert zones["us-east-1a"]["State"] == "available"
    assert {z["ZoneType"] for z in zones.values()} == {"availability-zone"}
    assert {z["OptInStatus"] for z in zones.values()} == {"opt-in-not-required"}
    constrained = zone_view(acc, Filters=[{"Name": "state", "Values": ["constrained"]}])
    assert list(constrained) == ["us-east-1c"]


def test_a_zone_state_is_per_account(acc: Accounts) -> None:
    acc.provider.describe_vpcs()
    acc.other.describe_vpcs()
    ec2_model.set_zone_state(backend(), "us-east-1c", "constrained")

    others = {z["ZoneName"]: z for z in acc.other.describe_availability_zones()["AvailabilityZones"]}

    assert others["us-east-1c"]["State"] == "available"


def test_a_local_zone_has_its_type_parent_and_subnets(acc: Accounts) -> None:
    vpc_id = vpc(acc)
    ec2_model.add_local_zone(backend(), LOCAL_ZONE, LOCAL_ZONE_ID, "us-east-1a")

    zone = zone_view(acc)[LOCAL_ZONE]
    local = subnet(acc, vpc_id, "10.0.9.0/24", LOCAL_ZONE)

    assert (zone["ZoneType"], zone["ZoneId"], zone["OptInStatus"]) == (
        "local-zone",
        LOCAL_ZONE_ID,
        "opted-in",
    )
    assert zone["ParentZoneName"] == "us-east-1a"
    assert zone["ParentZoneId"] == zone_view(acc)["us-east-1a"]["ZoneId"]
    assert zone["GroupName"] == zone["NetworkBorderGroup"] == "us-east-1-bos-1"
    [described] = acc.provider.describe_subnets(SubnetIds=[local])["Subnets"]
    assert (described["AvailabilityZone"], described["AvailabilityZoneId"]) == (LOCAL_ZONE, LOCAL_ZONE_ID)
    in_zone = acc.provider.describe_subnets(Filters=[{"Name": "availability-zone", "Values": [LOCAL_ZONE]}])[
        "Subnets"
    ]
    assert [s["SubnetId"] for s in in_zone] == [local]


def test_a_local_zone_not_opted_in_is_listed_only_when_all_are_asked_for(acc: Accounts) -> None:
    vpc_id = vpc(acc)
    ec2_model.add_local_zone(backend(), LOCAL_ZONE, LOCAL_ZONE_ID, "us-east-1a", opted_in=False)

    assert LOCAL_ZONE not in zone_view(acc)
    assert zone_view(acc, AllAvailabilityZones=True)[LOCAL_ZONE]["OptInStatus"] == "not-opted-in"
    with pytest.raises(ClientError):
        subnet(acc, vpc_id, "10.0.9.0/24", LOCAL_ZONE)


# --- subnets a Network Load Balancer can use -------------------------------------------------


def test_free_addresses_count_every_interface_address_and_the_five_reserved(acc: Accounts) -> None:
    small = subnet(acc, vpc(acc), "10.0.1.0/28", "us-east-1a")  # 16 addresses

    def free() -> int:
        return int(acc.provider.describe_subnets(SubnetIds=[small])["Subnets"][0]["AvailableIpAddressCount"])

    assert free() == 16 - ec2_model.RESERVED_PER_SUBNET
    acc.provider.create_network_interface(SubnetId=small, SecondaryPrivateIpAddressCount=2)
    assert free() == 8
    eni = acc.provider.create_network_interface(SubnetId=small)["NetworkInterface"]
    assert free() == 7
    acc.provider.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    assert free() == 8


def test_a_subnet_with_fewer_than_8_free_addresses_is_refused(local: Accounts) -> None:
    acc = local
    small = subnet(acc, vpc(acc), "10.0.1.0/28", "us-east-1a")
    for _ in range(3):
        acc.provider.create_network_interface(SubnetId=small)
    assert ec2_model.unusable_subnet_reason(backend(), small) is None  # 8 free

    acc.provider.create_network_interface(SubnetId=small)

    code, message = ec2_model.unusable_subnet(backend(), small) or ("", "")
    assert code == "InvalidSubnet"
    assert small in message and "7 free" in message and "at least 8" in message
    assert ec2_model.unusable_subnet_reason(backend(), small) == message


def test_a_subnet_in_a_constrained_zone_is_refused(local: Accounts) -> None:
    acc = local
    vpc_id = vpc(acc)
    in_c = subnet(acc, vpc_id, "10.0.3.0/24", "us-east-1c")
    in_a = subnet(acc, vpc_id, "10.0.1.0/24", "us-east-1a")
    ec2_model.set_zone_state(backend(), "us-east-1c", "constrained")

    code, message = ec2_model.unusable_subnet(backend(), in_c) or ("", "")

    assert code == "AvailabilityZoneNotSupported"
    assert "us-east-1c is constrained" in message and in_c in message
    assert ec2_model.unusable_subnet_reason(backend(), in_a) is None


def test_a_subnet_in_a_local_zone_is_refused(local: Accounts) -> None:
    acc = local
    vpc_id = vpc(acc)
    ec2_model.add_local_zone(backend(), LOCAL_ZONE, LOCAL_ZONE_ID, "us-east-1a")
    in_local_zone = subnet(acc, vpc_id, "10.0.9.0/24", LOCAL_ZONE)

    code, message = ec2_model.unusable_subnet(backend(), in_local_zone) or ("", "")

    assert code == "AvailabilityZoneNotSupported"
    assert "Local Zone" in message and in_local_zone in message
    assert ec2_model.unusable_subnet_reason(backend(), "subnet-00000000000000000") is None


# --- endpoint services ------------------------------------------------------------------------


def nlb(acc: Accounts, name: str = "svc") -> tuple[str, list[str]]:
    vpc_id = vpc(acc)
    subnets = [
        subnet(acc, vpc_id, "10.0.1.0/24", "us-east-1a"),
        subnet(acc, vpc_id, "10.0.2.0/24", "us-east-1b"),
    ]
    arn = acc.provider_elbv2.create_load_balancer(
        Name=name, Type="network", Scheme="internal", Subnets=subnets
    )["LoadBalancers"][0]["LoadBalancerArn"]
    return str(arn), subnets


def create_service(acc: Accounts, lb_arn: str, **kwargs: Any) -> dict[str, Any]:
    config: dict[str, Any] = acc.provider.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[lb_arn], AcceptanceRequired=True, **kwargs
    )["ServiceConfiguration"]
    return config


def state(acc: Accounts, service_id: str) -> str:
    reply = acc.provider.describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])
    return str(reply["ServiceConfigurations"][0]["ServiceState"])


def test_a_new_service_is_pending_then_available_at_aws_speed(acc: Accounts) -> None:
    lb_arn, _ = nlb(acc)
    with timing.scaled(timing.AWS_LIKE):
        created = create_service(acc, lb_arn)
        service_id = created["ServiceId"]
        assert created["ServiceState"] == "Pending"
        assert state(acc, service_id) == "Pending"
        # Move the service's clock past AWS's time instead of sleeping.
        config = backend().configurations[service_id]
        config._plw_service_created_at -= ec2_model.SERVICE_PENDING_SECONDS
        assert state(acc, service_id) == "Available"
    with timing.scaled(timing.AWS_LIKE):
        assert state(acc, service_id) == "Available"  # it does not go back


def test_a_new_service_is_available_at_once_at_scale_0(acc: Accounts) -> None:
    lb_arn, _ = nlb(acc)
    created = create_service(acc, lb_arn)
    assert created["ServiceState"] == "Available"
    with timing.scaled(timing.AWS_LIKE):
        assert state(acc, created["ServiceId"]) == "Available"


def test_the_service_reports_its_zone_ids(acc: Accounts) -> None:
    lb_arn, _ = nlb(acc)
    zone_ids = {z["ZoneName"]: z["ZoneId"] for z in zone_view(acc).values()}

    created = create_service(acc, lb_arn)
    [described] = acc.provider.describe_vpc_endpoint_service_configurations(
        ServiceIds=[created["ServiceId"]]
    )["ServiceConfigurations"]

    for config in (created, described):
        assert config["AvailabilityZoneIds"] == [zone_ids[z] for z in config["AvailabilityZones"]]
        assert sorted(config["AvailabilityZones"]) == ["us-east-1a", "us-east-1b"]
    [detail] = [
        d
        for d in acc.provider.describe_vpc_endpoint_services()["ServiceDetails"]
        if d["ServiceId"] == created["ServiceId"]
    ]
    assert detail["AvailabilityZoneIds"] == described["AvailabilityZoneIds"]


def test_a_load_balancer_backs_only_one_service(acc: Accounts) -> None:
    lb_arn, _ = nlb(acc)
    first = create_service(acc, lb_arn)

    with pytest.raises(ClientError) as refused:
        create_service(acc, lb_arn)

    assert refused.value.response["Error"]["Code"] == "InvalidParameter"
    assert first["ServiceId"] in refused.value.response["Error"]["Message"]
    other_lb, _ = nlb(acc, "other")
    second = create_service(acc, other_lb)
    with pytest.raises(ClientError):
        acc.provider.modify_vpc_endpoint_service_configuration(
            ServiceId=second["ServiceId"], AddNetworkLoadBalancerArns=[lb_arn]
        )
    configs = acc.provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    assert len(configs) == 2


def test_a_repeat_with_the_same_client_token_returns_the_first_service(acc: Accounts) -> None:
    lb_arn, _ = nlb(acc)
    first = create_service(acc, lb_arn, ClientToken="token-1")

    again = create_service(acc, lb_arn, ClientToken="token-1")

    assert again["ServiceId"] == first["ServiceId"]
    configs = acc.provider.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    assert [c["ServiceId"] for c in configs] == [first["ServiceId"]]
