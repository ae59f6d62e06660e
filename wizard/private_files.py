"""Files only the user can read: what the app writes (link records, settings, the log, locks,
reports) names accounts, databases and resources. On Linux and macOS its files are 0600 and its
own folders 0700 whatever the umask; on Windows a user's profile folders are private already."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

POSIX = os.name == "posix"
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def app_folder(path: Path) -> Path:
    """Create (or tighten) one of the app's own folders."""
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    if POSIX:
        os.chmod(path, FOLDER_MODE)
    return path


def opener(path: str, flags: int) -> int:
    """An `open(..., opener=)` that creates the file readable by the user only."""
    fd = os.open(path, flags, FILE_MODE)
    if POSIX:
        os.fchmod(fd, FILE_MODE)  # an older file kept the mode it was made with
    return fd


def open_private(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> IO[Any]:
    return open(path, mode, encoding=None if "b" in mode else encoding, opener=opener)


def write_text(path: Path, text: str) -> Path:
    """Write atomically (a crash never leaves half a file), readable by the user only."""
    tmp = path.with_name(path.name + ".tmp")
    with open_private(tmp) as out:
        out.write(text)
    os.replace(tmp, path)
    return path
