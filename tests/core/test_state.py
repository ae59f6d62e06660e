from __future__ import annotations

import threading
from pathlib import Path

import pytest

from wizard.errors import UserError
from wizard.model import LinkRecord
from wizard.state import RecordStore


def test_record_round_trips_and_saves_atomically(tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    record = LinkRecord(name="orders", region="us-east-1", account_id="123456789012")
    record.note_created("nlb", "arn:nlb")
    record.note_created("nlb", "arn:nlb")  # noted once only
    store.save(record)
    loaded = store.load("123456789012", "us-east-1", "orders")
    assert loaded is not None and [c.id for c in loaded.created] == ["arn:nlb"]
    assert not list((tmp_path / "links").glob("*.tmp"))
    assert store.unfinished()[0].name == "orders"


def test_damaged_record_is_a_clear_error(tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    path = store.path("1", "us-east-1", "x")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(UserError, match="damaged"):
        store.load("1", "us-east-1", "x")


def test_second_holder_of_a_link_lock_is_refused(tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    errors: list[str] = []
    inside = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with store.locked("1", "us-east-1", "x"):
            inside.set()
            release.wait(5)

    t = threading.Thread(target=hold)
    t.start()
    inside.wait(5)
    try:
        # filelock is re-entrant per process and thread-agnostic for the same object only:
        # a second RecordStore simulates the second app instance.
        with RecordStore(tmp_path).locked("1", "us-east-1", "x"):
            errors.append("entered")
    except UserError as exc:
        errors.append(exc.what)
    finally:
        release.set()
        t.join()
    assert errors and "another window or command" in errors[0]
