"""Link records on disk (JSON under the platformdirs data dir), with a lock per link so two
app instances (or a double-click) can never build the same link twice at once."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from wizard import private_files
from wizard.errors import UserError, file_error
from wizard.model import LinkRecord, now_iso
from wizard.paths import data_dir


class DamagedRecordError(UserError):
    """A link record file that is not a record (bad JSON, or JSON of another shape)."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(
            what=f"The saved progress file {path} is damaged",
            why=f"{why}. What exists in AWS is still found by the wizard's tags.",
            fix="Run setup again (it sets the damaged file aside as .damaged and saves a new one), "
            "or move the file away.",
        )
        self.path = path


class RecordStore:
    """One JSON file per (account, region, link name)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = (folder or data_dir()) / "links"

    def path(self, account_id: str, region: str, name: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", f"{account_id or 'unknown'}_{region}_{name}")
        return self.folder / f"{safe}.json"

    def load(self, account_id: str, region: str, name: str) -> LinkRecord | None:
        path = self.path(account_id, region, name)
        if not path.exists():
            return None
        return self._read(path)

    def _read(self, path: Path) -> LinkRecord:
        try:
            return LinkRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise DamagedRecordError(path, str(exc)) from None
        except OSError as exc:  # unreadable is as good as damaged: the others still load
            raise DamagedRecordError(path, f"it cannot be read ({exc.strerror or exc})") from None

    def set_aside(self, damaged: DamagedRecordError) -> Path:
        """Keep a damaged file as <name>.damaged (for support) so a new record can be saved."""
        kept = damaged.path.with_name(damaged.path.name + ".damaged")
        os.replace(damaged.path, kept)
        return kept

    def scan(self) -> tuple[list[LinkRecord], list[DamagedRecordError]]:
        """Every record, and every file that cannot be read as one (read once each): one damaged
        file never hides the others."""
        records: list[LinkRecord] = []
        damaged: list[DamagedRecordError] = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.exists() else []:
            try:
                records.append(self._read(path))
            except DamagedRecordError as exc:
                damaged.append(exc)
        return records, damaged

    def save(self, record: LinkRecord) -> Path:
        record.updated_at = now_iso()
        path = self.path(record.account_id, record.region, record.name)
        try:
            private_files.app_folder(path.parent)
            return private_files.write_text(path, json.dumps(record.to_dict(), indent=2))
        except OSError as exc:
            raise file_error(exc, "save the link's progress") from None

    def delete(self, record: LinkRecord) -> None:
        self.path(record.account_id, record.region, record.name).unlink(missing_ok=True)

    def all(self) -> list[LinkRecord]:
        return self.scan()[0]

    def unfinished(self) -> list[LinkRecord]:
        return [r for r in self.all() if "accept" not in r.completed_steps]

    @contextlib.contextmanager
    def locked(
        self,
        account_id: str,
        region: str,
        name: str,
        wait: float = 0,
        on_wait: Callable[[], None] | None = None,
    ) -> Iterator[None]:
        """Hold the link's lock; raise a clear UserError if another run holds it for longer than
        `wait` seconds. `on_wait` is called once if the lock is taken, before waiting for it."""
        path = self.path(account_id, region, name).with_suffix(".lock")
        try:
            private_files.app_folder(path.parent)
        except OSError as exc:
            raise file_error(exc, "lock the link") from None
        lock = FileLock(str(path), mode=private_files.FILE_MODE)
        try:
            try:
                lock.acquire(timeout=0)
            except Timeout:
                if wait <= 0:
                    raise
                if on_wait is not None:
                    on_wait()
                lock.acquire(timeout=wait)
        except Timeout:
            waited = f" (waited {wait:g} s)" if wait > 0 else ""
            raise UserError(
                what=f"The link '{name}' is being changed by another window or command{waited}",
                why="Two runs on the same link at once could create duplicate resources.",
                fix="Wait for the other run to finish (or close it), then try again.",
            ) from None
        try:
            yield
        finally:
            lock.release()
