"""Where each table of a TOML document starts, and where each of its keys is: tomllib gives the
values but no line numbers, and a batch file's problems are reported by line.

Run it only on text tomllib has accepted: it follows TOML's structure (headers, dotted and quoted
keys, inline tables, arrays, the four kinds of string, comments) without checking it again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass
class Table:
    """One table: the line of its header (or of its '{'), each key's line, and its sub-tables
    (a table, or the list of an array of tables)."""

    line: int
    keys: dict[str, int] = field(default_factory=dict)
    children: dict[str, Table | list[Table]] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.keys.get(key, self.line)

    def tables(self, key: str) -> list[Table]:
        """The array of tables under `key` (empty when there is none)."""
        found = self.children.get(key)
        return found if isinstance(found, list) else []


def locate(text: str) -> Table:
    """The document's root table, with the lines of everything in it (lines count from 1)."""
    return _Scanner(text).document()


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    @property
    def line(self) -> int:
        return self.text.count("\n", 0, self.pos) + 1

    def _peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def _skip_blank(self, newlines: bool) -> None:
        """Spaces and tabs, comments, and (in arrays and between statements) newlines."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def document(self) -> Table:
        root = Table(line=1)
        current = root
        while True:
            self._skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return root
            if self._peek() == "[":
                current = self._header(root)
            else:
                self._key_value(current)

    def _header(self, root: Table) -> Table:
        line = self.line
        many = self._peek(2) == "[["
        self.pos += 2 if many else 1
        self._skip_blank(newlines=False)
        path = self._key()
        self._skip_blank(newlines=False)
        self.pos += 2 if many else 1  # "]]" or "]"
        parent = root
        for part in path[:-1]:
            parent = _descend(parent, part, line)
        last = path[-1]
        if many:
            entries = parent.children.setdefault(last, [])
            table = Table(line)
            if isinstance(entries, list):
                entries.append(table)
            return table
        existing = parent.children.get(last)
        if isinstance(existing, Table):  # made earlier by a dotted key or a sub-table's header
            existing.line = line
            return existing
        table = Table(line)
        parent.children[last] = table
        return table

    def _key(self) -> list[str]:
        """A dotted key, its parts unquoted."""
        parts = []
        while True:
            self._skip_blank(newlines=False)
            char = self._peek()
            if char in "\"'":
                start = self.pos
                self._string()
                raw = self.text[start + 1 : self.pos - 1]
                parts.append(raw.encode().decode("unicode_escape") if char == '"' else raw)
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                end = match.end() if match else self.pos + 1
                parts.append(self.text[self.pos : end])
                self.pos = end
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return parts
            self.pos += 1

    def _key_value(self, table: Table) -> None:
        line = self.line
        path = self._key()
        self._skip_blank(newlines=False)
        self.pos += 1  # "="
        self._skip_blank(newlines=False)
        for part in path[:-1]:
            table = _descend(table, part, line)
        table.keys[path[-1]] = line
        value = self._value()
        if isinstance(value, Table) or (isinstance(value, list) and value):
            table.children[path[-1]] = value

    def _value(self) -> Table | list[Table] | None:
        """Skip one value; an inline table comes back as a Table, an array as its inline tables."""
        char = self._peek()
        if char == "{":
            return self._inline_table()
        if char == "[":
            return self._array()
        if char in "\"'":
            self._string()
            return None
        # A number, boolean or date: up to what ends a value (a date may hold one space).
        match = re.compile(r"[^,\]}\n#]*").match(self.text, self.pos)
        self.pos = match.end() if match else self.pos
        return None

    def _inline_table(self) -> Table:
        table = Table(self.line)
        self.pos += 1
        while True:
            self._skip_blank(newlines=False)
            char = self._peek()
            if char in ("}", ""):
                self.pos += 1
                return table
            if char == ",":
                self.pos += 1
                continue
            self._key_value(table)

    def _array(self) -> list[Table]:
        tables: list[Table] = []
        self.pos += 1
        while True:
            self._skip_blank(newlines=True)
            char = self._peek()
            if char in ("]", ""):
                self.pos += 1
                return tables
            if char == ",":
                self.pos += 1
                continue
            value = self._value()
            if isinstance(value, Table):
                tables.append(value)

    def _string(self) -> None:
        quote = self._peek()
        if self._peek(3) == quote * 3:
            self.pos += 3
            end = self.text.find(quote * 3, self.pos)
            while quote == '"' and end > 0 and _escaped(self.text, end):
                end = self.text.find(quote * 3, end + 1)
            end = len(self.text) if end < 0 else end + 3
            # A closing delimiter may carry up to two more quotes: they belong to the string.
            while end < len(self.text) and self.text[end] == quote:
                end += 1
            self.pos = end
            return
        self.pos += 1
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote == '"' and char == "\\":
                self.pos += 2
                continue
            self.pos += 1
            if char == quote:
                return


def _escaped(text: str, at: int) -> bool:
    """True when the character at `at` follows an odd number of backslashes."""
    count = 0
    while at - count - 1 >= 0 and text[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _descend(table: Table, part: str, line: int) -> Table:
    """The sub-table `part` of `table` (the last entry for an array of tables), made if new."""
    child = table.children.get(part)
    if isinstance(child, list):
        return child[-1] if child else table
    if child is None:
        child = Table(line)
        table.children[part] = child
    return child
