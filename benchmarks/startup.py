"""Start-up benchmark: process start to the first wizard page painted, against a bare PySide6
process that shows an empty QWizard. Run by hand; prints the medians and their ratio (goal ≤ 1.3×).

    python benchmarks/startup.py            # 7 runs of each, alternating
    python benchmarks/startup.py --runs 15

Each run is a fresh `python` subprocess on the offscreen platform. The parent notes the time just
before starting it; the child prints the time the first paint pass of the wizard's window is over,
and exits. Both read `time.monotonic()`, which is one system-wide clock on Linux, macOS and
Windows.
The app run is what `privatelink-wizard` (no --demo) does: `wizard.cli.main([])`, with empty
settings, data and AWS config folders so no resume question or saved profile changes the path,
and an endpoint that refuses connections so nothing can reach AWS.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL = 1.3
ROOT = Path(__file__).resolve().parent.parent


def _watch_first_page_paint() -> None:
    """Print the monotonic time at the end of the first paint pass of the first window shown
    (the one holding the wizard's page), then leave at once.

    The probe watches that one window, hooked in as it is shown. An event filter on the whole
    application would run Python for every event of every object, and make PySide build Python
    types for Qt's internal objects: it slowed the app's start-up far more than the bare one's.
    """
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    def report() -> None:
        # Zero-timers run once the paint pass (which ends by putting the pixels on screen) is
        # over. This one was queued first, so it also runs before anything the app queued for
        # after its first paint.
        print(f"PAINTED {time.monotonic():.6f}", flush=True)
        # Skip the shutdown: what is measured ends here, and exiting at once keeps background
        # start-up work (if any) from adding noise to the next run.
        os._exit(0)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, report)
            return False

    probe = FirstPaint()
    show = QWidget.show

    def show_and_watch(widget: QWidget) -> None:
        # The first window shown is the wizard's (an empty QWizard, or the app's main window).
        # Installed last, the probe sees its events before the app's own filters do.
        if not getattr(probe, "hooked", False):
            probe.hooked = True  # type: ignore[attr-defined]
            widget.installEventFilter(probe)
        show(widget)

    QWidget.show = show_and_watch  # type: ignore[method-assign]
    QWidget._first_paint_probe = probe  # type: ignore[attr-defined]  # keep it alive


def child_app() -> None:
    """What `privatelink-wizard` runs, with the paint probe hooked onto its QApplication."""
    _watch_first_page_paint()
    from wizard.cli import main

    main(["--endpoint-url", "http://127.0.0.1:9"])


def child_bare() -> None:
    """The floor: PySide6 alone, one empty QWizard page."""
    from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

    _watch_first_page_paint()
    app = QApplication(sys.argv[:1])
    wizard = QWizard()
    wizard.addPage(QWizardPage())
    wizard.show()
    app.exec()


def _env(folder: str) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(key, None)
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    for name in ("DATA", "CONFIG", "LOG"):
        env[f"PRIVATELINK_WIZARD_{name}_DIR"] = str(Path(folder) / name.lower())
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    # An installed app runs from compiled bytecode (pip and PyInstaller compile it); with
    # PYTHONDONTWRITEBYTECODE set, every run would compile the app's own modules again. The
    # uncounted warm-up run writes the caches.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure(kind: str, folder: str, timeout: float = 60) -> float:
    """Seconds from starting a `kind` child process to its first painted wizard page."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    start = time.monotonic()
    done = subprocess.run(
        command, env=_env(folder), capture_output=True, text=True, timeout=timeout, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("PAINTED "):
            return float(line.split()[1]) - start
    raise SystemExit(f"The {kind} run never painted a page:\n{done.stdout}\n{done.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", choices=("app", "bare"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "app":
        child_app()
        return 1  # only reached if the window closed before painting
    if args.child == "bare":
        child_bare()
        return 1
    with tempfile.TemporaryDirectory() as folder:
        measure("bare", folder)  # warm the disk cache once, not counted
        measure("app", folder)
        bare: list[float] = []
        app: list[float] = []
        for _ in range(args.runs):  # alternate, so drifting machine load hits both alike
            bare.append(measure("bare", folder))
            app.append(measure("app", folder))
    bare_median, app_median = statistics.median(bare), statistics.median(app)
    ratio = app_median / bare_median
    print(f"runs: {args.runs} each (offscreen, Python {sys.version.split()[0]})")
    print(f"bare PySide6 QWizard : median {bare_median * 1000:7.1f} ms  (min {min(bare) * 1000:.1f})")
    print(f"privatelink-wizard   : median {app_median * 1000:7.1f} ms  (min {min(app) * 1000:.1f})")
    print(f"ratio                : {ratio:.2f}x  (goal <= {GOAL}x: {'met' if ratio <= GOAL else 'MISSED'})")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
