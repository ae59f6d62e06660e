"""Teardown removes exactly what the wizard built for a link, newest first, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.aws.test_connections import CONSUMER_ACCOUNT, PRINCIPAL, consumer_endpoint
from tests.aws.test_nlb import FAST, Network, make_network, make_untagged_nlb
from tests.support.helpers import build_link as build_full_link
from wizard import steps
from wizard.aws import connections as conn
from wizard.aws import endpoint_service as es
from wizard.aws import nlb, nlb_security
from wizard.aws import target_group as tg
from wizard.aws import teardown as td
from wizard.aws import teardown_plan as td_plan
from wizard.aws.polling import Patience
from wizard.aws.session import AwsContext
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.model import LINK_TAG_KEY, LinkRecord, link_tags
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


# The chain's kinds in deletion order (these links are built by hand, without a target sync).
CHAIN_ORDER = [kind for kind in td.KIND_ORDER if not kind.startswith("sync-")]


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
    # Issue 16 (8): plain words, each rule with its source.
    assert [r.describe() for r in found[1:]] == [
        f"listener on port 5432 of the load balancer {LINK} ({built.listener_arn})",
        f"load balancer {LINK} ({built.nlb_arn})",
        f"target group {LINK}-5432 ({built.tg_arn})",
        f"firewall rule allowing TCP 5432 from the load balancer's security group {built.nlb_group} "
        f"in security group {built.db_group} ({built.rule_id})",
        f"load balancer's security group {LINK}-nlb ({built.nlb_group})",
    ]


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

    assert [r.kind for r in deleted] == CHAIN_ORDER
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
    # The summary is the caller's to print, once (issue 16 (8)).
    assert messages[-1] == f"Deleting the load balancer's security group {LINK}-nlb ({built.nlb_group})"
    assert not any("resource" in m for m in messages)


def test_a_second_teardown_finds_nothing_and_succeeds(aws: AwsContext) -> None:
    build_link(aws, LINK, make_network(aws))
    td.teardown(aws, LINK, patience=FAST)
    messages: list[str] = []

    assert td.teardown(aws, LINK, progress=messages.append, patience=FAST) == []
    assert messages == ["Nothing left to delete"]


def test_a_rule_only_described_as_the_links_is_never_removed_but_is_named(aws: AwsContext) -> None:
    # Issue 16 (5): neither tagged for the link nor recorded by id: a description is no proof.
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

    plan = td.plan_teardown(aws, LINK)

    assert plan.resources == [] and td.teardown(aws, LINK, patience=FAST) == []
    assert len(ingress_rule_ids(aws, group)) == 2
    # Named, for orders-db only ("orders-db-2" is another link's description).
    [left] = plan.left
    assert left.line() == (
        f"Not removed: not recorded as the wizard's: firewall rule allowing TCP 3306 from "
        f"10.20.1.0/24 in security group {group} ({left.rule.id})"
    )
    assert left.rule.parent == group and "Inbound rules" in left.fix


def _untagged_rule(aws: AwsContext, group: str, source_group: str, port: int = 5432) -> str:
    """A rule as the wizard adds it, but with no tags (AWS cannot tag a rule on every path)."""
    reply = aws.ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "UserIdGroupPairs": [
                    {"GroupId": source_group, "Description": f"privatelink-wizard {LINK}: NLB"}
                ],
            }
        ],
    )
    rule_id: str = reply["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    return rule_id


def _recorded(rule_ids: list[str], details: bool = True, aws: AwsContext | None = None) -> LinkRecord:
    record = LinkRecord(name=LINK, region="us-east-1")
    for rule_id in rule_ids:
        record.note_created("security-group-rule", rule_id)
    if details and aws is not None:
        td_plan.remember_rules(aws, record, rule_ids)
    return record


def test_an_untagged_rule_the_record_holds_is_removed_while_it_is_as_made(aws: AwsContext) -> None:
    net = make_network(aws)
    built = build_link(aws, LINK, net)
    other_db = aws.ec2.create_security_group(GroupName="db2", Description="db", VpcId=net.vpc_id)["GroupId"]
    as_made = _untagged_rule(aws, other_db, built.nlb_group)
    changed = _untagged_rule(aws, built.db_group, built.nlb_group, port=5433)
    record = _recorded([built.rule_id, as_made, changed], aws=aws)
    [entry] = [r for r in record.created if r.id == as_made]
    assert (entry.group_id, entry.port, entry.source) == (other_db, 5432, built.nlb_group)
    # Someone changed the second rule after the wizard made it: it may serve something else now.
    aws.ec2.modify_security_group_rules(
        GroupId=built.db_group,
        SecurityGroupRules=[
            {
                "SecurityGroupRuleId": changed,
                "SecurityGroupRule": {
                    "IpProtocol": "tcp",
                    "FromPort": 6000,
                    "ToPort": 6000,
                    "ReferencedGroupId": built.nlb_group,
                },
            }
        ],
    )

    plan = td.plan_teardown(aws, LINK, record)

    rules = [r.id for r in plan.resources if r.kind == "security-group-rule"]
    assert sorted(rules) == sorted([built.rule_id, as_made])
    [left] = plan.left
    assert (left.rule.id, left.reason) == (changed, td_plan.CHANGED)
    assert left.line().startswith(
        "Not removed: changed since the wizard made it: firewall rule allowing TCP 6000"
    )
    # The changed rule still names the load balancer's group: AWS could never delete that group.
    [blocker] = plan.blockers
    assert changed in blocker.what


def test_a_record_from_an_older_version_names_its_rules_by_id_alone(aws: AwsContext) -> None:
    net = make_network(aws)
    built = build_link(aws, LINK, net)
    untagged = _untagged_rule(aws, built.db_group, built.nlb_group, port=5433)
    # As an older version saved it: the id, nothing else (and it still loads).
    saved = {
        "name": LINK,
        "region": "us-east-1",
        "created": [{"kind": "security-group-rule", "id": untagged}],
    }
    record = LinkRecord.from_dict(saved)

    deleted = td.teardown(aws, LINK, patience=FAST, record=record)

    assert untagged in [r.id for r in deleted]
    assert ingress_rule_ids(aws, built.db_group) == []


def test_setup_records_what_its_firewall_rule_allows(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_full_link(aws, seeded.analytics_pg)
    steps.TargetGroupStep().fix(link, "security-group")

    [entry] = [r for r in link.record.created if r.kind == "security-group-rule"]
    [nlb_group] = nlb.find_nlb(aws, "orders").security_group_ids  # type: ignore[union-attr]
    assert (entry.group_id, entry.port, entry.source) == (seeded.analytics_pg_sg, 5432, nlb_group)
    saved = link.store.load(link.record.account_id, link.record.region, "orders")
    assert saved is not None and saved.created == link.record.created
    # Another run's in-memory record folding in the saved one keeps the details (_merge_saved).
    other = LinkRecord(name="orders", region=link.record.region)
    for res in saved.created:
        other.note_created(res.kind, res.id, res.note, **res.details())
    assert [r.details() for r in other.created] == [r.details() for r in saved.created]


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


def _held_after_the_load_balancer_goes(aws: AwsContext, built: Built) -> str:
    """After teardown's checks, as its load balancer goes, a listener holds the target group (as
    AWS does for a moment after it deletes the load balancer's own listeners): its ARN."""
    other = make_untagged_nlb(aws, "reporting", built.net.subnet_ids)
    holder: list[str] = []

    def hold(parsed: dict[str, Any], **_: Any) -> None:
        if not holder:
            holder.append(
                aws.elbv2.create_listener(
                    LoadBalancerArn=other,
                    Protocol="TCP",
                    Port=6000,
                    DefaultActions=[{"Type": "forward", "TargetGroupArn": built.tg_arn}],
                )["Listeners"][0]["ListenerArn"]
            )

    aws.elbv2.meta.events.register("after-call.elastic-load-balancing-v2.DeleteLoadBalancer", hold)
    return other


def test_a_target_group_still_in_use_is_retried_until_aws_frees_it(aws: AwsContext) -> None:
    built = build_link(aws, LINK, make_network(aws))
    other = _held_after_the_load_balancer_goes(aws, built)
    seen = _calls(aws, ["DeleteTargetGroup"])

    def release(parsed: dict[str, Any], **_: Any) -> None:
        if parsed.get("Error", {}).get("Code") == "ResourceInUse":
            for listener in aws.elbv2.describe_listeners(LoadBalancerArn=other)["Listeners"]:
                aws.elbv2.delete_listener(ListenerArn=listener["ListenerArn"])

    aws.elbv2.meta.events.register("after-call.elastic-load-balancing-v2.DeleteTargetGroup", release)
    messages: list[str] = []

    td.teardown(aws, LINK, progress=messages.append, patience=FAST)

    assert seen == [("DeleteTargetGroup", "ResourceInUse"), ("DeleteTargetGroup", "")]
    assert any("target group" in m and "as in use" in m and "Trying again" in m for m in messages)
    assert td.find_link_resources(aws, LINK) == []


def test_a_target_group_that_stays_in_use_times_out_naming_what_is_left(aws: AwsContext) -> None:
    built = build_link(aws, LINK, make_network(aws))
    _held_after_the_load_balancer_goes(aws, built)

    with pytest.raises(UserError) as caught:
        td.teardown(aws, LINK, patience=Patience(timeout=0.2, shortest=0.01))

    error = caught.value
    assert error.exit_code == EXIT_TIMEOUT
    assert f"target group {LINK}-5432" in error.what and "still in use" in error.what
    assert "listener the wizard did not create" in error.why
    # Issue 16 (6): exactly what is left, found again by its tags, and that a re-run finishes it.
    left = td.find_link_resources(aws, LINK)
    assert [r.kind for r in left] == ["target-group", "security-group-rule", "security-group"]
    assert "it removed 3 of 6 resources" in error.fix
    assert (
        "Still there (found again by the link's tags): " + "; ".join(r.describe() for r in left) + "."
        in error.fix
    )
    assert "Run teardown again" in error.fix


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

    # The steps deployed its target sync too (two triggers: the schedule and the RDS events).
    assert list(dict.fromkeys(r.kind for r in deleted)) == list(td.KIND_ORDER)
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


# --- before anything is deleted: what would stop it (issue 16 (6)) ------------------------------


def _protect(aws: AwsContext, nlb_arn: str, on: bool = True) -> None:
    aws.elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=nlb_arn,
        Attributes=[{"Key": "deletion_protection.enabled", "Value": "true" if on else "false"}],
    )


def test_deletion_protection_stops_teardown_before_anything_is_deleted(aws: AwsContext) -> None:
    built = build_link(aws, LINK, make_network(aws))
    endpoint_id = consumer_endpoint(built.service_name)
    conn.accept_connections(aws, built.service_id, [endpoint_id])
    _protect(aws, built.nlb_arn)
    before = td.find_link_resources(aws, LINK)

    with pytest.raises(UserError) as caught:
        td.teardown(aws, LINK, patience=FAST)

    error = caught.value
    assert f"The load balancer {LINK} has deletion protection turned on" in error.what
    assert "clear Deletion protection" in error.fix and built.nlb_arn in error.fix
    assert error.fix.endswith("Then run teardown again. Nothing was deleted.")
    assert td.find_link_resources(aws, LINK) == before
    # Not even the platform's connection was cut off.
    assert [c.state for c in conn.list_connections(aws, built.service_id)] == ["available"]

    _protect(aws, built.nlb_arn, on=False)
    assert [r.kind for r in td.teardown(aws, LINK, patience=FAST)] == CHAIN_ORDER


def test_another_load_balancers_listener_on_the_target_group_stops_teardown_first(
    aws: AwsContext,
) -> None:
    net = make_network(aws)
    built = build_link(aws, LINK, net)
    other = make_untagged_nlb(aws, "reporting", net.subnet_ids)
    aws.elbv2.create_listener(
        LoadBalancerArn=other,
        Protocol="TCP",
        Port=6000,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": built.tg_arn}],
    )
    _protect(aws, built.nlb_arn)  # two blockers: both are named at once
    before = td.find_link_resources(aws, LINK)
    seen = _calls(aws, ["DeleteLoadBalancer", "DeleteListener", "DeleteVpcEndpointServiceConfigurations"])

    with pytest.raises(UserError) as caught:
        td.teardown(aws, LINK, patience=FAST)

    error = caught.value
    assert (
        f"The load balancer reporting, which is not part of the link, sends its listener on port "
        f"6000 to the link's target group {LINK}-5432." in error.what
    )
    assert "deletion protection turned on" in error.what
    assert "AWS cannot delete a target group a listener uses" in error.why
    assert "Load balancers, reporting, Listeners" in error.fix and "Nothing was deleted" in error.fix
    assert seen == [] and td.find_link_resources(aws, LINK) == before


def test_a_listener_that_used_the_target_group_once_does_not_stop_teardown(aws: AwsContext) -> None:
    # AWS lists the load balancers using a group; the check reads their listeners to be sure.
    net = make_network(aws)
    built = build_link(aws, LINK, net)
    other = make_untagged_nlb(aws, "reporting", net.subnet_ids)
    listener = aws.elbv2.create_listener(
        LoadBalancerArn=other,
        Protocol="TCP",
        Port=6000,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": built.tg_arn}],
    )["Listeners"][0]["ListenerArn"]
    aws.elbv2.delete_listener(ListenerArn=listener)

    assert td.plan_teardown(aws, LINK).blockers == []


# --- the confirmation names the connections it cuts off (issue 16 (8)) ---------------------------


def test_the_plan_names_the_platforms_live_connection(aws: AwsContext) -> None:
    built = build_link(aws, LINK, make_network(aws))
    live = consumer_endpoint(built.service_name)
    conn.accept_connections(aws, built.service_id, [live])
    waiting = consumer_endpoint(built.service_name)

    plan = td.plan_teardown(aws, LINK, platform_account=CONSUMER_ACCOUNT)

    assert plan.connection_lines() == [
        f"The platform's live connection {live} from account {CONSUMER_ACCOUNT} will be rejected: "
        "it stops carrying traffic to the database at once",
        f"The platform's connection request {waiting} from account {CONSUMER_ACCOUNT} "
        "(pendingAcceptance) will be rejected",
    ]
    # From an account that is not the platform's: named all the same, without "the platform's".
    other = td.plan_teardown(aws, LINK, platform_account="111122223333").connection_lines()
    assert other[0].startswith(f"The live connection {live} from account {CONSUMER_ACCOUNT}")
