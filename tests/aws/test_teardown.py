"""Teardown removes exactly what the wizard built for a link, newest first, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.aws.test_connections import PRINCIPAL, consumer_endpoint
from tests.aws.test_nlb import FAST, Network, make_network, make_untagged_nlb
from wizard.aws import connections as conn
from wizard.aws import endpoint_service as es
from wizard.aws import nlb
from wizard.aws import target_group as tg
from wizard.aws import teardown as td
from wizard.aws.session import AwsContext
from wizard.model import link_tags

LINK = "orders-db"


@dataclass
class Built:
    net: Network
    nlb_arn: str
    tg_arn: str
    listener_arn: str
    service_id: str
    service_name: str
    rule_id: str
    db_group: str


def build_link(aws: AwsContext, link: str, net: Network, port: int = 5432) -> Built:
    """The whole chain as setup leaves it, plus the firewall rule the security-group fix adds."""
    lb, _ = nlb.find_or_create_nlb(aws, link, net.vpc_id, net.subnet_ids, patience=FAST)
    group, _ = tg.find_or_create_target_group(aws, link, f"{link}-{port}", net.vpc_id, port, "ip")
    listener, _ = tg.find_or_create_listener(aws, link, lb.arn, port, group.arn)
    tg.sync_targets(aws, group.arn, ["10.20.0.10"], port)
    service, _ = es.find_or_create_endpoint_service(aws, link, lb.arn)
    es.allow_principal(aws, service.id, PRINCIPAL)
    db_group = aws.ec2.create_security_group(GroupName=f"db-{link}", Description="db", VpcId=net.vpc_id)[
        "GroupId"
    ]
    rules = aws.ec2.authorize_security_group_ingress(
        GroupId=db_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "IpRanges": [
                    {"CidrIp": "10.20.0.0/24", "Description": f"privatelink-wizard {link}: NLB subnet"}
                ],
            }
        ],
        TagSpecifications=[{"ResourceType": "security-group-rule", "Tags": link_tags(link)}],
    )["SecurityGroupRules"]
    return Built(
        net, lb.arn, group.arn, listener, service.id, service.name, rules[0]["SecurityGroupRuleId"], db_group
    )


def ingress_rule_ids(aws: AwsContext, group_id: str) -> list[str]:
    rules = aws.ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    return [r["SecurityGroupRuleId"] for r in rules["SecurityGroupRules"] if not r["IsEgress"]]


def test_finds_the_links_resources_in_deletion_order(aws: AwsContext) -> None:
    built = build_link(aws, LINK, make_network(aws))

    found = td.find_link_resources(aws, LINK)

    assert [(r.kind, r.id) for r in found] == [
        ("endpoint-service", built.service_id),
        ("listener", built.listener_arn),
        ("target-group", built.tg_arn),
        ("nlb", built.nlb_arn),
        ("security-group-rule", built.rule_id),
    ]
    assert found[-1].parent == built.db_group


def test_teardown_removes_everything_tagged_and_keeps_the_rest(aws: AwsContext) -> None:
    net = make_network(aws)
    built = build_link(aws, LINK, net)
    endpoint_id = consumer_endpoint(built.service_name)
    conn.accept_connections(aws, built.service_id, [endpoint_id])
    # Things the wizard did not make, in the same network, and another link's chain.
    foreign_nlb = make_untagged_nlb(aws, "reporting", net.subnet_ids)
    foreign_tg = aws.elbv2.create_target_group(
        Name="reporting-5432", Protocol="TCP", Port=5432, VpcId=net.vpc_id, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    other = build_link(aws, "orders-db-2", net, port=5433)
    messages: list[str] = []

    deleted = td.teardown(aws, LINK, progress=messages.append, patience=FAST)

    assert [r.kind for r in deleted] == list(td.KIND_ORDER)
    assert td.find_link_resources(aws, LINK) == []
    lbs = {lb["LoadBalancerArn"] for lb in aws.elbv2.describe_load_balancers()["LoadBalancers"]}
    assert lbs == {foreign_nlb, other.nlb_arn}
    groups = {g["TargetGroupArn"] for g in aws.elbv2.describe_target_groups()["TargetGroups"]}
    assert groups == {foreign_tg, other.tg_arn}
    service_ids = [
        s["ServiceId"]
        for s in aws.ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    ]
    assert service_ids == [other.service_id]
    assert ingress_rule_ids(aws, built.db_group) == []
    assert ingress_rule_ids(aws, other.db_group) == [other.rule_id]
    # The other link is intact, listener included.
    [listener] = aws.elbv2.describe_listeners(LoadBalancerArn=other.nlb_arn)["Listeners"]
    assert listener["ListenerArn"] == other.listener_arn
    # The accepted connection was cut off first (AWS refuses to delete a service in use).
    assert messages[0].startswith("Rejecting 1 connection")
    assert any("load balancer" in m and LINK in m for m in messages)
    assert messages[-1] == "Deleted 5 resource(s)"


def test_a_second_teardown_finds_nothing_and_succeeds(aws: AwsContext) -> None:
    build_link(aws, LINK, make_network(aws))
    td.teardown(aws, LINK, patience=FAST)
    messages: list[str] = []

    assert td.teardown(aws, LINK, progress=messages.append, patience=FAST) == []
    assert messages == ["Nothing left to delete"]


def test_a_rule_described_for_a_longer_link_name_is_not_ours(aws: AwsContext) -> None:
    net = make_network(aws)
    group = aws.ec2.create_security_group(GroupName="db", Description="db", VpcId=net.vpc_id)["GroupId"]
    aws.ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 3306,
                "ToPort": 3306,
                "IpRanges": [
                    {"CidrIp": "10.20.0.0/24", "Description": "privatelink-wizard orders-db-2: NLB subnet"},
                    {"CidrIp": "10.20.1.0/24", "Description": "privatelink-wizard orders-db: NLB subnet"},
                ],
            }
        ],
    )

    found = td.find_link_resources(aws, LINK)

    assert [r.kind for r in found] == ["security-group-rule"]
    rules = aws.ec2.describe_security_group_rules(SecurityGroupRuleIds=[found[0].id])["SecurityGroupRules"]
    assert rules[0]["CidrIpv4"] == "10.20.1.0/24"


@pytest.mark.parametrize("tags", [[], [{"Key": "privatelink-wizard:link", "Value": "orders-db-2"}]])
def test_untagged_or_other_links_resources_are_never_listed(
    aws: AwsContext, tags: list[dict[str, str]]
) -> None:
    net = make_network(aws)
    extra = {"Tags": tags} if tags else {}
    aws.elbv2.create_load_balancer(
        Name=LINK, Subnets=net.subnet_ids, Scheme="internal", Type="network", **extra
    )
    aws.elbv2.create_target_group(
        Name=f"{LINK}-5432", Protocol="TCP", Port=5432, VpcId=net.vpc_id, TargetType="ip", **extra
    )
    assert td.find_link_resources(aws, LINK) == []
    assert td.teardown(aws, LINK, patience=FAST) == []
    assert len(aws.elbv2.describe_load_balancers()["LoadBalancers"]) == 1
    assert len(aws.elbv2.describe_target_groups()["TargetGroups"]) == 1
