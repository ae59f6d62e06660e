"""What every part of the export shares: the blocks written so far, their import ids, the
variables, and references between them (an id the export owns is written as a reference to its
resource, so the configuration holds together when a team changes it)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.export.hcl import Block, Comment, Expr, Value
from wizard.model import LINK_TAG_KEY, MANAGED_BY_KEY

_NOT_LABEL = re.compile(r"[^a-z0-9_]+")


def label(text: str) -> str:
    """A resource name Terraform accepts (letters, digits, underscores; not starting with a digit)."""
    cleaned = _NOT_LABEL.sub("_", text.lower()).strip("_") or "x"
    return cleaned if cleaned[0].isalpha() else f"x_{cleaned}"


@dataclass
class Variable:
    name: str
    type: str
    description: str
    default: Any


@dataclass
class Export:
    """The blocks of main.tf, the import blocks, the variables, and the link's common tags."""

    link: str
    region: str
    main: list[Block | Comment] = field(default_factory=list)
    imports: list[tuple[str, str]] = field(default_factory=list)  # (address, id)
    variables: list[Variable] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # extra files (the target sync's zip)
    _refs: dict[str, Expr] = field(default_factory=dict)
    _labels: set[str] = field(default_factory=set)
    link_tags: dict[str, str] = field(default_factory=dict)

    # ---- resources ------------------------------------------------------------------------------

    def resource(self, kind: str, name: str, import_id: str = "", comment: str = "") -> Block:
        """A new resource block (its label made unique), imported from `import_id` if given."""
        unique, n = name, 2
        while f"{kind}.{unique}" in self._labels:
            unique, n = f"{name}_{n}", n + 1
        self._labels.add(f"{kind}.{unique}")
        if comment:
            self.main.append(Comment(comment))
        block = Block("resource", (kind, unique))
        self.main.append(block)
        if import_id:
            self.imports.append((f"{kind}.{unique}", import_id))
        return block

    def refs(self) -> dict[str, Expr]:
        return dict(self._refs)

    def address(self, block: Block) -> str:
        return ".".join(block.labels)

    def refer(self, literal: str, block: Block, attribute: str) -> None:
        """From now on, `literal` is written as `<block>.<attribute>`."""
        if literal:
            self._refs[literal] = Expr(f"{self.address(block)}.{attribute}")

    def ref(self, value: Any) -> Value:
        """`value` with every string the export owns replaced by its reference, in lists and
        maps too (policy documents included)."""
        if isinstance(value, str):
            return self._refs.get(value, value)
        if isinstance(value, Mapping):
            return {str(k): self.ref(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.ref(v) for v in value]
        return value

    def json(self, document: Any) -> Expr:
        """A JSON document (a policy, an event pattern) as jsonencode(...) of an HCL value."""
        from wizard.export.hcl import value

        return Expr(f"jsonencode({value(self.ref(document), 1)})")

    # ---- tags and variables ---------------------------------------------------------------------

    def set_tags(self, block: Block, tags: Mapping[str, str]) -> None:
        """The resource's tags as AWS reports them; the link's own as local.link_tags, plus
        var.extra_tags (empty unless a team adds some)."""
        if not tags:
            return
        if not self.link_tags and tags.get(MANAGED_BY_KEY) and tags.get(LINK_TAG_KEY) == self.link:
            self.link_tags = {k: tags[k] for k in (MANAGED_BY_KEY, LINK_TAG_KEY, "Name") if k in tags}
        common = self.link_tags and all(tags.get(k) == v for k, v in self.link_tags.items())
        if not common:
            block.set("tags", dict(tags))
            return
        rest = {k: v for k, v in tags.items() if k not in self.link_tags}
        parts = ["local.link_tags", "var.extra_tags"]
        if rest:
            from wizard.export.hcl import value

            parts.append(value(rest, 1))
        block.set("tags", Expr(f"merge({', '.join(parts)})"))

    def variable(self, name: str, type_: str, description: str, default: Any) -> Expr:
        if all(v.name != name for v in self.variables):
            self.variables.append(Variable(name, type_, description, default))
        return Expr(f"var.{name}")
