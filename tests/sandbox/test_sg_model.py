"""The sandbox's security-group model (wizard/sandbox/sg_model.py): what AWS does and moto 5.2.5
does not. Each test fails on plain moto, which accepts every one of these calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from wizard.sandbox import sg_model, timing
from wizard.sandbox.consumer import account_client

REGION = "us-east-1"
ENFORCE = "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"


@dataclass
class Net:
    ec2: Any
    elbv2: Any
    vpc_id: str
    subnet_id: str

    def group(self, name: str) -> str:
        group_id: str = self.ec2.create_security_group(GroupName=name, Description=name, VpcId=self.vpc_id)[
            "GroupId"
        ]
        return group_id

    def nlb(self, name: str, groups: list[str] | None = None) -> str:
        extra = {"SecurityGroups": groups} if groups is not None else {}
        arn: str = self.elbv2.create_load_balancer(
            Name=name, Type="network", Scheme="internal", Subnets=[self.subnet_id], **extra
        )["LoadBalancers"][0]["LoadBalancerArn"]
        return arn


def _net(endpoint_url: str | None) -> Net:
    ec2 = account_client("ec2", REGION, "123456789012", endpoint_url)
    elbv2 = account_client("elbv2", REGION, "123456789012", endpoint_url)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")
    return Net(ec2, elbv2, vpc, subnet["Subnet"]["SubnetId"])


@pytest.fixture
def net(aws: object) -> Net:
    return _net(None)


def _code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return str(caught.value.response["Error"]["Code"])


def _describe(net: Net, arn: str) -> dict[str, Any]:
    balancer: dict[str, Any] = net.elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    return balancer


def test_enforcement_starts_on_and_only_set_security_groups_turns_it_off(net: Net) -> None:
    group = net.group("nlb")
    arn = net.nlb("with-group", [group])
    assert _describe(net, arn)[ENFORCE] == "on"

    reply = net.elbv2.set_security_groups(LoadBalancerArn=arn, SecurityGroups=[group], **{ENFORCE: "off"})

    assert reply[ENFORCE] == "off" and reply["SecurityGroupIds"] == [group]
    assert _describe(net, arn)[ENFORCE] == "off"
    # Changing the groups without naming the setting keeps it.
    net.elbv2.set_security_groups(LoadBalancerArn=arn, SecurityGroups=[group])
    assert _describe(net, arn)[ENFORCE] == "off"


def test_an_nlb_created_without_security_groups_can_never_get_one(net: Net) -> None:
    arn = net.nlb("no-group")
    assert ENFORCE not in _describe(net, arn)

    code = _code(net.elbv2.set_security_groups, LoadBalancerArn=arn, SecurityGroups=[net.group("late")])

    assert code == "InvalidConfigurationRequest"
    assert _describe(net, arn)["SecurityGroups"] == []


def test_an_unknown_security_group_is_refused_at_creation(net: Net) -> None:
    code = _code(
        net.elbv2.create_load_balancer,
        Name="bad",
        Type="network",
        Scheme="internal",
        Subnets=[net.subnet_id],
        SecurityGroups=["sg-0000000000000000f"],
    )
    assert code == "InvalidSecurityGroup"


def test_a_group_a_load_balancer_uses_cannot_be_deleted(net: Net) -> None:
    group = net.group("nlb")
    net.nlb("with-group", [group])
    assert _code(net.ec2.delete_security_group, GroupId=group) == "DependencyViolation"


def test_a_group_another_groups_rule_names_cannot_be_deleted(net: Net) -> None:
    group, db = net.group("nlb"), net.group("db")
    rule = net.ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": group}]}
        ],
    )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    assert _code(net.ec2.delete_security_group, GroupId=group) == "DependencyViolation"

    net.ec2.revoke_security_group_ingress(GroupId=db, SecurityGroupRuleIds=[rule])
    net.ec2.delete_security_group(GroupId=group)


def test_a_rule_naming_a_group_keeps_its_description(net: Net) -> None:
    group, db = net.group("nlb"), net.group("db")
    pair = {"GroupId": group, "Description": "privatelink-wizard orders: load balancer security group"}
    rule = net.ec2.authorize_security_group_ingress(
        GroupId=db,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [pair]}],
    )["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    [described] = net.ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule])["SecurityGroupRules"]
    assert described["Description"] == pair["Description"]


def test_a_group_a_network_interface_uses_cannot_be_deleted(net: Net) -> None:
    group = net.group("app")
    eni = net.ec2.create_network_interface(SubnetId=net.subnet_id, Groups=[group])["NetworkInterface"]
    assert _code(net.ec2.delete_security_group, GroupId=group) == "DependencyViolation"

    net.ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    net.ec2.delete_security_group(GroupId=group)


def test_after_the_load_balancer_is_deleted_its_group_stays_in_use_for_a_while(net: Net) -> None:
    group = net.group("nlb")
    arn = net.nlb("with-group", [group])
    with timing.scaled(1):
        net.elbv2.delete_load_balancer(LoadBalancerArn=arn)
        # Right after the delete its network interfaces still hold the group.
        assert _code(net.ec2.delete_security_group, GroupId=group) == "DependencyViolation"
        # Move the group's release clock back by the time AWS takes (no sleeping).
        moto_group = _moto_group(group)
        attribute = f"_plw_{sg_model.RELEASE_CLOCK}_at"
        setattr(moto_group, attribute, getattr(moto_group, attribute) - sg_model.RELEASE_SECONDS - 1)
        net.ec2.delete_security_group(GroupId=group)
    assert _code(net.ec2.describe_security_groups, GroupIds=[group]) == "InvalidGroup.NotFound"


def test_at_timing_zero_the_group_is_free_as_soon_as_the_load_balancer_is_gone(net: Net) -> None:
    group = net.group("nlb")
    arn = net.nlb("with-group", [group])
    with timing.scaled(timing.INSTANT):
        net.elbv2.delete_load_balancer(LoadBalancerArn=arn)
        net.ec2.delete_security_group(GroupId=group)


def _moto_group(group_id: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends["123456789012"][REGION].get_security_group_from_id(group_id)


# --- server mode: the same classes are patched, so the same answers come over HTTP --------------


@pytest.fixture(scope="module")
def server_net(moto_server_url: str) -> Net:
    return _net(moto_server_url)


def test_server_mode_models_the_same(server_net: Net) -> None:
    group = server_net.group("nlb-server")
    arn = server_net.nlb("server-nlb", [group])
    assert _describe(server_net, arn)[ENFORCE] == "on"
    server_net.elbv2.set_security_groups(LoadBalancerArn=arn, SecurityGroups=[group], **{ENFORCE: "off"})
    assert _describe(server_net, arn)[ENFORCE] == "off"
    assert _code(server_net.ec2.delete_security_group, GroupId=group) == "DependencyViolation"
    plain = server_net.nlb("server-plain")
    code = _code(server_net.elbv2.set_security_groups, LoadBalancerArn=plain, SecurityGroups=[group])
    assert code == "InvalidConfigurationRequest"
