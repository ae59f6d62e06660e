"""The first-paint report benchmarks/startup.py uses to time a built bundle (PLW_STARTUP_PROBE)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _start(tmp_path: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AWS_CONFIG_FILE=os.devnull)
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    for name in ("DATA", "CONFIG", "LOG"):
        env[f"PRIVATELINK_WIZARD_{name}_DIR"] = str(tmp_path / name.lower())
    env["PLW_STARTUP_PROBE"] = "1"
    return subprocess.Popen(
        [sys.executable, "-m", "wizard"], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )


def test_the_app_reports_its_first_paint_and_leaves(tmp_path: Path) -> None:
    started = time.monotonic()
    child = _start(tmp_path)
    out, _ = child.communicate(timeout=60)  # without the report, it never leaves
    assert child.returncode == 0
    (line,) = [line for line in out.splitlines() if line.startswith("PAINTED ")]
    painted = float(line.split()[1])
    assert started < painted < time.monotonic()
