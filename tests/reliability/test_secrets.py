"""Issue 5 (6), secrets: access keys and session tokens live only in keyring. The whole CLI flow
runs with a profile saved in the app (an in-memory keyring stands in for the system one), then
every file the app wrote (settings, link records, the log, the report) and everything it printed
is searched: the secret key and the session token appear nowhere, nor the access key id in a file.
The log redacts keys and tokens even when code logs them by mistake."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.memory_keyring import MemoryKeyring
from wizard import secrets
from wizard.aws.session import Credentials
from wizard.logging_setup import LOG_FILE
from wizard.paths import config_dir, data_dir, log_dir
from wizard.sandbox.consumer import SimulatedConsumer
from wizard.settings import Settings

from .conftest import LINK, REGION, cli, setup_args

ACCESS_KEY = "AKIAQWERTYUIOPASDFGH"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKY"  # 40 characters, like a real one
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD" + "x7Yk3mQ9" * 30
PROFILE = "prod-dba"


def files_under(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


def test_a_flow_with_a_saved_profile_leaves_the_secret_nowhere(
    seeded: Any,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # What the credentials page does on "Save as profile".
    secrets.save_profile(
        PROFILE,
        Credentials(access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY, session_token=SESSION_TOKEN),
    )
    settings = Settings.load()
    settings.remember_profile(PROFILE, REGION)
    settings.save()
    assert SECRET_KEY in next(iter(memory_keyring.passwords.values()))
    # Nothing else to sign in with: the CLI must use the saved profile.
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(var, raising=False)

    report = tmp_path / "exported" / "report.md"
    report.parent.mkdir()
    profile = ["--profile", PROFILE]
    printed = []
    for args in (
        [*setup_args("--fix", "--json", "--verbose"), *profile],
        ["accept", "--region", REGION, "--name", LINK, "--json", *profile],
        ["status", "--region", REGION, "--name", LINK, "--json", "--report", str(report), *profile],
        ["teardown", "--region", REGION, "--name", LINK, "--yes", *profile],
        ["status", "--region", "moon-1", *profile],  # a failure is logged too
    ):
        if args[0] == "accept":
            SimulatedConsumer(REGION, delay=0).poll_once()
        run = cli(capsys, *args)
        printed += [run.out, run.err]
    assert '"service_name": "com.amazonaws.vpce.' in printed[0]  # set up, signed in with the saved keys
    assert '"state": "available"' in printed[2]  # accepted

    log_file = log_dir() / LOG_FILE
    written = [*files_under(config_dir(), data_dir(), log_dir()), report]
    assert log_file in written and report.exists()
    log_text = log_file.read_text(encoding="utf-8")
    assert "Creating the load balancer" in log_text and "moon-1" in log_text  # the log is real
    assert PROFILE in (config_dir() / "settings.json").read_text(encoding="utf-8")
    for path in written:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in (SECRET_KEY, SESSION_TOKEN, SESSION_TOKEN[:40], ACCESS_KEY):
            assert secret not in text, f"{path} holds a secret"
    for text in printed:
        assert SECRET_KEY not in text and SESSION_TOKEN[:40] not in text


def test_the_log_redacts_keys_and_tokens_even_when_code_logs_them(capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    main(["policy"])  # any command opens the log
    log = logging.getLogger("wizard.test")
    log.warning("signing with %s / %s", ACCESS_KEY, SECRET_KEY)
    log.warning("aws_session_token=%s", SESSION_TOKEN)
    try:
        raise RuntimeError(f"boom with secret_access_key={SECRET_KEY}")
    except RuntimeError:
        log.exception("failed")
    text = (log_dir() / LOG_FILE).read_text(encoding="utf-8")
    assert "signing with AKIA…****" in text and "boom with secret_access_key=****" in text
    for secret in (SECRET_KEY, SESSION_TOKEN[:40], ACCESS_KEY):
        assert secret not in text


def test_an_endpoint_urls_password_is_shown_and_logged_nowhere(capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 16 (15): an endpoint (or proxy) URL may carry user:password; nothing may repeat it.
    url = "http://support:Hunter2Secret@127.0.0.1:9"
    run = cli(capsys, "status", "--region", REGION, "--endpoint-url", url)
    assert run.code != 0 and run.err.strip()
    log_text = (log_dir() / LOG_FILE).read_text(encoding="utf-8")
    for shown in (run.out, run.err, log_text):
        assert "Hunter2Secret" not in shown and "support:" not in shown
    assert "http://****@127.0.0.1:9" in log_text


def test_url_credentials_are_redacted_in_any_text() -> None:
    from wizard.redact import redact

    text = "proxy https://u:p%40ss@proxy.corp:3128 and http://token@host/x, not a@b.com"
    assert redact(text) == "proxy https://****@proxy.corp:3128 and http://****@host/x, not a@b.com"
