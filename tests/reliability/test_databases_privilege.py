"""Issue 20 (1) under IAM enforcement: adding databases to a link (one of them in a zone the load
balancer lacks, so SetSubnets runs), its alarm, removing one, and teardown, as the IAM user
holding only resources/iam-policy.json; every call named by its step."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.reliability.conftest import NONE, REGION, cli, counts, setup_args
from tests.reliability.test_least_privilege import (  # noqa: F401 (fixtures)
    StepTracker,
    enable_iam_authentication,
    grant,
    iam_account,
    tracker,
)


def test_add_and_remove_databases_as_a_user_holding_only_the_policy(
    iam_account: Any,  # noqa: F811
    tracker: StepTracker,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    grant()
    link, zone_b = "plw-several", iam_account.subnet_ids[1]
    with enable_iam_authentication():
        made = cli(
            capsys,
            *setup_args(
                "--subnets", zone_b, "--notify", "dba@example.com", name=link, source=iam_account.analytics_pg
            ),
        )
        start = len(tracker.calls)
        mysql = cli(
            capsys, "add", "--region", REGION, "--name", link, "--source", iam_account.orders_mysql, "--yes"
        )
        aurora = cli(
            capsys,
            "add",
            "--region",
            REGION,
            "--name",
            link,
            "--source",
            iam_account.reports_cluster,
            "--yes",
            "--json",
        )
        removed = cli(
            capsys,
            "remove",
            "--region",
            REGION,
            "--name",
            link,
            "--source",
            iam_account.orders_mysql,
            "--yes",
        )
        added = {action for action, _, _ in tracker.calls[start:]}
        gone = cli(capsys, "teardown", "--region", REGION, "--name", link, "--yes")
    assert made.code == 0, made.err
    assert mysql.code == 0, mysql.err
    assert "add the subnet" in mysql.err  # orders-mysql is in zone a: the load balancer gains it
    assert aurora.code == 0, aurora.err
    assert json.loads(aurora.out)["database"]["listener_port"] == 5433
    assert removed.code == 0, removed.err
    assert gone.code == 0, gone.err
    assert counts(link) == NONE
    assert {
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:CreateListener",
        "cloudwatch:PutMetricAlarm",
        "lambda:UpdateFunctionConfiguration",
        "iam:PutRolePolicy",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteTargetGroup",
        "ec2:RevokeSecurityGroupIngress",
        "cloudwatch:DeleteAlarms",
    } <= added
    assert not sorted({(a, n, s) for a, n, s in tracker.calls if a != n})
