"""Every validator either returns a value AWS accepts or raises a UserError with a specific
message — never any other exception (property-based, issue 5 item 7)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.consumers import parse_consumer
from wizard.errors import EXIT_BAD_INPUT, UserError
from wizard.validators import (
    default_link_name,
    validate_endpoint_url,
    validate_link_name,
    validate_port,
    validate_principal,
    validate_region,
    validate_service_id,
    validate_source_id,
    validate_subnet_ids,
)

VALIDATORS: list[Callable[[Any], Any]] = [
    validate_region,
    validate_principal,
    validate_port,
    validate_link_name,
    validate_source_id,
    validate_service_id,
    validate_subnet_ids,
    validate_endpoint_url,
]


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v.__name__)
@settings(max_examples=150, deadline=None)
@given(value=st.one_of(st.text(max_size=80), st.integers(), st.none()))
def test_validators_accept_or_explain(validator: Callable[[Any], Any], value: Any) -> None:
    try:
        validator(value)
    except UserError as exc:
        assert exc.exit_code == EXIT_BAD_INPUT
        assert len(exc.paragraph()) > 30 and "What to do:" in exc.paragraph()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_accepted_link_names_fit_aws_name_rules(name: str) -> None:
    try:
        value = validate_link_name(name)
    except UserError:
        return
    # AWS: NLB and target group names ≤ 32 chars, alphanumerics and hyphens, no edge hyphen.
    for aws_name in (value, f"{value}-65535"):
        assert len(aws_name) <= 32
        assert re.fullmatch(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?", aws_name)
        assert not aws_name.startswith("internal-")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_default_link_name_is_always_valid(source_id: str) -> None:
    assert validate_link_name(default_link_name(source_id))


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("arn:aws:iam::12345:root", "12-digit account"),
        ("012922587834", "not a valid IAM principal"),
        ("arn:aws:iam::012922587834:group/x", "not a valid IAM principal"),
    ],
)
def test_principal_messages_name_the_problem(value: str, fragment: str) -> None:
    with pytest.raises(UserError) as info:
        validate_principal(value)
    assert fragment in info.value.paragraph()


def test_good_values_pass_unchanged() -> None:
    assert validate_principal(" arn:aws:iam::012922587834:root ") == "arn:aws:iam::012922587834:root"
    assert validate_principal("arn:aws:iam::012922587834:role/Rivery").endswith("role/Rivery")
    assert validate_region("EU-WEST-1") == "eu-west-1"
    assert validate_port("5432") == 5432
    assert validate_link_name("orders-db") == "orders-db"
    assert validate_source_id("i-0123456789abcdef0") == "i-0123456789abcdef0"
    assert validate_endpoint_url("http://127.0.0.1:5000") == "http://127.0.0.1:5000"
    assert validate_subnet_ids("subnet-0abc1234, subnet-0def5678") == ("subnet-0abc1234", "subnet-0def5678")


@pytest.mark.parametrize("port", [0, 70000, -1, "abc", ""])
def test_bad_ports_are_refused(port: Any) -> None:
    with pytest.raises(UserError, match=r"[Pp]ort"):
        validate_port(port)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_consumer_profile_files_parse_or_explain(text: str) -> None:
    try:
        consumer = parse_consumer(text)
    except UserError as exc:
        assert exc.exit_code == EXIT_BAD_INPUT
    else:
        assert validate_principal(consumer.principal)


def test_consumer_profile_with_bad_region_is_refused() -> None:
    text = 'id="x"\ndisplay_name="X"\nprincipal="arn:aws:iam::012922587834:root"\nregions=["moon-1"]'
    with pytest.raises(UserError, match="not an AWS region"):
        parse_consumer(text)
