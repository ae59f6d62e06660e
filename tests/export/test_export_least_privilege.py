"""The export as an IAM user holding only resources/iam-policy.json (the sandbox's IAM model
evaluates each call): it reads a link with alerts and the target sync, and every call it makes runs
inside an aws_step naming exactly that call's action (so a denial names the permission)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from moto.core.authorization import enable_iam_authentication

from tests.reliability.conftest import cli, setup_args
from tests.reliability.test_least_privilege import StepTracker, grant, iam_account, tracker  # noqa: F401
from wizard.policy import policy_actions

from .conftest import REGION, parse


def test_export_as_a_user_holding_only_the_policy(
    iam_account: Any,  # noqa: F811
    tracker: StepTracker,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    grant()
    link = "plw-tf-iam"
    out = tmp_path / "tf"
    with enable_iam_authentication():
        made = cli(capsys, *setup_args("--notify", "dba@example.com", name=link))
        assert made.code == 0, made.err
        tracker.calls.clear()
        run = cli(
            capsys, "export", "--region", REGION, "--name", link, "--format", "terraform", "--out", str(out)
        )
    assert run.code == 0, run.err
    parsed = parse(out)
    assert "aws_lambda_permission.target_sync_schedule" in parsed.imports
    assert "aws_iam_role_policy.target_sync" in parsed.imports
    called = {action for action, _, _ in tracker.calls}
    assert {"iam:GetRolePolicy", "lambda:GetPolicy", "events:ListTargetsByRule"} <= called
    assert called <= set(policy_actions())
    assert not sorted({(a, n, s) for a, n, s in tracker.calls if a != n})


@pytest.mark.parametrize("action", ["iam:GetRolePolicy", "lambda:GetPolicy", "events:ListTargetsByRule"])
def test_a_missing_export_action_is_named(
    iam_account: Any,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    action: str,
) -> None:
    grant()
    link = f"plw-tf-deny-{action.split(':')[0]}"
    with enable_iam_authentication():
        assert cli(capsys, *setup_args(name=link)).code == 0
        grant(without=action)
        run = cli(
            capsys,
            "export",
            "--region",
            REGION,
            "--name",
            link,
            "--format",
            "terraform",
            "--out",
            str(tmp_path / "tf"),
        )
    assert run.code == 1
    assert action in run.err
