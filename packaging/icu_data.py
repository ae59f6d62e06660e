"""Trim the ICU data that PySide6's Linux Qt carries (libicudata.so, 32 MB) to what Qt uses.

QtCore links ICU on Linux, so the libraries stay; but Qt has its own locale, calendar, number
and text-breaking data and asks ICU for little: collation (QCollator: the root rules and
English), case mapping (built into libicuuc), time-zone names, and converters for legacy code
pages by name. So the bundle's copy keeps ICU's shared tables, normalization, the root and
English resources of every tree, and drops:

- the other locales' resources (*.res named like a locale: de, zh_Hant, ...): ICU falls back to
  the root, as it does for any locale it lacks (collation then sorts by the root rules);
- converter tables (*.cnv) for legacy code pages: UTF-8/16/32, Latin-1 and ASCII are built
  into ICU's code, and Qt decodes those itself;
- word-break dictionaries (*.dict, for Thai, Lao, Khmer, Burmese, Chinese and Japanese): Qt
  breaks text with its own tables;
- transliteration rules (translit/): Qt never calls ICU's transliterator.

The data is one "common data" package inside the library's `icudt<N>_dat` symbol: a header, a
table of contents (item names, offsets), then the items. With a C compiler at hand (any Linux
build machine with gcc), a new library holding just the trimmed package is linked under the
same name and symbol; without one, the trimmed package is written over the old one and the rest
zeroed: the file keeps its size (the zeros cost nothing in the tar.gz, 28 MB unpacked).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

_LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*$")
_KEPT_NAMES = {"root", "pool", "res_index"}  # the fallback root, shared keys, the locale index


def keep_item(name: str) -> bool:
    """Whether an item of the package ("icudt73l/coll/de.res") stays."""
    parts = name.split("/")[1:]  # without the package's own name
    tree, file = parts[:-1], parts[-1]
    stem, _, ext = file.rpartition(".")
    if tree[:1] == ["translit"] or ext in {"cnv", "dict"}:
        return False
    if ext == "res" and _LOCALE.match(stem) and stem not in _KEPT_NAMES:
        return stem == "en" or stem.startswith("en_")
    return True


def _data_symbol(elf: bytes) -> tuple[int, int]:
    """File offset and size of the `icudt<N>_dat` symbol of a 64-bit little-endian ELF library."""
    if elf[:6] != b"\x7fELF\x02\x01":
        raise ValueError("not a 64-bit little-endian ELF file")
    (shoff,) = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 11:  # SHT_DYNSYM
            continue
        strings = sections[link][4]
        for at in range(offset, offset + size, entsize):
            st_name, _st_info, _other, shndx, value, sym_size = struct.unpack_from("<IBBHQQ", elf, at)
            end = elf.index(b"\0", strings + st_name)
            symbol = elf[strings + st_name : end]
            if symbol.startswith(b"icudt") and symbol.endswith(b"_dat") and shndx:
                section = sections[shndx]
                return section[4] + value - section[3], sym_size
    raise ValueError("no icudt*_dat symbol: not ICU's data library")


def read_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The header and the (name, data) items of an ICU common data package."""
    header_size, magic = struct.unpack_from("<H2s", blob, 0)
    if magic != b"\xda\x27" or blob[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    toc = header_size
    (count,) = struct.unpack_from("<I", blob, toc)
    entries = [struct.unpack_from("<II", blob, toc + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_at, data_at) in enumerate(entries):
        name = blob[toc + name_at : blob.index(b"\0", toc + name_at)].decode("ascii")
        end = entries[i + 1][1] if i + 1 < count else len(blob) - toc
        items.append((name, blob[toc + data_at : toc + end]))
    return blob[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """An ICU common data package: the header, the table of contents (names in the order given,
    which must stay sorted), the names, then each item on a 16-byte boundary."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    toc_size = 4 + 8 * len(items)
    name_offsets, at = [], toc_size
    for name, _ in items:
        name_offsets.append(at)
        at += len(name) + 1
    body = bytearray(names)
    data_offsets = []
    for _, data in items:
        pad = -(toc_size + len(body)) % 16
        body += b"\0" * pad
        data_offsets.append(toc_size + len(body))
        body += data
    toc = struct.pack("<I", len(items)) + b"".join(
        struct.pack("<II", n, d) for n, d in zip(name_offsets, data_offsets, strict=True)
    )
    return header + toc + bytes(body)


def trim_library(source: Path, target: Path, compiler: str | None = "cc") -> tuple[int, int]:
    """Write `source` (libicudata) to `target` with the trimmed package; returns the data's size
    before and after. `compiler` links a small new library (None: rewrite the old one in place)."""
    elf = bytearray(source.read_bytes())
    offset, size = _data_symbol(elf)
    header, items = read_package(bytes(elf[offset : offset + size]))
    kept = [(name, data) for name, data in items if keep_item(name)]
    package = write_package(header, kept)
    if len(package) > size:
        raise ValueError("the trimmed ICU data is larger than the original")
    found = shutil.which(compiler) if compiler else None
    if found is None or not _link(found, source, package, target):
        elf[offset : offset + size] = package + b"\0" * (size - len(package))
        target.write_bytes(bytes(elf))
    return size, len(package)


def _soname(elf: bytes) -> str:
    """The DT_SONAME of a 64-bit little-endian ELF library (libicudata.so.73)."""
    (shoff,) = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", elf, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, _entsize in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strings = sections[link][4]
        for at in range(offset, offset + size, 16):
            tag, value = struct.unpack_from("<qQ", elf, at)
            if tag == 14:  # DT_SONAME
                return elf[strings + value : elf.index(b"\0", strings + value)].decode()
    raise ValueError("the library has no soname")


def _link(compiler: str, source: Path, package: bytes, target: Path) -> bool:
    """Link a library that exports the package as the same symbol under the same soname (what
    libicuuc looks for); False if the compiler fails, and the caller rewrites in place."""
    elf = source.read_bytes()
    match = re.search(rb"icudt\d+_dat", elf)  # the one symbol the library exports
    if match is None:
        return False
    symbol = match.group().decode()
    with tempfile.TemporaryDirectory(prefix="plw-icu-") as folder:
        data = Path(folder, "data.bin")
        data.write_bytes(package)
        assembly = Path(folder, "data.S")
        assembly.write_text(
            f"""    .section .rodata
    .globl {symbol}
    .type {symbol}, @object
    .balign 16
{symbol}:
    .incbin "{data}"
    .size {symbol}, . - {symbol}
    .section .note.GNU-stack, "", @progbits
"""
        )
        linked = subprocess.run(
            [
                compiler,
                "-shared",
                "-nostdlib",
                f"-Wl,-soname,{_soname(elf)}",
                "-o",
                str(target),
                str(assembly),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    return linked.returncode == 0
