"""AWS service models parsed without freezing the window.

botocore parses each service's model (EC2's is 4 MB of JSON) with one `json.loads` call, which
holds the interpreter lock from start to end: the window could not repaint while a worker signed
in or listed databases. Here the big objects of a model ("operations", "shapes") are decoded one
entry at a time, so the lock changes hands between entries, with the garbage collector paused
(see collector.py). `use_piecewise_parsing()` puts this on the engine's shared model loaders
(wizard/aws/model_loader.py); the window calls it as its engine loads.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import OrderedDict
from typing import Any

from botocore.loaders import JSONFileLoader

from wizard.aws import model_loader
from wizard.ui.collector import collector_paused

_WHITESPACE = " \t\n\r"
# Objects and arrays less deep than this are decoded entry by entry; deeper values (one shape,
# one operation) are small and decoded in one call.
_STREAM_DEPTH = 2
# Files whose bulk lies deeper: endpoints.json (1.2 MB) is one partition in a list, whose
# "services" hold one entry per service: decoded in one call, it held the lock too long.
_DEEPER = {"endpoints": 4}


class _Cursor:
    """Decodes a JSON document with `raw_decode` calls over small pieces of it."""

    def __init__(self, text: str, depth: int) -> None:
        self.text = text
        self.at = 0
        self.depth = depth
        self.decoder = json.JSONDecoder(object_pairs_hook=OrderedDict)

    def skip(self) -> str:
        text, at = self.text, self.at
        while at < len(text) and text[at] in _WHITESPACE:
            at += 1
        self.at = at
        if at >= len(text):
            raise ValueError("unexpected end of JSON document")
        return text[at]

    def expect(self, char: str) -> None:
        if self.skip() != char:
            raise ValueError(f"expected {char!r} at offset {self.at}")
        self.at += 1

    def value(self, depth: int) -> Any:
        opening = self.skip()
        if depth < self.depth:
            if opening == "{":
                return self.members(depth)
            if opening == "[":
                return self.items(depth)
        value, self.at = self.decoder.raw_decode(self.text, self.at)
        return value

    def items(self, depth: int) -> list[Any]:
        self.expect("[")
        result: list[Any] = []
        if self.skip() == "]":
            self.at += 1
            return result
        while True:
            result.append(self.value(depth + 1))
            if self.skip() == ",":
                self.at += 1
                continue
            self.expect("]")
            return result

    def members(self, depth: int) -> OrderedDict[str, Any]:
        self.expect("{")
        result: OrderedDict[str, Any] = OrderedDict()
        if self.skip() == "}":
            self.at += 1
            return result
        while True:
            key = self.value(self.depth)
            if not isinstance(key, str):
                raise ValueError(f"object key expected at offset {self.at}")
            self.expect(":")
            result[key] = self.value(depth + 1)
            if self.skip() == ",":
                self.at += 1
                continue
            self.expect("}")
            return result


def loads_in_pieces(text: str, depth: int = _STREAM_DEPTH) -> Any:
    """`json.loads(text, object_pairs_hook=OrderedDict)`, decoded in small pieces: objects and
    arrays less than `depth` deep are decoded entry by entry."""
    cursor = _Cursor(text, depth)
    result = cursor.value(0)
    if cursor.at < len(text) and text[cursor.at :].strip():
        raise ValueError(f"extra data after the JSON document at offset {cursor.at}")
    return result


class PiecewiseJSONFileLoader(JSONFileLoader):
    """botocore's JSON file loader, decoding in pieces (see the module docstring)."""

    def load_file(self, file_path: str) -> Any:
        for extension, opener in ((".json", open), (".json.gz", gzip.open)):
            full_path = file_path + extension
            if os.path.isfile(full_path):
                with opener(full_path, "rb") as stream:
                    payload = stream.read().decode("utf-8")
                depth = _DEEPER.get(os.path.basename(file_path), _STREAM_DEPTH)
                with collector_paused:
                    return loads_in_pieces(payload, depth)
        return None


def use_piecewise_parsing() -> bool:
    """Parse every model the engine's loaders read from now on in pieces; False (botocore's own
    parsing stays) when botocore's file loader no longer has the method this overrides."""
    if not callable(getattr(JSONFileLoader, "load_file", None)):
        return False
    return model_loader.use_file_loader(PiecewiseJSONFileLoader())
