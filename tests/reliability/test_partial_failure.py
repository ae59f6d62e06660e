"""Issue 5 (5), partial failure: when a step fails midway the CLI says exactly what exists and the
three ways on (retry, continue later, remove); `teardown` then removes all of it and nothing the
app did not create (the customer's untagged NLB, target group and security-group rule survive).

The GUI shows the same three choices from the error panel (wizard/ui/widgets/error_panel.py,
owned by the GUI engineers); this file proves the engine and CLI side."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import NONE, ONE_EACH, REGION, Faults, cli, client, counts, setup_args

OWN_RULE = "the DBA's own rule for the reporting server"
# PostgreSQL: its only fix is the security-group rule (teardown keeps a MySQL database's custom
# parameter group, which the database goes on using).
SOURCE, LINK, PORT = "analytics-pg", "plw-analytics-pg", 5432


def customer_resources(sample: Any) -> dict[str, Any]:
    """Things the customer made by hand, in the same VPC and security group as the link."""
    elbv2, ec2 = client("elbv2"), client("ec2")
    group = elbv2.create_target_group(
        Name="dba-own-tg", Protocol="TCP", Port=PORT, VpcId=sample.vpc_id, TargetType="ip"
    )["TargetGroups"][0]
    ec2.authorize_security_group_ingress(
        GroupId=sample.analytics_pg_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": PORT,
                "ToPort": PORT,
                "IpRanges": [{"CidrIp": "10.20.50.0/24", "Description": OWN_RULE}],
            }
        ],
    )
    return {"target_group": group["TargetGroupArn"], "legacy_nlb": sample.legacy_nlb_arn}


def rules_of(group_id: str) -> list[dict[str, Any]]:
    reply = client("ec2").describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    rules: list[dict[str, Any]] = reply["SecurityGroupRules"]
    return rules


def test_a_step_failing_midway_says_what_exists_and_teardown_removes_only_that(
    seeded: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    theirs = customer_resources(seeded)
    faults.add(
        "CreateVpcEndpointServiceConfiguration", "VpcEndpointServiceLimitExceeded", times=99, refused=True
    )
    run = cli(capsys, *setup_args("--fix", source=SOURCE, name=LINK))
    assert run.code == 1 and "Traceback" not in run.err
    assert "Creating the endpoint service: An AWS account limit was reached" in run.err
    assert counts(LINK) == {**ONE_EACH, "endpoint-service": 0}

    # Every resource that exists is named, with its id, and nothing else is claimed.
    start = run.err.index("What exists now")
    said = run.err[start : run.err.index("\n", run.err.index("Remove what was created", start))]
    elbv2 = client("elbv2")
    lb = elbv2.describe_load_balancers(Names=[LINK])["LoadBalancers"][0]
    group = elbv2.describe_target_groups(Names=[f"{LINK}-{PORT}"])["TargetGroups"][0]
    listener = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
    for fragment in (
        f"load balancer {LINK} ({lb['LoadBalancerArn']})",
        f"target group {LINK}-{PORT} ({group['TargetGroupArn']})",
        f"listener on port {PORT} of the load balancer {LINK} ({listener['ListenerArn']})",
    ):
        assert fragment in said
    assert "endpoint service" not in said
    assert "dba-own-tg" not in said and "legacy-nlb" not in said
    assert "Retry:" in said and "Continue later:" in said
    assert f"Remove what was created: `privatelink-wizard teardown --region {REGION} --name {LINK}`" in said

    faults.rules.clear()
    run = cli(capsys, "teardown", "--region", REGION, "--name", LINK, "--yes")
    assert run.code == 0, run.err
    assert_only_theirs_left(seeded, theirs)


def test_teardown_after_a_full_setup_leaves_what_the_customer_made(
    seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    theirs = customer_resources(seeded)
    assert cli(capsys, *setup_args("--fix", source=SOURCE, name=LINK)).code == 0
    added = [
        r
        for r in rules_of(seeded.analytics_pg_sg)
        if r.get("Description", "").startswith("privatelink-wizard")
    ]
    assert added  # the fix opened the port to the load balancer's security group
    run = cli(capsys, "teardown", "--region", REGION, "--name", LINK, "--yes")
    assert run.code == 0, run.err
    assert_only_theirs_left(seeded, theirs)


def assert_only_theirs_left(sample: Any, theirs: dict[str, Any]) -> None:
    elbv2 = client("elbv2")
    assert counts(LINK) == NONE
    names = sorted(x["LoadBalancerName"] for x in elbv2.describe_load_balancers()["LoadBalancers"])
    assert names == ["legacy-nlb"]
    groups = [g["TargetGroupArn"] for g in elbv2.describe_target_groups()["TargetGroups"]]
    assert groups == [theirs["target_group"]]
    descriptions = [r.get("Description", "") for r in rules_of(sample.analytics_pg_sg)]
    assert OWN_RULE in descriptions
    assert not [d for d in descriptions if d.startswith("privatelink-wizard")]
    services = client("ec2").describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    assert [s for s in services if s.get("ServiceState") not in {"Deleted", "Deleting"}] == []


def test_a_failure_before_anything_exists_says_nothing_was_created(
    seeded: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    # The load balancer's security group is the first thing the wizard creates.
    faults.add("CreateSecurityGroup", "SecurityGroupLimitExceeded", times=99, refused=True)
    run = cli(capsys, *setup_args(source=SOURCE, name=LINK))
    assert run.code == 1
    assert "Nothing was created for this link." in run.err and "What exists now" not in run.err
    assert counts(LINK) == NONE


def test_a_failure_after_the_security_group_names_it_and_teardown_removes_it(
    seeded: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    faults.add("CreateLoadBalancer", "TooManyLoadBalancers", times=99, refused=True)
    run = cli(capsys, *setup_args(source=SOURCE, name=LINK))
    assert run.code == 1
    assert f"security group {LINK}-nlb (sg-" in run.err and "Remove what was created" in run.err
    assert counts(LINK) == {**NONE, "security-group": 1}
    faults.rules.clear()
    assert cli(capsys, "teardown", "--region", REGION, "--name", LINK, "--yes").code == 0
    assert counts(LINK) == NONE
