"""Plain moto for the engine modules that never touch endpoint connections (discovery, network,
rds_params): one AwsContext per module, a fresh moto per test."""

from __future__ import annotations

from collections.abc import Iterator

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
