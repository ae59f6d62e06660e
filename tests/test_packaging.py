"""The installable bundle: built by packaging/build.py, started the way a DBA's machine starts it.

Slow (the build takes minutes). Set PLW_BUNDLE_DIR to an existing bundle folder (or .app) to test
that build instead of making a new one.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from wizard import APP_NAME, __version__
from wizard.aws.services import BUNDLED_SERVICES
from wizard.selftest import CHECKS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parent.parent


def _load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("plw_build", ROOT / "packaging" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_script = _load_build_script()


def _executable(bundle: Path) -> Path:
    """The terminal-friendly executable inside a bundle folder or .app."""
    for candidate in (
        bundle / "privatelink-wizard-cli.exe",
        bundle / "Contents" / "MacOS" / "privatelink-wizard",
        bundle / "privatelink-wizard",
    ):
        if candidate.is_file():
            return candidate
    raise AssertionError(f"No privatelink-wizard executable in {bundle}")


def _internal(bundle: Path) -> Path:
    """Where PyInstaller put the bundled modules' files (Frameworks inside a macOS .app)."""
    mac = bundle / "Contents" / "Frameworks"
    return mac if mac.is_dir() else bundle / "_internal"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    existing = os.environ.get("PLW_BUNDLE_DIR")
    if existing:
        yield Path(existing).resolve()
        return
    pytest.importorskip("PyInstaller", reason="needs the packaging extra: pip install -e .[packaging]")
    dist = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("work")
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "packaging" / "build.py"),
            "--dist",
            str(dist),
            "--work",
            str(work),
            "--no-installer",
        ],
        capture_output=True,
        text=True,
        timeout=1100,
        check=False,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    # Shown even under pytest's output capture: the build time is worth seeing in every run.
    print(f"\n[packaging] bundle built in {seconds:.0f} s", file=sys.__stdout__, flush=True)
    yield build_script.bundle_path(dist)


def _run(exe: Path, *args: str, timeout: float = 180) -> tuple[subprocess.CompletedProcess[str], float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    started = time.monotonic()
    result = subprocess.run(
        [str(exe), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=timeout,
        check=False,
    )
    return result, time.monotonic() - started


def test_bundle_holds_the_resources_the_sandbox_data_and_the_offscreen_plugin(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    internal = _internal(bundle)
    resources = bundle / "Contents" / "Resources" if internal.name == "Frameworks" else internal
    assert (resources / "wizard" / "resources" / "consumers" / "rivery.toml").is_file()
    assert (resources / "wizard" / "resources" / "icons" / "app.png").is_file()
    assert (resources / "wizard" / "resources" / "__init__.py").is_file()
    # moto's EC2 data (AMIs, instance types) is what run_instances in the sample account needs.
    ec2_data = resources / "moto" / "ec2" / "resources"
    assert (ec2_data / "amis.json.gz").is_file()
    assert (ec2_data / "instance_types.json.gz").is_file()
    plugins = list(internal.rglob("*qoffscreen*"))
    assert plugins, "Qt's offscreen platform plugin is missing: --self-test could not run headless"
    # Only the services the sandbox serves: the rest of moto would triple the bundle.
    assert not (resources / "moto" / "cloudformation").exists()
    size = build_script.folder_size(bundle)
    with capsys.disabled():
        print(f"\n[packaging] bundle {bundle}: {size / 1e6:.0f} MB")
    assert size < 200_000_000, f"the bundle grew to {size / 1e6:.0f} MB"


def test_bundle_leaves_out_the_aws_models_and_qt_parts_the_app_does_not_use(bundle: Path) -> None:
    internal = _internal(bundle)
    resources = bundle / "Contents" / "Resources" if internal.name == "Frameworks" else internal
    models = resources / "botocore" / "data"
    assert {entry.name for entry in models.iterdir() if entry.is_dir()} == set(BUNDLED_SERVICES)
    assert (models / "endpoints.json").is_file() or (models / "endpoints.json.gz").is_file()
    assert not list(internal.rglob("*.qm")), "Qt translations are in the bundle"
    assert not list(internal.rglob("*qvnc*")) and not list(internal.rglob("*qjpeg*"))
    assert not list(internal.rglob("*Qt6Network*")) and not list(internal.rglob("QtNetwork*"))
    dangling = [path for path in internal.rglob("*") if path.is_symlink() and not path.exists()]
    assert not dangling, f"links to files left out: {dangling}"
    assert list(internal.rglob("*qxcb*")) or sys.platform != "linux"
    if sys.platform == "linux":
        icu = _load_packaging_module("icu_data")
        (library,) = [p for p in internal.rglob("libicudata.so.*") if not p.is_symlink()]
        elf = library.read_bytes()
        offset, size = icu._data_symbol(elf)
        _, items = icu.read_package(elf[offset : offset + size])
        assert len(items) < 1000 and not any(name.endswith(".cnv") for name, _ in items)


def _load_packaging_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"plw_{name}", ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(sys.platform != "linux", reason="X11 is Linux's desktop platform")
def test_self_test_opens_the_window_on_x11_under_xvfb(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A desktop starts the app on Qt's X11 platform (xcb), whose plugin needs system libraries
    the offscreen one does not: one missing aborts the app with "Could not load the Qt platform
    plugin". .ci/run installs Xvfb and those libraries (packaging/linux/qt-libraries.txt)."""
    if shutil.which("xvfb-run") is None:
        message = "xvfb-run is missing: apt-get install xvfb xauth"
        if os.environ.get("PLW_REQUIRE_X11"):
            pytest.fail(message)
        pytest.skip(message)
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", PYTHONIOENCODING="utf-8")
    started = time.monotonic()
    result = subprocess.run(
        build_script.x11_command(_executable(bundle), "--self-test"),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr[-3000:]}"
    assert "Wizard window opens" in result.stdout and "(xcb)" in result.stdout
    with capsys.disabled():
        print(f"\n[packaging] --self-test on X11: {time.monotonic() - started:.1f} s")


def test_version_prints_the_app_name_and_version(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result, seconds = _run(_executable(bundle), "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{APP_NAME} {__version__}"
    with capsys.disabled():
        print(f"\n[packaging] start to exit with --version: {seconds:.2f} s")


def test_self_test_runs_the_demo_flow_and_opens_the_window_offscreen(
    bundle: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result, seconds = _run(_executable(bundle), "--self-test")
    report = result.stdout
    assert result.returncode == 0, f"{report}\n{result.stderr[-3000:]}"
    assert "(linux" in report or "(win32" in report or "(darwin" in report
    assert "bundled" in report.splitlines()[0]
    assert "✖" not in report
    assert report.count("✔") == len(CHECKS)
    assert "Sample link builds to the service name" in report
    assert "com.amazonaws.vpce.us-east-1.vpce-svc-" in report
    # The simulated platform found the service through moto's trimmed endpoint-service listing.
    assert "Platform's connection request is accepted" in report
    assert "from 012922587834 is available" in report
    assert "Wizard window opens" in report
    assert "AWS clients load (" in report and f"{len(BUNDLED_SERVICES)} services" in report
    assert "IAM Identity Center sign-in and permission check" in report
    assert f"Self-test passed: {len(CHECKS)} checks" in report
    with capsys.disabled():
        print(f"\n[packaging] --self-test: {seconds:.1f} s\n{report}")


@pytest.mark.skipif(sys.platform != "linux", reason="ldd is Linux's")
def test_every_bundled_library_finds_what_it_needs(bundle: Path) -> None:
    """Pruning (packaging/bundle_prune.py) must not take a library something that ships still
    needs: each one resolves from the bundle or the system, as on a desktop. PyInstaller leaves
    Wayland's client libraries to the desktop (every Wayland session has them)."""
    internal = _internal(bundle)
    env = dict(os.environ, LD_LIBRARY_PATH=f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}")
    missing: dict[str, list[str]] = {}
    for library in sorted(internal.rglob("*.so*")):
        if library.is_symlink() or not library.is_file():
            continue
        ldd = subprocess.run(["ldd", str(library)], capture_output=True, text=True, env=env, check=False)
        out = ldd.stdout
        lost = [line.split()[0] for line in out.splitlines() if "not found" in line]
        lost = [name for name in lost if not name.startswith("libwayland-")]
        if lost:
            missing[str(library.relative_to(internal))] = lost
    assert not missing, missing
