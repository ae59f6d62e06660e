"""Issue 20 (1), end to end on the sandbox through the CLI: two PostgreSQL databases behind one
link (listeners 5432 and 5433, each reaching its own database), status per database, a re-run
of setup keeping the added one, removing one leaving the other working, a database already on
another link refused with the link's name, and teardown removing everything."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.test_cli_converge import link_groups, listener_ports, status_json
from tests.e2e.test_cli_setup import REGION, client, eni_ips, run, setup_json

LINK = "analytics"


@pytest.fixture
def sandbox(sandbox_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox_server.endpoint_url)
    return sandbox_server


def forwarded(sandbox: Any, nlb_arn: str) -> dict[int, str]:
    """Listener port → the name of the target group it forwards to."""
    elbv2 = client(sandbox, "elbv2")
    names = {
        g["TargetGroupArn"]: g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]
    }
    return {
        ls["Port"]: names[ls["DefaultActions"][0]["TargetGroupArn"]]
        for ls in elbv2.describe_listeners(LoadBalancerArn=nlb_arn)["Listeners"]
    }


def targets_of(sandbox: Any, group_name: str) -> set[tuple[str, int]]:
    elbv2 = client(sandbox, "elbv2")
    [group] = elbv2.describe_target_groups(Names=[group_name])["TargetGroups"]
    health = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]
    return {
        (h["Target"]["Id"], h["Target"]["Port"]) for h in health if h["TargetHealth"]["State"] != "draining"
    }


def add(capsys: pytest.CaptureFixture[str], source: str, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "add", "--region", REGION, "--name", LINK, "--source", source, "--yes", *extra)


def test_two_postgres_databases_behind_one_link(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    sample = sandbox.sample
    first = setup_json(capsys, "--source", sample.analytics_pg, "--name", LINK, "--fix")
    nlb_arn = first["nlb_arn"]

    code, out, err = add(capsys, sample.reports_cluster, "--json")
    assert code == 0, err
    added = json.loads(out)
    assert (added["database"]["port"], added["database"]["listener_port"]) == (5432, 5433)
    # The message to the platform lists each database with its own port.
    assert f"{sample.analytics_pg} (RDS database): port 5432" in added["message"]
    assert f"{sample.reports_cluster} (Aurora cluster): port 5433" in added["message"]

    # Each listener reaches its own database: listener → target group → that database's addresses.
    assert forwarded(sandbox, nlb_arn) == {5432: f"{LINK}-5432", 5433: f"{LINK}-5433"}
    assert targets_of(sandbox, f"{LINK}-5432") == {(ip, 5432) for ip in eni_ips(sandbox, sample.analytics_pg)}
    assert targets_of(sandbox, f"{LINK}-5433") == {
        (ip, 5432) for ip in eni_ips(sandbox, sample.reports_writer)
    }

    # Status: a block per database, and `databases` in --json.
    _, link = status_json(capsys, LINK)
    problems = [f["title"] for f in link["findings"] if f["severity"] == "problem"]
    assert not [t for t in problems if sample.reports_cluster in t or "target" in t.lower()], problems
    assert [(d["source_id"], d["listener_port"], d["first"]) for d in link["databases"]] == [
        (sample.analytics_pg, 5432, True),
        (sample.reports_cluster, 5433, False),
    ]
    code, out, _ = run(capsys, "status", "--region", REGION, "--name", LINK)
    assert f"Database {sample.reports_cluster} (Aurora cluster) — listener port 5433" in out

    # `sync` reconciles every database of the link once.
    code, out, err = run(capsys, "sync", "--region", REGION, "--name", LINK, "--json")
    assert code == 0, err
    assert [d["source_id"] for d in json.loads(out)["databases"]] == [sample.reports_cluster]

    # A re-run of setup keeps the added database.
    setup_json(capsys, "--source", sample.analytics_pg, "--name", LINK, "--fix")
    assert listener_ports(sandbox, nlb_arn) == [5432, 5433]
    assert link_groups(sandbox, LINK) == [f"{LINK}-5432", f"{LINK}-5433"]

    # Removing one leaves the other working: its listener, target group, targets and sync.
    code, out, err = run(
        capsys,
        "remove",
        "--region",
        REGION,
        "--name",
        LINK,
        "--source",
        sample.analytics_pg,
        "--yes",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["databases"] == [sample.reports_cluster]
    assert forwarded(sandbox, nlb_arn) == {5433: f"{LINK}-5433"}
    assert targets_of(sandbox, f"{LINK}-5433") == {
        (ip, 5432) for ip in eni_ips(sandbox, sample.reports_writer)
    }
    env = client(sandbox, "lambda").get_function_configuration(FunctionName=f"privatelink-wizard-sync-{LINK}")
    assert env["Environment"]["Variables"]["SOURCE_ID"] == sample.reports_cluster
    code, link = status_json(capsys, LINK)
    assert [d["source_id"] for d in link["databases"]] == [sample.reports_cluster]

    # The last one is not removed: teardown is named instead.
    code, _, err = run(
        capsys, "remove", "--region", REGION, "--name", LINK, "--source", sample.reports_cluster, "--yes"
    )
    assert code == 2 and f"teardown --name {LINK}" in err

    # Teardown removes everything.
    code, _, err = run(capsys, "teardown", "--region", REGION, "--name", LINK, "--yes")
    assert code == 0, err
    assert link_groups(sandbox, LINK) == []


def test_a_database_on_another_link_is_refused_with_its_name(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = sandbox.sample
    setup_json(capsys, "--source", sample.analytics_pg, "--name", LINK, "--fix")
    setup_json(capsys, "--source", sample.reports_cluster, "--name", "reports", "--fix")

    code, _, err = add(capsys, sample.reports_cluster)

    assert code == 2
    assert f"{sample.reports_cluster} is already on the link 'reports'" in err
    code, _, err = add(capsys, sample.orders_mysql, "--listener-port", "5432")
    assert code == 2 and "already used by a listener" in err
