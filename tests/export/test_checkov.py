"""checkov (a static analyser for Terraform) finds nothing in an exported link that is not
justified in the HCL itself: every finding is either fixed or carries a `#checkov:skip=CKV_…:why`
on its resource. checkov is heavy and pins many packages, so it lives in a virtualenv of its own
(.ci/run makes it) and is found through PLW_CHECKOV; with PLW_REQUIRE_CHECKOV=1 (CI) a missing
checkov fails this test instead of skipping it."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import REGION, cli, client, setup_link

LINK = "plw-tf-ckv"


def _checkov() -> str:
    path = os.environ.get("PLW_CHECKOV", "")
    if path and Path(path).is_file() and os.access(path, os.X_OK):
        return path
    if os.environ.get("PLW_REQUIRE_CHECKOV") == "1":
        pytest.fail(
            f"PLW_REQUIRE_CHECKOV=1 but PLW_CHECKOV ({path or 'not set'}) is not an executable checkov"
        )
    pytest.skip("checkov is not installed here (set PLW_CHECKOV to its path; .ci/run does)")


def _ssh_host() -> str:
    instances = client("ec2").describe_instances()["Reservations"]
    return str(next(i["InstanceId"] for r in instances for i in r["Instances"]))


def _build(capsys: pytest.CaptureFixture[str], kind: str) -> str:
    link = f"{LINK}-{kind}"
    if kind == "mysql":
        # Everything a link can own: alerts, the target sync, a rule on the database's group and
        # the link's parameter group (--fix on MySQL).
        setup_link(capsys, link, "--notify", "dba@example.com")
    elif kind == "ssh-host":  # port 22 on its group, open only to the load balancer's group
        setup_link(capsys, link, "--port", "22", source=_ssh_host())
    else:  # two databases: a second added to a link with alerts, its own listener, group and alarm
        setup_link(capsys, link, "--notify", "dba@example.com", source="analytics-pg")
        added = cli(capsys, "add", "--region", REGION, "--name", link, "--source", "reports-aurora", "--yes")
        assert added.code == 0, added.err
    return link


def test_checkov_finds_nothing_unjustified(
    sandbox_account: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    checkov = _checkov()
    exports = tmp_path / "exports"
    for kind in ("mysql", "ssh-host", "two-dbs"):
        link = _build(capsys, kind)
        out = exports / kind
        run = cli(
            capsys, "export", "--region", REGION, "--name", link, "--format", "terraform", "--out", f"{out}"
        )
        assert run.code == 0, run.err
        # Every accepted finding says why, in more than a word.
        skips = re.findall(r"#\s*checkov:skip=(CKV2?_AWS_\d+):(.*)", (out / "main.tf").read_text())
        assert skips and all(len(reason.strip()) > 30 for _, reason in skips), skips
    # One run over the three folders (each a module of its own): checkov takes seconds to start.
    result = subprocess.run(
        [checkov, "-d", str(exports), "--framework", "terraform", "--quiet", "--compact", "--skip-download"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},  # no call home for guidelines
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Failed checks: 0" in result.stdout, result.stdout
