"""The setup preview says what the new resources cost per month, before anything is created."""

from __future__ import annotations

from typing import Any

import pytest

from wizard.cli import main

REGION = "us-east-1"


def test_setup_preview_prints_the_monthly_cost(
    sandbox_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--region", REGION, "--endpoint-url", sandbox_server.endpoint_url]
    assert main(["setup", *where, "--source", "analytics-pg", "--yes", "--fix"]) == 0
    err = capsys.readouterr().err
    assert "Will cost: About $20.81 a month in us-east-1 (the load balancer 730 h × $0.0225" in err
    assert err.index("Will cost") < err.index("Creating")
    # Run again: everything is reused, nothing new costs anything.
    assert main(["setup", *where, "--source", "analytics-pg", "--yes", "--fix"]) == 0
    assert "Will cost" not in capsys.readouterr().err
