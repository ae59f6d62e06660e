"""The TCP target group, its attributes, the listener, and keeping targets in step with the database."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.test_nlb import FAST, Network, make_network
from tests.sandbox.clock import SandboxClock
from wizard.aws import nlb
from wizard.aws import target_group as tg
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import link_tags
from wizard.sandbox import timing

LINK = "orders-db"
NAME = "orders-db-5432"


def target_groups(aws: AwsContext) -> list[str]:
    return [g["TargetGroupArn"] for g in aws.elbv2.describe_target_groups()["TargetGroups"]]


def make_tg(aws: AwsContext, net: Network, target_type: str = "ip") -> tg.TargetGroupInfo:
    info, _ = tg.find_or_create_target_group(aws, LINK, NAME, net.vpc_id, 5432, target_type)
    return info


def test_creates_a_tagged_tcp_target_group(aws: AwsContext) -> None:
    net = make_network(aws)
    calls: list[str] = []

    info, created = tg.find_or_create_target_group(
        aws, LINK, NAME, net.vpc_id, 5432, "ip", on_created=calls.append
    )

    assert created is True
    assert calls == [info.arn]
    [group] = aws.elbv2.describe_target_groups()["TargetGroups"]
    assert group["TargetGroupArn"] == info.arn
    assert (group["Protocol"], group["Port"], group["TargetType"], group["VpcId"]) == (
        "TCP",
        5432,
        "ip",
        net.vpc_id,
    )
    assert group["HealthCheckProtocol"] == "TCP"
    assert (info.protocol, info.port, info.target_type, info.vpc_id) == ("TCP", 5432, "ip", net.vpc_id)
    tags = aws.elbv2.describe_tags(ResourceArns=[info.arn])["TagDescriptions"][0]["Tags"]
    assert sorted(tags, key=lambda t: t["Key"]) == sorted(link_tags(LINK), key=lambda t: t["Key"])


def test_instance_target_group_for_an_ec2_source(aws: AwsContext) -> None:
    net = make_network(aws)
    info = make_tg(aws, net, "instance")
    [group] = aws.elbv2.describe_target_groups(TargetGroupArns=[info.arn])["TargetGroups"]
    assert group["TargetType"] == "instance"


def test_running_twice_creates_nothing_new(aws: AwsContext) -> None:
    net = make_network(aws)
    calls: list[str] = []
    first, _ = tg.find_or_create_target_group(
        aws, LINK, NAME, net.vpc_id, 5432, "ip", on_created=calls.append
    )

    second, created = tg.find_or_create_target_group(
        aws, LINK, NAME, net.vpc_id, 5432, "ip", on_created=calls.append
    )

    assert (second.arn, created) == (first.arn, False)
    assert target_groups(aws) == [first.arn]
    assert calls == [first.arn]


def test_a_group_created_in_between_is_taken_over_when_it_is_ours(
    aws: AwsContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A second click created the group after our tag lookup: moto (unlike AWS) then raises
    # DuplicateTargetGroupName even for identical settings; the existing group must be used.
    net = make_network(aws)
    first = make_tg(aws, net)
    real_find = tg.find_target_group
    lookups: list[int] = []

    def find_misses_once(aws: AwsContext, link_name: str, name: str) -> tg.TargetGroupInfo | None:
        lookups.append(1)
        return None if len(lookups) == 1 else real_find(aws, link_name, name)

    monkeypatch.setattr(tg, "find_target_group", find_misses_once)
    monkeypatch.setattr(tg, "_group_named", lambda aws, name: None)

    again, created = tg.find_or_create_target_group(aws, LINK, NAME, net.vpc_id, 5432, "ip")

    assert (again.arn, created) == (first.arn, False)
    assert len(lookups) == 2
    assert target_groups(aws) == [first.arn]


def test_a_same_named_group_we_did_not_tag_is_refused(aws: AwsContext) -> None:
    net = make_network(aws)
    aws.elbv2.create_target_group(Name=NAME, Protocol="TCP", Port=5432, VpcId=net.vpc_id, TargetType="ip")
    calls: list[str] = []

    with pytest.raises(UserError) as err:
        tg.find_or_create_target_group(aws, LINK, NAME, net.vpc_id, 5432, "ip", on_created=calls.append)

    assert "did not create" in err.value.what and NAME in err.value.what
    assert "another link name" in err.value.fix
    assert calls == []
    assert len(target_groups(aws)) == 1


def test_our_group_with_another_target_type_is_refused(aws: AwsContext) -> None:
    net = make_network(aws)
    make_tg(aws, net, "ip")
    with pytest.raises(UserError) as err:
        tg.find_or_create_target_group(aws, LINK, NAME, net.vpc_id, 5432, "instance")
    assert "type ip" in err.value.what and "type instance" in err.value.what


def test_configure_turns_proxy_protocol_client_ip_and_stickiness_off(aws: AwsContext) -> None:
    net = make_network(aws)
    info = make_tg(aws, net)

    result = tg.configure_target_group(aws, info.arn)

    assert result == {
        "proxy_protocol_v2.enabled": "false",
        "preserve_client_ip.enabled": "false",
        "stickiness.enabled": "false",
    }
    attrs = aws.elbv2.describe_target_group_attributes(TargetGroupArn=info.arn)["Attributes"]
    values = {a["Key"]: a["Value"] for a in attrs}
    assert values["proxy_protocol_v2.enabled"] == "false"
    assert values["preserve_client_ip.enabled"] == "false"
    assert values["stickiness.enabled"] == "false"


def test_configure_reports_settings_aws_did_not_apply(
    aws: AwsContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = make_network(aws)
    info = make_tg(aws, net)
    aws.elbv2.modify_target_group_attributes(
        TargetGroupArn=info.arn, Attributes=[{"Key": "preserve_client_ip.enabled", "Value": "true"}]
    )
    # AWS answering "OK" yet keeping the old values: the read-back must catch it.
    monkeypatch.setattr(aws.elbv2, "modify_target_group_attributes", lambda **_: {})

    with pytest.raises(UserError) as err:
        tg.configure_target_group(aws, info.arn)

    assert "preserve client IP is 'true'" in err.value.what
    assert "proxy protocol v2 is 'not reported'" in err.value.what


def test_listener_forwards_the_port_to_the_group_and_is_reused(aws: AwsContext) -> None:
    net = make_network(aws)
    lb, _ = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, patience=FAST)
    info = make_tg(aws, net)
    calls: list[str] = []

    arn, created = tg.find_or_create_listener(aws, LINK, lb.arn, 5432, info.arn, on_created=calls.append)
    again, created_again = tg.find_or_create_listener(
        aws, LINK, lb.arn, 5432, info.arn, on_created=calls.append
    )

    assert (created, created_again, again) == (True, False, arn)
    assert calls == [arn]
    [listener] = aws.elbv2.describe_listeners(LoadBalancerArn=lb.arn)["Listeners"]
    assert (listener["Protocol"], listener["Port"]) == ("TCP", 5432)
    [action] = listener["DefaultActions"]
    assert (action["Type"], action["TargetGroupArn"]) == ("forward", info.arn)


def test_a_port_already_forwarding_elsewhere_is_refused(aws: AwsContext) -> None:
    net = make_network(aws)
    lb, _ = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, patience=FAST)
    ours = make_tg(aws, net)
    other = aws.elbv2.create_target_group(
        Name="someone-else", Protocol="TCP", Port=5432, VpcId=net.vpc_id, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    aws.elbv2.create_listener(
        LoadBalancerArn=lb.arn,
        Protocol="TCP",
        Port=5432,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": other}],
    )

    with pytest.raises(UserError) as err:
        tg.find_or_create_listener(aws, LINK, lb.arn, 5432, ours.arn)

    assert "Port 5432" in err.value.what and "already used" in err.value.what
    assert len(aws.elbv2.describe_listeners(LoadBalancerArn=lb.arn)["Listeners"]) == 1


def test_sync_targets_registers_new_ips_and_removes_stale_ones(aws: AwsContext) -> None:
    net = make_network(aws)
    info = make_tg(aws, net)

    first = tg.sync_targets(aws, info.arn, ["10.20.0.10", "10.20.1.10"], 5432)
    # A failover moved the database: one address is new, one is gone.
    second = tg.sync_targets(aws, info.arn, ["10.20.0.10", "10.20.1.99"], 5432)
    third = tg.sync_targets(aws, info.arn, ["10.20.0.10", "10.20.1.99"], 5432)

    assert first == tg.TargetSync(("10.20.0.10", "10.20.1.10"), (), ("10.20.0.10", "10.20.1.10"))
    assert second.registered == ("10.20.1.99",)
    assert second.deregistered == ("10.20.1.10",)
    assert third.changed is False
    health = aws.elbv2.describe_target_health(TargetGroupArn=info.arn)["TargetHealthDescriptions"]
    assert sorted((h["Target"]["Id"], h["Target"]["Port"]) for h in health) == [
        ("10.20.0.10", 5432),
        ("10.20.1.99", 5432),
    ]


def behind_a_listener(aws: AwsContext, net: Network, info: tg.TargetGroupInfo) -> str:
    """Put the group behind a listener of the link's NLB: only then does AWS health-check it."""
    lb, _ = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, patience=FAST)
    tg.find_or_create_listener(aws, LINK, lb.arn, info.port, info.arn)
    return lb.arn


def run_instance(aws: AwsContext, net: Network) -> str:
    # One of moto's built-in images: listing them all is slow.
    reply = aws.ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=net.subnet_ids[0])
    return str(reply["Instances"][0]["InstanceId"])


def test_target_health_maps_state_reason_and_description(aws: AwsContext) -> None:
    net = make_network(aws)
    instance = run_instance(aws, net)
    info = make_tg(aws, net, "instance")
    behind_a_listener(aws, net, info)
    tg.sync_targets(aws, info.arn, [instance], 5432)

    [running] = tg.target_health(aws, info.arn)
    aws.ec2.stop_instances(InstanceIds=[instance])
    [stopped] = tg.target_health(aws, info.arn)

    assert (running.target_id, running.port, running.state) == (instance, 5432, "healthy")
    assert running.words == "healthy"
    assert stopped.state == "unused"
    assert stopped.reason == "Target.InvalidState"
    assert "stopped" in stopped.description


def test_a_stopped_server_stays_registered_and_is_reported_as_stopped(aws: AwsContext) -> None:
    # AWS reports a stopped instance `unused` but keeps it registered, and refuses to register a
    # stopped one: re-registering it (as `unused` once counted as leaving) failed the step.
    net = make_network(aws)
    instance = run_instance(aws, net)
    info = make_tg(aws, net, "instance")
    behind_a_listener(aws, net, info)
    tg.sync_targets(aws, info.arn, [instance], 5432)
    aws.ec2.stop_instances(InstanceIds=[instance])

    again = tg.sync_targets(aws, info.arn, [instance], 5432)

    assert again.changed is False
    [stopped] = tg.target_health(aws, info.arn)
    assert stopped.words == f"the server {instance} is stopped; start it"


def test_unused_targets_count_as_registered(aws: AwsContext) -> None:
    # No listener forwards to the group yet: AWS reports its targets unused (Target.NotInUse).
    net = make_network(aws)
    info = make_tg(aws, net)
    tg.sync_targets(aws, info.arn, ["10.20.0.10"], 5432)
    [unused] = tg.target_health(aws, info.arn)
    assert (unused.state, unused.reason) == ("unused", "Target.NotInUse")
    calls: list[str] = []
    aws.elbv2.meta.events.register("before-call.*.RegisterTargets", lambda **_: calls.append("register"))

    again = tg.sync_targets(aws, info.arn, ["10.20.0.10"], 5432)

    assert (again.registered, again.deregistered, calls) == ((), (), [])
    assert "not in use" in unused.words


def test_a_draining_target_that_is_wanted_again_is_registered_again(
    aws: AwsContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = SandboxClock(monkeypatch)
    net = make_network(aws)
    info = make_tg(aws, net)
    behind_a_listener(aws, net, info)
    tg.sync_targets(aws, info.arn, ["10.20.0.10", "10.20.1.10"], 5432)
    with timing.scaled(1):
        clock.advance(3600)  # the link has served for an hour
        tg.sync_targets(aws, info.arn, ["10.20.0.10"], 5432)
        states = {t.target_id: t.state for t in tg.target_health(aws, info.arn)}
        assert states == {"10.20.0.10": "healthy", "10.20.1.10": "draining"}
        clock.advance(60)

        back = tg.sync_targets(aws, info.arn, ["10.20.0.10", "10.20.1.10"], 5432)

        states = {t.target_id: t.state for t in tg.target_health(aws, info.arn)}
    assert back.registered == ("10.20.1.10",)
    assert states == {"10.20.0.10": "healthy", "10.20.1.10": "initial"}


def test_a_new_target_says_how_long_its_first_health_checks_take(aws: AwsContext) -> None:
    net = make_network(aws)
    info = make_tg(aws, net)
    aws.elbv2.modify_target_group(
        TargetGroupArn=info.arn, HealthCheckIntervalSeconds=10, HealthyThresholdCount=3
    )
    behind_a_listener(aws, net, info)
    with timing.scaled(1):
        tg.sync_targets(aws, info.arn, ["10.20.0.10"], 5432)
        [starting] = tg.target_health(aws, info.arn)
    [later] = tg.target_health(aws, info.arn)

    assert (starting.state, starting.reason) == ("initial", "Elb.RegistrationInProgress")
    assert starting.checks_take == 30
    assert starting.words == "health checks are starting (takes about 30 seconds)"
    assert (later.state, later.checks_take) == ("healthy", 0)
    [group] = tg.find_target_groups(aws, LINK)
    assert (group.health_check_interval, group.healthy_threshold, group.first_checks_seconds) == (10, 3, 30)


def test_a_tcp_group_keeps_aws_default_health_checks(aws: AwsContext) -> None:
    # API reference, CreateTargetGroup: TCP checks every 30 s, 5 good ones make a target healthy.
    net = make_network(aws)
    info = make_tg(aws, net)
    assert (info.health_check_interval, info.healthy_threshold, info.first_checks_seconds) == (30, 5, 150)


# ---- the link's health, as `status` reports it ----------------------------------------------


def test_status_says_how_long_a_new_targets_checks_take_and_that_a_stopped_server_must_start(
    aws: AwsContext, seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.helpers import build_link, finding, status_of, titles
    from wizard.aws import network
    from wizard.sandbox.seed import RDS_ENI_DESCRIPTION

    monkeypatch.setattr(network, "resolve_host", lambda host, timeout=0.0: [])  # moto's never resolve
    clock = SandboxClock(monkeypatch)
    link = build_link(aws, seeded.orders_mysql)
    [old] = seeded.enis_of(seeded.orders_mysql)
    aws.ec2.delete_network_interface(NetworkInterfaceId=old.eni_id)  # a failover moves the address
    aws.ec2.create_network_interface(
        SubnetId=old.subnet_id,
        Description=RDS_ENI_DESCRIPTION,
        Groups=[seeded.orders_mysql_sg],
        PrivateIpAddress="10.20.1.77",
    )
    with timing.scaled(1):
        clock.advance(3600)
        tg.sync_targets(aws, link.record.target_group_arn, ["10.20.1.77"], 3306)
        status = status_of(aws)

    checking = finding(status, "Target 10.20.1.77:3306 is still being checked")
    assert checking.why == "The load balancer's health checks are starting (takes about 150 seconds)."
    # The old address drains: it no longer counts, and the new one (initial) does.
    assert "The registered IP addresses are out of date" not in titles(status)
    assert "No targets are registered" not in titles(status)

    tunnel = build_link(aws, seeded.tunnel_instance_id, name="tunnel", port=22)
    aws.ec2.stop_instances(InstanceIds=[seeded.tunnel_instance_id])
    [stopped] = tg.target_health(aws, tunnel.record.target_group_arn)
    assert stopped.words == f"the server {seeded.tunnel_instance_id} is stopped; start it"
    assert "No targets are registered" not in titles(status_of(aws, "tunnel"))
