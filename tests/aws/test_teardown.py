"""Teardown removes exactly what the wizard built for a link, newest first, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.aws.test_connections import PRINCIPAL, consumer_endpoint
from tests.aws.test_nlb import FAST, Network, make_network, make_untagged_nlb
from tests.support.helpers import build_link as build_full_link
from wizard import steps
from wizard.aws import connections as conn
from wizard.aws import endpoint_service as es
from wizard.aws import nlb, nlb_security
from wizard.aws import target_group as tg
from wizard.aws import teardown as td
from wizard.aws.polling import Patience
from wizard.aws.session import AwsContext
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.model import LINK_TAG_KEY, link_tags
from wizard.sandbox import timing
from wizard.sandbox.seed import SampleAccount

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
    nlb_group: str


def build_link(aws: AwsContext, link: str, net: Network, port: int = 5432) -> Built:
    """The whole chain as setup leaves it, plus the firewall rule the security-group fix adds
    (the database's group allows the load balancer's own group)."""
    lb, _ = nlb.find_or_create_nlb(aws, link, net.vpc_id, net.subnet_ids, patience=FAST)
    group, _ = tg.find_or_create_target_group(aws, link, f"{link}-{port}", net.vpc_id, port, "ip")
    listener, _ = tg.find_or_create_listener(aws, link, lb.arn, port, group.arn)
    tg.sync_targets(aws, group.arn, ["10.20.0.10"], port)
    service, _ = es.find_or_create_endpoint_service(aws, link, lb.arn)
    es.allow_principal(aws, service.id, PRINCIPAL)
    db_group = aws.ec2.create_security_group(GroupName=f"db-{link}", Description="db", VpcId=net.vpc_id)[
        "GroupId"
    ]
    [nlb_group] = lb.security_group_ids
    rules = aws.ec2.authorize_security_group_ingress(
        GroupId=db_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "UserIdGroupPairs": [
                    {"GroupId": nlb_group, "Description": f"privatelink-wizard {link}: NLB"}
                ],
            }
        ],
        TagSpecifications=[{"ResourceType": "security-group-rule", "Tags": link_tags(link)}],
    )["SecurityGroupRules"]
    return Built(
        net,
        lb.arn,
        group.arn,
        listener,
        service.id,
        service.name,
        rules[0]["SecurityGroupRuleId"],
        db_group,
        nlb_group,
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
        ("nlb", built.nlb_arn),
        ("target-group", built.tg_arn),
        ("security-group-rule", built.rule_id),
        ("security-group", built.nlb_group),
    ]
    assert found[-2].parent == built.db_group
    assert found[-1].describe() == f"security group {LINK}-nlb ({built.nlb_group})"


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
    assert nlb_security.find_nlb_security_groups(aws, LINK) == []
    assert [g.id for g in nlb_security.find_nlb_security_groups(aws, "orders-db-2")] == [other.nlb_group]
    # The other link is intact, listener included.
    [listener] = aws.elbv2.describe_listeners(LoadBalancerArn=other.nlb_arn)["Listeners"]
    assert listener["ListenerArn"] == other.listener_arn
    # The accepted connection was cut off first (AWS refuses to delete a service in use).
    assert messages[0].startswith("Rejecting 1 connection")
    assert any("load balancer" in m and LINK in m for m in messages)
    assert messages[-1] == "Deleted 6 resource(s)"


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


# --- order and waiting ----------------------------------------------------------------------------


def _calls(aws: AwsContext, operations: list[str]) -> list[tuple[str, str]]:
    """(operation, error code or "") of each call to `operations`, in order, as AWS answered."""
    seen: list[tuple[str, str]] = []
    for client in (aws.ec2, aws.elbv2):
        service = client.meta.service_model.service_id.hyphenize()
        for operation in operations:

            def note(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
                seen.append((model.name, str(parsed.get("Error", {}).get("Code", ""))))

            client.meta.events.register(f"after-call.{service}.{operation}", note)
    return seen


def test_the_load_balancer_goes_before_its_target_groups_and_the_rule_before_its_group(
    aws: AwsContext,
) -> None:
    build_link(aws, LINK, make_network(aws))
    seen = _calls(
        aws, ["DeleteLoadBalancer", "DeleteTargetGroup", "RevokeSecurityGroupIngress", "DeleteSecurityGroup"]
    )

    td.teardown(aws, LINK, patience=FAST)

    assert [name for name, _ in seen] == [
        "DeleteLoadBalancer",
        "DeleteTargetGroup",
        "RevokeSecurityGroupIngress",
        "DeleteSecurityGroup",
    ]
    assert all(code == "" for _, code in seen)


def test_a_target_group_still_in_use_is_retried_until_aws_frees_it(aws: AwsContext) -> None:
    net = make_network(aws)
    built = build_link(aws, LINK, net)
    # A listener the wizard does not own keeps the target group in use (ResourceInUse), as AWS
    # does for a moment after it deletes the load balancer's listeners; it goes after one refusal.
    other = make_untagged_nlb(aws, "reporting", net.subnet_ids)
    holder = aws.elbv2.create_listener(
        LoadBalancerArn=other,
        Protocol="TCP",
        Port=6000,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": built.tg_arn}],
    )["Listeners"][0]["ListenerArn"]
    seen = _calls(aws, ["DeleteTargetGroup"])

    def release(parsed: dict[str, Any], **_: Any) -> None:
        if parsed.get("Error", {}).get("Code") == "ResourceInUse":
            aws.elbv2.delete_listener(ListenerArn=holder)

    aws.elbv2.meta.events.register("after-call.elastic-load-balancing-v2.DeleteTargetGroup", release)
    messages: list[str] = []

    td.teardown(aws, LINK, progress=messages.append, patience=FAST)

    assert seen == [("DeleteTargetGroup", "ResourceInUse"), ("DeleteTargetGroup", "")]
    assert any("target group" in m and "as in use" in m and "Trying again" in m for m in messages)
    assert td.find_link_resources(aws, LINK) == []


def test_a_target_group_that_stays_in_use_times_out_with_a_plain_message(aws: AwsContext) -> None:
    net = make_network(aws)
    built = build_link(aws, LINK, net)
    other = make_untagged_nlb(aws, "reporting", net.subnet_ids)
    aws.elbv2.create_listener(
        LoadBalancerArn=other,
        Protocol="TCP",
        Port=6000,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": built.tg_arn}],
    )

    with pytest.raises(UserError) as caught:
        td.teardown(aws, LINK, patience=Patience(timeout=0.2, shortest=0.01))

    assert caught.value.exit_code == EXIT_TIMEOUT
    assert f"target group {LINK}-5432" in caught.value.what and "still in use" in caught.value.what
    assert "listener the wizard did not create" in caught.value.why
    assert "Run teardown again" in caught.value.fix


def test_a_rule_the_wizard_did_not_add_naming_its_group_stops_teardown_before_anything_goes(
    aws: AwsContext,
) -> None:
    net = make_network(aws)
    built = build_link(aws, LINK, net)
    theirs = aws.ec2.create_security_group(GroupName="reporting", Description="r", VpcId=net.vpc_id)[
        "GroupId"
    ]
    aws.ec2.authorize_security_group_ingress(
        GroupId=theirs,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "UserIdGroupPairs": [{"GroupId": built.nlb_group}],
            }
        ],
    )
    before = td.find_link_resources(aws, LINK)

    with pytest.raises(UserError) as caught:
        td.teardown(aws, LINK, patience=FAST)

    assert theirs in caught.value.what and built.nlb_group in caught.value.what
    assert "Nothing was deleted" in caught.value.fix
    assert td.find_link_resources(aws, LINK) == before


# --- on the sandbox: the sample account, AWS-like timing off and on -----------------------------


def _tagged_for(aws: AwsContext, link: str) -> list[str]:
    """Everything in the account carrying the wizard's tags for `link`."""
    arns = [lb["LoadBalancerArn"] for lb in aws.elbv2.describe_load_balancers()["LoadBalancers"]]
    arns += [g["TargetGroupArn"] for g in aws.elbv2.describe_target_groups()["TargetGroups"]]
    tags = nlb.elbv2_tags(aws, arns)
    found = [arn for arn in arns if nlb.is_ours(tags.get(arn, {}), link)]
    link_filter = [{"Name": f"tag:{LINK_TAG_KEY}", "Values": [link]}]
    found += [g["GroupId"] for g in aws.ec2.describe_security_groups(Filters=link_filter)["SecurityGroups"]]
    found += [
        r["SecurityGroupRuleId"]
        for r in aws.ec2.describe_security_group_rules(Filters=link_filter)["SecurityGroupRules"]
    ]
    services = aws.ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    found += [
        s["ServiceId"]
        for s in services
        if {t["Key"]: t["Value"] for t in s.get("Tags", [])}.get(LINK_TAG_KEY) == link
        and s.get("ServiceState") not in {"Deleting", "Deleted"}
    ]
    return found


def _everything_else(aws: AwsContext, link: str) -> dict[str, set[str]]:
    ours = set(_tagged_for(aws, link))
    # The rules inside the link's own group (its default outbound rule) go with the group.
    rules = [
        r for r in aws.ec2.describe_security_group_rules()["SecurityGroupRules"] if r["GroupId"] not in ours
    ]
    return {
        "load balancers": {
            lb["LoadBalancerArn"] for lb in aws.elbv2.describe_load_balancers()["LoadBalancers"]
        }
        - ours,
        "target groups": {g["TargetGroupArn"] for g in aws.elbv2.describe_target_groups()["TargetGroups"]}
        - ours,
        "security groups": {g["GroupId"] for g in aws.ec2.describe_security_groups()["SecurityGroups"]}
        - ours,
        "rules": {r["SecurityGroupRuleId"] for r in rules} - ours,
    }


@pytest.mark.parametrize("scale", [timing.INSTANT, 0.002])
def test_on_the_sandbox_teardown_leaves_nothing_tagged_and_touches_nothing_else(
    aws: AwsContext, seeded: SampleAccount, scale: float
) -> None:
    with timing.scaled(timing.INSTANT):  # the scale is process-wide: say it, whatever ran before
        link = build_full_link(aws, seeded.analytics_pg)
        steps.TargetGroupStep().fix(link, "security-group")
    aws.ec2.authorize_security_group_ingress(
        GroupId=seeded.analytics_pg_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.20.50.0/24"}]}
        ],
    )
    assert len(_tagged_for(aws, "orders")) == 5  # NLB, target group, service, rule, NLB group
    theirs = _everything_else(aws, "orders")
    assert seeded.legacy_nlb_arn in theirs["load balancers"]
    seen = _calls(aws, ["DeleteSecurityGroup"])
    messages: list[str] = []

    with timing.scaled(scale):
        deleted = td.teardown(
            aws, "orders", progress=messages.append, patience=Patience(timeout=30, shortest=0.01)
        )

    assert [r.kind for r in deleted] == list(td.KIND_ORDER)
    assert _tagged_for(aws, "orders") == []
    assert _everything_else(aws, "orders") == theirs
    if scale:
        # AWS keeps the group in use until the deleted NLB's interfaces are released: waited out.
        assert seen[0] == ("DeleteSecurityGroup", "DependencyViolation") and seen[-1] == (
            "DeleteSecurityGroup",
            "",
        )
        assert any("network interfaces" in m and "Trying again" in m for m in messages)
    else:
        assert seen == [("DeleteSecurityGroup", "")]
