"""Issue 19 (3): the permission preflight, under the sandbox's IAM enforcement.

`preflight` (and `setup`, before it creates anything) asks the IAM policy simulator
(iam:SimulatePrincipalPolicy, which the sandbox models in wizard/sandbox/iam_simulate.py with
its IAM evaluation) whether the signed-in user, or the role behind an assumed-role session, may
do every action of the wizard's policy, with the condition values the wizard's requests carry.
An identity that may not simulate falls back to EC2 dry runs and says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.authorization import disable_iam_authentication, enable_iam_authentication

from wizard.aws.preflight import CROSS_REGION_ONLY
from wizard.aws.session import Credentials, make_context
from wizard.policy import policy_actions, policy_document
from wizard.sandbox import moto_ext
from wizard.sandbox.seed import seed_sample_account

from .conftest import NONE, REGION, Run, cli, counts, setup_args

MISSING = ["ec2:CreateVpcEndpointServiceConfiguration", "elasticloadbalancing:AddTags"]


def admin(service: str) -> Any:
    return boto3.client(service, region_name=REGION, aws_access_key_id="admin", aws_secret_access_key="x")


def document(without: tuple[str, ...] = (), extra: list[dict[str, Any]] | None = None) -> str:
    doc = policy_document()
    for statement in doc["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a not in without]
    doc["Statement"] = [s for s in doc["Statement"] if s["Action"]] + (extra or [])
    return json.dumps(doc)


@pytest.fixture(scope="module")
def account() -> Iterator[dict[str, dict[str, str]]]:
    """Seeded in-process moto with IAM users holding the full policy, a reduced one, and one
    without the simulator; the keys of each, by name."""
    moto_ext.install()
    with mock_aws():
        seed_sample_account(make_context(Credentials(), REGION))
        iam = admin("iam")
        policies = {
            "full": document(),
            "reduced": document(without=tuple(MISSING)),
            "no-simulator": document(without=("iam:SimulatePrincipalPolicy", "ec2:DescribeSubnets")),
        }
        keys = {}
        for user, doc in policies.items():
            iam.create_user(UserName=user)
            iam.put_user_policy(UserName=user, PolicyName="plw", PolicyDocument=doc)
            keys[user] = iam.create_access_key(UserName=user)["AccessKey"]
        yield keys


def as_user(monkeypatch: pytest.MonkeyPatch, key: dict[str, str]) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


def enforced(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    with enable_iam_authentication():
        return cli(capsys, *args)


def verdicts(run: Run) -> dict[str, str]:
    return {p["action"]: p["verdict"] for p in json.loads(run.out)["permissions"]}


def test_the_full_policy_is_all_allowed(
    account: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(monkeypatch, account["full"])
    run = enforced(capsys, "preflight", "--region", REGION, "--source", "orders-mysql")
    assert run.code == 0, run.err
    # vpce:AllowMultiRegion is asked only of a cross-region link (setup --consumer-region).
    total = len(policy_actions()) - len(CROSS_REGION_ONLY)
    assert (
        f"All {total} permissions the wizard needs are allowed for arn:aws:iam::123456789012:user/full"
        in run.out
    )
    assert "Found RDS database orders-mysql" in run.err


def test_a_reduced_policy_names_what_is_missing_and_setup_creates_nothing(
    account: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(monkeypatch, account["reduced"])
    run = enforced(capsys, "preflight", "--region", REGION)
    assert run.code == 1
    # AddTags counts twice: while creating, and for the target sync's state on the target group.
    assert "may not do 3 of the" in run.out
    assert "creating the endpoint service (ec2:CreateVpcEndpointServiceConfiguration)" in run.out
    assert "tagging what it creates as the wizard's (elasticloadbalancing:AddTags)" in run.out
    statements = json.loads(run.out[run.out.index("{") :])["Statement"]
    assert [(s["Sid"], s["Action"]) for s in statements] == [
        ("CreateLinkResources", ["ec2:CreateVpcEndpointServiceConfiguration"]),
        ("TagOnlyWhileCreatingLoadBalancing", ["elasticloadbalancing:AddTags"]),
        ("TargetSyncStateOnTheLinksTargetGroup", ["elasticloadbalancing:AddTags"]),
    ]
    assert statements[1]["Condition"]  # the exact statement, with its condition
    setup = enforced(capsys, *setup_args(name="plw-preflight"))
    assert setup.code == 1
    assert (
        "Checking your permissions: Your identity lacks permissions the setup needs; nothing was created"
        in setup.err
    )
    assert "elasticloadbalancing:AddTags" in setup.err
    assert counts("plw-preflight") == NONE


def test_without_the_simulator_it_falls_back_to_dry_runs_and_says_so(
    account: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(monkeypatch, account["no-simulator"])
    run = enforced(capsys, "preflight", "--region", REGION, "--json")
    result = json.loads(run.out)
    assert result["method"] == "dry-run" and result["simulated"] == ""
    assert "may not use the IAM policy simulator (iam:SimulatePrincipalPolicy)" in result["note"]
    found = verdicts(run)
    assert found["ec2:DescribeVpcs"] == "allowed"  # DryRunOperation: it would have worked
    assert found["ec2:DescribeSubnets"] == "denied"  # UnauthorizedOperation
    assert found["elasticloadbalancing:CreateLoadBalancer"] == "unknown"  # no dry run for it
    assert run.code == 1  # one is surely missing
    assert [s["Action"] for s in result["missing_policy"]["Statement"] if s["Sid"] == "Read"] == [
        ["ec2:DescribeSubnets"]
    ]


def test_an_assumed_role_session_simulates_its_role_and_conditions_it_cannot_know_are_unknown(
    account: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The role's own policy limits changes to resources of one team (a tag the wizard's
    # requests do not carry): the simulator cannot tell, so those are "unknown", not "denied".
    team_only = {
        "Effect": "Allow",
        "Action": ["elasticloadbalancing:DeleteLoadBalancer"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/Team": "data"}},
    }
    with disable_iam_authentication():
        iam = admin("iam")
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
        }
        role = iam.create_role(
            RoleName="dba-role", Path="/teams/data/", AssumeRolePolicyDocument=json.dumps(trust)
        )
        iam.put_role_policy(
            RoleName="dba-role",
            PolicyName="plw",
            PolicyDocument=document(without=("elasticloadbalancing:DeleteLoadBalancer",), extra=[team_only]),
        )
        creds = admin("sts").assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="dba")["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])
    run = enforced(capsys, "preflight", "--region", REGION, "--json")
    assert run.code == 0, run.err  # nothing surely missing
    result = json.loads(run.out)
    assert result["simulated"] == "arn:aws:iam::123456789012:role/teams/data/dba-role"  # its path found
    unknown = [p for p in result["permissions"] if p["verdict"] == "unknown"]
    assert unknown == [
        {
            "action": "elasticloadbalancing:DeleteLoadBalancer",
            "verdict": "unknown",
            "note": "depends on aws:ResourceTag/Team",
        }
    ]
