"""How `privatelink-wizard` starts: the window's log begins once it has painted, and the
subcommands' parsers are built only when the arguments may name one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wizard import cli
from wizard.logging_setup import LOG_FILE
from wizard.ui import app


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRIVATELINK_WIZARD_LOG_DIR", str(tmp_path))
    return tmp_path / LOG_FILE


def test_the_window_starts_the_log_after_its_first_paint(
    log_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(argv: list[str], demo: bool, endpoint_url: str | None, on_shown: Callable[[], None]) -> int:
        seen.update(argv=argv, demo=demo, endpoint_url=endpoint_url)
        seen["log before paint"] = log_file.exists()
        on_shown()  # what the window does once painted
        return 0

    monkeypatch.setattr(app, "run", fake_run)
    assert cli.main(["--demo", "--endpoint-url", "http://127.0.0.1:9"]) == 0
    assert seen == {
        "argv": ["--demo", "--endpoint-url", "http://127.0.0.1:9"],
        "demo": True,
        "endpoint_url": "http://127.0.0.1:9",
        "log before paint": False,
    }
    assert "started: --demo --endpoint-url http://127.0.0.1:9" in log_file.read_text(encoding="utf-8")


def test_a_command_starts_the_log_before_it_runs(log_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["policy"]) == 0
    assert '"Version"' in capsys.readouterr().out
    assert "started: policy" in log_file.read_text(encoding="utf-8")


def test_a_mistyped_command_still_gets_the_list_of_commands(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["stup"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'stup'" in err and "setup" in err and "Traceback" not in err
    assert "Stopped (exit 2)" in log_file.read_text(encoding="utf-8")


def test_an_unknown_option_without_a_command_is_refused_clearly(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--bogus"]) == 2
    err = capsys.readouterr().err
    assert "Unrecognized arguments: --bogus" in err and "Traceback" not in err


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("setup", "accept", "status", "teardown", "policy", "sandbox"):
        assert command in out
