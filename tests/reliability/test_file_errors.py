"""Issue 16 (11): file-system errors get a specific message naming the path, never "Unexpected
error"; when one strikes mid-setup, what exists now is still explained. (The tests run as root in
CI, where permission bits do not stop a write, so the failures are made with paths that cannot
work for anyone: a folder where a file should be, and a read-only file system by monkeypatch.)"""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest

from wizard import private_files
from wizard.state import RecordStore

from .conftest import REGION, cli, setup_args


def test_a_report_pointed_at_a_folder_is_bad_input_naming_it(
    aws: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    run = cli(capsys, "status", "--region", REGION, "--report", str(folder))
    assert run.code == 2
    assert f"Could not write the report: {folder} is a folder" in run.err
    assert "Give a file name" in run.err and "Unexpected error" not in run.err
    assert list(folder.iterdir()) == [] and not Path(f"{folder}.tmp").exists()


def test_a_read_only_disk_mid_setup_names_the_file_and_what_exists(
    shared_seeded: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def read_only(path: Path, text: str) -> Path:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(private_files, "write_text", read_only)
    run = cli(capsys, *setup_args(name="plw-read-only"))
    assert run.code == 2, run.err
    assert "Could not save the link's progress" in run.err and "read-only" in run.err
    assert "What exists now for the link 'plw-read-only'" in run.err
    assert "load balancer plw-read-only" in run.err
    assert "Unexpected error" not in run.err


def test_an_unreadable_record_needs_a_look_and_hides_no_other_link(
    shared_seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, *setup_args(name="plw-readable")).code == 0
    unreadable = RecordStore().path(shared_seeded.account_id, REGION, "plw-unreadable")
    unreadable.mkdir()  # a folder where the record file should be: no one can read it as a file
    run = cli(capsys, "status", "--region", REGION, "--json")
    links = {link["name"]: link for link in json.loads(run.out)["links"]}
    assert "plw-readable" in links
    finding = next(f for f in links["plw-unreadable"]["findings"] if "damaged" in f["title"])
    assert str(unreadable) in finding["title"] and "cannot be read" in finding["why"]
