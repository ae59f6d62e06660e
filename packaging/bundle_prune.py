"""What the installers leave out of PyInstaller's collection, and why (the spec applies it).

PyInstaller's hooks collect every AWS service model botocore has and every Qt plugin and
translation PySide6 has; the app uses a small part of each. `keep(dest)` decides per file, by
its path inside the bundle, so the same rules apply on Linux, Windows and macOS:

- botocore/data: only the services in wizard/aws/services.py (BUNDLED_SERVICES); the shared
  files beside them (endpoints, partitions, retry rules) stay.
- Qt translations: the app's text is English and it loads no Qt translation.
- Qt plugins: whole groups for hardware or modules the app never uses (touch and keyboard
  devices of embedded boards, QtNetwork's TLS and network-status plugins: the app reaches AWS
  through Python, not QtNetwork), and single plugins: platforms for framebuffers, VNC and
  embedded GL (xcb, wayland, offscreen, minimal, windows and cocoa stay) and image formats the
  app shows none of (its icons are PNG, built into Qt; svg and ico stay for icon themes).
- QtNetwork itself, once nothing above needs it.
"""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BUNDLED_SERVICES: tuple[str, ...] = runpy.run_path(str(ROOT / "wizard" / "aws" / "services.py"))[
    "BUNDLED_SERVICES"
]

QT_PLUGIN_GROUPS_DROPPED = {
    "generic",  # evdev and TUIO touch, mouse and keyboard input for embedded boards
    "egldeviceintegrations",  # eglfs (full-screen GL on embedded boards)
    "networkinformation",  # QtNetwork
    "tls",  # QtNetwork
    "sqldrivers",
    "qmltooling",
    "position",
    "multimedia",
    "printsupport",
}
QT_PLUGINS_DROPPED = {
    "platforms": {"qlinuxfb", "qvnc", "qvkkhrdisplay", "qeglfs", "qminimalegl", "qdirect2d"},
    "imageformats": {"qjpeg", "qwebp", "qtiff", "qgif", "qtga", "qwbmp", "qicns", "qpdf"},
}
# Qt libraries only the dropped plugins (or the excluded PySide6.QtNetwork) load.
QT_LIBRARIES_DROPPED = {"Qt6Network", "QtNetwork", "Qt6EglFSDeviceIntegration", "Qt6EglFsKmsSupport"}


def _stem(filename: str) -> str:
    """libqjpeg.so -> qjpeg, qjpeg.dll -> qjpeg, libQt6Network.so.6 -> Qt6Network."""
    name = filename.split(".", 1)[0]
    return name[3:] if name.startswith("lib") else name


def keep(dest: str) -> bool:
    """Whether a file PyInstaller collected at `dest` (its path in the bundle) ships."""
    parts = Path(dest).parts
    if parts[:2] == ("botocore", "data") and len(parts) > 3:
        return parts[2] in BUNDLED_SERVICES
    if "PySide6" not in parts:
        return True
    if "translations" in parts:
        return False
    if "plugins" in parts[:-2]:
        group = parts[parts.index("plugins") + 1]
        if group in QT_PLUGIN_GROUPS_DROPPED:
            return False
        return _stem(parts[-1]) not in QT_PLUGINS_DROPPED.get(group, set())
    # A macOS framework is a folder (QtNetwork.framework/Versions/A/QtNetwork...).
    frameworks = {part.removesuffix(".framework") for part in parts if part.endswith(".framework")}
    return not frameworks & QT_LIBRARIES_DROPPED and _stem(parts[-1]) not in QT_LIBRARIES_DROPPED


def prune(toc: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The TOC (dest, source, kind) without the files `keep` refuses."""
    return [entry for entry in toc if keep(entry[0])]
