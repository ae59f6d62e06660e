"""The app's log file (wizard.log under the platformdirs log dir), with secrets always redacted.

Only the "wizard" logger goes to the file: botocore's own debug output carries signed headers
and is never written. Every line passes the redacting formatter, so an access key, secret key or
session token that reaches a log call (even inside an exception's text) is masked on disk.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path
from typing import Any

from wizard import private_files
from wizard.paths import log_dir
from wizard.redact import redact_secrets

LOG_FILE = "wizard.log"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Masks secrets in the message itself (so every handler, not only the file, sees it clean)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string must not hide the line
            message = str(record.msg)
        record.msg = redact_secrets(message)
        record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Masks secrets in the whole formatted line, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_secrets(super().format(record))


class _WizardFileHandler(logging.handlers.RotatingFileHandler):
    """Marks the handler this module owns, so configure() can replace it; its files (the log and
    each rotation's new one) are readable by the user only."""

    def _open(self) -> Any:
        return private_files.open_private(Path(self.baseFilename), self.mode, self.encoding)


def configure(level: int = logging.INFO) -> Path:
    """Send the wizard's log to log_dir()/wizard.log (rotated at 1 MB, 3 kept); returns the path.
    Safe to call again: a handler for another folder is replaced, never added twice."""
    folder = log_dir()
    path = folder / LOG_FILE
    logger = logging.getLogger("wizard")
    for handler in list(logger.handlers):
        if isinstance(handler, _WizardFileHandler):
            if Path(handler.baseFilename) == path.resolve():
                logger.setLevel(level)
                return path
            logger.removeHandler(handler)
            handler.close()
    private_files.app_folder(folder)
    handler = _WizardFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.setLevel(level)
    return path
