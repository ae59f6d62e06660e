"""Helpers for the Terraform export's tests: a sandbox account shared by a module's tests (each
test builds its own link), the CLI run in this process, and the export parsed with python-hcl2."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from wizard.aws import network
from wizard.cli import main

REGION = "us-east-1"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    code = main(list(args))
    out, err = capsys.readouterr()
    return Run(code, out, err)


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


def setup_link(
    capsys: pytest.CaptureFixture[str], name: str, *extra: str, source: str = "orders-mysql"
) -> None:
    run = cli(
        capsys, "setup", "--region", REGION, "--source", source, "--name", name, "--yes", "--fix", *extra
    )
    assert run.code == 0, run.err


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "resolve_host", lambda host, timeout=0.0: [])


@pytest.fixture(scope="module")
def sandbox_account() -> Iterator[Any]:
    """The sample account in an in-process moto shared by a module's tests."""
    from moto import mock_aws

    from wizard.aws.session import Credentials, make_context
    from wizard.sandbox import moto_ext
    from wizard.sandbox.seed import seed_sample_account

    moto_ext.install()
    with mock_aws():
        yield seed_sample_account(make_context(Credentials(), REGION))


@dataclass
class Parsed:
    """The export as python-hcl2 reads it (string quotes stripped)."""

    resources: dict[str, dict[str, dict[str, Any]]]  # type -> name -> body
    imports: dict[str, str]  # address -> id
    variables: dict[str, dict[str, Any]]
    text: str  # every .tf file, for looking up references

    def one(self, kind: str) -> dict[str, Any]:
        bodies = list(self.resources.get(kind, {}).values())
        assert len(bodies) == 1, f"{kind}: {len(bodies)}"
        return bodies[0]


def parse(folder: Path) -> Parsed:
    import hcl2
    from hcl2 import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True)
    resources: dict[str, dict[str, dict[str, Any]]] = {}
    imports: dict[str, str] = {}
    variables: dict[str, dict[str, Any]] = {}
    text = ""
    for path in sorted(folder.glob("*.tf")):
        text += path.read_text() + "\n"
        with path.open() as f:
            data = hcl2.load(f, serialization_options=options)
        for entry in data.get("resource", []):
            for kind, named in entry.items():
                for name, body in named.items():
                    assert name not in resources.get(kind, {}), f"{kind}.{name} twice"
                    resources.setdefault(kind, {})[name] = body
        for block in data.get("import", []):
            address = re.fullmatch(r"\$\{(.+)\}", block["to"])
            assert address, block
            assert address.group(1) not in imports, f"{address.group(1)} imported twice"
            imports[address.group(1)] = block["id"]
        for entry in data.get("variable", []):
            variables.update(entry)
    return Parsed(resources, imports, variables, text)


def strip(value: Any) -> Any:
    """A reference as python-hcl2 gives it (${aws_lb.link.arn}) without the ${ }."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return value
