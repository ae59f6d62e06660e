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
    assert RETRY_CONFIG.retries == {"mode": "adaptive", "max_attempts": 8}
    assert NO_RETRY_CONFIG.retries == {"mode": "standard", "total_max_attempts": 1}


def test_lost_replies_to_creates_never_make_a_second_resource(
    seeded: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    # AWS made each resource, but the reply was a throttle or a 503: a blind resend would make two.
    injected = [
        faults.add("CreateLoadBalancer", "Throttling", times=3),
        faults.add("CreateTargetGroup", "ServiceUnavailable", status=503, times=2),
        faults.add("CreateListener", "Throttling", times=1),
        faults.add("CreateVpcEndpointServiceConfiguration", "RequestLimitExceeded", status=503, times=3),
    ]
    run = cli(capsys, *setup_args())
    assert run.code == 0, run.err
    assert [f.seen for f in injected] == [1, 1, 1, 1]  # found after the failure, not resent
    assert counts() == ONE_EACH
    assert "Service name: com.amazonaws.vpce." in run.out


def test_refused_creates_are_retried_until_aws_accepts(
    seeded: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    injected = [
        faults.add(op, code, status=status, times=n, refused=True)
        for op, code, status, n in [
            ("CreateLoadBalancer", "Throttling", 400, 3),
            ("CreateTargetGroup", "ServiceUnavailable", 503, 2),
            ("CreateListener", "RequestLimitExceeded", 503, 1),
            ("CreateVpcEndpointServiceConfiguration", "RequestLimitExceeded", 400, 4),
        ]
    ]
    # A throttled read on the way is absorbed by botocore's own retries.
    reads = faults.add("DescribeTargetGroups", "Throttling", times=2)
    run = cli(capsys, *setup_args())
    assert run.code == 0, run.err
    assert [f.seen for f in injected] == [f.times + 1 for f in injected]
    assert reads.seen > reads.times
    assert counts() == ONE_EACH


def test_throttling_past_the_retry_budget_says_so_and_what_exists(
    seeded: Any, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    endless = faults.add(
        "CreateVpcEndpointServiceConfiguration", "RequestLimitExceeded", times=99, refused=True
    )
    run = cli(capsys, *setup_args())
    assert run.code == 1
    assert endless.seen == retry.ATTEMPTS
    assert "Creating the endpoint service: AWS is asking us to slow down (throttling)" in run.err
    assert "What exists now" in run.err and "load balancer plw-orders-mysql" in run.err
    assert counts() == {**ONE_EACH, "endpoint-service": 0}
    # The next run, with AWS calm again, finishes without a duplicate.
    faults.rules.clear()
    assert cli(capsys, *setup_args()).code == 0
    assert counts() == ONE_EACH
