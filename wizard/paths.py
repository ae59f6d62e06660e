"""Where the app keeps its files (platformdirs folders, each overridable by an environment
variable for tests and portable installs) and where it finds the files it ships. Kept apart from
wizard.state so that settings and logging do not import the file-lock machinery at start-up."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import platformdirs

from wizard import APP_ID


def data_dir() -> Path:
    override = os.environ.get("PRIVATELINK_WIZARD_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_ID, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("PRIVATELINK_WIZARD_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_ID, appauthor=False))


def log_dir() -> Path:
    override = os.environ.get("PRIVATELINK_WIZARD_LOG_DIR")
    return Path(override) if override else Path(platformdirs.user_log_dir(APP_ID, appauthor=False))


def resource(*parts: str) -> Path:
    """A file (or folder) the app ships in resources/, e.g. `resource("styles", "x.qss")`.

    The folder is the package wizard.resources (pyproject maps the top-level folder to it) and a
    real folder in a checkout, a wheel and the PyInstaller bundle (packaging/ puts it under
    wizard/resources), so it is found beside the package's `__init__`. Not
    `importlib.resources`: it loads six modules on the window's start-up for zip support nothing
    here needs."""
    package = importlib.import_module("wizard.resources")
    return Path(str(package.__file__)).parent.joinpath(*parts)
