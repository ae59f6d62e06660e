"""Issue 16 (16): what the app writes is readable by the user only (0600 files, 0700 folders)
on Linux and macOS, whatever the umask."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wizard import logging_setup
from wizard.model import LinkRecord
from wizard.paths import config_dir, data_dir, log_dir
from wizard.settings import Settings
from wizard.state import RecordStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the common default: files 0644, folders 0755
    try:
        yield
    finally:
        os.umask(previous)


def test_records_locks_settings_and_log_are_private(open_umask: None) -> None:
    store = RecordStore()
    record = LinkRecord(name="orders", region="us-east-1", account_id="123456789012")
    saved = store.save(record)
    with store.locked(record.account_id, record.region, record.name):
        lock = saved.with_suffix(".lock")
        assert mode(lock) == 0o600
    Settings(region="us-east-1").save()
    log_file = logging_setup.configure()
    logging.getLogger("wizard.test").info("a line")
    for path in (saved, Settings.path(), log_file):
        assert mode(path) == 0o600, path
    for folder in (saved.parent, config_dir(), log_dir()):
        assert mode(folder) == 0o700, folder
    assert data_dir() in saved.parents


def test_an_existing_wide_open_file_is_tightened_when_rewritten(open_umask: None) -> None:
    record = LinkRecord(name="orders", region="us-east-1", account_id="123456789012")
    saved = RecordStore().save(record)
    os.chmod(saved, 0o644)
    os.chmod(saved.parent, 0o755)
    RecordStore().save(record)
    assert mode(saved) == 0o600 and mode(saved.parent) == 0o700


@pytest.mark.parametrize("name", ["report.md", "report.zip"])
def test_a_report_is_private_in_the_folder_the_user_chose(
    open_umask: None, aws: Any, tmp_path: Path, name: str
) -> None:
    from wizard.diagnostics import write_report

    chosen = tmp_path / "Desktop"
    chosen.mkdir(mode=0o755)
    path = write_report(str(chosen / name), aws, None, [])
    assert mode(path) == 0o600
    assert mode(chosen) == 0o755  # the user's own folder is left as it was
