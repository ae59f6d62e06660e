"""A small writer of HCL (the Terraform language): blocks, attributes, comments and values.

Why our own: python-hcl2 (which the tests use to parse the output) can also build and print HCL,
but it drops comments, and the export's comments are part of what it says (why an attachment is
left out, why a checkov finding is accepted). This writer prints only what we give it, formatted
as `terraform fmt` would (two-space indent, aligned `=` within a run of one-line attributes)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Union

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
INDENT = "  "
WIDTH = 100  # where a long comment is wrapped


@dataclass(frozen=True)
class Expr:
    """An HCL expression written as is: a reference (aws_lb.nlb.arn), a function call, …"""

    text: str


@dataclass(frozen=True)
class Comment:
    text: str  # one or more lines, each written as "# line"


@dataclass
class Block:
    kind: str  # resource, import, variable, …
    labels: tuple[str, ...] = ()
    items: list[Item] = field(default_factory=list)

    def set(self, name: str, value: Value) -> Block:
        self.items.append((name, value))
        return self

    def block(self, kind: str, *labels: str) -> Block:
        child = Block(kind, labels)
        self.items.append(child)
        return child

    def comment(self, text: str) -> Block:
        self.items.append(Comment(text))
        return self


Value = Union[str, int, float, bool, None, Expr, Sequence["Value"], Mapping[str, "Value"]]  # noqa: UP007  (recursive: names itself as a string)
Item = Union[tuple[str, Value], Block, Comment]  # noqa: UP007


def quote(text: str) -> str:
    """A string literal: JSON's escapes, plus HCL's own for template sequences (${ and %{)."""
    return json.dumps(text, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")


def _key(name: str) -> str:
    return name if _IDENTIFIER.match(name) else quote(name)


def value(v: Value, depth: int = 0) -> str:
    pad = INDENT * (depth + 1)
    if isinstance(v, Expr):
        return v.text
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        lines = _aligned([(_key(k), value(x, depth + 1)) for k, x in v.items()], pad)
        return "{\n" + "\n".join(lines) + "\n" + INDENT * depth + "}"
    items = [value(x, depth + 1) for x in v]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= 80 and "\n" not in one_line:
        return one_line
    return "[\n" + "".join(f"{pad}{item},\n" for item in items) + INDENT * depth + "]"


def _aligned(pairs: list[tuple[str, str]], pad: str) -> list[str]:
    """`name = value` lines, the `=` aligned as terraform fmt does: within a run of attributes,
    which a value spanning several lines ends (its own line still belongs to the run)."""
    lines: list[str] = []
    group: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(name) for name, _ in group), default=0)
        lines.extend(f"{pad}{name.ljust(width)} = {text}" for name, text in group)
        group.clear()

    for name, text in pairs:
        group.append((name, text))
        if "\n" in text:
            flush()
    flush()
    return lines


def _comment_lines(text: str, pad: str) -> list[str]:
    """Each line as `# line`, long ones wrapped at 100 columns; a checkov skip stays on one line
    (checkov reads the reason from that line)."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("checkov:") or len(pad) + 2 + len(line) <= WIDTH:
            lines.append(f"{pad}# {line}".rstrip())
        else:
            indent = line[: len(line) - len(line.lstrip())]
            lines += [
                f"{pad}# {part}"
                for part in textwrap.wrap(line, WIDTH - len(pad) - 2, subsequent_indent=indent)
            ]
    return lines


def render_block(block: Block, depth: int = 0) -> str:
    pad = INDENT * depth
    head = " ".join([block.kind, *(quote(label) for label in block.labels)])
    lines = [f"{pad}{head} {{"]
    run: list[tuple[str, Value]] = []

    def flush() -> None:
        lines.extend(_aligned([(_key(n), value(v, depth + 1)) for n, v in run], pad + INDENT))
        run.clear()

    previous: str = ""
    for item in block.items:
        if isinstance(item, tuple):
            run.append(item)
            previous = "attribute"
            continue
        flush()
        if isinstance(item, Comment):
            lines.extend(_comment_lines(item.text, pad + INDENT))
            previous = "comment"
        else:
            if previous and previous != "comment":
                lines.append("")
            lines.append(render_block(item, depth + 1))
            previous = "block"
    flush()
    lines.append(f"{pad}}}")
    return "\n".join(lines)


def render(items: Iterable[Block | Comment]) -> str:
    """A file: top-level comments and blocks, a blank line between blocks."""
    parts: list[str] = []
    for item in items:
        if isinstance(item, Comment):
            parts.append("\n".join(_comment_lines(item.text, "")))
        else:
            parts.append(render_block(item) + "\n")
    text = ""
    for part in parts:
        # A comment sits right above the block it is about.
        text += part if part.endswith("\n") else part + "\n"
        if part.endswith("}\n"):
            text += "\n"
    return text.rstrip("\n") + "\n"
