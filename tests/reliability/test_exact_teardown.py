"""Issue 16 (5, 6, 8), exact teardown through the CLI on the sandbox (in-process): it removes only
what carries the link's tags or what the link's record holds as the wizard's firewall rule; it
checks what would stop it before deleting anything; a failure midway names what is left; the
confirmation names the platform's live connection; the lines are plain words, summed up once."""

from __future__ import annotations

import builtins
import sys
from typing import Any

import pytest

from tests.aws.test_connections import CONSUMER_ACCOUNT, consumer_endpoint
from wizard.model import MANAGED_BY_KEY
from wizard.state import RecordStore

from .conftest import NONE, ONE_EACH, REGION, Faults, cli, client, counts, setup_args

SOURCE, LINK, PORT = "analytics-pg", "plw-analytics-pg", 5432
TEARDOWN = ("teardown", "--region", REGION, "--name", LINK)


def _set_up(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    # The chain alone (the target sync's own teardown: test_sync_cli.py).
    run = cli(capsys, *setup_args("--no-sync", source=SOURCE, name=LINK))
    assert run.code == 0, run.err
    [lb] = client("elbv2").describe_load_balancers(Names=[LINK])["LoadBalancers"]
    return {"nlb": lb["LoadBalancerArn"], "nlb_group": lb["SecurityGroups"][0]}


def _rules(group_id: str) -> list[dict[str, Any]]:
    reply = client("ec2").describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
    return [r for r in reply["SecurityGroupRules"] if not r["IsEgress"]]


def _wizards_rule(seeded: Any, made: dict[str, str]) -> dict[str, Any]:
    """The rule setup's fix added: the database's group allows the load balancer's group."""
    [rule] = [
        r
        for r in _rules(seeded.analytics_pg_sg)
        if r.get("ReferencedGroupInfo", {}).get("GroupId") == made["nlb_group"]
    ]
    return rule


def test_teardown_speaks_plain_words_and_sums_up_once(
    seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    made = _set_up(capsys)
    rule = _wizards_rule(seeded, made)

    run = cli(capsys, *TEARDOWN, "--yes")

    assert run.code == 0, run.err
    listing = run.err[: run.err.index("(AWS releases")]
    for line in (
        f"  - listener on port {PORT} of the load balancer {LINK} (arn:",
        f"  - load balancer {LINK} ({made['nlb']})",
        f"  - target group {LINK}-{PORT} (arn:",
        f"  - firewall rule allowing TCP {PORT} from the load balancer's security group "
        f"{made['nlb_group']} in security group {seeded.analytics_pg_sg} ({rule['SecurityGroupRuleId']})",
        f"  - load balancer's security group {LINK}-nlb ({made['nlb_group']})",
    ):
        assert line in listing
    assert (
        f"Removing the firewall rule allowing TCP {PORT} from the load balancer's security group" in run.err
    )
    both = run.out + run.err
    assert both.count("Removed 6 resources") == 1 and f"Removed 6 resources of the link '{LINK}'." in run.out
    assert "Deleted 6" not in both and "resource(s)" not in both


def test_the_confirmation_names_the_platforms_live_connection(
    seeded: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_up(capsys)
    service = client("ec2").describe_vpc_endpoint_service_configurations()["ServiceConfigurations"][0]
    endpoint = consumer_endpoint(service["ServiceName"])
    assert cli(capsys, "accept", "--region", REGION, "--name", LINK).code == 0
    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)

    def answer(question: str) -> str:
        asked.append(question)
        return "n"

    monkeypatch.setattr(builtins, "input", answer)

    run = cli(capsys, *TEARDOWN)

    assert run.code == 2 and "Cancelled; nothing was changed" in run.err
    assert asked == ["Delete them? [y/N] "]
    assert (
        f"The platform's live connection {endpoint} from account {CONSUMER_ACCOUNT} will be "
        "rejected: it stops carrying traffic to the database at once." in run.err
    )
    assert counts(LINK) == ONE_EACH
    connections = client("ec2").describe_vpc_endpoint_connections()["VpcEndpointConnections"]
    assert [c["VpcEndpointState"] for c in connections] == ["available"]


def test_what_would_stop_teardown_is_named_before_anything_is_deleted(
    seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    made = _set_up(capsys)
    elbv2 = client("elbv2")
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=made["nlb"], Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
    )
    [group] = elbv2.describe_target_groups(Names=[f"{LINK}-{PORT}"])["TargetGroups"]
    elbv2.create_listener(
        LoadBalancerArn=seeded.legacy_nlb_arn,
        Protocol="TCP",
        Port=7000,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
    )
    rule = _wizards_rule(seeded, made)

    run = cli(capsys, *TEARDOWN, "--yes")

    assert run.code == 1 and "Traceback" not in run.err
    assert f"The load balancer {LINK} has deletion protection turned on" in run.err
    assert "clear Deletion protection" in run.err
    assert (
        f"The load balancer legacy-nlb, which is not part of the link, sends its listener on port "
        f"7000 to the link's target group {LINK}-{PORT}" in run.err
    )
    assert "Nothing was deleted." in run.err
    assert counts(LINK) == ONE_EACH
    assert rule in _rules(seeded.analytics_pg_sg)


def test_a_failure_midway_names_what_is_left_and_a_rerun_finishes(
    seeded: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    made = _set_up(capsys)
    rule = _wizards_rule(seeded, made)
    faults.add("RevokeSecurityGroupIngress", "UnauthorizedOperation", times=99, refused=True)

    run = cli(capsys, *TEARDOWN, "--yes")

    assert run.code == 1 and "Traceback" not in run.err
    assert counts(LINK) == {**NONE, "security-group": 1}
    assert (
        "Teardown stopped part way: it removed 4 of 6 resources. Still there (found again by the "
        f"link's tags): firewall rule allowing TCP {PORT} from the load balancer's security group "
        f"{made['nlb_group']} in security group {seeded.analytics_pg_sg} ({rule['SecurityGroupRuleId']}); "
        f"load balancer's security group {LINK}-nlb ({made['nlb_group']}). Run teardown again "
        f"(`privatelink-wizard teardown --region {REGION} --name {LINK}`): it finishes the job"
    ) in run.err.replace("\n", " ")
    assert "Removed" not in run.out
    # The record stays until everything is gone: it names the rule for the re-run.
    assert [d.name for d in RecordStore().all()] == [LINK]

    faults.rules.clear()
    run = cli(capsys, *TEARDOWN, "--yes")
    assert run.code == 0, run.err
    assert f"Removed 2 resources of the link '{LINK}'." in run.out
    assert counts(LINK) == NONE and rule not in _rules(seeded.analytics_pg_sg)
    assert RecordStore().all() == []


def test_a_rule_the_record_holds_is_removed_even_untagged_and_redescribed(
    seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # AWS cannot tag a rule on every path; the record holds it, as made, all the same.
    made = _set_up(capsys)
    rule = _wizards_rule(seeded, made)
    ec2 = client("ec2")
    ec2.delete_tags(Resources=[rule["SecurityGroupRuleId"]], Tags=[{"Key": MANAGED_BY_KEY}])
    # The DBA relabels it (moto ignores UpdateSecurityGroupRuleDescriptionsIngress by rule id).
    ec2.modify_security_group_rules(
        GroupId=seeded.analytics_pg_sg,
        SecurityGroupRules=[
            {
                "SecurityGroupRuleId": rule["SecurityGroupRuleId"],
                "SecurityGroupRule": {
                    "IpProtocol": "tcp",
                    "FromPort": PORT,
                    "ToPort": PORT,
                    "ReferencedGroupId": made["nlb_group"],
                    "Description": "reporting NLB",
                },
            }
        ],
    )
    [now] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])[
        "SecurityGroupRules"
    ]
    assert now["Description"] == "reporting NLB" and MANAGED_BY_KEY not in {t["Key"] for t in now["Tags"]}

    run = cli(capsys, *TEARDOWN, "--yes")

    assert run.code == 0, run.err
    assert rule["SecurityGroupRuleId"] not in {
        r["SecurityGroupRuleId"] for r in _rules(seeded.analytics_pg_sg)
    }
    assert counts(LINK) == NONE


def test_a_rule_only_described_as_the_wizards_is_left_and_said_so(
    seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _set_up(capsys)
    description = f"privatelink-wizard {LINK}: NLB subnet us-east-1a"
    reply = client("ec2").authorize_security_group_ingress(
        GroupId=seeded.analytics_pg_sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": PORT,
                "ToPort": PORT,
                "IpRanges": [{"CidrIp": "10.20.99.0/24", "Description": description}],
            }
        ],
    )
    copied = reply["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    said = (
        f"Not removed: not recorded as the wizard's: firewall rule allowing TCP {PORT} from "
        f"10.20.99.0/24 in security group {seeded.analytics_pg_sg} ({copied})"
    )

    status = cli(capsys, "status", "--region", REGION, "--name", LINK)
    assert said in status.out
    run = cli(capsys, *TEARDOWN, "--yes")

    assert run.code == 0, run.err
    assert f"  ! {said}" in run.err
    assert counts(LINK) == NONE
    assert [
        r["SecurityGroupRuleId"]
        for r in _rules(seeded.analytics_pg_sg)
        if r.get("CidrIpv4") == "10.20.99.0/24"
    ] == [copied]
