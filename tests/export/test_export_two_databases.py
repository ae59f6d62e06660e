"""Issue 20 (3) with several databases (Contract A): a link built by `setup` (alerts and target
sync on) with a second database added by `privatelink-wizard add` is exported with both target
groups and both listeners, each imported by its own ARN, a listener port variable per database,
each database's health alarm, and the one target sync's policy covering both target groups."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import REGION, cli, client, parse, setup_link, strip

LINK = "plw-tf-two"


def test_both_databases_are_exported(
    sandbox_account: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    setup_link(capsys, LINK, "--notify", "dba@example.com", source="analytics-pg")
    added = cli(capsys, "add", "--region", REGION, "--name", LINK, "--source", "reports-aurora", "--yes")
    assert added.code == 0, added.err
    run = cli(
        capsys,
        "export",
        "--region",
        REGION,
        "--name",
        LINK,
        "--format",
        "terraform",
        "--out",
        str(tmp_path / "tf"),
    )
    assert run.code == 0, run.err
    parsed = parse(tmp_path / "tf")

    elbv2 = client("elbv2")
    [lb] = elbv2.describe_load_balancers(Names=[LINK])["LoadBalancers"]
    listeners = {
        ls["ListenerArn"]: (ls["Port"], ls["DefaultActions"][0]["TargetGroupArn"])
        for ls in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    }
    assert sorted(port for port, _ in listeners.values()) == [5432, 5433]
    by_id = {resource_id: address for address, resource_id in parsed.imports.items()}
    ports = parsed.variables["listener_ports"]["default"]
    for listener_arn, (port, group_arn) in listeners.items():
        address = by_id[listener_arn]
        assert address.startswith("aws_lb_listener.")
        body = parsed.resources["aws_lb_listener"][address.split(".")[1]]
        key = re.fullmatch(r'var\.listener_ports\["(.+)"\]', strip(body["port"]))
        assert key and ports[key.group(1)] == port
        # The listener forwards to the target group imported from that listener's target group ARN.
        assert strip(body["default_action"][0]["target_group_arn"]) == f"{by_id[group_arn]}.arn"
    assert set(ports) == {"analytics_pg", "reports_aurora"}  # named after each database's tag
    groups = parsed.resources["aws_lb_target_group"]
    assert groups["reports_aurora"]["port"] == 5432  # the database's own port

    alarms = {v for k, v in parsed.imports.items() if k.startswith("aws_cloudwatch_metric_alarm.")}
    assert alarms == {f"{LINK}-no-healthy-database", f"{LINK}-no-healthy-database-5433"}
    policy = parsed.text[parsed.text.index('resource "aws_iam_role_policy"') :]
    assert (
        "aws_lb_target_group.analytics_pg.arn" in policy
        and "aws_lb_target_group.reports_aurora.arn" in policy
    )
    function = parsed.one("aws_lambda_function")
    assert "EXTRA_DATABASES" in function["environment"][0]["variables"]
