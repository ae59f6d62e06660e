"""The sandbox's SimulatePrincipalPolicy (wizard/sandbox/iam_simulate.py), as the IAM API
Reference describes it: a user's own and its groups' policies, explicit Deny over Allow, the
context entries for conditions and the condition keys nobody gave, NoSuchEntity for no one."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_user_and_group_policies_deny_wins_and_conditions_need_context(aws: Any) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="ann")
    iam.create_group(GroupName="dbas")
    iam.add_user_to_group(GroupName="dbas", UserName="ann")
    iam.put_group_policy(
        GroupName="dbas",
        PolicyName="g",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}),
    )
    iam.put_user_policy(
        UserName="ann",
        PolicyName="u",
        PolicyDocument=_doc(
            {"Effect": "Deny", "Action": "ec2:DeleteVpc", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "rds:RebootDBInstance",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/Team": "data"}},
            },
        ),
    )
    arn = iam.get_user(UserName="ann")["User"]["Arn"]
    actions = ["ec2:DescribeVpcs", "ec2:DeleteVpc", "rds:RebootDBInstance", "s3:GetObject"]

    def decisions(**kwargs: Any) -> dict[str, tuple[str, list[str]]]:
        results = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=actions, **kwargs)
        return {
            r["EvalActionName"]: (r["EvalDecision"], r.get("MissingContextValues", []))
            for r in results["EvaluationResults"]
        }

    assert decisions() == {
        "ec2:DescribeVpcs": ("allowed", []),  # from the group
        "ec2:DeleteVpc": ("explicitDeny", []),
        "rds:RebootDBInstance": ("implicitDeny", ["aws:ResourceTag/Team"]),
        "s3:GetObject": ("implicitDeny", []),
    }
    team = [
        {"ContextKeyName": "aws:ResourceTag/Team", "ContextKeyValues": ["data"], "ContextKeyType": "string"}
    ]
    assert decisions(ContextEntries=team)["rds:RebootDBInstance"] == ("allowed", [])


def test_no_such_principal(aws: Any) -> None:
    iam = boto3.client("iam", region_name="us-east-1")
    with pytest.raises(ClientError) as caught:
        iam.simulate_principal_policy(
            PolicySourceArn="arn:aws:iam::123456789012:role/nobody", ActionNames=["ec2:DescribeVpcs"]
        )
    assert caught.value.response["Error"]["Code"] == "NoSuchEntity"
