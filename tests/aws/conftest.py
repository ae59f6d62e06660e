"""Plain moto for the engine modules that never touch endpoint connections (discovery, network,
rds_params): one AwsContext per module, a fresh moto per test. And an empty sandbox server for
the modules that sign in through its IAM Identity Center."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from wizard.aws.session import AwsContext, Credentials, make_context


@pytest.fixture(scope="module")
def context() -> AwsContext:
    # One context (and its clients) per module: building boto3 clients costs more than a test.
    return make_context(Credentials(), "us-east-1")


@pytest.fixture
def plain_aws(context: AwsContext) -> Iterator[AwsContext]:
    with mock_aws():
        yield context


@pytest.fixture(scope="module")
def empty_sandbox() -> Iterator[Any]:
    """A sandbox server of no resources (its Identity Center answers any portal), one per module:
    the tests reset what they use of it (sso_model.reset())."""
    from wizard.sandbox.server import Sandbox

    box = Sandbox(region="us-east-1")
    box.start(seeded=False, consumer=False)
    try:
        yield box
    finally:
        box.stop()
