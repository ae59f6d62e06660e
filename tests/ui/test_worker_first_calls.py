"""The worker helper in a fresh process: the engine (boto3) is imported on the first call, by
whichever worker comes first; the others must wait for it, not use a half-imported module (a
bug found when the window's first page started two calls at once)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FIRST_ENGINE_CALLS = """
import threading
from wizard.ui.worker import tasks

results = []

def call():
    try:
        results.append(type(tasks.list_profiles()).__name__)
    except Exception as exc:
        results.append(repr(exc))

threads = [threading.Thread(target=call) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sorted(results))
"""


def test_the_first_engine_calls_of_a_fresh_process_may_run_at_once(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[profile one]\nregion = eu-west-1\n", encoding="utf-8")
    env = {**os.environ, "AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    proc = subprocess.run(
        [sys.executable, "-c", FIRST_ENGINE_CALLS], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "['list', 'list', 'list', 'list']", proc.stdout
