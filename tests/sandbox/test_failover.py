"""The sandbox's simulated failover (issue 17): an instance's address moves and the old one stops
answering health checks; a cluster's writer moves; `sandbox failover DB` asks a running sandbox
server to do it through its control endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from wizard.aws.session import AwsContext
from wizard.cli import main
from wizard.sandbox.failover import failover
from wizard.sandbox.seed import SampleAccount


def _health(aws: AwsContext, group: str) -> dict[str, tuple[str, str]]:
    found = aws.elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
    return {
        d["Target"]["Id"]: (d["TargetHealth"]["State"], d["TargetHealth"].get("Reason", "")) for d in found
    }


def test_the_old_address_fails_health_checks_after_a_failover(aws: AwsContext, seeded: SampleAccount) -> None:
    eni = seeded.enis_of(seeded.orders_mysql)[0]
    nlb = aws.elbv2.create_load_balancer(
        Name="n", Type="network", Scheme="internal", Subnets=[eni.subnet_id]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    group = aws.elbv2.create_target_group(
        Name="g", Protocol="TCP", Port=3306, VpcId=seeded.vpc_id, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    aws.elbv2.create_listener(
        LoadBalancerArn=nlb,
        Protocol="TCP",
        Port=3306,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group}],
    )
    aws.elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": eni.private_ip}])
    assert _health(aws, group)[eni.private_ip][0] == "healthy"
    moved = failover(aws, seeded.orders_mysql)
    assert moved.old_ips == (eni.private_ip,)
    assert _health(aws, group)[eni.private_ip] == ("unhealthy", "Target.FailedHealthChecks")
    held = aws.ec2.describe_network_interfaces(
        Filters=[
            {"Name": "description", "Values": ["RDSNetworkInterface"]},
            {"Name": "subnet-id", "Values": [eni.subnet_id]},
        ]
    )["NetworkInterfaces"]
    ips = {e["PrivateIpAddress"] for e in held}
    assert moved.new_ips[0] in ips and eni.private_ip not in ips


def test_a_cluster_failover_moves_the_writer(aws: AwsContext, seeded: SampleAccount) -> None:
    moved = failover(aws, seeded.reports_cluster)
    assert (moved.old_writer, moved.new_writer) == (seeded.reports_writer, seeded.reports_reader)
    assert "the writer moved from reports-aurora-1 to reports-aurora-2" in moved.words()


def test_sandbox_failover_command_asks_the_running_sandbox(
    sandbox_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sandbox_server.endpoint_url
    assert main(["sandbox", "failover", "orders-mysql", "--endpoint-url", url]) == 0
    out = capsys.readouterr().out
    old = sandbox_server.enis[0].private_ip if sandbox_server.enis[0].owner == "orders-mysql" else ""
    assert out.startswith("orders-mysql: its address moved from ") and old in out
    assert main(["sandbox", "failover", "no-such-db", "--endpoint-url", url]) == 1
    err = capsys.readouterr().err
    assert "did not fail no-such-db over" in err and "Name a sample database" in err
