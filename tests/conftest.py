"""Shared test set-up: no display, no real AWS, no real user folders or keychain."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring

# Set before anything imports Qt or boto3.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
    os.environ.pop(_var, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data, config and log folders."""
    monkeypatch.setenv("PRIVATELINK_WIZARD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PRIVATELINK_WIZARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PRIVATELINK_WIZARD_LOG_DIR", str(tmp_path / "logs"))


@pytest.fixture(autouse=True)
def _instant_sandbox() -> Iterator[None]:
    """The sandbox's timing scale is process-wide and a test may leave it changed (serve_forever
    sets the demo's): every test starts instant, as the sandbox's tests assume."""
    from wizard.sandbox import timing

    with timing.scaled(timing.INSTANT):
        yield


@pytest.fixture
def aws() -> Iterator[object]:
    """An AwsContext on an in-process moto (with the sandbox's endpoint-connection extension)."""
    from moto import mock_aws

    from wizard.aws.session import Credentials, make_context
    from wizard.sandbox import moto_ext

    moto_ext.install()
    with mock_aws():
        yield make_context(Credentials(), REGION)


@pytest.fixture
def seeded(aws: object) -> object:
    """The sandbox's sample provider account, seeded into the in-process moto of `aws`."""
    from wizard.sandbox.seed import seed_sample_account

    return seed_sample_account(aws)  # type: ignore[arg-type]


@pytest.fixture
def sandbox_server() -> Iterator[object]:
    """A started Sandbox (moto server on 127.0.0.1, seeded, simulated consumer), per test.

    Per test because the server shares this process's moto state: any `mock_aws` block (the `aws`
    fixture) resets it. The consumer answers half a second after a service allow-lists it.
    """
    from wizard.sandbox.server import Sandbox

    sandbox = Sandbox(region=REGION, consumer_delay=0.5, consumer_interval=0.2)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def quiet_sandbox() -> Iterator[object]:
    """A started, seeded Sandbox whose platform asks to connect only when the test says
    (SimulatedConsumer.poll_once), per test."""
    from wizard.sandbox.server import Sandbox

    sandbox = Sandbox(region=REGION)
    sandbox.start(consumer=False)
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def four_links(quiet_sandbox: Any, capsys: pytest.CaptureFixture[str]) -> Any:
    """`quiet_sandbox` holding four links built through the CLI, one in each state the home
    screen and `list` name (tests/four_links.py); what the CLI printed is left out."""
    from tests.four_links import make_four_links
    from wizard.cli import main

    def run(*argv: str) -> int:
        code = main(list(argv))
        assert code == 0, capsys.readouterr().err
        return code

    make_four_links(quiet_sandbox, run)
    capsys.readouterr()
    return quiet_sandbox


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """keyring's backend for the test: passwords in a dict, the previous backend restored after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
