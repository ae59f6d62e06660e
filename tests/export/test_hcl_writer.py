"""The export's HCL writer: what it writes, python-hcl2 reads back as the same values (template
sequences and odd keys included), with the comments kept."""

from __future__ import annotations

from typing import Any

import hcl2
from hcl2 import SerializationOptions

from wizard.export.hcl import Block, Comment, Expr, render


def _load(text: str) -> dict[str, Any]:
    return hcl2.loads(text, serialization_options=SerializationOptions(strip_string_quotes=True))


def test_values_survive_a_round_trip_through_python_hcl2() -> None:
    tricky = 'a "quoted" ${not.a.reference} %{not_a_directive} back\\slash\nnew line'
    block = Block("resource", ("aws_thing", "x"))
    block.set("text", tricky).set("number", 5432).set("flag", False).set("nothing", None)
    block.set("list", ["a", "b"]).set("map", {"privatelink-wizard:link": "x", "Name": "y"})
    block.set("ref", Expr("aws_lb.link.arn"))
    block.block("nested").set("enabled", True)
    parsed = _load(render([block]))["resource"][0]["aws_thing"]["x"]
    # python-hcl2 undoes the escapes but for the template ones ($${, %%{): it is the string given.
    unescaped = parsed["text"].replace("$${", "${").replace("%%{", "%{")
    assert unescaped == tricky
    assert parsed["number"] == 5432 and parsed["flag"] is False
    assert parsed["list"] == ["a", "b"]
    assert parsed["map"] == {"privatelink-wizard:link": "x", "Name": "y"}
    assert parsed["ref"] == "${aws_lb.link.arn}"
    assert parsed["nested"][0]["enabled"] is True


def test_a_template_sequence_in_a_string_is_escaped() -> None:
    text = render([Block("locals").set("x", "${var.secret}")])
    assert '"$${var.secret}"' in text


def test_comments_are_kept_where_they_were_put() -> None:
    block = Block("resource", ("aws_lb", "link"))
    block.comment("checkov:skip=CKV_AWS_91:a reason\nsecond line").set("name", "x")
    text = render([Comment("above the block"), block])
    assert text.startswith(
        '# above the block\nresource "aws_lb" "link" {\n  # checkov:skip=CKV_AWS_91:a reason\n'
    )
    comments = hcl2.loads(text)["resource"][0]['"aws_lb"']['"link"']["__comments__"]
    assert [c["value"] for c in comments] == ["checkov:skip=CKV_AWS_91:a reason", "second line"]
