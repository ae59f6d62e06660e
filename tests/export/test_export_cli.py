"""Issue 20 (3): `privatelink-wizard export --format terraform` on a sandbox link with alerts and
the target sync: every resource the link owns is written, every import id is the one the sandbox
reports (looked up here with boto3, not with the wizard's code), the values are those AWS reports,
and every variable and resource the files refer to exists."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import REGION, Parsed, cli, client, parse, setup_link, strip

LINK = "plw-tf"


def _sandbox_ids(link: str) -> dict[str, Any]:
    """What the sandbox reports for the link, read without the wizard's code."""
    elbv2, ec2 = client("elbv2"), client("ec2")
    [lb] = elbv2.describe_load_balancers(Names=[link])["LoadBalancers"]
    [group_id] = lb["SecurityGroups"]
    rules = ec2.describe_security_group_rules()["SecurityGroupRules"]
    [service] = [
        s
        for s in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
        if lb["LoadBalancerArn"] in s["NetworkLoadBalancerArns"]
    ]
    fn = f"privatelink-wizard-sync-{link}"
    topic = next(
        t["TopicArn"]
        for t in client("sns").list_topics()["Topics"]
        if t["TopicArn"].endswith(f":{link}-alerts")
    )
    policy = json.loads(client("lambda").get_policy(FunctionName=fn)["Policy"])
    return {
        "nlb": lb["LoadBalancerArn"],
        "group": group_id,
        "group_rules": {r["SecurityGroupRuleId"] for r in rules if r["GroupId"] == group_id},
        "database_rules": {
            r["SecurityGroupRuleId"]
            for r in rules
            if r.get("ReferencedGroupInfo", {}).get("GroupId") == group_id and r["GroupId"] != group_id
        },
        "target_groups": {
            g["TargetGroupArn"]
            for g in elbv2.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
        },
        "listeners": {
            ls["ListenerArn"]: ls["Port"]
            for ls in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
        },
        "service": service["ServiceId"],
        "principals": [
            p["Principal"]
            for p in ec2.describe_vpc_endpoint_service_permissions(ServiceId=service["ServiceId"])[
                "AllowedPrincipals"
            ]
        ],
        "notification": [
            n["ConnectionNotificationId"]
            for n in ec2.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"]
            if n["ServiceId"] == service["ServiceId"]
        ],
        "topic": topic,
        "subscriptions": [
            s["SubscriptionArn"]
            for s in client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        ],
        "function": fn,
        "rules": [r["Name"] for r in client("events").list_rules(NamePrefix=fn)["Rules"]],
        "statements": [s["Sid"] for s in policy["Statement"]],
    }


def _export(capsys: pytest.CaptureFixture[str], out: Path, link: str = LINK, *extra: str) -> Parsed:
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
        str(out),
        *extra,
    )
    assert run.code == 0, run.err
    assert "terraform init" in run.out and "terraform plan" in run.out
    assert str(out / "main.tf") in run.out
    return parse(out)


def _by_id(parsed: Parsed) -> dict[str, str]:
    return {resource_id: address for address, resource_id in parsed.imports.items()}


def test_every_resource_and_import_id_matches_the_sandbox(
    sandbox_account: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    setup_link(capsys, LINK, "--notify", "dba@example.com")
    truth = _sandbox_ids(LINK)
    parsed = _export(capsys, tmp_path / "tf")
    ids = _by_id(parsed)

    # Each resource is imported exactly once, and each import names a declared resource.
    declared = {f"{kind}.{name}" for kind, named in parsed.resources.items() for name in named}
    assert declared == set(parsed.imports)

    assert ids[truth["nlb"]].startswith("aws_lb.")
    assert ids[truth["group"]].startswith("aws_security_group.")
    for rule in truth["group_rules"]:
        assert ids[rule].startswith("aws_vpc_security_group_egress_rule.")
    assert truth["database_rules"] and all(
        ids[r].startswith("aws_vpc_security_group_ingress_rule.") for r in truth["database_rules"]
    )
    assert {ids[arn].split(".")[0] for arn in truth["target_groups"]} == {"aws_lb_target_group"}
    assert {ids[arn].split(".")[0] for arn in truth["listeners"]} == {"aws_lb_listener"}
    assert ids[truth["service"]] == "aws_vpc_endpoint_service.link"
    assert [ids[n] for n in truth["notification"]] == ["aws_vpc_endpoint_connection_notification.alerts"]
    assert (
        parsed.imports["aws_sns_topic.alerts"]
        == truth["topic"]
        == parsed.imports["aws_sns_topic_policy.alerts"]
    )
    assert [ids[s] for s in truth["subscriptions"]] == ["aws_sns_topic_subscription.alert_email"]
    assert parsed.imports["aws_cloudwatch_metric_alarm.no_healthy_database"] == f"{LINK}-no-healthy-database"
    assert parsed.imports["aws_db_parameter_group.link"] == f"{LINK}-params"
    fn = truth["function"]
    assert parsed.imports["aws_lambda_function.target_sync"] == fn
    assert parsed.imports["aws_iam_role.target_sync"] == fn
    assert parsed.imports["aws_iam_role_policy.target_sync"] == f"{fn}:target-sync"
    assert parsed.imports["aws_cloudwatch_log_group.target_sync"] == f"/aws/lambda/{fn}"
    rule_ids = {v for k, v in parsed.imports.items() if k.startswith("aws_cloudwatch_event_rule.")}
    assert rule_ids == set(truth["rules"])
    target_ids = {v for k, v in parsed.imports.items() if k.startswith("aws_cloudwatch_event_target.")}
    assert target_ids == {f"{r}/target-sync" for r in truth["rules"]}
    permission_ids = {v for k, v in parsed.imports.items() if k.startswith("aws_lambda_permission.")}
    assert permission_ids == {f"{fn}/{sid}" for sid in truth["statements"]}

    # Values as AWS reports them, where the provider's default differs from what the wizard set.
    lb = parsed.one("aws_lb")
    assert lb["name"] == LINK and lb["internal"] is True and lb["load_balancer_type"] == "network"
    assert lb["enforce_security_group_inbound_rules_on_private_link_traffic"] == "off"
    assert lb["enable_cross_zone_load_balancing"] is True
    assert [strip(g) for g in lb["security_groups"]] == ["aws_security_group.nlb.id"]
    tg = parsed.one("aws_lb_target_group")
    assert tg["proxy_protocol_v2"] is False and tg["preserve_client_ip"] == "false"
    assert tg["stickiness"][0]["enabled"] is False
    assert tg["health_check"][0]["protocol"] == "TCP" and tg["health_check"][0]["port"] == "traffic-port"
    assert tg["port"] == 3306 and tg["protocol"] == "TCP" and tg["target_type"] == "ip"
    service = parsed.one("aws_vpc_endpoint_service")
    assert service["acceptance_required"] is True
    assert strip(service["allowed_principals"]) == "var.consumer_principals"
    assert parsed.variables["consumer_principals"]["default"] == truth["principals"]
    listener = parsed.one("aws_lb_listener")
    name = re.fullmatch(r'var\.listener_ports\["(.+)"\]', strip(listener["port"]))
    assert name and parsed.variables["listener_ports"]["default"] == {name.group(1): 3306}
    rule = parsed.resources["aws_vpc_security_group_ingress_rule"]["database"]
    assert strip(rule["referenced_security_group_id"]) == "aws_security_group.nlb.id"
    assert rule["from_port"] == rule["to_port"] == 3306
    params = {p["name"]: p["value"] for p in parsed.one("aws_db_parameter_group")["parameter"]}
    assert params["skip_name_resolve"] == "1"
    assert parsed.variables["alert_email"]["default"] == "dba@example.com"
    assert (tmp_path / "tf" / "target_sync.zip").is_file()

    # Every variable and every resource the files refer to is declared.
    for var in set(re.findall(r"\bvar\.([a-z_]+)", parsed.text)):
        assert var in parsed.variables, var
    for kind, name in set(re.findall(r"\b(aws_[a-z0-9_]+)\.([a-z0-9_]+)\.", parsed.text)):
        assert name in parsed.resources.get(kind, {}), f"{kind}.{name}"


def test_the_target_syncs_state_tags_are_left_to_it(
    sandbox_account: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    link = "plw-tf-sync"
    setup_link(capsys, link)
    assert cli(capsys, "sync", "--region", REGION, "--name", link).code == 0  # writes its state tags
    parsed = _export(capsys, tmp_path / "tf", link)
    tg = parsed.one("aws_lb_target_group")
    assert "sync-last-run" not in str(tg["tags"])
    ignored = [strip(x) for x in tg["lifecycle"][0]["ignore_changes"]]
    assert 'tags["privatelink-wizard:sync-last-run"]' in ignored
    function = parsed.one("aws_lambda_function")
    assert [strip(x) for x in function["lifecycle"][0]["ignore_changes"]] == ["filename", "source_code_hash"]


def test_an_unknown_link_is_refused_by_name(
    sandbox_account: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run = cli(
        capsys,
        "export",
        "--region",
        REGION,
        "--name",
        "no-such-link",
        "--format",
        "terraform",
        "--out",
        str(tmp_path / "x"),
    )
    assert run.code == 2
    assert "No link named 'no-such-link' was found in us-east-1" in run.err
    assert not (tmp_path / "x").exists()


def test_a_folder_with_files_is_not_overwritten_without_force(
    sandbox_account: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = "plw-tf-folder"
    setup_link(capsys, link, "--no-sync")
    monkeypatch.chdir(tmp_path)
    run = cli(capsys, "export", "--region", REGION, "--name", link, "--format", "terraform")
    assert run.code == 0, run.err
    folder = tmp_path / f"{link}-terraform"  # the default folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "imports.tf",
        "main.tf",
        "variables.tf",
        "versions.tf",
    ]
    (folder / "main.tf").write_text("# changed by hand\n")
    (folder / "backend.tf").write_text("# the team's own\n")

    run = cli(capsys, "export", "--region", REGION, "--name", link, "--format", "terraform")
    assert run.code == 2 and "is not empty" in run.err and "--force" in run.err
    assert (folder / "main.tf").read_text() == "# changed by hand\n"

    run = cli(capsys, "export", "--region", REGION, "--name", link, "--format", "terraform", "--force")
    assert run.code == 0, run.err
    assert "aws_lb" in (folder / "main.tf").read_text()
    assert (folder / "backend.tf").read_text() == "# the team's own\n"  # not the export's: left
    # Without the target sync, no Lambda part and no zip.
    parsed = parse(folder)
    assert "aws_lambda_function" not in parsed.resources and not (folder / "target_sync.zip").exists()


def test_a_cross_region_service_keeps_its_regions(
    sandbox_account: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    link = "plw-tf-regions"
    setup_link(capsys, link, "--no-sync")
    ec2 = client("ec2")
    [lb] = client("elbv2").describe_load_balancers(Names=[link])["LoadBalancers"]
    [service] = [
        s
        for s in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
        if lb["LoadBalancerArn"] in s["NetworkLoadBalancerArns"]
    ]
    # Issue 20 (2) makes the service available in a consumer region (SupportedRegions).
    ec2.modify_vpc_endpoint_service_configuration(
        ServiceId=service["ServiceId"], AddSupportedRegions=["eu-west-1"]
    )
    reported = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[service["ServiceId"]])
    regions = sorted(r["Region"] for r in reported["ServiceConfigurations"][0]["SupportedRegions"])
    parsed = _export(capsys, tmp_path / "tf", link)
    assert "eu-west-1" in regions
    assert parsed.one("aws_vpc_endpoint_service")["supported_regions"] == regions  # as AWS reports them


def test_only_terraform_is_a_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run = cli(
        capsys,
        "export",
        "--region",
        REGION,
        "--name",
        LINK,
        "--format",
        "pulumi",
        "--out",
        str(tmp_path / "x"),
    )
    assert run.code == 2 and "terraform" in run.err
    assert not (tmp_path / "x").exists()
