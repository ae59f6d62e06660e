"""A link's databases in words (wizard.ui.database_words): the home screen's cell, each one's
health, and the question before one is removed. Plain functions: no window, no sandbox."""

from __future__ import annotations

from dataclasses import replace

from wizard.aws.target_group import TargetHealthInfo
from wizard.diagnostics.databases import DatabaseStatus
from wizard.diagnostics.status import Finding
from wizard.steps.databases import DatabaseOnLink
from wizard.ui import database_words as words

HEALTHY = TargetHealthInfo("10.20.1.5", 5432, "healthy")
FAILING = TargetHealthInfo("10.20.2.9", 5432, "unhealthy", "Target.FailedHealthChecks")
STARTING = TargetHealthInfo("10.20.2.9", 5432, "initial", checks_take=30)


def db(source_id: str, listener_port: int, *health: TargetHealthInfo) -> words.DatabaseRow:
    group = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/plw-x-5433/abc"
    found = DatabaseOnLink(source_id, "rds-instance", 5432, listener_port, group, "", "plw-x-5433")
    return words.row_of(replace(found, health=health))


def test_the_home_screens_cell_names_one_database_or_counts_them() -> None:
    assert words.database_cell([], "not known here") == "not known here"
    assert words.database_cell([db("a", 5432)], "x") == "a"
    assert words.database_cell([db("a", 5432), db("b", 5433)], "x") == "2 databases: a, b"


def test_health_is_never_a_tick_unless_every_target_is_healthy() -> None:
    assert words.health(db("a", 5432, HEALTHY)) == ("ok", "healthy")
    assert words.health(db("a", 5432, HEALTHY, FAILING))[0] == "problem"
    assert "1 of 2 targets healthy" in words.health_text(db("a", 5432, HEALTHY, FAILING))
    assert words.health(db("a", 5432, STARTING))[0] == "warning"
    assert words.health(db("a", 5432)) == ("problem", "no targets registered")
    assert words.health(db("a", 0, HEALTHY))[0] == "problem"  # no listener: the platform cannot reach it
    # From link health: passing targets, but a problem found with the database.
    gone = Finding("problem", "Its firewall rule for the load balancer is gone")
    row = words.row_of(
        DatabaseStatus("b", "rds-instance", 5432, 5433, "g", False, [HEALTHY], findings=[gone])
    )
    assert row.target_group_name == "g" and row.targets == (HEALTHY,)
    assert words.health(row) == ("problem", "Its firewall rule for the load balancer is gone")


def test_ports_and_the_removal_question() -> None:
    both = [db("analytics-pg", 5432), db("reports-aurora", 5433)]
    assert words.ports_words(both) == "port 5432 for analytics-pg and port 5433 for reports-aurora"
    question = words.removal_question(both[1], "plw-x", both[:1])
    assert "listener on port 5433 of the load balancer plw-x" in question
    assert "target group plw-x-5433" in question
    assert "analytics-pg (port 5432)" in question and "stay as they are" in question
    assert question.endswith("Remove the database from the link now?")
