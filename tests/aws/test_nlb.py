"""The internal NLB: created tagged and internal, found again by tag, never confused with others."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from wizard.aws import nlb, nlb_security
from wizard.aws.polling import Patience
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import link_tags

FAST = Patience(timeout=5, shortest=0.01)
LINK = "orders-db"


@dataclass
class Network:
    vpc_id: str
    subnet_ids: list[str]


def make_network(aws: AwsContext, cidr: str = "10.20.0.0/16", zones: int = 2) -> Network:
    """A VPC with one subnet per availability zone, as a customer account has."""
    vpc_id = aws.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    prefix = cidr.rsplit(".", 2)[0]
    subnets = [
        aws.ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=f"{prefix}.{i}.0/24", AvailabilityZone=f"us-east-1{'abc'[i]}"
        )["Subnet"]["SubnetId"]
        for i in range(zones)
    ]
    return Network(vpc_id, subnets)


def make_untagged_nlb(aws: AwsContext, name: str, subnets: list[str]) -> str:
    reply = aws.elbv2.create_load_balancer(Name=name, Subnets=subnets, Scheme="internal", Type="network")
    arn: str = reply["LoadBalancers"][0]["LoadBalancerArn"]
    return arn


def load_balancers(aws: AwsContext) -> list[dict[str, Any]]:
    return list(aws.elbv2.describe_load_balancers()["LoadBalancers"])


def test_creates_an_internal_network_load_balancer_in_the_given_subnets(aws: AwsContext) -> None:
    net = make_network(aws)
    created_ids: list[str] = []

    info, created = nlb.find_or_create_nlb(
        aws, LINK, net.vpc_id, net.subnet_ids, on_created=created_ids.append, patience=FAST
    )

    assert created is True
    assert created_ids == [info.arn]
    [lb] = load_balancers(aws)
    assert lb["LoadBalancerArn"] == info.arn
    assert lb["Type"] == "network"
    assert lb["Scheme"] == "internal"
    assert lb["LoadBalancerName"] == LINK
    assert lb["State"]["Code"] == "active"
    assert sorted(z["SubnetId"] for z in lb["AvailabilityZones"]) == sorted(net.subnet_ids)
    assert (info.vpc_id, info.scheme, info.state) == (net.vpc_id, "internal", "active")
    assert sorted(info.subnet_ids) == sorted(net.subnet_ids)
    attrs = aws.elbv2.describe_load_balancer_attributes(LoadBalancerArn=info.arn)["Attributes"]
    assert {"Key": "load_balancing.cross_zone.enabled", "Value": "true"} in attrs
    assert info.cross_zone is True
    tags = aws.elbv2.describe_tags(ResourceArns=[info.arn])["TagDescriptions"][0]["Tags"]
    assert sorted(tags, key=lambda t: t["Key"]) == sorted(link_tags(LINK), key=lambda t: t["Key"])


def test_cross_zone_off_is_set_and_read_back(aws: AwsContext) -> None:
    net = make_network(aws)
    info, _ = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, False, patience=FAST)
    attrs = aws.elbv2.describe_load_balancer_attributes(LoadBalancerArn=info.arn)["Attributes"]
    assert {"Key": "load_balancing.cross_zone.enabled", "Value": "false"} in attrs
    assert info.cross_zone is False

    # Re-running with the flag turned on changes the existing NLB instead of making a new one.
    again, created = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, True, patience=FAST)
    assert (again.arn, created, again.cross_zone) == (info.arn, False, True)


def test_running_twice_creates_nothing_new(aws: AwsContext) -> None:
    net = make_network(aws)
    calls: list[str] = []
    first, _ = nlb.find_or_create_nlb(
        aws, LINK, net.vpc_id, net.subnet_ids, on_created=calls.append, patience=FAST
    )

    second, created = nlb.find_or_create_nlb(
        aws, LINK, net.vpc_id, net.subnet_ids, on_created=calls.append, patience=FAST
    )

    assert created is False
    assert second.arn == first.arn
    assert len(load_balancers(aws)) == 1
    assert calls == [first.arn]  # on creation only
    assert nlb.find_nlb(aws, LINK) == second


def test_a_same_named_load_balancer_we_did_not_tag_is_refused(aws: AwsContext) -> None:
    net = make_network(aws)
    make_untagged_nlb(aws, LINK, net.subnet_ids)
    calls: list[str] = []

    with pytest.raises(UserError) as err:
        nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, on_created=calls.append, patience=FAST)

    assert "did not create" in err.value.what
    assert "another link name" in err.value.fix
    assert err.value.exit_code == 2
    assert calls == []
    assert len(load_balancers(aws)) == 1


def test_find_nlb_only_sees_this_links_tags(aws: AwsContext) -> None:
    net = make_network(aws)
    make_untagged_nlb(aws, "someone-elses", net.subnet_ids)
    other, _ = nlb.find_or_create_nlb(aws, "other-link", net.vpc_id, net.subnet_ids, patience=FAST)

    assert nlb.find_nlb(aws, LINK) is None
    found = nlb.find_nlb(aws, "other-link")
    assert found is not None and found.arn == other.arn


def test_the_links_load_balancer_in_another_network_is_refused(aws: AwsContext) -> None:
    first = make_network(aws)
    second = make_network(aws, cidr="10.30.0.0/16")
    nlb.find_or_create_nlb(aws, LINK, first.vpc_id, first.subnet_ids, patience=FAST)

    with pytest.raises(UserError) as err:
        nlb.find_or_create_nlb(aws, LINK, second.vpc_id, second.subnet_ids, patience=FAST)

    assert first.vpc_id in err.value.what and second.vpc_id in err.value.what
    assert len(load_balancers(aws)) == 1


def test_delete_nlb_waits_until_gone_and_tolerates_a_second_delete(aws: AwsContext) -> None:
    net = make_network(aws)
    info, _ = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, patience=FAST)

    nlb.delete_nlb(aws, info.arn, patience=FAST)
    nlb.delete_nlb(aws, info.arn, patience=FAST)

    assert load_balancers(aws) == []
    assert nlb.find_nlb(aws, LINK) is None


def test_tags_are_read_in_batches_of_twenty(aws: AwsContext) -> None:
    # DescribeTags takes at most 20 ARNs; with 23 load balancers ours must still be found.
    net = make_network(aws)
    for i in range(22):
        make_untagged_nlb(aws, f"busy-{i}", net.subnet_ids)
    info, _ = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, patience=FAST)
    calls: list[int] = []
    aws.elbv2.meta.events.register(
        "provide-client-params.*.DescribeTags",
        lambda params, **_: calls.append(len(params["ResourceArns"])),
    )

    found = nlb.find_nlb(aws, LINK)

    assert found is not None and found.arn == info.arn
    assert calls == [20, 3]


# --- the load balancer's own security group ------------------------------------------------------

ENFORCE = "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"


def test_a_new_nlb_gets_its_own_security_group_and_privatelink_traffic_is_not_filtered(
    aws: AwsContext,
) -> None:
    net = make_network(aws)
    groups_noted: list[str] = []

    info, _ = nlb.find_or_create_nlb(
        aws, LINK, net.vpc_id, net.subnet_ids, patience=FAST, on_security_group_created=groups_noted.append
    )

    [group] = nlb_security.find_nlb_security_groups(aws, LINK)
    assert (group.name, group.vpc_id) == (f"{LINK}-nlb", net.vpc_id)
    assert groups_noted == [group.id]
    assert info.security_group_ids == (group.id,)
    [lb] = load_balancers(aws)
    assert lb["SecurityGroups"] == [group.id]
    assert lb[ENFORCE] == "off"


def test_a_rerun_reuses_the_group_and_turns_enforcement_off_after_a_crash(aws: AwsContext) -> None:
    # A crash between CreateLoadBalancer and SetSecurityGroups left the NLB filtering traffic.
    net = make_network(aws)
    group, _ = nlb_security.find_or_create_nlb_security_group(aws, LINK, net.vpc_id)
    aws.elbv2.create_load_balancer(
        Name=LINK,
        Subnets=net.subnet_ids,
        Scheme="internal",
        Type="network",
        SecurityGroups=[group.id],
        Tags=link_tags(LINK),
    )
    assert load_balancers(aws)[0][ENFORCE] == "on"

    info, created = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, patience=FAST)

    assert created is False and info.security_group_ids == (group.id,)
    assert load_balancers(aws)[0][ENFORCE] == "off"
    assert nlb_security.find_nlb_security_groups(aws, LINK) == [group]


def test_a_group_left_by_a_crash_before_the_nlb_is_reused(aws: AwsContext) -> None:
    net = make_network(aws)
    group, _ = nlb_security.find_or_create_nlb_security_group(aws, LINK, net.vpc_id)

    info, created = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, patience=FAST)

    assert created is True and info.security_group_ids == (group.id,)
    assert nlb_security.find_nlb_security_groups(aws, LINK) == [group]


def test_an_older_links_nlb_without_a_security_group_keeps_working(aws: AwsContext) -> None:
    # Links made before this change have no group, and AWS cannot add one: reuse it as it is.
    net = make_network(aws)
    arn = aws.elbv2.create_load_balancer(
        Name=LINK, Subnets=net.subnet_ids, Scheme="internal", Type="network", Tags=link_tags(LINK)
    )["LoadBalancers"][0]["LoadBalancerArn"]

    info, created = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, patience=FAST)

    assert (info.arn, created, info.security_group_ids) == (arn, False, ())
    assert nlb_security.find_nlb_security_groups(aws, LINK) == []
