"""The piecewise model loader gives botocore exactly what json.loads would, and is shared."""

from __future__ import annotations

import functools
import gzip
import json
from collections import OrderedDict
from pathlib import Path

import botocore
import pytest

from wizard.aws import model_loader
from wizard.aws.model_loader import PiecewiseJSONFileLoader, loads_in_pieces, shared_loader
from wizard.aws.session import Credentials, make_context

DATA = Path(botocore.__file__).parent / "data"


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "b": {"c": [1, 2, {"d": null}], "e": {"f": "g"}}, "h": "\\u00e9"}',
        "{}",
        ' { "a" : { } , "b":{"x":{}} } ',
        "[1, 2]",
        '"just a string"',
        '{"p": [{"s": {"a": {"e": [1]}, "b": []}}, [], [[2, {"x": 3}]]], "v": 3}',
        " [ ] ",
    ],
)
@pytest.mark.parametrize("depth", [1, 2, 4])
def test_pieces_decode_like_json_loads(text: str, depth: int) -> None:
    expected = json.loads(text, object_pairs_hook=OrderedDict)
    decoded = loads_in_pieces(text, depth)
    assert decoded == expected
    assert type(decoded) is type(expected)


@pytest.mark.parametrize(
    "text", ['{"a": 1', '{"a" 1}', '{"a": 1} x', "{1: 2}", "", "[1, 2", "[1 2]", '{"a": [1,]}']
)
def test_malformed_json_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        loads_in_pieces(text)


@pytest.mark.parametrize("service", ["ec2", "rds", "elbv2", "sts"])
def test_real_service_models_load_identically(service: str) -> None:
    folder = sorted((DATA / service).iterdir())[-1]  # the newest API version
    path = folder / "service-2.json.gz"
    expected = json.loads(gzip.decompress(path.read_bytes()), object_pairs_hook=OrderedDict)
    loaded = PiecewiseJSONFileLoader().load_file(str(folder / "service-2"))
    assert loaded == expected
    assert list(loaded["shapes"]) == list(expected["shapes"])  # order kept (OrderedDict)


def test_endpoints_file_loads_identically_in_small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """endpoints.json (~1.2 MB) keeps its bulk three levels down; decoded whole, it held the
    interpreter lock for ~25 ms. Each decoding call now covers a small piece of it."""
    text = (DATA / "endpoints.json").read_text(encoding="utf-8")
    expected = json.loads(text, object_pairs_hook=OrderedDict)
    pieces: list[int] = []
    real = json.JSONDecoder.raw_decode

    def measured(self: json.JSONDecoder, s: str, idx: int = 0) -> tuple[object, int]:
        value, end = real(self, s, idx)
        pieces.append(end - idx)
        return value, end

    monkeypatch.setattr(json.JSONDecoder, "raw_decode", measured)
    loaded = PiecewiseJSONFileLoader().load_file(str(DATA / "endpoints"))
    assert loaded == expected
    assert len(text) > 500_000
    assert max(pieces) < 64_000


def test_missing_file_is_none(tmp_path: Path) -> None:
    assert PiecewiseJSONFileLoader().load_file(str(tmp_path / "nothing")) is None


def test_sessions_share_one_loader_and_parse_each_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []
    real = model_loader.loads_in_pieces

    def counting(text: str, depth: int) -> object:
        parsed.append(len(text))
        return real(text, depth)

    monkeypatch.setattr(model_loader, "loads_in_pieces", counting)
    keys = Credentials(access_key_id="AKIAEXAMPLE", secret_access_key="x" * 20)
    first = make_context(keys, "us-east-1")
    first.client("elbv2")
    after_first = len(parsed)
    second = make_context(keys, "us-east-1")
    second.client("elbv2")
    assert after_first > 0 or shared_loader(None)._cache  # loaded now, or earlier in this process
    assert len(parsed) == after_first  # the second session parsed nothing
    loader = second.session._session.get_component("data_loader")
    assert loader is first.session._session.get_component("data_loader")
    assert isinstance(loader.file_loader, PiecewiseJSONFileLoader)
    assert len(loader.search_paths) == len(set(loader.search_paths))


def test_after_the_warm_up_clients_parse_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh loader for this test: nothing parsed by earlier tests. Swapped in, not cleared:
    # the process's own loader comes back afterwards, the one sessions made earlier (moto's kept
    # one) still hold.
    fresh = functools.lru_cache(maxsize=4)(model_loader._loader_for.__wrapped__)
    monkeypatch.setattr(model_loader, "_loader_for", fresh)
    # Every service has a model, paginators and endpoint rules (STS has no waiters).
    assert model_loader.warm_up() >= 3 * len(model_loader.SERVICES)
    parsed: list[int] = []
    real = model_loader.loads_in_pieces
    monkeypatch.setattr(model_loader, "loads_in_pieces", lambda *a: parsed.append(1) or real(*a))
    aws = make_context(Credentials(access_key_id="AKIAEXAMPLE", secret_access_key="x" * 20), "us-east-1")
    aws.client("sts")
    aws.ec2.get_paginator("describe_instances")
    aws.ec2.get_waiter("instance_running")
    aws.elbv2.get_paginator("describe_load_balancers")
    aws.elbv2.get_waiter("load_balancer_available")
    aws.rds.get_paginator("describe_db_instances")
    assert parsed == []


def test_the_sandbox_parses_no_model_the_window_has(monkeypatch: pytest.MonkeyPatch) -> None:
    """With --demo the sandbox shares the window's process: its consumer's clients and moto's
    own region lookups use the shared loader, so they never decode a model in one long call."""
    from moto.core.base_backend import AccountSpecificBackend

    from wizard.sandbox import moto_ext
    from wizard.sandbox.consumer import account_client

    moto_ext.install()  # imports moto (which reads its own JSON data files as it loads)
    model_loader.warm_up()
    parsed: list[str] = []
    real_loads, real_pieces = json.loads, model_loader.loads_in_pieces
    monkeypatch.setattr(json, "loads", lambda text, **kw: parsed.append("whole") or real_loads(text, **kw))
    monkeypatch.setattr(
        model_loader, "loads_in_pieces", lambda *a: parsed.append("pieces") or real_pieces(*a)
    )

    consumer_ec2 = account_client("ec2", "us-east-1", "012922587834")
    assert consumer_ec2.meta.service_model.service_name == "ec2"
    assert "eu-west-1" in AccountSpecificBackend.get_session().get_available_regions("rds")
    assert parsed == []
