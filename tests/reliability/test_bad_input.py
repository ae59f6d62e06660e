"""Issue 5 (7), bad input everywhere. tests/core/test_validators.py covers every validator
(principal ARN, region, port, link name, source/service/subnet ids, endpoint URL) and consumer
profile text with hypothesis; this adds what it leaves out: consumer profiles that are valid TOML
with wrong kinds of values (random text rarely is valid TOML), and the CLI as a whole, where any
argument list must end in an exit code and at most a paragraph, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wizard.cli import main
from wizard.consumers import load_consumer, parse_consumer
from wizard.errors import EXIT_BAD_INPUT, UserError
from wizard.validators import validate_principal, validate_region

RIVERY = "arn:aws:iam::012922587834:root"
toml_values = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.one_of(st.text(max_size=15), st.integers()), max_size=4),
    st.sampled_from(["us-east-1", RIVERY, "eu-west-2"]),
    st.lists(st.sampled_from(["us-east-1", "moon-1", "EU-WEST-1", ""]), max_size=3),
)


def toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["id", "display_name", "principal", "regions", "support_contact", "plan_note"]),
        toml_values,
    )
)
def test_consumer_profiles_of_any_shape_parse_or_explain(fields: dict[str, Any]) -> None:
    text = "\n".join(f"{key} = {toml_literal(value)}" for key, value in fields.items())
    try:
        consumer = parse_consumer(text)
    except UserError as exc:
        assert exc.exit_code == EXIT_BAD_INPUT and "What to do:" in exc.paragraph()
    else:
        assert validate_principal(consumer.principal) == consumer.principal
        assert consumer.regions and all(validate_region(r) == r for r in consumer.regions)
        assert isinstance(consumer.id, str) and isinstance(consumer.display_name, str)


def test_a_consumer_profile_file_path_is_read_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "acme.toml"
    good.write_text(f'id = "acme"\ndisplay_name = "Acme"\nprincipal = "{RIVERY}"\nregions = ["us-east-1"]\n')
    assert load_consumer(str(good)).id == "acme"
    bad = tmp_path / "broken.toml"
    bad.write_text('id = "acme"\nregions = "us-east-1"\n')
    with pytest.raises(UserError, match=r"broken\.toml has no 'display_name'"):
        load_consumer(str(bad))


ARGS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "setup",
                "accept",
                "status",
                "teardown",
                "--region",
                "--source",
                "--port",
                "--name",
                "--principal",
                "--subnets",
                "--service",
                "--consumer",
                "--wait",
                "--endpoint-url",
                "--yes",
                "us-east-1",
                "moon-1",
                "orders-mysql",
                "3306",
                "-1",
                "vpce-svc-0123",
                "subnet-1,subnet-2",
                "http://",
                "arn:aws:iam::1:root",
                "x.toml",
                "",
            ]
        ),
        st.text(max_size=12),
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["setup", "accept", "status", "teardown", "policy"]), ARGS)
def test_the_cli_answers_any_arguments_with_an_exit_code_not_a_traceback(
    aws: Any, capsys: pytest.CaptureFixture[str], command: str, args: list[str]
) -> None:
    # Against an empty in-process moto (the `aws` fixture): nothing to find. Left out: what opens
    # a window, serves, waits on purpose or points at a network address.
    unsafe = ("--demo", "--self-test", "sandbox", "--wait", "--endpoint-url")
    # No subcommand would open the GUI, so there always is one.
    argv = [command, *(a for a in args if not a.startswith(unsafe) and not a.startswith("http"))]
    code = main(argv) if "--help" not in argv and "-h" not in argv else 0
    _, err = capsys.readouterr()
    assert code in {0, 1, 2, 3}
    assert "Traceback" not in err
    if code:
        assert err.strip(), "a failure must say something"


@pytest.mark.parametrize(
    "argv",
    [
        ["teardown", "--region", "us-east-1", "--name", ""],
        ["status", "--region", "us-east-1", "--name", ""],
        ["accept", "--region", "us-east-1", "--name", ""],
        ["accept", "--region", "us-east-1", "--service", ""],
        ["setup", "--region", "us-east-1", "--source", "orders-mysql", "--name", ""],
        ["setup", "--region", "us-east-1", "--source", "orders-mysql", "--subnets", ""],
    ],
    ids=lambda a: f"{a[0]}-{a[-2]}",
)
def test_an_empty_name_is_bad_input_never_the_only_link(
    aws: Any, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    # Issue 16 (7): '' used to mean "not given", so teardown removed the only link it found.
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "empty" in err or "is not" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("wait", ["nan", "inf", "-inf", "-5", "soon"])
def test_accept_wait_takes_only_a_finite_number_of_seconds(
    capsys: pytest.CaptureFixture[str], wait: str
) -> None:
    # Issue 16 (10): argparse's float takes nan and inf; a wait of nan never ends.
    assert main(["accept", "--region", "us-east-1", "--name", "orders", f"--wait={wait}"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"expected a number of 0 or more, not '{wait}'" in err
