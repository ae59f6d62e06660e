"""The CLI's end-to-end tests run against a sandbox server, per test."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def sandbox(sandbox_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The sandbox server, which the CLI reaches through AWS_ENDPOINT_URL."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox_server.endpoint_url)
    return sandbox_server
