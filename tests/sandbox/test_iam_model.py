"""The sandbox evaluates IAM policies as AWS does (wizard/sandbox/iam_model.py): resource ARNs,
tag conditions, an explicit Deny, and the tag-on-create permissions. moto alone treats a
statement with a resource ARN as not applying and a statement with a condition as a denial."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.authorization import disable_iam_authentication, enable_iam_authentication

from wizard.model import link_tags
from wizard.policy import policy_document
from wizard.sandbox import iam_model, moto_ext
from wizard.sandbox.iam_model import Check, Resource, decide, permits

REGION = "us-east-1"
OURS = {"ManagedBy": "privatelink-wizard"}


def allow(action: str, resource: str = "*", condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def test_a_tag_condition_allows_only_what_carries_the_tag() -> None:
    policy = allow(
        "elasticloadbalancing:Delete*",
        condition={"StringEquals": {"aws:ResourceTag/ManagedBy": "privatelink-wizard"}},
    )
    assert decide([policy], "elasticloadbalancing:DeleteLoadBalancer", Resource("arn:lb/ours", OURS), {})
    assert not decide([policy], "elasticloadbalancing:DeleteLoadBalancer", Resource("arn:lb/theirs"), {})
    assert not decide([policy], "elasticloadbalancing:CreateLoadBalancer", Resource("*", OURS), {})


def test_condition_operators_follow_aws_for_missing_keys() -> None:
    def holds(operator: str, key: str, wanted: list[str], keys: dict[str, list[str]]) -> bool:
        return iam_model._condition_holds(operator, key, wanted, keys)

    assert not holds("StringEquals", "k", ["a"], {})  # a missing key does not match
    assert holds("StringNotEquals", "k", ["a"], {})  # ... so a negated operator holds
    assert holds("StringEqualsIfExists", "k", ["a"], {})
    assert not holds("StringEqualsIfExists", "k", ["a"], {"k": ["b"]})
    assert holds("StringLike", "k", ["arn:*:role/x?"], {"k": ["arn:aws:iam::1:role/xy"]})
    assert holds("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"], {"aws:TagKeys": ["a"]})
    assert not holds("ForAllValues:StringEquals", "aws:TagKeys", ["a"], {"aws:TagKeys": ["a", "c"]})
    assert holds("ForAnyValue:StringEquals", "aws:TagKeys", ["c"], {"aws:TagKeys": ["a", "c"]})
    assert holds("Null", "k", ["true"], {}) and holds("Null", "k", ["false"], {"k": ["v"]})
    with pytest.raises(NotImplementedError):
        holds("NumericLessThan", "k", ["1"], {"k": ["0"]})


def test_an_explicit_deny_wins_and_resource_arns_apply() -> None:
    arn = "arn:aws:iam::123456789012:role/aws-service-role/elasticloadbalancing.amazonaws.com/Role"
    grant = allow(
        "iam:CreateServiceLinkedRole",
        "arn:aws:iam::*:role/aws-service-role/elasticloadbalancing.amazonaws.com/*",
    )
    deny = {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    assert permits([grant], Check("iam:CreateServiceLinkedRole", (Resource(arn),)))
    assert not permits(
        [grant], Check("iam:CreateServiceLinkedRole", (Resource(arn.replace("elasticloadbalancing", "rds")),))
    )
    assert not permits([grant, deny], Check("iam:CreateServiceLinkedRole", (Resource(arn),)))


def test_request_tags_are_read_from_every_query_shape() -> None:
    assert iam_model.request_tags(
        {"TagSpecification.1.Tag.1.Key": ["ManagedBy"], "TagSpecification.1.Tag.1.Value": ["x"]}
    ) == {"ManagedBy": "x"}
    assert iam_model.request_tags({"Tags.member.1.Key": ["a"], "Tags.member.1.Value": ["b"]}) == {"a": "b"}
    assert iam_model.request_tags({"Tags.Tag.1.Key": ["a"], "Tags.Tag.1.Value": ["b"]}) == {"a": "b"}


# ---- through moto's IAM enforcement -------------------------------------------------------------


@pytest.fixture
def dba() -> Iterator[Any]:
    """In-process moto with an IAM user `dba`; yields a function making its clients."""
    moto_ext.install()
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        iam.create_user(UserName="dba")
        key = iam.create_access_key(UserName="dba")["AccessKey"]

        def client(service: str) -> Any:
            return boto3.client(
                service,
                region_name=REGION,
                aws_access_key_id=key["AccessKeyId"],
                aws_secret_access_key=key["SecretAccessKey"],
            )

        yield client


def _grant(document: dict[str, Any]) -> None:
    boto3.client("iam", region_name=REGION).put_user_policy(
        UserName="dba", PolicyName="p", PolicyDocument=json.dumps(document)
    )


def _network() -> list[str]:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"][
            "SubnetId"
        ]
    ]


def test_the_apps_policy_cannot_delete_a_load_balancer_it_did_not_tag(dba: Any) -> None:
    subnets = _network()
    elbv2 = boto3.client("elbv2", region_name=REGION)
    theirs = elbv2.create_load_balancer(Name="legacy", Type="network", Scheme="internal", Subnets=subnets)
    ours = elbv2.create_load_balancer(
        Name="ours", Type="network", Scheme="internal", Subnets=subnets, Tags=link_tags("ours")
    )
    _grant(policy_document())
    with enable_iam_authentication():
        mine = dba("elbv2")
        with pytest.raises(mine.exceptions.ClientError) as refused:
            mine.delete_load_balancer(LoadBalancerArn=theirs["LoadBalancers"][0]["LoadBalancerArn"])
        mine.delete_load_balancer(LoadBalancerArn=ours["LoadBalancers"][0]["LoadBalancerArn"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert "elasticloadbalancing:DeleteLoadBalancer" in str(refused.value)


def test_a_create_with_tags_needs_the_tagging_permission_for_that_create(dba: Any) -> None:
    subnets = _network()
    create_only = allow("elasticloadbalancing:CreateLoadBalancer")
    # The account's first load balancer also makes ELB's service-linked role (not at issue here).
    create_only["Statement"].append(
        {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"}
    )
    _grant(create_only)
    with enable_iam_authentication():
        with pytest.raises(Exception) as refused:
            dba("elbv2").create_load_balancer(
                Name="a", Type="network", Scheme="internal", Subnets=subnets, Tags=link_tags("a")
            )
        # Without tags no tagging permission is checked.
        dba("elbv2").create_load_balancer(Name="b", Type="network", Scheme="internal", Subnets=subnets)
    assert "elasticloadbalancing:AddTags" in str(refused.value)
    with disable_iam_authentication():
        _grant(policy_document())
    with enable_iam_authentication():
        made = dba("elbv2").create_load_balancer(
            Name="c", Type="network", Scheme="internal", Subnets=subnets, Tags=link_tags("c")
        )
        # The same policy does not let it tag an existing resource: AddTags only while creating.
        with pytest.raises(Exception) as retag:
            dba("elbv2").add_tags(
                ResourceArns=[made["LoadBalancers"][0]["LoadBalancerArn"]], Tags=[{"Key": "x", "Value": "y"}]
            )
    assert "elasticloadbalancing:AddTags" in str(retag.value)
