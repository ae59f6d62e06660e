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
  embedded GL (xcb, wayland, offscreen, minimal, windows and cocoa stay), image formats the
  app shows none of (its icons are PNG, built into Qt; svg and ico stay for icon themes), and
  the GTK 3 theme: it would bring the build machine's GTK, Pango and Cairo (and, where GTK is
  installed, GTK itself) into the bundle, beside the desktop's own; without it Qt uses its
  built-in GNOME and KDE themes, and the desktop portal theme stays.
- QtNetwork itself, once nothing above needs it, and on Windows Qt's software OpenGL renderer
  (opengl32sw.dll, 20 MB), a fallback for OpenGL and Qt Quick: widgets paint without OpenGL.
- On Linux, the system libraries PyInstaller copied only for the files above
  (`without_orphans`: those no file that ships still needs).
"""

from __future__ import annotations

import os
import runpy
import struct
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
    "platformthemes": {"qgtk3"},
}
# Qt libraries only the dropped plugins (or the excluded PySide6.QtNetwork) load.
QT_LIBRARIES_DROPPED = {
    "Qt6Network",
    "QtNetwork",
    "Qt6EglFSDeviceIntegration",
    "Qt6EglFsKmsSupport",
    "opengl32sw",
}


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
    """The TOC (dest, source, kind) without the files `keep` refuses, nor links to them."""
    return without_links_to_pruned(toc, [entry for entry in toc if keep(entry[0])])


def without_links_to_pruned(
    before: list[tuple[str, str, str]],
    after: list[tuple[str, str, str]],
    toc: list[tuple[str, str, str]] | None = None,
) -> list[tuple[str, str, str]]:
    """`toc` (default: `after`) without its links to files pruned from `before` to `after`.
    PyInstaller links libraries into the folder's top level (SYMLINK entries, whose source is
    the target relative to the link; it lists them with the data files, the libraries with the
    binaries). Other links stay, whatever they point at (a macOS framework's Versions/Current
    is a folder)."""

    def files(toc: list[tuple[str, str, str]]) -> set[str]:
        return {os.path.normpath(dest) for dest, _, kind in toc if kind != "SYMLINK"}

    removed = files(before) - files(after)

    def target(dest: str, source: str) -> str:
        return os.path.normpath(os.path.join(os.path.dirname(dest), source))

    return [
        (dest, source, kind)
        for dest, source, kind in (after if toc is None else toc)
        if kind != "SYMLINK" or target(dest, source) not in removed
    ]


def elf_needed(path: str) -> list[str]:
    """The DT_NEEDED entries (sonames) of a 64-bit little-endian ELF file; [] for anything else."""
    try:
        with open(path, "rb") as file:
            elf = file.read()
    except OSError:  # a SYMLINK entry names its target, not a file
        return []
    if elf[:6] != b"\x7fELF\x02\x01":
        return []
    (shoff,) = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    names = []
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, _entsize in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strings = sections[link][4]
        for at in range(offset, offset + size, 16):
            tag, value = struct.unpack_from("<qQ", elf, at)
            if tag == 0:  # DT_NULL ends the table
                break
            if tag == 1:  # DT_NEEDED
                names.append(elf[strings + value : elf.index(b"\0", strings + value)].decode())
    return names


def _dependency(dest: str) -> bool:
    """A library PyInstaller copied because a collected file needs it: the folder's top level.
    (Python's own library is no one's dependency: the executable loads it.)"""
    name = Path(dest).name
    return name == dest and name.startswith("lib") and ".so" in name and not name.startswith("libpython")


def _reached(toc: list[tuple[str, str, str]]) -> set[str]:
    files = [(dest, source) for dest, source, kind in toc if kind != "SYMLINK"]
    by_soname = {Path(dest).name: source for dest, source in files}
    stack = [source for dest, source in files if not _dependency(dest)]
    seen: set[str] = set()
    while stack:
        source = stack.pop()
        if source in seen:
            continue
        seen.add(source)
        stack += [by_soname[name] for name in elf_needed(source) if name in by_soname]
    return seen


def without_orphans(
    before: list[tuple[str, str, str]], after: list[tuple[str, str, str]]
) -> list[tuple[str, str, str]]:
    """`after` without the copied libraries that only files pruned from `before` needed (a
    library nothing needed before stays: something may load it by name)."""
    orphans = _reached(before) - _reached(after)
    kept = [entry for entry in after if not (_dependency(entry[0]) and entry[1] in orphans)]
    return without_links_to_pruned(after, kept)
