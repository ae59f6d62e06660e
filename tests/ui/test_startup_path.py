"""What the window's start-up avoids before its first paint, checked in a fresh process that
starts as `privatelink-wizard` does (benchmarks/startup.py measures what it costs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Runs `privatelink-wizard` (no AWS reachable); at the first paint, where the CLI would start
# its log, it reports what exists then and leaves.
CHILD = """
import gc, json, os, sys
import wizard.cli as cli

def at_first_paint(argv):
    from PySide6 import QtCore, QtGui
    from wizard.ui.main_window import MainWindow
    from wizard.ui.widgets.sso_signin import SsoSignIn
    from PySide6.QtWidgets import QApplication
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    print(json.dumps({
        "modules": sorted(sys.modules),
        "pyside_types": sorted(k for m in (QtCore, QtGui) for k in vars(m)),
        "pages": [int(p) for p in window.wizard.pages],
        "collecting": gc.isenabled(),
        "log_fed": window.bridge is not None,
        "sso_panels": len(window.findChildren(SsoSignIn)),
    }), flush=True)
    os._exit(0)

cli._start_log = at_first_paint
sys.exit(cli.main([]))  # the plain start (AWS_ENDPOINT_URL keeps AWS out of reach)
"""


def first_paint_state(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PRIVATELINK_WIZARD_DATA_DIR=str(tmp_path / "data"),
        PRIVATELINK_WIZARD_CONFIG_DIR=str(tmp_path / "config"),
        PRIVATELINK_WIZARD_LOG_DIR=str(tmp_path / "log"),
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"the window never painted:\n{done.stdout}\n{done.stderr}"
    return json.loads(lines[-1])


def test_the_first_paint_needs_no_qt_namespace_no_engine_and_no_model(tmp_path: Path) -> None:
    state = first_paint_state(tmp_path)
    # PySide builds ~100 Python enums on the first use of `Qt` (wizard/ui/by_name.py); QIcon's
    # type and the window icon wait until after the paint too.
    assert "Qt" not in state["pyside_types"]
    assert "QIcon" not in state["pyside_types"]
    assert "QKeySequence" not in state["pyside_types"]
    modules = set(state["modules"])
    assert not {"boto3", "botocore", "moto", "keyring", "html"} & modules
    # The plain start builds no argument parser (gettext's translations, locale) and finds the
    # shipped files without importlib.resources.
    assert not {"locale", "importlib.resources"} & modules
    # The shared model, the engine's activity log and pages 2-9 come after the first paint.
    assert "wizard.model" not in modules
    assert "wizard.aws.activity" not in modules
    assert not any(m.startswith("wizard.aws.") or m.startswith("wizard.sandbox") for m in modules)
    assert state["pages"] == [0]  # PageId.CREDENTIALS alone
    assert not state["log_fed"]
    # The IAM Identity Center sign-in panel is built only once that sign-in is chosen.
    assert state["sso_panels"] == 0
    # The collector, paused while the window was built, runs again once it has painted.
    assert state["collecting"]
