"""The CLI end to end against the sandbox server (moto, extended): every source kind, the accept
step with the simulated consumer, idempotency, teardown and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import boto3
import pytest

from wizard.cli import main
from wizard.model import MANAGED_BY_KEY, MANAGED_BY_VALUE

REGION = "us-east-1"
RIVERY = "arn:aws:iam::012922587834:root"


def client(sandbox: Any, service: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=sandbox.endpoint_url)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def setup_json(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code, out, err = run(capsys, "setup", "--region", REGION, "--yes", "--json", *extra)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def tags_of(elbv2: Any, arn: str) -> dict[str, str]:
    desc = elbv2.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]
    return {t["Key"]: t["Value"] for t in desc["Tags"]}


def assert_chain(sandbox: Any, result: dict[str, Any], port: int, target_type: str) -> Any:
    """The chain in the sandbox is exactly what the procedure asks for."""
    elbv2, ec2 = client(sandbox, "elbv2"), client(sandbox, "ec2")
    sample = sandbox.sample
    lb = elbv2.describe_load_balancers(LoadBalancerArns=[result["nlb_arn"]])["LoadBalancers"][0]
    assert lb["Type"] == "network" and lb["Scheme"] == "internal"
    assert lb["VpcId"] == sample.vpc_id
    assert {z["SubnetId"] for z in lb["AvailabilityZones"]} <= set(sample.subnet_ids)
    attrs = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    }
    assert attrs["load_balancing.cross_zone.enabled"] == "true"
    assert tags_of(elbv2, lb["LoadBalancerArn"])[MANAGED_BY_KEY] == MANAGED_BY_VALUE

    group = elbv2.describe_target_groups(TargetGroupArns=[result["target_group_arn"]])["TargetGroups"][0]
    assert (group["Protocol"], group["Port"], group["TargetType"]) == ("TCP", port, target_type)
    tg_attrs = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_target_group_attributes(TargetGroupArn=group["TargetGroupArn"])["Attributes"]
    }
    assert tg_attrs["proxy_protocol_v2.enabled"] == "false"
    assert tg_attrs["preserve_client_ip.enabled"] == "false"
    assert tg_attrs["stickiness.enabled"] == "false"

    listener = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
    assert listener["Port"] == port and listener["Protocol"] == "TCP"
    assert listener["DefaultActions"][0]["TargetGroupArn"] == group["TargetGroupArn"]

    service = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[result["endpoint_service_id"]])[
        "ServiceConfigurations"
    ][0]
    assert service["AcceptanceRequired"] is True
    assert service["NetworkLoadBalancerArns"] == [lb["LoadBalancerArn"]]
    assert result["service_name"] == service["ServiceName"]
    assert result["service_name"].startswith(f"com.amazonaws.vpce.{REGION}.vpce-svc-")
    principals = ec2.describe_vpc_endpoint_service_permissions(ServiceId=service["ServiceId"])[
        "AllowedPrincipals"
    ]
    assert [p["Principal"] for p in principals] == [RIVERY]
    assert result["az_ids"] and all(a.startswith("use1-az") for a in result["az_ids"])
    targets = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
    return sorted(t["Target"]["Id"] for t in targets["TargetHealthDescriptions"])


def eni_ips(sandbox: Any, owner: str) -> list[str]:
    return sorted(e.private_ip for e in sandbox.enis if e.owner == owner)


def test_setup_rds_mysql_then_accept_the_platform(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    result = setup_json(capsys, "--source", "orders-mysql", "--fix")
    targets = assert_chain(sandbox, result, 3306, "ip")
    assert targets == eni_ips(sandbox, "orders-mysql")
    checks = {c["key"]: c for c in result["checks"]}
    assert checks["security-group"]["ok"] is True  # fixed by --fix
    # The default parameter group was replaced by the link's own with skip_name_resolve=1, which
    # waits for a reboot (--allow-reboot was not given): a warning, never a plain ok.
    assert checks["skip-name-resolve"]["ok"] is True and checks["skip-name-resolve"]["warning"] is True
    assert checks["max-connect-errors"]["ok"] is True and checks["max-connect-errors"]["warning"] is False
    rds = client(sandbox, "rds")
    db = rds.describe_db_instances(DBInstanceIdentifier="orders-mysql")["DBInstances"][0]
    assert db["DBParameterGroups"][0]["DBParameterGroupName"] == f"{result['name']}-params"

    code, out, err = run(
        capsys, "accept", "--region", REGION, "--name", result["name"], "--wait", "30", "--json"
    )
    assert code == 0, err
    accepted = json.loads(out)["accepted"]
    assert [(c["owner_account"], c["state"]) for c in accepted] == [("012922587834", "available")]
    conns = client(sandbox, "ec2").describe_vpc_endpoint_connections(
        Filters=[{"Name": "service-id", "Values": [result["endpoint_service_id"]]}]
    )
    assert [c["VpcEndpointState"] for c in conns["VpcEndpointConnections"]] == ["available"]

    # Issue 16 (3): accepting again says it is done already (exit 0, at once even with --wait).
    code, out, err = run(capsys, "accept", "--region", REGION, "--name", result["name"], "--wait", "30")
    assert code == 0, err
    endpoint = accepted[0]["endpoint_id"]
    assert f"Already accepted: {endpoint} from account 012922587834 is available" in out
    assert "Waiting" not in err and "No pending request" not in out
    code, out, err = run(capsys, "accept", "--region", REGION, "--name", result["name"], "--json")
    again = json.loads(out)
    assert again["accepted"] == [] and [c["state"] for c in again["already_accepted"]] == ["available"]

    # Teardown removes the chain but says plainly that the parameter group stays (detaching it
    # needs a reboot the DBA must choose).
    code, out, err = run(capsys, "teardown", "--region", REGION, "--name", result["name"], "--yes")
    assert code == 0, err
    assert f"Kept the parameter group {result['name']}-params" in out
    db = rds.describe_db_instances(DBInstanceIdentifier="orders-mysql")["DBInstances"][0]
    assert db["DBParameterGroups"][0]["DBParameterGroupName"] == f"{result['name']}-params"


def test_setup_aurora_targets_the_writer_only(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    result = setup_json(capsys, "--source", "reports-aurora", "--fix")
    targets = assert_chain(sandbox, result, 5432, "ip")
    assert targets == eni_ips(sandbox, "reports-aurora-1")
    assert not set(eni_ips(sandbox, "reports-aurora-2")) & set(targets)


def test_setup_rds_proxy(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    result = setup_json(capsys, "--source", "orders-proxy", "--fix")
    targets = assert_chain(sandbox, result, 3306, "ip")
    assert targets == eni_ips(sandbox, "orders-proxy") and len(targets) == 3  # one ENI per subnet


def test_setup_ec2_ssh_tunnel_host(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    instance = sandbox.sample.tunnel_instance_id
    result = setup_json(capsys, "--source", instance, "--port", "22", "--name", "tunnel", "--fix")
    assert assert_chain(sandbox, result, 22, "instance") == [instance]


def count_managed(sandbox: Any) -> dict[str, int]:
    elbv2, ec2 = client(sandbox, "elbv2"), client(sandbox, "ec2")
    lbs = [lb["LoadBalancerArn"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]]
    groups = [g["TargetGroupArn"] for g in elbv2.describe_target_groups()["TargetGroups"]]
    ours = [a for a in lbs + groups if tags_of(elbv2, a).get(MANAGED_BY_KEY) == MANAGED_BY_VALUE]
    services = ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    return {
        "load_balancers": len(lbs),
        "target_groups": len(groups),
        "ours": len(ours),
        "services": len(services),
    }


def test_setup_twice_creates_nothing_new_and_teardown_leaves_nothing(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    first = setup_json(capsys, "--source", "analytics-pg", "--fix")
    after_first = count_managed(sandbox)
    second = setup_json(capsys, "--source", "analytics-pg", "--fix")
    assert count_managed(sandbox) == after_first
    for key in ("nlb_arn", "target_group_arn", "listener_arn", "endpoint_service_id"):
        assert first[key] == second[key]

    code, out, err = run(capsys, "teardown", "--region", REGION, "--name", first["name"], "--yes")
    assert code == 0, err
    counts = count_managed(sandbox)
    assert counts["ours"] == 0 and counts["services"] == 0
    elbv2 = client(sandbox, "elbv2")
    names = [lb["LoadBalancerName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]]
    assert names == ["legacy-nlb"]  # the customer's own load balancer survives
    ec2 = client(sandbox, "ec2")
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [sandbox.sample.analytics_pg_sg]}]
    )
    assert not [r for r in rules["SecurityGroupRules"] if "privatelink-wizard" in r.get("Description", "")]
    code, out, _ = run(capsys, "teardown", "--region", REGION, "--name", first["name"], "--yes")
    assert code == 0 and "Nothing tagged" in out


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["--source", "orders-mysql", "--principal", "arn:aws:iam::1234:root"], 2, "IAM principal ARN"),
        (["--source", "no-such-db"], 2, "no-such-db"),
        (["--source", "orders-mysql", "--port", "0"], 2, "Port 0 is out of range"),
        (["--source", "orders-mysql", "--port", "70000"], 2, "Port 70000 is out of range"),
        (["--source", "orders-mysql", "--name", "Bad_Name!"], 2, "characters AWS does not accept"),
        (["--source", "orders-mysql", "--name", "x" * 40], 2, "40 characters long"),
        (["--source", "orders-mysql", "--endpoint-url", "not a url"], 2, "endpoint URL"),
        (["--source", "orders-mysql", "--endpoint-url", "http://127.0.0.1:9"], 1, "Could not reach AWS"),
        (["--source", "i-0123456789abcdef0"], 2, "i-0123456789abcdef0"),
    ],
)
def test_bad_input_exits_with_one_paragraph_and_creates_nothing(
    sandbox: Any, capsys: pytest.CaptureFixture[str], args: list[str], code: int, fragment: str
) -> None:
    before = count_managed(sandbox)
    status, _out, err = run(capsys, "setup", "--region", REGION, "--yes", *args)
    assert status == code
    assert fragment in err
    assert "Traceback" not in err and err.strip().count("\n") == 0
    assert count_managed(sandbox) == before


def test_region_without_the_source_is_refused(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "setup", "--region", "eu-west-1", "--source", "orders-mysql", "--yes")
    assert status == 2 and "eu-west-1" in err


def test_the_installed_command_never_shows_a_traceback(sandbox: Any) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wizard", "setup", "--region", "nowhere", "--source", "x"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "not an AWS region" in proc.stderr and "Traceback" not in proc.stderr


def test_preview_reports_reuse_from_aws_even_without_a_saved_record(
    sandbox: Any, capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_json(capsys, "--source", "analytics-pg", "--fix")
    # A new machine (or a lost record): the preview must still say what will be reused.
    monkeypatch.setenv("PRIVATELINK_WIZARD_DATA_DIR", str(tmp_path / "elsewhere"))
    code, _out, err = run(capsys, "setup", "--region", REGION, "--source", "analytics-pg", "--yes")
    assert code == 0, err
    assert "Will reuse: Load balancer 'plw-analytics-pg'" in err
    assert "Will reuse: TCP target group 'plw-analytics-pg-5432'" in err
    assert "Will reuse: TCP listener on port 5432" in err
    assert "Will create" not in err


def test_the_nlb_gets_its_own_security_group_which_the_database_allows_and_teardown_removes(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "setup", "--region", REGION, "--source", "analytics-pg", "--yes", "--fix")
    assert code == 0, err
    assert "Will create: Security group 'plw-analytics-pg-nlb' for the load balancer" in err
    assert "PrivateLink traffic is not filtered by it" in err
    elbv2, ec2 = client(sandbox, "elbv2"), client(sandbox, "ec2")
    [lb] = elbv2.describe_load_balancers(Names=["plw-analytics-pg"])["LoadBalancers"]
    [nlb_group] = lb["SecurityGroups"]
    assert lb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [sandbox.sample.analytics_pg_sg]}]
    )["SecurityGroupRules"]
    # The one rule the fix added names the load balancer's group, not its subnets.
    [added] = [r for r in rules if MANAGED_BY_VALUE in {t["Value"] for t in r.get("Tags", [])}]
    assert (added["ReferencedGroupInfo"]["GroupId"], added["FromPort"], added["IsEgress"]) == (
        nlb_group,
        5432,
        False,
    )

    code, _out, err = run(capsys, "teardown", "--region", REGION, "--name", "plw-analytics-pg", "--yes")

    assert code == 0, err
    assert f"security group plw-analytics-pg-nlb ({nlb_group})" in err
    left = ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": [nlb_group]}])
    assert left["SecurityGroups"] == []


def test_setup_with_a_failing_required_check_exits_1_and_says_the_link_will_not_work(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 16 (4): the chain is built, but the database's firewall still shuts out the load
    # balancer (no --fix): the exit code says the link does not work, as `status` does.
    code, out, err = run(capsys, "setup", "--region", REGION, "--source", "analytics-pg", "--yes", "--json")
    assert code == 1
    assert json.loads(out)["service_name"].startswith("com.amazonaws.vpce.")  # still reported
    assert "will not carry traffic until this is fixed" in err
    assert "The database's firewall lets the load balancer in on port 5432" in err
    status, _out, _err = run(capsys, "status", "--region", REGION, "--name", "plw-analytics-pg")
    assert status == 1
