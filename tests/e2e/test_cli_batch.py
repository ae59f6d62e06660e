"""Issue 20 (4): `setup --from links.toml` against the sandbox server: a good file builds every
row and prints the table (and --json); a bad row refuses the whole file by line before anything is
created; one row failing at AWS time does not stop the others."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.reliability.conftest import Faults, counts
from wizard.cli import main

REGION = "us-east-1"

GOOD = """\
# Two links; the platform is the default consumer (rivery).
[[link]]
name = "pg-link"            # a name of our own
source = "analytics-pg"
notify = "dba@example.com"
[[link.database]]           # a second database behind pg-link: listener port 5433
source = "reports-aurora"

[[link]]
source = "orders-proxy"     # named plw-orders-proxy
sync = false
consumer_regions = ["us-west-2"]
"""


@pytest.fixture
def sandbox(sandbox_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox_server.endpoint_url)
    return sandbox_server


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    """AWS refusing chosen calls (tests/reliability/conftest.py), hooked into every client."""
    from wizard.aws import activity

    injected = Faults()
    original = activity.attach

    def attach(client: Any, region: str, *args: Any) -> None:
        original(client, region, *args)
        injected.attach(client)

    monkeypatch.setattr(activity, "attach", attach)
    return injected


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def batch(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "setup", "--region", REGION, "--from", str(path), "--yes", "--fix", *extra)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "links.toml"
    path.write_text(text, encoding="utf-8")
    return path


def nothing_built(sandbox: Any) -> None:
    """No load balancer but the customer's, no target group, no endpoint service."""
    elbv2 = boto3.client("elbv2", region_name=REGION, endpoint_url=sandbox.endpoint_url)
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=sandbox.endpoint_url)
    names = [lb["LoadBalancerName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]]
    assert names == ["legacy-nlb"]
    assert elbv2.describe_target_groups()["TargetGroups"] == []
    services = ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    assert services == []


def test_a_good_file_builds_every_link_and_prints_the_table(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD)
    code, out, err = batch(capsys, path)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["LINE", "LINK", "DATABASE", "PORT", "SERVICE", "NAME", "STATUS"]
    rows = [line.split() for line in lines[1:]]
    assert [row[:4] for row in rows[:3]] == [
        ["2", "pg-link", "analytics-pg", "5432"],
        ["6", "pg-link", "reports-aurora", "5433"],
        ["9", "plw-orders-proxy", "orders-proxy", "3306"],
    ]
    for row in rows[:3]:
        assert row[4].startswith(f"com.amazonaws.vpce.{REGION}.vpce-svc-") and row[-1] == "created"
    assert rows[0][4] == rows[1][4]  # one endpoint service, two databases
    # The added database has its own listener on 5433, forwarding to its own target group.
    elbv2 = boto3.client("elbv2", region_name=REGION, endpoint_url=sandbox.endpoint_url)
    lb = elbv2.describe_load_balancers(Names=["pg-link"])["LoadBalancers"][0]
    listeners = {
        ls["Port"]: ls for ls in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    }
    assert sorted(listeners) == [5432, 5433]
    group_arn = listeners[5433]["DefaultActions"][0]["TargetGroupArn"]
    group = elbv2.describe_target_groups(TargetGroupArns=[group_arn])["TargetGroups"][0]
    assert (group["TargetGroupName"], group["Port"]) == ("pg-link-5433", 5432)
    targets = elbv2.describe_target_health(TargetGroupArn=group_arn)["TargetHealthDescriptions"]
    assert sorted(t["Target"]["Id"] for t in targets) == sorted(
        e.private_ip for e in sandbox.enis if e.owner == "reports-aurora-1"
    )
    assert "Send this to the platform (link 'pg-link')" in out
    assert counts("pg-link", sandbox.endpoint_url)["endpoint-service"] == 1
    assert counts("plw-orders-proxy", sandbox.endpoint_url)["endpoint-service"] == 1
    # The platform may connect from us-west-2 too (cross-region), as with --consumer-region.
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=sandbox.endpoint_url)
    services = {
        s["ServiceName"]: s
        for s in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    }
    assert {r["Region"] for r in services[rows[2][4]]["SupportedRegions"]} == {REGION, "us-west-2"}
    assert {r["Region"] for r in services[rows[0][4]].get("SupportedRegions", [])} <= {REGION}

    # Again, for scripts: the same rows as JSON; everything is there already, nothing new is made.
    code, out, err = batch(capsys, path, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert [(r["line"], r["link"], r["database"], r["status"]) for r in result["rows"]] == [
        (2, "pg-link", "analytics-pg", "already there"),
        (6, "pg-link", "reports-aurora", "already there"),
        (9, "plw-orders-proxy", "orders-proxy", "already there"),
    ]
    assert all(r["service_name"].startswith("com.amazonaws.vpce.") for r in result["rows"])
    assert result["problems"] == [] and set(result["messages"]) == {"pg-link", "plw-orders-proxy"}
    # The message to the platform lists both databases of pg-link, each with its port.
    assert "analytics-pg (RDS database): port 5432" in result["messages"]["pg-link"]
    assert "reports-aurora (Aurora" in result["messages"]["pg-link"]
    assert "port 5433" in result["messages"]["pg-link"]
    assert counts("pg-link", sandbox.endpoint_url)["nlb"] == 1


def test_a_bad_row_refuses_the_whole_file_by_line_before_creating_anything(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        GOOD
        + """
[[link]]
source = "orders-mysql"
prot = 3306                 # line 16: a typo
region = "moon-1"
""",
    )
    code, _out, err = batch(capsys, path)
    assert code == 2
    assert (
        f"{path}, line 16: 'prot' is not a key the wizard knows in a [[link]] table. Did you mean 'port'?"
        in err
    )
    assert f"{path}, line 17: region: 'moon-1' is not an AWS region name" in err
    assert "2 problems (found before asking AWS anything); nothing was created" in err
    nothing_built(sandbox)


def test_a_row_aws_refuses_on_reading_is_named_by_line_and_nothing_is_created(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace('source = "orders-proxy"', 'source = "no-such-db"')
    path = write(tmp_path, text.replace('notify = "dba@example.com"', 'subnets = ["subnet-0bad0bad"]'))
    code, out, err = batch(capsys, path, "--json")
    assert code == 2
    problems = json.loads(out)["problems"]
    assert [p["line"] for p in problems] == [5, 10]
    assert "Subnets are in the database's network: Not in VPC vpc-" in problems[0]["text"]
    assert "subnet-0bad0bad" in problems[0]["text"]
    assert "'no-such-db' was not found in region us-east-1" in problems[1]["text"]
    assert f"{path}, line 10: 'no-such-db' was not found" in err and "nothing was created" in err
    nothing_built(sandbox)


def test_a_name_not_ours_and_a_database_on_another_link_are_refused_by_line(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "setup", "--region", REGION, "--source", "reports-aurora", "--yes", "--fix")
    assert code == 0, err
    before = counts("plw-reports-aurora", sandbox.endpoint_url)
    path = write(
        tmp_path,
        """[[link]]
source = "analytics-pg"
name = "legacy-nlb"         # the customer's own load balancer has this name

[[link]]
name = "reports-again"
source = "reports-aurora"   # on plw-reports-aurora already
""",
    )
    code, _out, err = batch(capsys, path)
    assert code == 2
    assert f"{path}, line 3: A load balancer named 'legacy-nlb' already exists in this region" in err
    assert (
        f"{path}, line 7: reports-aurora is on the link 'plw-reports-aurora' already: a database can be "
        "on one link only" in err
    )
    assert "nothing was created" in err
    assert counts("reports-again", sandbox.endpoint_url)["nlb"] == 0
    assert counts("legacy-nlb", sandbox.endpoint_url)["security-group"] == 0
    assert counts("plw-reports-aurora", sandbox.endpoint_url) == before


def test_one_row_failing_at_aws_time_does_not_stop_the_other(
    sandbox: Any, faults: Faults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The account's load balancer quota: no read-only check can see it; AWS refuses the first
    # load balancer (pg-link's), the second row goes on.
    # ELBv2 API Reference, CreateLoadBalancer errors: TooManyLoadBalancers (the account's quota).
    faults.add("CreateLoadBalancer", "TooManyLoadBalancers", times=1, refused=True)
    path = write(tmp_path, GOOD)
    code, out, err = batch(capsys, path, "--json")
    assert code == 1
    rows = {r["database"]: r for r in json.loads(out)["rows"]}
    assert rows["analytics-pg"]["status"] == "failed"
    assert "Creating the load balancer" in rows["analytics-pg"]["error"]
    assert (
        rows["analytics-pg"]["remove_with"] == f"privatelink-wizard teardown --region {REGION} --name pg-link"
    )
    assert rows["orders-proxy"]["status"] == "created"
    assert rows["reports-aurora"]["status"] == "failed"
    assert "its link 'pg-link' was not built (line 2)" in rows["reports-aurora"]["error"]
    # The failing row says what exists and how to finish or remove it, as the single setup does.
    assert "What exists now for the link 'pg-link'" in err and "security group pg-link-nlb" in err
    assert "2 of 3 rows failed" in err
    assert counts("pg-link", sandbox.endpoint_url) == {
        "nlb": 0,
        "target-group": 0,
        "listener": 0,
        "endpoint-service": 0,
        "security-group": 1,
    }
    assert counts("plw-orders-proxy", sandbox.endpoint_url)["endpoint-service"] == 1

    # Run again once AWS allows it: the failed row is finished, the other is there already.
    code, out, err = batch(capsys, path)
    assert code == 0, err
    statuses = [line.split("  ")[-1] for line in out.splitlines()[1:4]]
    assert statuses == ["created", "created", "already there"]


def test_from_with_source_is_refused(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD)
    code, _out, err = batch(capsys, path, "--source", "orders-mysql")
    assert code == 2 and "--from cannot be used with --source" in err
    code, _out, err = run(capsys, "setup", "--region", REGION, "--yes")
    assert code == 2 and "Say which database to link: --source ID" in err
    nothing_built(sandbox)


def test_a_database_row_for_a_link_that_exists_already(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "setup", "--region", REGION, "--source", "analytics-pg", "--yes", "--fix")
    assert code == 0, err
    text = """[[database]]
link = "plw-analytics-pg"
source = "reports-aurora"
listener_port = 5432        # analytics-pg's listener

[[database]]
link = "plw-nowhere"
source = "orders-mysql"
"""
    path = write(tmp_path, text)
    code, _out, err = batch(capsys, path)
    assert code == 2
    assert f"{path}, line 1: Adding a database: Port 5432 on the link's load balancer is already used" in err
    assert f"{path}, line 7: There is no link named 'plw-nowhere' in us-east-1" in err
    assert counts("plw-analytics-pg", sandbox.endpoint_url)["target-group"] == 1

    path = write(tmp_path, text.split("\n\n")[0].replace("5432        #", "6000        # not"))
    code, out, err = batch(capsys, path, "--json")
    assert code == 0, err
    (row,) = json.loads(out)["rows"]
    assert (row["link"], row["database"], row["listener_port"], row["status"]) == (
        "plw-analytics-pg",
        "reports-aurora",
        6000,
        "created",
    )
    assert counts("plw-analytics-pg", sandbox.endpoint_url)["listener"] == 2


def test_a_link_that_would_not_carry_traffic_is_a_failed_row_until_fixed(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without --fix the database's firewall stays closed to the load balancer: as the single
    # setup, the chain is built but the row fails and says how to finish it.
    path = write(tmp_path, '[[link]]\nsource = "analytics-pg"\n')
    code, out, err = run(capsys, "setup", "--region", REGION, "--from", str(path), "--yes", "--json")
    assert code == 1
    (row,) = json.loads(out)["rows"]
    assert row["status"] == "failed" and row["service_name"].startswith("com.amazonaws.vpce.")
    assert row["error"].startswith("it will not carry traffic until this is fixed: The database's firewall")
    assert "Run again with --fix" in row["error"]
    code, out, err = batch(capsys, path, "--json")
    assert code == 0, err
    assert [r["status"] for r in json.loads(out)["rows"]] == ["already there"]


def test_a_database_failing_half_way_says_how_to_finish_or_remove_it_and_a_rerun_finishes_it(
    sandbox: Any, faults: Faults, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "setup", "--region", REGION, "--source", "analytics-pg", "--yes", "--fix")
    assert code == 0, err
    # AWS refuses the database's listener once: its target group exists, the listener does not.
    # ELBv2 API Reference, CreateListener errors: TooManyListeners (listeners per load balancer).
    faults.add("CreateListener", "TooManyListeners", times=1, refused=True)
    path = write(tmp_path, '[[database]]\nlink = "plw-analytics-pg"\nsource = "reports-aurora"\n')
    code, out, err = batch(capsys, path, "--json")
    assert code == 1
    (row,) = json.loads(out)["rows"]
    assert row["status"] == "failed" and "listener" in row["error"].lower()
    remove = f"privatelink-wizard remove --region {REGION} --name plw-analytics-pg --source reports-aurora"
    assert row["remove_with"] == remove and remove in err
    assert "run the same command again; it continues where this one stopped" in err
    assert counts("plw-analytics-pg", sandbox.endpoint_url)["listener"] == 1

    # Run again: the half-added database is finished on the port it chose.
    code, out, err = batch(capsys, path, "--json")
    assert code == 0, err
    assert [(r["database"], r["listener_port"], r["status"]) for r in json.loads(out)["rows"]] == [
        ("reports-aurora", 5433, "created")
    ]
    assert counts("plw-analytics-pg", sandbox.endpoint_url)["listener"] == 2
