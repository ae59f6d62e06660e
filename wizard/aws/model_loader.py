"""AWS service models loaded without freezing the window, and loaded once per process.

botocore parses each service's model (EC2's is 4 MB of JSON) with one `json.loads` call, which
holds the interpreter lock from start to end: the GUI thread could not run for ~50-130 ms
while a worker signed in or listed databases. Here the big objects of a model ("operations",
"shapes") are decoded one entry at a time, so the lock changes hands between entries, with the
garbage collector paused (see wizard/collector.py); and one loader is shared by every boto3
session, so a second sign-in does not parse anything again.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from botocore.exceptions import DataNotFoundError, UnknownServiceError
from botocore.loaders import JSONFileLoader, Loader, create_loader

from wizard.collector import collector_paused

_WHITESPACE = " \t\n\r"
# Objects and arrays less deep than this are decoded entry by entry; deeper values (one shape,
# one operation) are small and decoded in one call.
_STREAM_DEPTH = 2
# Files whose bulk lies deeper: endpoints.json (1.2 MB) is one partition in a list, whose
# "services" hold one entry per service: decoded in one call, it held the lock for ~25 ms.
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


_shared_lock = threading.Lock()


@lru_cache(maxsize=4)
def _loader_for(data_path: str | None) -> Loader:
    loader = create_loader(data_path)
    loader.file_loader = PiecewiseJSONFileLoader()
    return loader


def shared_loader(data_path: str | None) -> Loader:
    """One model loader per AWS_DATA_PATH value for the whole process (botocore caches the
    parsed models on the loader)."""
    with _shared_lock:
        return _loader_for(data_path)


def forget_repeated_search_paths(loader: Loader) -> None:
    """Each boto3 session appends boto3's data folder to its loader's search paths; a shared
    loader would collect one copy per sign-in."""
    with _shared_lock:
        paths = loader.search_paths
        paths[:] = list(dict.fromkeys(paths))


# What the wizard's clients load: each service's model, paginators, waiters and endpoint rules.
SERVICES = ("sts", "ec2", "elbv2", "rds")
_SERVICE_FILES = ("service-2", "paginators-1", "waiters-2", "endpoint-rule-set-1")
_SHARED_FILES = ("endpoints", "partitions", "sdk-default-configuration", "_retry")


def warm_up(data_path: str | None = None) -> int:
    """Load the models of SERVICES into the shared loader ahead of the first clients (the
    window calls this while the user signs in, so that parsing them never overlaps a page
    change); returns the number of files loaded. A file botocore cannot find is left to the
    client that needs it."""
    loader = shared_loader(data_path)
    loaded = 0
    for name in _SHARED_FILES:
        with contextlib.suppress(DataNotFoundError):
            loader.load_data(name)
            loaded += 1
    for service in SERVICES:
        for type_name in _SERVICE_FILES:
            with contextlib.suppress(DataNotFoundError, UnknownServiceError):
                loader.load_service_model(service, type_name)
                loaded += 1
    return loaded
