"""Issue 20 (1) in the engine: several databases behind one link (wizard/steps/databases.py):
each database its own target group and listener port, a database already on another link or in
another network refused, the load balancer extended to a new database's zone, a re-run of setup
keeping the added databases, removing one leaving the others working, teardown removing all."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support.helpers import RIVERY, build_link
from wizard import steps
from wizard.aws import alerts, discovery, nlb, sync_deploy, target_sync, teardown
from wizard.aws import target_group as tg
from wizard.aws.session import AwsContext, whoami
from wizard.errors import UserError
from wizard.model import DATABASE_TAG_KEY, LinkRecord
from wizard.sandbox.seed import SampleAccount
from wizard.state import RecordStore
from wizard.steps import databases

LINK = "analytics"


def _account(aws: AwsContext) -> str:
    return whoami(aws).account_id


def _add(aws: AwsContext, source_id: str, link: str = LINK, **kwargs: object) -> object:
    source = discovery.find_data_source(aws, source_id)
    return databases.add_database(aws, RecordStore(), _account(aws), link, source, RIVERY, **kwargs)  # type: ignore[arg-type]


def _listeners(aws: AwsContext, link: str = LINK) -> dict[int, set[str]]:
    found = nlb.find_nlb(aws, link)
    assert found is not None
    return {int(ls["Port"]): tg._forward_targets(ls) for ls in tg.listeners(aws, found.arn)}


def _record(aws: AwsContext, link: str = LINK) -> LinkRecord:
    record = RecordStore().load(_account(aws), aws.region, link)
    assert record is not None
    return record


def _targets(aws: AwsContext, arn: str) -> set[tuple[str, int]]:
    return {(t.target_id, t.port) for t in tg.target_health(aws, arn) if t.state != "draining"}


def _ips(seeded: SampleAccount, owner: str) -> set[str]:
    return {e.private_ip for e in seeded.enis_of(owner)}


def test_two_postgres_databases_get_listeners_5432_and_5433_each_reaching_its_own(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    link = build_link(aws, seeded.analytics_pg, name=LINK)
    reports = discovery.find_data_source(aws, seeded.reports_cluster)

    assert databases.free_listener_port(aws, LINK, 5432) == 5433
    plan = databases.plan_add_database(aws, RecordStore(), _account(aws), LINK, reports)
    assert plan.refusal is None and plan.listener_port == 5433
    lines = [i.line() for i in plan.preview]
    assert "Will create: TCP target group 'analytics-5433' on port 5432" in lines[0] or any(
        "'analytics-5433' on port 5432" in line for line in lines
    )
    assert any("TCP listener on port 5433" in line for line in lines)

    added = databases.add_database(aws, RecordStore(), _account(aws), LINK, reports, RIVERY)

    assert (added.port, added.listener_port) == (5432, 5433)
    listeners = _listeners(aws)
    assert listeners[5432] == {link.record.target_group_arn}
    assert listeners[5433] == {added.target_group_arn}
    # Each listener reaches its own database: the group's targets are that database's addresses.
    writer_ips = _ips(seeded, seeded.reports_writer)
    assert _targets(aws, added.target_group_arn) == {(ip, 5432) for ip in writer_ips}
    assert _targets(aws, link.record.target_group_arn) == {
        (ip, 5432) for ip in _ips(seeded, seeded.analytics_pg)
    }
    # Tagged for its database; the record lists it after the first.
    tags = nlb.elbv2_tags(aws, [added.target_group_arn, added.listener_arn])
    assert {t[DATABASE_TAG_KEY] for t in tags.values()} == {seeded.reports_cluster}
    assert [d.source_id for d in _record(aws).all_databases()] == [
        seeded.analytics_pg,
        seeded.reports_cluster,
    ]
    found = databases.link_databases(aws, LINK, _record(aws))
    assert [(d.source_id, d.listener_port, d.first) for d in found] == [
        (seeded.analytics_pg, 5432, True),
        (seeded.reports_cluster, 5433, False),
    ]
    assert all(h.state == "healthy" for d in found for h in d.health)


def test_the_user_may_choose_the_listener_port_but_not_a_used_one(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    build_link(aws, seeded.analytics_pg, name=LINK)
    reports = discovery.find_data_source(aws, seeded.reports_cluster)
    taken = databases.plan_add_database(aws, RecordStore(), _account(aws), LINK, reports, listener_port=5432)
    assert taken.refusal is not None
    assert "already used by a listener" in taken.refusal.what and "5433" in taken.refusal.fix

    added = databases.add_database(
        aws, RecordStore(), _account(aws), LINK, reports, RIVERY, listener_port=6000
    )
    assert added.listener_port == 6000 and 6000 in _listeners(aws)


def test_a_database_on_another_link_is_refused_with_that_links_name(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    build_link(aws, seeded.analytics_pg, name=LINK)
    build_link(aws, seeded.reports_cluster, name="reports")

    with pytest.raises(UserError) as refused:
        _add(aws, seeded.reports_cluster)

    assert "already on the link 'reports'" in refused.value.what
    assert refused.value.exit_code == 2
    assert sorted(_listeners(aws)) == [5432]  # nothing was made


def test_a_database_already_added_elsewhere_is_found_by_its_tag_without_a_record(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    build_link(aws, seeded.analytics_pg, name=LINK)
    build_link(aws, seeded.orders_mysql, name="orders")
    _add(aws, seeded.reports_cluster, link="orders")
    RecordStore().delete(_record(aws, "orders"))  # made on another computer: only the tags say

    with pytest.raises(UserError, match="already on the link 'orders'"):
        _add(aws, seeded.reports_cluster)


def test_a_database_in_another_vpc_is_refused_saying_why(aws: AwsContext, seeded: SampleAccount) -> None:
    build_link(aws, seeded.analytics_pg, name=LINK)
    elsewhere = replace(discovery.find_data_source(aws, seeded.reports_cluster), vpc_id="vpc-0other")

    plan = databases.plan_add_database(aws, RecordStore(), _account(aws), LINK, elsewhere)

    assert plan.refusal is not None
    assert "vpc-0other" in plan.refusal.what
    assert "A target group and its load balancer share one VPC" in plan.refusal.why


def test_the_load_balancer_is_extended_to_the_new_databases_zone(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    # The link's load balancer only in zone b (analytics-pg's); orders-mysql is in zone a.
    zone_b = seeded.subnet_ids[1]
    build_link(aws, seeded.analytics_pg, name=LINK, subnet_ids=(zone_b,))
    mysql = discovery.find_data_source(aws, seeded.orders_mysql)
    plan = databases.plan_add_database(aws, RecordStore(), _account(aws), LINK, mysql)
    assert plan.new_subnet_ids == (seeded.subnet_ids[0],)
    assert any(i.action == "change" and seeded.subnet_ids[0] in i.what for i in plan.preview)

    _add(aws, seeded.orders_mysql)

    found = nlb.find_nlb(aws, LINK)
    assert found is not None and set(found.subnet_ids) == {zone_b, seeded.subnet_ids[0]}
    # The endpoint service follows its load balancer's zones; the record's zone ids too.
    assert len(_record(aws).az_ids) == 2


def test_re_running_setup_keeps_the_added_database(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.analytics_pg, name=LINK)
    added = _add(aws, seeded.reports_cluster)

    again = steps.open_link(aws, link.plan, _account(aws))
    assert not [i for i in steps.TargetGroupStep().preview(again) if i.action == "remove"]
    steps.run_setup(again)

    assert sorted(_listeners(aws)) == [5432, 5433]
    assert _listeners(aws)[5433] == {added.target_group_arn}  # type: ignore[attr-defined]
    assert {g.name for g in tg.find_target_groups(aws, LINK)} == {"analytics-5432", "analytics-5433"}


def test_removing_one_database_leaves_the_other_working(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.analytics_pg, name=LINK)
    added = _add(aws, seeded.reports_cluster)
    before = _targets(aws, link.record.target_group_arn)

    removed = databases.remove_database(aws, RecordStore(), _account(aws), LINK, seeded.reports_cluster)

    assert any("listener on port 5433" in r for r in removed)
    assert any("'analytics-5433'" in r for r in removed)
    assert _listeners(aws) == {5432: {link.record.target_group_arn}}
    assert _targets(aws, link.record.target_group_arn) == before
    assert [d.source_id for d in _record(aws).all_databases()] == [seeded.analytics_pg]
    assert added.target_group_arn not in {g.arn for g in tg.find_target_groups(aws, LINK)}  # type: ignore[attr-defined]
    # The sync now keeps only the remaining database's group.
    env = sync_deploy.find_sync(aws, LINK).environment
    assert [c.source_id for c in target_sync.configs_from_environment(env)] == [seeded.analytics_pg]


def test_the_last_database_is_not_removed_teardown_is_named(aws: AwsContext, seeded: SampleAccount) -> None:
    build_link(aws, seeded.analytics_pg, name=LINK)
    with pytest.raises(UserError) as refused:
        databases.remove_database(aws, RecordStore(), _account(aws), LINK, seeded.analytics_pg)
    assert "teardown --name analytics" in refused.value.fix
    with pytest.raises(UserError, match="is not on the link"):
        databases.remove_database(aws, RecordStore(), _account(aws), LINK, "nope")


def test_removing_the_first_database_promotes_the_next(aws: AwsContext, seeded: SampleAccount) -> None:
    build_link(aws, seeded.analytics_pg, name=LINK)
    added = _add(aws, seeded.orders_mysql)  # 3306: its listener port is its own port

    databases.remove_database(aws, RecordStore(), _account(aws), LINK, seeded.analytics_pg)

    record = _record(aws)
    assert (record.source_id, record.port, record.databases) == (seeded.orders_mysql, 3306, [])
    assert record.target_group_arn == added.target_group_arn  # type: ignore[attr-defined]
    assert sorted(_listeners(aws)) == [3306]


def test_the_sync_keeps_every_databases_group(aws: AwsContext, seeded: SampleAccount) -> None:
    link = build_link(aws, seeded.analytics_pg, name=LINK)
    added = _add(aws, seeded.reports_cluster)

    found = sync_deploy.find_sync(aws, LINK)
    configs = target_sync.configs_from_environment(found.environment)
    assert [(c.source_id, c.target_group_arn) for c in configs] == [
        (seeded.analytics_pg, link.record.target_group_arn),
        (seeded.reports_cluster, added.target_group_arn),  # type: ignore[attr-defined]
    ]
    policy = aws.client("iam").get_role_policy(
        RoleName=sync_deploy.function_name(LINK), PolicyName="target-sync"
    )
    statement = policy["PolicyDocument"]["Statement"][0]
    assert set(statement["Resource"]) == {link.record.target_group_arn, added.target_group_arn}  # type: ignore[attr-defined]
    # The handler fills both groups: empty the added one, run it, the targets come back.
    aws.elbv2.deregister_targets(
        TargetGroupArn=added.target_group_arn,  # type: ignore[attr-defined]
        Targets=[{"Id": ip, "Port": 5432} for ip in _ips(seeded, seeded.reports_writer)],
    )
    reply = target_sync.handle({}, found.environment, aws)
    assert [d["source_id"] for d in reply["databases"]] == [seeded.analytics_pg, seeded.reports_cluster]
    assert {ip for ip, _ in _targets(aws, added.target_group_arn)} == _ips(seeded, seeded.reports_writer)  # type: ignore[attr-defined]


def test_alerts_get_an_alarm_per_database_and_teardown_removes_everything(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    build_link(aws, seeded.analytics_pg, name=LINK)
    steps.set_up_alerts(aws, RecordStore(), _account(aws), LINK, "dba@example.com")
    _add(aws, seeded.reports_cluster)
    assert alerts.database_alarms(aws, LINK) == [alerts.database_alarm_name(LINK, 5433)]

    resources = teardown.find_link_resources(aws, LINK, _record(aws))
    kinds = [r.kind for r in resources]
    assert kinds.count("listener") == 2 and kinds.count("target-group") == 2 and kinds.count("alarm") == 2
    steps.remove_link(aws, RecordStore(), _account(aws), LINK)

    assert tg.find_target_groups(aws, LINK) == [] and nlb.find_nlb(aws, LINK) is None
    assert alerts.database_alarms(aws, LINK) == []


def test_an_older_load_balancer_without_a_security_group_opens_the_new_subnet_for_every_database(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    from wizard.model import link_tags

    zone_b = seeded.subnet_ids[1]
    # Made by an older version: no security group, so databases let it in by subnet range.
    aws.elbv2.create_load_balancer(
        Name=LINK, Subnets=[zone_b], Scheme="internal", Type="network", Tags=link_tags(LINK)
    )
    build_link(aws, seeded.analytics_pg, name=LINK, subnet_ids=(zone_b,))

    _add(aws, seeded.orders_mysql)

    rules = aws.ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [seeded.analytics_pg_sg]}]
    )["SecurityGroupRules"]
    opened = {(r.get("CidrIpv4"), r["FromPort"]) for r in rules if not r["IsEgress"]}
    assert ("10.20.1.0/24", 5432) in opened  # zone a's range, for the first database too


def test_an_add_that_stopped_half_way_continues_on_the_same_port(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    build_link(aws, seeded.analytics_pg, name=LINK)
    first = _add(aws, seeded.reports_cluster)
    # As if the computer went off before the listener was made.
    aws.elbv2.delete_listener(ListenerArn=first.listener_arn)  # type: ignore[attr-defined]
    assert sorted(_listeners(aws)) == [5432]

    again = _add(aws, seeded.reports_cluster)

    assert again.listener_port == 5433  # type: ignore[attr-defined]
    assert _listeners(aws)[5433] == {first.target_group_arn}  # type: ignore[attr-defined]
    assert [d.source_id for d in _record(aws).all_databases()] == [
        seeded.analytics_pg,
        seeded.reports_cluster,
    ]
    with pytest.raises(UserError, match="already on the link 'analytics' on listener port 5433"):
        _add(aws, seeded.reports_cluster)
