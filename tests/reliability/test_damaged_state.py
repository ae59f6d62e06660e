"""Issue 16 (12): local state of the wrong shape is damaged state, never a crash. A settings file
that is valid JSON of another shape starts the app with defaults (the file kept as .damaged); a
damaged link record shows its link as needing a look, never stops status or teardown of the
others, and teardown still removes the link by its tags."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wizard.model import LinkRecord
from wizard.settings import Settings
from wizard.state import DamagedRecordError, RecordStore

from .conftest import NONE, ONE_EACH, REGION, cli, counts, setup_args

SHAPES = [
    "[]",
    "null",
    '{"region": 5}',
    '{"region": "eu-west-1", "colour": "red"}',
    '{"saved_profiles": [{"region": "x"}]}',
    '{"presenter_mode": "yes"}',
    "{not json",
]


@pytest.mark.parametrize("text", SHAPES)
def test_settings_of_the_wrong_shape_start_with_defaults_and_keep_a_copy(text: str) -> None:
    path = Settings.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    settings, note = Settings.load_with_note()
    assert settings == Settings()
    assert str(path) in note and "default settings" in note
    assert path.with_name("settings.json.damaged").read_text() == text and not path.exists()


@pytest.mark.parametrize(
    "data",
    [
        [],
        None,
        {"name": "a"},
        {"name": "a", "region": "r", "port": "3306"},
        {"name": "a", "region": "r", "az_ids": "use1-az1"},
        {"name": "a", "region": "r", "extra": 1},
        {"name": "a", "region": "r", "created": [{"kind": "nlb"}]},
    ],
)
def test_a_record_of_the_wrong_shape_is_damaged(data: Any) -> None:
    with pytest.raises(ValueError):
        LinkRecord.from_dict(data)


def _damage(account: str, name: str, text: str = '{"name": 5}') -> Path:
    path = RecordStore().path(account, REGION, name)
    path.write_text(text)
    return path


def test_a_damaged_record_needs_a_look_and_teardown_still_removes_the_link(
    shared_seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    account = shared_seeded.account_id
    for name in ("plw-damaged", "plw-intact"):
        assert cli(capsys, *setup_args(name=name)).code == 0
    damaged = _damage(account, "plw-damaged")

    status = cli(capsys, "status", "--region", REGION, "--json")
    links = {link["name"]: link for link in json.loads(status.out)["links"]}
    assert set(links) >= {"plw-damaged", "plw-intact"}  # one bad file never hides another link
    assert any("is damaged" in f["title"] for f in links["plw-damaged"]["findings"])
    assert not any("is damaged" in f["title"] for f in links["plw-intact"]["findings"])
    assert RecordStore().load(account, REGION, "plw-intact") is not None

    removed = cli(capsys, "teardown", "--region", REGION, "--name", "plw-damaged", "--yes")
    assert removed.code == 0, removed.err
    assert "Removed" in removed.out and counts("plw-damaged") == NONE
    assert not damaged.exists() and counts("plw-intact") == ONE_EACH


def test_setup_sets_a_damaged_record_aside_and_continues(
    shared_seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    account = shared_seeded.account_id
    assert cli(capsys, *setup_args(name="plw-resumed")).code == 0
    damaged = _damage(account, "plw-resumed", "[]")
    again = cli(capsys, *setup_args(name="plw-resumed"))
    assert again.code == 0, again.err
    assert "The saved progress file was damaged" in again.err
    assert damaged.with_name(damaged.name + ".damaged").read_text() == "[]"
    assert counts("plw-resumed") == ONE_EACH  # found by its tags: nothing built twice
    assert RecordStore().load(account, REGION, "plw-resumed") is not None
    with pytest.raises(DamagedRecordError):
        _damage(account, "plw-resumed")
        RecordStore().load(account, REGION, "plw-resumed")
