"""Issue 20 (3) with Contract A: a link with two databases (a second target group and listener,
tagged with the link and `privatelink-wizard:database`, made here by hand as the `add` command
will) is exported with both target groups and both listeners, each imported by its own ARN, and
one listener port variable per database."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from wizard.model import link_tags

from .conftest import REGION, cli, client, parse, setup_link, strip

LINK = "plw-tf-two"
DATABASE_TAG = "privatelink-wizard:database"


def _add_second_database(link: str) -> tuple[str, str]:
    """A target group for analytics-pg (port 5432) behind listener 5433 of the link's NLB."""
    elbv2, rds = client("elbv2"), client("rds")
    [lb] = elbv2.describe_load_balancers(Names=[link])["LoadBalancers"]
    pg = rds.describe_db_instances(DBInstanceIdentifier="analytics-pg")["DBInstances"][0]
    tags = [*link_tags(link), {"Key": DATABASE_TAG, "Value": "analytics-pg"}]
    [group] = elbv2.create_target_group(
        Name=f"{link}-5433",
        Protocol="TCP",
        Port=pg["Endpoint"]["Port"],
        VpcId=lb["VpcId"],
        TargetType="ip",
        Tags=tags,
    )["TargetGroups"]
    [listener] = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="TCP",
        Port=5433,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
        Tags=tags,
    )["Listeners"]
    return group["TargetGroupArn"], listener["ListenerArn"]


def test_both_databases_are_exported(
    sandbox_account: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    setup_link(capsys, LINK, "--no-sync")
    group_arn, listener_arn = _add_second_database(LINK)
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

    groups = parsed.resources["aws_lb_target_group"]
    listeners = parsed.resources["aws_lb_listener"]
    assert len(groups) == 2 and len(listeners) == 2
    assert parsed.imports["aws_lb_target_group.analytics_pg"] == group_arn
    assert parsed.imports["aws_lb_listener.analytics_pg"] == listener_arn
    assert groups["analytics_pg"]["port"] == 5432  # the database's own port
    assert (
        strip(listeners["analytics_pg"]["default_action"][0]["target_group_arn"])
        == "aws_lb_target_group.analytics_pg.arn"
    )
    ports = parsed.variables["listener_ports"]["default"]
    assert ports["analytics_pg"] == 5433 and sorted(ports.values()) == [3306, 5433]
    for listener in listeners.values():
        key = re.fullmatch(r'var\.listener_ports\["(.+)"\]', strip(listener["port"]))
        assert key and key.group(1) in ports
    assert "analytics-pg" in str(groups["analytics_pg"]["tags"])  # its database tag, as AWS reports it
