"""Render resources/icons/app.svg into the PNG, ICO and ICNS files the app and installers use.

Run after editing the SVG:  python packaging/make_icons.py
The outputs are committed, so builds need neither this script nor an image library: Qt (already a
dependency) does the rendering, and the ICO/ICNS containers are simple enough to write by hand.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path
from typing import cast

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICONS / "app.svg"

# Windows wants small sizes as plain bitmaps (some shell views and Inno Setup's wizard do not draw
# PNG-compressed small entries); 256 px is stored as PNG, as Windows Vista and later expect.
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
# ICNS element types that hold PNG data, by pixel size (the @2x types reuse the larger pixels).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)
PNG_SIZES = (16, 32, 48, 64, 128, 512)  # app.png is the 256 px one


def render_rgba(size: int) -> tuple[bytes, bytes]:
    """(PNG bytes, raw BGRA rows top-down) of the SVG at size x size pixels."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG file.")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes, Qt wants str
    buffer.close()
    # Format_ARGB32 is stored as little-endian 0xAARRGGBB words, i.e. B, G, R, A bytes: what a
    # Windows DIB wants. Copy row by row because Qt may pad each scan line.
    rows = b"".join(bytes(cast(memoryview, image.constScanLine(y)))[: size * 4] for y in range(size))
    return bytes(data.data()), rows


def ico_bitmap(size: int, bgra_rows: bytes) -> bytes:
    """A 32-bit DIB icon image: header, bottom-up BGRA pixels, then the 1-bit AND mask."""
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    stride = size * 4
    pixels = b"".join(bgra_rows[y * stride : (y + 1) * stride] for y in reversed(range(size)))
    mask_stride = ((size + 31) // 32) * 4  # rows are padded to 32 bits; alpha makes it unused
    return header + pixels + bytes(mask_stride * size)


def write_ico(path: Path) -> None:
    images: list[tuple[int, bytes]] = []
    for size in ICO_SIZES:
        png, rows = render_rgba(size)
        images.append((size, png if size >= 256 else ico_bitmap(size, rows)))
    directory = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    body = b""
    for size, blob in images:
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        body += blob
    path.write_bytes(directory + body)


def write_icns(path: Path) -> None:
    chunks = b""
    for kind, size in ICNS_TYPES:
        png, _ = render_rgba(size)
        chunks += kind + struct.pack(">I", len(png) + 8) + png
    path.write_bytes(b"icns" + struct.pack(">I", len(chunks) + 8) + chunks)


def main() -> int:
    # Rendering needs a QGuiApplication for fonts and image plugins, but never a screen.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for size in PNG_SIZES:
        png, _ = render_rgba(size)
        (ICONS / f"app-{size}.png").write_bytes(png)
    (ICONS / "app.png").write_bytes(render_rgba(256)[0])
    write_ico(ICONS / "app.ico")
    write_icns(ICONS / "app.icns")
    del app
    print(f"Wrote PNG, ICO and ICNS icons to {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
