"""Issue 17 (2, 3) end to end on the sandbox server: `setup --notify`, `notify` on an existing
link (another address, --off), `accept` and `status` showing the endpoint's hostnames with the
port, and teardown leaving no topic, subscription, notification or alarm."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.test_cli_setup import REGION, client, run, setup_json


def alert_pieces(sandbox: Any) -> dict[str, int]:
    sns, cloudwatch, ec2 = client(sandbox, "sns"), client(sandbox, "cloudwatch"), client(sandbox, "ec2")
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    return {
        "topics": len(topics),
        "subscriptions": sum(
            len(sns.list_subscriptions_by_topic(TopicArn=t)["Subscriptions"]) for t in topics
        ),
        "notifications": len(
            ec2.describe_vpc_endpoint_connection_notifications()["ConnectionNotificationSet"]
        ),
        "alarms": len(cloudwatch.describe_alarms()["MetricAlarms"]),
    }


NONE = {"topics": 0, "subscriptions": 0, "notifications": 0, "alarms": 0}
ONE_EACH = {"topics": 1, "subscriptions": 1, "notifications": 1, "alarms": 1}


def test_setup_notify_accept_status_teardown(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    result = setup_json(capsys, "--source", "orders-mysql", "--fix", "--notify", "dba@example.com")
    name = result["name"]
    assert result["alerts"]["email"] == "dba@example.com"
    assert result["alerts"]["alarm_name"] == f"{name}-no-healthy-database"
    assert sorted(result["alerts"]["events"]) == ["Accept", "Connect", "Delete", "Reject"]
    assert alert_pieces(sandbox) == ONE_EACH

    # A re-run without --notify keeps them (and makes no second of anything).
    code, _, err = run(capsys, "setup", "--region", REGION, "--source", "orders-mysql", "--yes", "--fix")
    assert code == 0, err
    assert "Alerts on: E-mail to dba@example.com" in err and "first 1,000 e-mails" in err
    assert alert_pieces(sandbox) == ONE_EACH

    code, out, err = run(capsys, "accept", "--region", REGION, "--name", name, "--wait", "30")
    assert code == 0, err
    hostname = next(line for line in out.splitlines() if "Hostname:" in line)
    assert hostname.strip().endswith(".us-east-1.vpce.amazonaws.com, port 3306")
    assert f".{result['endpoint_service_id']}." in hostname
    assert "Per zone:" in out

    code, out, err = run(capsys, "accept", "--region", REGION, "--name", name, "--json")
    shown = json.loads(out)
    assert shown["port"] == 3306
    assert shown["already_accepted"][0]["dns_names"][0] in hostname

    code, out, err = run(capsys, "status", "--region", REGION, "--name", name)
    assert "Hostname: " in out and ", port 3306" in out
    assert "Alerts:" in out and "Connection notices (Connect, Accept, Reject, Delete)" in out
    code, out, err = run(capsys, "status", "--region", REGION, "--name", name, "--json")
    [link] = json.loads(out)["links"]
    assert link["port"] == 3306 and link["connections"][0]["dns_names"]
    assert link["alerts"]["email"] == "dba@example.com" and link["alerts"]["notification_id"]

    code, out, err = run(capsys, "notify", "--region", REGION, "--name", name, "--email", "ops@example.com")
    assert code == 0, err
    assert "E-mail to ops@example.com" in out
    subs = client(sandbox, "sns").list_subscriptions_by_topic(TopicArn=link["alerts"]["topic_arn"])
    assert [s["Endpoint"] for s in subs["Subscriptions"]] == ["ops@example.com"]

    code, out, err = run(capsys, "teardown", "--region", REGION, "--name", name, "--yes")
    assert code == 0, err
    assert "SNS topic for alerts" in err and "CloudWatch alarm" in err and "connection notification" in err
    assert alert_pieces(sandbox) == NONE


def test_notify_on_an_existing_link_and_off_again(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    name = setup_json(capsys, "--source", "analytics-pg", "--fix")["name"]
    assert alert_pieces(sandbox) == NONE
    code, out, err = run(
        capsys, "notify", "--region", REGION, "--name", name, "--email", "dba@example.com", "--json"
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["alerts"]["alarm_name"] == f"{name}-no-healthy-database" and "CloudWatch" in shown["cost"]
    assert alert_pieces(sandbox) == ONE_EACH

    code, out, err = run(capsys, "notify", "--region", REGION, "--name", name, "--off")
    assert code == 0, err
    assert out.startswith(f"Removed the alerts of the link '{name}'")
    assert alert_pieces(sandbox) == NONE
    code, out, err = run(capsys, "notify", "--region", REGION, "--name", name, "--off")
    assert code == 0 and "had no alerts" in out


def test_a_bad_address_stops_setup_before_aws(sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "setup", "--region", REGION, "--source", "orders-mysql", "--yes", "--notify", "not-an-address"
    )
    assert code == 2
    assert "'not-an-address' is not an e-mail address" in err
    assert alert_pieces(sandbox) == NONE
