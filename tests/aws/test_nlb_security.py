"""The load balancer's own security group, and keeping it from filtering PrivateLink traffic. On the
sandbox, which models what moto 5.2 lacks: the enforcement setting, and the refusals of
SetSecurityGroups and DeleteSecurityGroup (wizard/sandbox/sg_model.py)."""

from __future__ import annotations

import re

import pytest

from tests.aws.test_nlb import Network, make_network
from wizard.aws import nlb_security as ns
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import link_tags

LINK = "orders-db"
ENFORCE = "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"


def _nlb(aws: AwsContext, net: Network, name: str, groups: list[str] | None = None) -> str:
    extra = {"SecurityGroups": groups} if groups is not None else {}
    arn: str = aws.elbv2.create_load_balancer(
        Name=name, Type="network", Scheme="internal", Subnets=net.subnet_ids, **extra
    )["LoadBalancers"][0]["LoadBalancerArn"]
    return arn


def _tags(aws: AwsContext, group_id: str) -> dict[str, str]:
    [group] = aws.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    return {t["Key"]: t["Value"] for t in group.get("Tags", [])}


# --- the group -----------------------------------------------------------------------------------


def test_the_group_is_made_tagged_in_the_network_and_found_again(aws: AwsContext) -> None:
    net = make_network(aws)
    noted: list[str] = []

    group, created = ns.find_or_create_nlb_security_group(aws, LINK, net.vpc_id, noted.append)

    assert created and noted == [group.id]
    [described] = aws.ec2.describe_security_groups(GroupIds=[group.id])["SecurityGroups"]
    assert (described["GroupName"], described["VpcId"]) == (f"{LINK}-nlb", net.vpc_id)
    assert _tags(aws, group.id) == {t["Key"]: t["Value"] for t in link_tags(LINK)}
    # Plain words, and only the characters AWS accepts in a group description.
    assert "PrivateLink traffic is not filtered" in described["Description"]
    assert re.fullmatch(r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,255}", described["Description"])
    # No inbound rule is needed; the default outbound rule (all traffic) reaches the targets.
    assert described["IpPermissions"] == []
    assert [(p["IpProtocol"], p["IpRanges"][0]["CidrIp"]) for p in described["IpPermissionsEgress"]] == [
        ("-1", "0.0.0.0/0")
    ]

    again, created_again = ns.find_or_create_nlb_security_group(aws, LINK, net.vpc_id, noted.append)
    assert (again, created_again, noted) == (group, False, [group.id])
    assert ns.find_nlb_security_groups(aws, LINK) == [group]
    assert ns.find_nlb_security_groups(aws, "orders-db-2") == []


def test_a_same_named_group_the_wizard_did_not_make_is_refused(aws: AwsContext) -> None:
    net = make_network(aws)
    aws.ec2.create_security_group(GroupName=f"{LINK}-nlb", Description="theirs", VpcId=net.vpc_id)

    with pytest.raises(UserError) as caught:
        ns.find_or_create_nlb_security_group(aws, LINK, net.vpc_id)

    assert "did not create" in caught.value.what and "another link name" in caught.value.fix
    assert caught.value.exit_code == 2


def test_deleting_a_group_that_is_gone_already_is_fine(aws: AwsContext) -> None:
    net = make_network(aws)
    group, _ = ns.find_or_create_nlb_security_group(aws, LINK, net.vpc_id)
    ns.delete_nlb_security_group(aws, group.id)
    ns.delete_nlb_security_group(aws, group.id)
    assert ns.find_nlb_security_groups(aws, LINK) == []


def test_deleting_a_group_in_use_raises_dependency_violation(aws: AwsContext) -> None:
    net = make_network(aws)
    group, _ = ns.find_or_create_nlb_security_group(aws, LINK, net.vpc_id)
    _nlb(aws, net, LINK, [group.id])
    with pytest.raises(UserError) as caught:
        ns.delete_nlb_security_group(aws, group.id)
    assert caught.value.code == "DependencyViolation"


# --- enforcement of the groups on PrivateLink traffic ------------------------------------------


def test_an_nlb_without_security_groups_is_fine(aws: AwsContext) -> None:
    arn = _nlb(aws, make_network(aws), "plain")
    row = ns.check_nlb_sg_enforcement(aws, arn)
    assert row.key == "nlb-sg-enforcement"
    assert row.ok and "no security group" in row.reason
    ns.fix_nlb_sg_enforcement(aws, arn)  # nothing to do (SetSecurityGroups would be refused)


def test_enforcement_on_is_reported_and_turned_off(aws: AwsContext) -> None:
    net = make_network(aws)
    group, _ = ns.find_or_create_nlb_security_group(aws, LINK, net.vpc_id)
    arn = _nlb(aws, net, LINK, [group.id])

    row = ns.check_nlb_sg_enforcement(aws, arn)
    assert not row.ok
    assert "dropped" in row.reason and group.id in row.reason
    assert "Turn off" in row.fix

    ns.fix_nlb_sg_enforcement(aws, arn)

    [lb] = aws.elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
    assert (lb[ENFORCE], lb["SecurityGroups"]) == ("off", [group.id])
    assert ns.check_nlb_sg_enforcement(aws, arn).ok


def test_the_fix_does_nothing_when_already_off(aws: AwsContext) -> None:
    net = make_network(aws)
    group, _ = ns.find_or_create_nlb_security_group(aws, LINK, net.vpc_id)
    arn = _nlb(aws, net, LINK, [group.id])
    ns.fix_nlb_sg_enforcement(aws, arn)
    calls: list[str] = []
    aws.elbv2.meta.events.register("before-call.*.SetSecurityGroups", lambda **_: calls.append("set"))

    ns.fix_nlb_sg_enforcement(aws, arn)

    assert calls == []
