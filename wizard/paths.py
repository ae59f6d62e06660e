"""Where the app keeps its files (platformdirs folders, each overridable by an environment
variable for tests and portable installs). Kept apart from wizard.state so that settings and
logging do not import the file-lock machinery at start-up."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from wizard import APP_ID


def data_dir() -> Path:
    override = os.environ.get("PRIVATELINK_WIZARD_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_ID, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("PRIVATELINK_WIZARD_CONFIG_DIR")
    return (
        Path(override) if override else Path(platformdirs.user_config_dir(APP_ID, appauthor=False))
    )


def log_dir() -> Path:
    override = os.environ.get("PRIVATELINK_WIZARD_LOG_DIR")
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_ID, appauthor=False))
