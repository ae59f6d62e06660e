"""The engine against the sandbox's load balancer lifecycle at AWS-like timing: it waits through
`provisioning` and through a deletion, and explains the service-linked role AWS creates with the
account's first load balancer."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.core.authorization import enable_iam_authentication

from tests.aws.test_nlb import LINK, make_network
from tests.sandbox.clock import SandboxClock
from wizard.aws import nlb, polling
from wizard.aws.polling import Patience
from wizard.aws.session import AwsContext, Credentials, make_context
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.policy import policy_document
from wizard.sandbox import elb_model, timing
from wizard.sandbox.elb_service_role import ROLE_NAME

# Each look 15 s of AWS time apart, on the sandbox's clock: no real waiting.
EVERY_15_SECONDS = Patience(timeout=60, shortest=15, longest=15)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxClock]:
    with timing.scaled(1):
        clock = SandboxClock(monkeypatch)
        # The engine's one poll loop, pausing on the sandbox's clock.
        monkeypatch.setattr(nlb, "wait_until", functools.partial(polling.wait_until, sleep=clock.sleep))
        yield clock


@pytest.fixture
def states(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every load balancer state the engine reads while it waits."""
    seen: list[str] = []
    read = nlb._state

    def recorded(aws: AwsContext, arn: str) -> str:
        seen.append(read(aws, arn))
        return seen[-1]

    monkeypatch.setattr(nlb, "_state", recorded)
    return seen


def test_setup_waits_while_the_new_nlb_is_provisioning(
    aws: AwsContext, clock: SandboxClock, states: list[str]
) -> None:
    net = make_network(aws)
    started = clock.now

    info, created = nlb.find_or_create_nlb(aws, LINK, net.vpc_id, net.subnet_ids, patience=EVERY_15_SECONDS)

    assert created and info.state == "active"
    assert states[0] == "provisioning" and states[-1] == "active"
    assert set(states[:-1]) == {"provisioning"}
    waited = clock.now - started
    assert elb_model.PROVISIONING_SECONDS <= waited < elb_model.PROVISIONING_SECONDS + 15


def test_a_wait_longer_than_the_patience_times_out_plainly(aws: AwsContext) -> None:
    net = make_network(aws)
    arn = aws.elbv2.create_load_balancer(
        Name=LINK, Type="network", Scheme="internal", Subnets=net.subnet_ids
    )["LoadBalancers"][0]["LoadBalancerArn"]

    with timing.scaled(1), pytest.raises(UserError) as err:
        nlb.wait_available(aws, arn, Patience(timeout=0.05, shortest=0.01))

    assert err.value.exit_code == EXIT_TIMEOUT
    assert "still 'provisioning'" in err.value.what
    assert "run the same command again" in err.value.fix


def test_teardown_waits_while_a_deleted_nlb_is_still_listed(
    aws: AwsContext, clock: SandboxClock, states: list[str]
) -> None:
    net = make_network(aws)
    arn = aws.elbv2.create_load_balancer(
        Name=LINK, Type="network", Scheme="internal", Subnets=net.subnet_ids
    )["LoadBalancers"][0]["LoadBalancerArn"]
    clock.advance(elb_model.PROVISIONING_SECONDS)
    started = clock.now

    nlb.delete_nlb(aws, arn, patience=EVERY_15_SECONDS)

    assert states[0] == "active" and states[-1] == "deleted"
    assert clock.now - started >= elb_model.DELETING_SECONDS


# ---- the service-linked role, under IAM enforcement -------------------------------------------


def dba_context(without_role: bool) -> AwsContext:
    """An AwsContext signed as an IAM user holding the app's policy (optionally without
    iam:CreateServiceLinkedRole)."""
    document = policy_document()
    if without_role:
        document["Statement"] = [
            s for s in document["Statement"] if "iam:CreateServiceLinkedRole" not in s["Action"]
        ]
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="dba")
    iam.put_user_policy(UserName="dba", PolicyName="wizard", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName="dba")["AccessKey"]
    return make_context(
        Credentials(access_key_id=key["AccessKeyId"], secret_access_key=key["SecretAccessKey"]), "us-east-1"
    )


def test_the_first_nlb_with_the_apps_policy_creates_the_service_linked_role(aws: AwsContext) -> None:
    net = make_network(aws)
    dba = dba_context(without_role=False)

    with enable_iam_authentication():
        info, created = nlb.find_or_create_nlb(dba, LINK, net.vpc_id, net.subnet_ids)

    assert created and info.state == "active"
    role: dict[str, Any] = aws.client("iam").get_role(RoleName=ROLE_NAME)["Role"]
    assert role["Path"] == "/aws-service-role/elasticloadbalancing.amazonaws.com/"


def test_the_first_nlb_without_the_permission_names_it_and_the_way_out(aws: AwsContext) -> None:
    net = make_network(aws)
    dba = dba_context(without_role=True)

    with enable_iam_authentication(), pytest.raises(UserError) as err:
        nlb.find_or_create_nlb(dba, LINK, net.vpc_id, net.subnet_ids)

    error = err.value
    assert error.permission == "iam:CreateServiceLinkedRole"
    assert error.step == "Creating the load balancer"
    assert "your identity may not call iam:CreateServiceLinkedRole" in error.what
    assert "AWSServiceRoleForElasticLoadBalancing" in error.why
    assert "first load balancer" in error.why
    assert "aws iam create-service-linked-role --aws-service-name elasticloadbalancing.amazonaws.com" in (
        error.fix
    )
    assert "privatelink-wizard policy" in error.fix
    assert aws.elbv2.describe_load_balancers()["LoadBalancers"] == []
