"""Build PrivateLink Wizard's bundle and the platform's installer: the one build command.

    python packaging/build.py            # bundle + installer for this platform
    python packaging/build.py --smoke    # ... and start what ships with --version and --self-test

Linux:   dist/privatelink-wizard/ and dist/privatelink-wizard-<version>-linux-<arch>.tar.gz
Windows: dist/privatelink-wizard/ and dist/privatelink-wizard-<version>-windows-x64-setup.exe
         (Inno Setup's iscc must be installed)
macOS:   dist/PrivateLink Wizard.app and dist/privatelink-wizard-<version>-macos-<arch>.dmg
         (signed and notarized when the certificate variables are set; see "Building installers" in README.md)

CI runs exactly this script on every platform, so a local build is the release build.

--smoke starts what the user gets: on Linux the app unpacked from the tarball, off-screen and on
the X11 platform under Xvfb; on macOS the signed app and the app inside the mounted dmg; on
Windows the bundle (CI then installs the setup.exe: packaging/windows/check_installer.ps1).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "privatelink-wizard.spec"
APP_NAME = "PrivateLink Wizard"
EXE_NAME = "privatelink-wizard"


def version() -> str:
    text = (ROOT / "wizard" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not match:
        raise SystemExit("wizard/__init__.py has no __version__ line.")
    return match.group(1)


def arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def bundle_path(dist: Path) -> Path:
    """The folder (or .app) PyInstaller produces in dist."""
    if sys.platform == "darwin":
        return dist / f"{APP_NAME}.app"
    return dist / EXE_NAME


def executable_path(dist: Path) -> Path:
    """The executable to run from a terminal (on Windows the console twin, which can print)."""
    if sys.platform == "darwin":
        return bundle_path(dist) / "Contents" / "MacOS" / EXE_NAME
    if sys.platform == "win32":
        return bundle_path(dist) / f"{EXE_NAME}-cli.exe"
    return bundle_path(dist) / EXE_NAME


def folder_size(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            file = Path(dirpath, name)
            if not file.is_symlink():  # the .app links Resources and Frameworks to each other
                total += file.stat().st_size
    return total


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


def run(cmd: list[str], **kwargs: object) -> None:
    print("$ " + subprocess.list2cmdline(cmd), flush=True)
    result = subprocess.run(cmd, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise SystemExit(f"Build step failed (exit code {result.returncode}): {cmd[0]}")


def build_bundle(dist: Path, work: Path) -> Path:
    """Clean the previous output, then run PyInstaller on the spec."""
    for old in (bundle_path(dist), dist / EXE_NAME, work):
        if old.exists():
            shutil.rmtree(old)
    dist.mkdir(parents=True, exist_ok=True)
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            str(SPEC),
        ]
    )
    bundle = bundle_path(dist)
    if not executable_path(dist).exists():
        raise SystemExit(f"PyInstaller finished but {executable_path(dist)} is missing.")
    return bundle


def package_linux(dist: Path, bundle: Path) -> Path:
    """A tarball with the bundle, a desktop entry and a per-user install script."""
    shutil.copy2(ROOT / "resources" / "icons" / "app.png", bundle / f"{EXE_NAME}.png")
    shutil.copy2(PACKAGING / "linux" / f"{EXE_NAME}.desktop", bundle / f"{EXE_NAME}.desktop")
    shutil.copy2(PACKAGING / "linux" / "install.sh", bundle / "install.sh")
    (bundle / "install.sh").chmod(0o755)
    archive = dist / f"{EXE_NAME}-{version()}-linux-{arch()}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=EXE_NAME)
    return archive


def find_iscc() -> str | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    for base in (
        os.environ.get("PROGRAMFILES(X86)"),
        os.environ.get("PROGRAMFILES"),
        os.environ.get("LOCALAPPDATA", "") + "\\Programs",
    ):
        if base:
            candidate = Path(base, "Inno Setup 6", "ISCC.exe")
            if candidate.exists():
                return str(candidate)
    return None


def package_windows(dist: Path, bundle: Path) -> Path:
    iscc = find_iscc()
    if iscc is None:
        raise SystemExit(
            "Inno Setup's compiler (iscc) was not found, so the installer cannot be made. "
            "Install Inno Setup 6 (https://jrsoftware.org/isdl.php, or `choco install innosetup`), "
            "or pass --no-installer to stop after the bundle."
        )
    run(
        [
            iscc,
            "/Q",
            f"/DAppVersion={version()}",
            f"/DSourceDir={bundle}",
            f"/DOutputDir={dist}",
            f"/DIconFile={ROOT / 'resources' / 'icons' / 'app.ico'}",
            str(PACKAGING / "windows" / "privatelink-wizard.iss"),
        ]
    )
    return dist / f"{EXE_NAME}-{version()}-windows-x64-setup.exe"


def package_macos(dist: Path, bundle: Path) -> Path:
    dmg = dist / f"{EXE_NAME}-{version()}-macos-{arch()}.dmg"
    run(["bash", str(PACKAGING / "macos" / "build_dmg.sh"), str(bundle), str(dmg)])
    return dmg


def smoke_test(exe: Path, where: str) -> None:
    """Start an executable the way a user's machine would: --version, then --self-test (which
    starts the sandbox, builds the sample link and opens the window off-screen)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for args in (["--version"], ["--self-test"]):
        started = time.monotonic()
        run([str(exe), *args], env=env)
        print(f"{where}: {' '.join(args)} passed in {time.monotonic() - started:.1f} s", flush=True)


def x11_command(exe: Path, *args: str) -> list[str]:
    """`exe args` on a virtual X display, for Qt's X11 platform plugin (xcb)."""
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        raise SystemExit(
            "xvfb-run was not found, so the X11 smoke test cannot run. Install it "
            "(Debian/Ubuntu: apt-get install xvfb) and the libraries in packaging/linux/qt-libraries.txt."
        )
    return [xvfb_run, "--auto-servernum", "--server-args=-screen 0 1280x800x24", str(exe), *args]


def smoke_test_x11(exe: Path, where: str) -> None:
    """Linux: --self-test on the X11 platform (xcb), as a desktop starts the app. A system library
    the platform plugin needs that neither the bundle nor the build machine has fails here,
    not on the user's desktop with "Could not load the Qt platform plugin"."""
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    started = time.monotonic()
    result = subprocess.run(
        x11_command(exe, "--self-test"), env=env, capture_output=True, text=True, check=False
    )
    print(result.stdout, end="", flush=True)
    if result.returncode != 0 or "(xcb)" not in result.stdout:
        # Qt names the library it could not load only with plugin debugging on.
        debug = subprocess.run(
            x11_command(exe, "--self-test"),
            env=dict(env, QT_DEBUG_PLUGINS="1"),
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [
            line
            for line in (result.stderr + debug.stderr).splitlines()
            if "cannot" in line or "Could not" in line
        ]
        raise SystemExit(
            "The app did not start on the X11 platform (xcb). Install the libraries in "
            "packaging/linux/qt-libraries.txt on the build machine, then build again. Qt said:\n"
            + "\n".join(list(dict.fromkeys(lines))[-8:])
        )
    print(f"{where}: --self-test on X11 (xcb) passed in {time.monotonic() - started:.1f} s", flush=True)


@contextmanager
def unpacked(archive: Path) -> Iterator[Path]:
    """The tarball unpacked in a temporary folder, as a user unpacks it; yields the executable."""
    with tempfile.TemporaryDirectory(prefix="plw-smoke-") as folder, tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
        yield Path(folder, EXE_NAME, EXE_NAME)


@contextmanager
def mounted(dmg: Path) -> Iterator[Path]:
    """The dmg attached read-only at a temporary mount point, as a user opens it; yields the app."""
    mount_point = Path(tempfile.mkdtemp(prefix="plw-dmg-"))
    run(
        [
            "hdiutil",
            "attach",
            "-readonly",
            "-nobrowse",
            "-noautoopen",
            "-mountpoint",
            str(mount_point),
            str(dmg),
        ]
    )
    try:
        yield mount_point / f"{APP_NAME}.app"
    finally:
        for flags in ([], ["-force"]):  # a process may still hold a file for a moment
            if subprocess.run(["hdiutil", "detach", *flags, str(mount_point)], check=False).returncode == 0:
                break
            time.sleep(3)
        shutil.rmtree(mount_point, ignore_errors=True)


def smoke_test_installer(dist: Path, artifact: Path) -> None:
    """Start the app as it ships, from the installer's own files."""
    if sys.platform == "darwin":
        # build_dmg.sh signed the .app in dist in place (hardened runtime, when a certificate is
        # set): this is the app that ships, and the dmg holds a copy of it.
        smoke_test(executable_path(dist), "the signed app")
        with mounted(artifact) as app:
            if os.environ.get("MACOS_CODESIGN_IDENTITY"):
                run(["codesign", "--verify", "--strict", "--deep", "--verbose=2", str(app)])
            smoke_test(app / "Contents" / "MacOS" / EXE_NAME, "the app in the dmg")
    elif sys.platform.startswith("linux"):
        with unpacked(artifact) as exe:
            smoke_test(exe, "the unpacked tarball")
            smoke_test_x11(exe, "the unpacked tarball")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build", help="PyInstaller's scratch folder (deleted first)"
    )
    parser.add_argument(
        "--no-installer", action="store_true", help="stop after the bundle (no tarball, setup.exe or dmg)"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="start what ships with --version and --self-test after building"
    )
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()

    started = time.monotonic()
    bundle = build_bundle(dist, work)
    print(
        f"Bundle: {bundle} ({megabytes(folder_size(bundle))}) built in {time.monotonic() - started:.0f} s",
        flush=True,
    )
    # macOS too: a broken bundle should fail before a notarization round trip, not after.
    if args.smoke and (args.no_installer or sys.platform in ("win32", "darwin")):
        smoke_test(executable_path(dist), "the bundle")
        if args.no_installer and sys.platform.startswith("linux"):
            smoke_test_x11(executable_path(dist), "the bundle")
    if not args.no_installer:
        packager = {"win32": package_windows, "darwin": package_macos}.get(sys.platform, package_linux)
        artifact = packager(dist, bundle)
        print(f"Installer: {artifact} ({megabytes(artifact.stat().st_size)})", flush=True)
        if args.smoke:
            smoke_test_installer(dist, artifact)
    print(f"Done in {time.monotonic() - started:.0f} s.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
