"""LinkPlan.of: the one way the CLI, the window, the self-test and link health make a plan."""

from __future__ import annotations

import pytest

from wizard.consumers import load_consumer
from wizard.errors import UserError
from wizard.model import DataSource, LinkPlan, SourceKind

MYSQL = DataSource(SourceKind.RDS_INSTANCE, "orders-mysql", "vpc-0123456789abcdef0", "mysql", 3306)
SERVER = DataSource(SourceKind.EC2_INSTANCE, "i-0123456789abcdef0", "vpc-0123456789abcdef0")


def plan(source: DataSource, **given: object) -> LinkPlan:
    return LinkPlan.of(
        name="plw-x",
        region="us-east-1",
        source=source,
        consumer=load_consumer(),
        subnet_ids=["subnet-1"],
        **given,  # type: ignore[arg-type]
    )


def test_the_port_defaults_to_the_databases_own_and_a_given_one_wins() -> None:
    assert plan(MYSQL).port == 3306
    assert plan(MYSQL, port=3307).port == 3307
    assert plan(SERVER, port=22).port == 22
    assert plan(MYSQL).subnet_ids == ("subnet-1",)


def test_an_ec2_server_without_a_port_is_refused_with_what_to_give() -> None:
    with pytest.raises(UserError, match="EC2 server, so the wizard cannot guess the port") as refused:
        plan(SERVER)
    assert "22 for an SSH tunnel host" in refused.value.fix


def test_the_principal_defaults_to_the_consumers_and_names_the_platform_account() -> None:
    consumer = load_consumer()
    assert plan(MYSQL).principal == consumer.principal
    assert plan(MYSQL).platform_account == consumer.account_id == "012922587834"
    other = plan(MYSQL, principal="arn:aws:iam::210987654321:role/ingest")
    assert other.platform_account == "210987654321"
