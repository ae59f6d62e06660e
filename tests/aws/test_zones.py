"""Subnets and zones on the sandbox: the wizard only offers subnets a load balancer can use
(regular availability zones AWS reports as available, 8 free addresses), and says which zones it
left out, why, and which zone IDs the platform may then miss."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.helpers import RIVERY
from wizard import steps
from wizard.aws import discovery
from wizard.aws.session import AwsContext
from wizard.cli import main
from wizard.model import LinkPlan
from wizard.sandbox import ec2_model

LOCAL_ZONE = "us-east-1-bos-1a"


def backend() -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends["123456789012"]["us-east-1"]


def zone_ids(aws: AwsContext) -> dict[str, str]:
    zones = aws.ec2.describe_availability_zones(AllAvailabilityZones=True)["AvailabilityZones"]
    return {z["ZoneName"]: z["ZoneId"] for z in zones}


def fill(aws: AwsContext, subnet_id: str, interfaces: int) -> None:
    for _ in range(interfaces):
        aws.ec2.create_network_interface(SubnetId=subnet_id)


@pytest.fixture
def vpc(aws: AwsContext) -> dict[str, str]:
    """Subnets in zones a, b (constrained), c, d (a /28 with 7 free addresses) and a Local Zone."""
    ec2 = aws.ec2
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2_model.set_zone_state(backend(), "us-east-1b", "constrained")
    ec2_model.add_local_zone(backend(), LOCAL_ZONE, "use1-bos1-az1", "us-east-1a")
    made = {"vpc": vpc_id}
    for key, zone, cidr in (
        ("a", "us-east-1a", "10.0.1.0/24"),
        ("b", "us-east-1b", "10.0.2.0/24"),
        ("c", "us-east-1c", "10.0.3.0/24"),
        ("d", "us-east-1d", "10.0.4.0/28"),
        ("local", LOCAL_ZONE, "10.0.9.0/24"),
    ):
        made[key] = ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
    fill(aws, made["d"], 4)  # 16 - 5 reserved - 4 = 7 free
    return made


def server_in(vpc: dict[str, str], *subnets: str) -> Any:
    from wizard.model import DataSource, SourceKind

    return DataSource(SourceKind.EC2_INSTANCE, "i-0123456789abcdef0", vpc["vpc"], subnet_ids=subnets)


def test_list_subnets_says_what_aws_reports_and_why_a_subnet_cannot_be_used(
    aws: AwsContext, vpc: dict[str, str]
) -> None:
    subnets = {s.subnet_id: s for s in discovery.list_subnets(aws, vpc["vpc"])}
    ids = zone_ids(aws)

    a, b, d, local = (subnets[vpc[k]] for k in ("a", "b", "d", "local"))
    assert (a.zone_type, a.zone_state, a.free_addresses, a.problem) == (
        "availability-zone",
        "available",
        251,
        "",
    )
    assert b.zone_state == "constrained" and "constrained" in b.problem
    assert d.free_addresses == 7 and "only 7 free IP addresses" in d.problem and "8" in d.problem
    assert (local.zone_type, local.availability_zone_id) == ("local-zone", ids[LOCAL_ZONE])
    assert "Local Zone" in local.problem


def test_default_subnets_leave_out_zones_a_load_balancer_cannot_use(
    aws: AwsContext, vpc: dict[str, str]
) -> None:
    # A server in one subnet: the load balancer goes in every usable zone of the network.
    choice = discovery.choose_subnets(aws, server_in(vpc, vpc["a"]))
    ids = zone_ids(aws)

    assert choice.subnet_ids == (vpc["a"], vpc["c"])
    assert discovery.default_subnets(aws, server_in(vpc, vpc["a"])) == choice.subnet_ids
    left = {z.zone: z for z in choice.left_out}
    assert sorted(left) == ["us-east-1-bos-1a", "us-east-1b", "us-east-1d"]
    assert "constrained" in left["us-east-1b"].reason
    assert "Local Zone" in left[LOCAL_ZONE].reason
    assert f"{vpc['d']}: 7" in left["us-east-1d"].reason
    assert left["us-east-1b"].zone_id == ids["us-east-1b"]
    note = discovery.left_out_note(choice.left_out)
    # The platform may miss the regular zones left out (a Local Zone is no zone of its own).
    assert f"only in {ids['us-east-1b']}, {ids['us-east-1d']}, it cannot connect" in note


def test_the_databases_own_zones_skip_an_unusable_one(aws: AwsContext, vpc: dict[str, str]) -> None:
    # Own subnets in a, b and c: b is constrained, so a and c; e is not the database's.
    aws.ec2.create_subnet(VpcId=vpc["vpc"], CidrBlock="10.0.6.0/24", AvailabilityZone="us-east-1e")
    choice = discovery.choose_subnets(aws, server_in(vpc, vpc["a"], vpc["b"], vpc["c"]))

    assert choice.subnet_ids == (vpc["a"], vpc["c"])
    left = {z.zone: z.reason for z in choice.left_out}
    assert "constrained" in left["us-east-1b"]
    assert "the database has no subnet there" in left["us-east-1e"]


def test_a_full_subnet_gives_way_to_another_in_its_zone(aws: AwsContext, vpc: dict[str, str]) -> None:
    second_d = aws.ec2.create_subnet(
        VpcId=vpc["vpc"], CidrBlock="10.0.5.0/24", AvailabilityZone="us-east-1d"
    )["Subnet"]["SubnetId"]

    choice = discovery.choose_subnets(aws, server_in(vpc, vpc["d"]))

    assert second_d in choice.subnet_ids and vpc["d"] not in choice.subnet_ids
    assert "us-east-1d" not in {z.zone for z in choice.left_out}


def link_for(aws: AwsContext, seeded: Any, subnet_ids: tuple[str, ...]) -> steps.Link:
    source = discovery.find_data_source(aws, seeded.tunnel_instance_id)
    plan = LinkPlan("tunnel", aws.region, source, 22, subnet_ids, RIVERY, RIVERY.principal)
    return steps.open_link(aws, plan, seeded.account_id)


def rows_by_key(link: steps.Link) -> dict[str, Any]:
    return {row.key: row for row in steps.NlbStep().check(link)}


def test_the_check_refuses_a_chosen_subnet_a_load_balancer_cannot_use(aws: AwsContext, seeded: Any) -> None:
    a, b, c = seeded.subnet_ids
    ec2_model.set_zone_state(backend(), "us-east-1c", "constrained")

    rows = rows_by_key(link_for(aws, seeded, (a, c)))

    usable = rows["usable-subnets"]
    assert (usable.ok, usable.required) == (False, True)
    assert c in usable.reason and "constrained" in usable.reason and "Untick it" in usable.reason
    assert a not in usable.reason
    left = rows["left-out-zones"]
    assert (left.ok, left.required, left.warning) == (True, False, True)
    assert "us-east-1b" in left.reason and "no subnet is chosen there" in left.reason
    assert rows_by_key(link_for(aws, seeded, (a, b)))["usable-subnets"].ok


def test_the_check_shows_no_left_out_zones_when_every_zone_is_used(aws: AwsContext, seeded: Any) -> None:
    rows = rows_by_key(link_for(aws, seeded, tuple(seeded.subnet_ids)))
    assert rows["usable-subnets"].ok
    assert "left-out-zones" not in rows


def test_setup_prints_the_zones_it_leaves_out(
    aws: AwsContext, seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ec2_model.set_zone_state(backend(), "us-east-1c", "constrained")
    zone_c = zone_ids(aws)["us-east-1c"]
    args = ["setup", "--region", aws.region, "--source", seeded.tunnel_instance_id, "--port", "22"]

    code = main([*args, "--yes", "--fix"])

    err = capsys.readouterr().err
    assert code == 0, err
    assert "Availability zones the load balancer leaves out" in err
    assert f"us-east-1c ({zone_c}): AWS reports zone us-east-1c as constrained" in err
    assert f"only in {zone_c}, it cannot connect" in err
    lb = aws.elbv2.describe_load_balancers(Names=["plw-" + seeded.tunnel_instance_id])
    zones = {z["ZoneName"] for z in lb["LoadBalancers"][0]["AvailabilityZones"]}
    assert zones == {"us-east-1a", "us-east-1b"}


def test_an_unusable_subnet_given_to_setup_is_refused_before_anything_is_made(
    aws: AwsContext, seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ec2_model.set_zone_state(backend(), "us-east-1c", "constrained")
    subnets = ",".join(seeded.subnet_ids)
    args = ["setup", "--region", aws.region, "--source", seeded.orders_mysql, "--subnets", subnets]

    code = main([*args, "--yes", "--fix"])

    err = capsys.readouterr().err
    assert code == 2
    assert "constrained" in err and seeded.subnet_ids[2] in err
    names = [lb["LoadBalancerName"] for lb in aws.elbv2.describe_load_balancers()["LoadBalancers"]]
    assert names == ["legacy-nlb"]


def test_a_source_without_usable_zones_gets_no_subnets(aws: AwsContext, vpc: dict[str, str]) -> None:
    for zone in ("us-east-1a", "us-east-1c", "us-east-1e", "us-east-1f"):
        ec2_model.set_zone_state(backend(), zone, "unavailable")
    choice = discovery.choose_subnets(aws, server_in(vpc, vpc["a"]))
    assert choice.subnet_ids == ()
    assert {z.zone for z in choice.left_out} == {
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
        "us-east-1d",
        LOCAL_ZONE,
    }
