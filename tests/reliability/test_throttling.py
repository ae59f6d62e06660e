"""Issue 5 (3), throttling and transient faults: create calls answered with Throttling,
RequestLimitExceeded or a 503 still end in exactly one resource each.

Every call gets botocore's adaptive retries (RETRY_CONFIG in wizard/aws/session.py, configured
once). Create calls are the exception: resending one whose reply was lost would make a second
resource, so they run once per attempt and wizard/aws/retry.create_once looks for what the failed
attempt made before trying again. The injected faults below come after moto has acted (the lost
reply), or before (AWS refused), and both end with one of each."""

from __future__ import annotations

from typing import Any

import pytest

from wizard.aws import retry
from wizard.aws.session import NO_RETRY_CONFIG, RETRY_CONFIG

from .conftest import ONE_EACH, Faults, cli, counts, setup_args

CREATES = (
    "CreateSecurityGroup",
    "CreateLoadBalancer",
    "CreateTargetGroup",
    "CreateListener",
    "CreateVpcEndpointServiceConfiguration",
)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the retry logic, not its sleeps (seconds each): the test is about what is created."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    monkeypatch.setattr(retry, "pause", lambda attempt: None)


def test_retries_are_adaptive_and_configured_once() -> None:
    # (botocore adds its own derived keys to these dicts once a client is made from them)
    assert RETRY_CONFIG.retries is not None and NO_RETRY_CONFIG.retries is not None
    retries = RETRY_CONFIG.retries
    # 8 retries = 9 attempts in all (botocore rewrites max_attempts as total_max_attempts)
    assert retries["mode"] == "adaptive"
    assert retries.get("total_max_attempts", retries.get("max_attempts", 0) + 1) == 9
    assert (NO_RETRY_CONFIG.retries["mode"], NO_RETRY_CONFIG.retries["total_max_attempts"]) == ("standard", 1)


def test_lost_replies_to_creates_never_make_a_second_resource(
    shared_seeded: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    # AWS made each resource, but the reply was a throttle or a 503: a blind resend would make two.
    injected = [
        faults.add("CreateSecurityGroup", "RequestLimitExceeded", status=503, times=2),
        faults.add("CreateLoadBalancer", "Throttling", times=3),
        faults.add("CreateTargetGroup", "ServiceUnavailable", status=503, times=2),
        faults.add("CreateListener", "Throttling", times=1),
        faults.add("CreateVpcEndpointServiceConfiguration", "RequestLimitExceeded", status=503, times=3),
    ]
    run = cli(capsys, *setup_args(name="plw-lost-replies"))
    assert run.code == 0, run.err
    assert [f.seen for f in injected] == [1, 1, 1, 1, 1]  # found after the failure, not resent
    assert counts("plw-lost-replies") == ONE_EACH
    assert "Service name: com.amazonaws.vpce." in run.out


def test_refused_creates_are_retried_until_aws_accepts(
    shared_seeded: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    injected = [
        faults.add(op, code, status=status, times=n, refused=True)
        for op, code, status, n in [
            ("CreateSecurityGroup", "Throttling", 400, 2),
            ("CreateLoadBalancer", "Throttling", 400, 3),
            ("CreateTargetGroup", "ServiceUnavailable", 503, 2),
            ("CreateListener", "RequestLimitExceeded", 503, 1),
            ("CreateVpcEndpointServiceConfiguration", "RequestLimitExceeded", 400, 4),
        ]
    ]
    # A throttled read on the way is absorbed by botocore's own retries.
    reads = faults.add("DescribeTargetGroups", "Throttling", times=1)
    run = cli(capsys, *setup_args(name="plw-refused"))
    assert run.code == 0, run.err
    assert [f.seen for f in injected] == [f.times + 1 for f in injected]
    assert reads.seen > reads.times
    assert counts("plw-refused") == ONE_EACH


def test_throttling_past_the_retry_budget_says_so_and_what_exists(
    shared_seeded: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    endless = faults.add(
        "CreateVpcEndpointServiceConfiguration", "RequestLimitExceeded", times=99, refused=True
    )
    link = "plw-past-budget"
    run = cli(capsys, *setup_args(name=link))
    assert run.code == 1
    assert endless.seen == retry.ATTEMPTS
    assert "Creating the endpoint service: AWS is asking us to slow down (throttling)" in run.err
    assert "What exists now" in run.err and f"load balancer {link}" in run.err
    assert counts(link) == {**ONE_EACH, "endpoint-service": 0}
    # The next run, with AWS calm again, finishes without a duplicate.
    faults.rules.clear()
    assert cli(capsys, *setup_args(name=link)).code == 0
    assert counts(link) == ONE_EACH
