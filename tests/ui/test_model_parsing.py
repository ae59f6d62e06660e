"""The window's model parsing: botocore gets exactly what json.loads would give, decoded in small
pieces, on every shared loader once the window's engine has loaded."""

from __future__ import annotations

import gzip
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

import botocore
import pytest

from wizard.aws import model_loader
from wizard.aws.session import Credentials, make_context
from wizard.ui import model_parsing
from wizard.ui.model_parsing import PiecewiseJSONFileLoader, loads_in_pieces, use_piecewise_parsing

DATA = Path(botocore.__file__).parent / "data"
KEYS = Credentials(access_key_id="AKIAEXAMPLE", secret_access_key="x" * 20)


@pytest.fixture
def fresh_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loaders of this test's own, nothing parsed yet; the process's come back afterwards (the
    sessions made earlier, moto's kept one among them, still hold those)."""
    monkeypatch.setattr(model_loader, "_loaders", {})
    monkeypatch.setattr(model_loader, "_file_loader", None)


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


def test_once_chosen_every_model_a_client_needs_is_decoded_in_pieces(
    fresh_loaders: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[int] = []
    real = model_parsing.loads_in_pieces

    def counting(text: str, depth: int) -> Any:
        parsed.append(len(text))
        return real(text, depth)

    monkeypatch.setattr(model_parsing, "loads_in_pieces", counting)
    before = make_context(KEYS, "us-east-1")  # a loader made before the choice is switched too
    assert use_piecewise_parsing() is True
    before.client("elbv2")
    assert parsed and max(parsed) > 100_000  # the ELB model itself, not only small files
    loader = before.session._session.get_component("data_loader")
    assert isinstance(loader.file_loader, PiecewiseJSONFileLoader)
    assert make_context(KEYS, "eu-west-1").session._session.get_component("data_loader") is loader


def test_without_the_choice_botocore_parses_as_it_always_does(fresh_loaders: None) -> None:
    aws = make_context(KEYS, "us-east-1")
    aws.client("sts")
    loader = aws.session._session.get_component("data_loader")
    assert type(loader.file_loader) is botocore.loaders.JSONFileLoader


def test_a_botocore_without_the_overridden_method_keeps_its_own_parsing(
    fresh_loaders: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(botocore.loaders.JSONFileLoader, "load_file")
    assert use_piecewise_parsing() is False
    assert model_loader._file_loader is None


def test_the_sandbox_parses_no_model_the_window_has(monkeypatch: pytest.MonkeyPatch) -> None:
    """With --demo the sandbox shares the window's process: its consumer's clients and moto's
    own region lookups use the shared loader, so they never decode a model in one long call."""
    from moto.core.base_backend import AccountSpecificBackend

    from wizard.sandbox import moto_ext
    from wizard.sandbox.consumer import account_client

    moto_ext.install()  # imports moto (which reads its own JSON data files as it loads)
    use_piecewise_parsing()
    model_loader.warm_up()
    parsed: list[str] = []
    real_loads, real_pieces = json.loads, model_parsing.loads_in_pieces

    def whole(text: Any, **kw: Any) -> Any:
        parsed.append("whole")
        return real_loads(text, **kw)

    def pieces(text: str, depth: int) -> Any:
        parsed.append("pieces")
        return real_pieces(text, depth)

    monkeypatch.setattr(json, "loads", whole)
    monkeypatch.setattr(model_parsing, "loads_in_pieces", pieces)

    consumer_ec2 = account_client("ec2", "us-east-1", "012922587834")
    assert consumer_ec2.meta.service_model.service_name == "ec2"
    assert "eu-west-1" in AccountSpecificBackend.get_session().get_available_regions("rds")
    assert parsed == []
