"""Issue 17 (1), from the command line: setup deploys the target sync (unless --no-sync), `sync`
runs one reconcile with its code and says what changed, `status` shows its last run and the
targets against the database's writer, and teardown leaves nothing of it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wizard.aws import network
from wizard.sandbox.failover import failover

from .conftest import REGION, cli, client, setup_args


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "resolve_host", lambda host, timeout=0.0: [])


def _context() -> Any:
    from wizard.aws.session import Credentials, make_context

    return make_context(Credentials(), REGION)


def sync_parts(link: str) -> dict[str, list[str]]:
    """What exists of a link's target sync, looked up without the wizard's code."""
    name = f"privatelink-wizard-sync-{link}"
    return {
        "function": [
            f["FunctionName"]
            for f in client("lambda").list_functions()["Functions"]
            if f["FunctionName"] == name
        ],
        "role": [r["RoleName"] for r in client("iam").list_roles()["Roles"] if r["RoleName"] == name],
        "rules": [r["Name"] for r in client("events").list_rules(NamePrefix=name)["Rules"]],
        "log group": [
            g["logGroupName"]
            for g in client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"]
        ],
    }


NOTHING: dict[str, list[str]] = {"function": [], "role": [], "rules": [], "log group": []}


def sync_json(capsys: pytest.CaptureFixture[str], link: str) -> dict[str, Any]:
    run = cli(capsys, "sync", "--region", REGION, "--name", link, "--json")
    assert run.code == 0, run.err
    result: dict[str, Any] = json.loads(run.out)
    return result


def test_failover_sync_status_and_teardown(shared_seeded: Any, capsys: pytest.CaptureFixture[str]) -> None:
    link = "plw-sync-cli"
    setup = cli(capsys, *setup_args(name=link))
    assert setup.code == 0, setup.err
    assert "target sync 'privatelink-wizard-sync-plw-sync-cli'" in setup.err
    assert "effectively free: ~8,760 runs a month" in setup.err
    parts = sync_parts(link)
    assert all(parts.values()) and len(parts["rules"]) == 2

    moved = failover(_context(), shared_seeded.orders_mysql)
    (old,), (new,) = moved.old_ips, moved.new_ips
    first = sync_json(capsys, link)
    assert (first["registered"], first["deregistered"], first["waiting"]) == ([new], [], {old: 1})
    status = cli(capsys, "status", "--region", REGION, "--name", link)
    assert "Target sync: privatelink-wizard-sync-plw-sync-cli, last ran just now: registered" in status.out
    assert f"The old address {old} is still registered" in status.out  # a warning, not "out of date"
    assert "The registered IP addresses are out of date" not in status.out
    assert sync_json(capsys, link)["waiting"] == {old: 2}
    third = cli(capsys, "sync", "--region", REGION, "--name", link)
    assert third.code == 0 and f"removed {old}" in third.out

    gone = cli(capsys, "teardown", "--region", REGION, "--name", link, "--yes")
    assert gone.code == 0, gone.err
    assert "target sync function privatelink-wizard-sync-plw-sync-cli" in gone.err
    assert sync_parts(link) == NOTHING


def test_no_sync_deploys_nothing_and_removes_one_made_before(
    shared_seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    link = "plw-no-sync"
    assert cli(capsys, *setup_args("--no-sync", name=link)).code == 0
    assert sync_parts(link) == NOTHING
    assert cli(capsys, *setup_args(name=link)).code == 0
    assert all(sync_parts(link).values())
    again = cli(capsys, *setup_args("--no-sync", name=link))
    assert again.code == 0, again.err
    assert "Will remove: target sync 'privatelink-wizard-sync-plw-no-sync'" in again.err
    assert sync_parts(link) == NOTHING
    status = cli(capsys, "status", "--region", REGION, "--name", link)
    assert "Target sync: not deployed" in status.out
    cli(capsys, "teardown", "--region", REGION, "--name", link, "--yes")


def test_status_warns_when_the_targets_miss_the_new_writer(
    shared_seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    link = "plw-sync-aurora"
    assert cli(capsys, *setup_args(name=link, source=shared_seeded.reports_cluster)).code == 0
    failover(_context(), shared_seeded.reports_cluster)  # the writer moves; no sync has run yet
    status = cli(capsys, "status", "--region", REGION, "--name", link, "--json")
    found = json.loads(status.out)["links"][0]
    titles = [f["title"] for f in found["findings"]]
    assert "The registered IP addresses are out of date" in titles
    assert found["target_sync"]["deployed"] is True
    result = sync_json(capsys, link)
    assert result["writer"] == shared_seeded.reports_reader and result["deregistered"]
    after = json.loads(cli(capsys, "status", "--region", REGION, "--name", link, "--json").out)["links"][0]
    assert "The registered IP addresses are out of date" not in [f["title"] for f in after["findings"]]
    cli(capsys, "teardown", "--region", REGION, "--name", link, "--yes")
    failover(_context(), shared_seeded.reports_cluster)  # back, for the module's other tests


def test_sync_of_an_unknown_link_says_what_to_do(
    shared_seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    run = cli(capsys, "sync", "--region", REGION, "--name", "plw-nothing")
    assert run.code == 2 and "Traceback" not in run.err
    assert "has no target group or saved record to sync" in run.err
