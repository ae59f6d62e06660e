"""Build PrivateLink Wizard's bundle and the platform's installer: the one build command.

    python packaging/build.py            # bundle + installer for this platform
    python packaging/build.py --smoke    # ... then run the bundle's --version and --self-test

Linux:   dist/privatelink-wizard/ and dist/privatelink-wizard-<version>-linux-<arch>.tar.gz
Windows: dist/privatelink-wizard/ and dist/privatelink-wizard-<version>-windows-x64-setup.exe
         (Inno Setup's iscc must be installed)
macOS:   dist/PrivateLink Wizard.app and dist/privatelink-wizard-<version>-macos-<arch>.dmg
         (signed and notarized when the certificate variables are set; see "Building installers" in README.md)

CI runs exactly this script on every platform, so a local build is the release build.
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
import time
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
    run([
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work), str(SPEC),
    ])
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
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES"),
                 os.environ.get("LOCALAPPDATA", "") + "\\Programs"):
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
    run([
        iscc, "/Q",
        f"/DAppVersion={version()}",
        f"/DSourceDir={bundle}",
        f"/DOutputDir={dist}",
        f"/DIconFile={ROOT / 'resources' / 'icons' / 'app.ico'}",
        str(PACKAGING / "windows" / "privatelink-wizard.iss"),
    ])
    return dist / f"{EXE_NAME}-{version()}-windows-x64-setup.exe"


def package_macos(dist: Path, bundle: Path) -> Path:
    dmg = dist / f"{EXE_NAME}-{version()}-macos-{arch()}.dmg"
    run(["bash", str(PACKAGING / "macos" / "build_dmg.sh"), str(bundle), str(dmg)])
    return dmg


def smoke_test(dist: Path) -> None:
    """Start the bundled executable the way a user's machine would: --version, then --self-test."""
    exe = executable_path(dist)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for args in (["--version"], ["--self-test"]):
        started = time.monotonic()
        run([str(exe), *args], env=env)
        print(f"{' '.join(args)} passed in {time.monotonic() - started:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build",
                        help="PyInstaller's scratch folder (deleted first)")
    parser.add_argument("--no-installer", action="store_true",
                        help="stop after the bundle (no tarball, setup.exe or dmg)")
    parser.add_argument("--smoke", action="store_true",
                        help="run the bundle's --version and --self-test after building")
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()

    started = time.monotonic()
    bundle = build_bundle(dist, work)
    print(f"Bundle: {bundle} ({megabytes(folder_size(bundle))}) "
          f"built in {time.monotonic() - started:.0f} s", flush=True)
    if args.smoke:
        smoke_test(dist)
    if not args.no_installer:
        packager = {"win32": package_windows, "darwin": package_macos}.get(
            sys.platform, package_linux
        )
        artifact = packager(dist, bundle)
        print(f"Installer: {artifact} ({megabytes(artifact.stat().st_size)})", flush=True)
    print(f"Done in {time.monotonic() - started:.0f} s.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
