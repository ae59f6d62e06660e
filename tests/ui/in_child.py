"""One GUI test run again in a fresh pytest process, for what Qt reads only as an application
starts (the scale factor, the desktop's palette)."""

from __future__ import annotations

import os
import subprocess
import sys


def run_test_in_child(test: str, env: dict[str, str]) -> None:
    """Run `test` ("path::name") offscreen with `env` added to this process's environment; it
    must pass."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", **env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
