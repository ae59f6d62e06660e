"""Issue 20 (2): cross-region. `setup --consumer-region R` offers the endpoint service in R too
(SupportedRegions), says what it costs, names R in the message to the platform; status shows
the regions and their state; a re-run without it stops offering R; bad input is refused before
anything is created; where the platform does not connect from the link's region, setup offers
its nearest region."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli_setup import REGION, client, count_managed, run

SOURCE = "orders-mysql"


@pytest.fixture
def sandbox(sandbox_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The sandbox server, which the CLI reaches through AWS_ENDPOINT_URL (as in test_cli_setup)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox_server.endpoint_url)
    return sandbox_server


def supported(sandbox: Any, service_id: str) -> list[tuple[str, str]]:
    config = client(sandbox, "ec2").describe_vpc_endpoint_service_configurations(ServiceIds=[service_id])
    return [(r["Region"], r["ServiceState"]) for r in config["ServiceConfigurations"][0]["SupportedRegions"]]


def test_consumer_region_offers_the_service_there_says_the_cost_and_names_it_to_the_platform(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "setup", "--region", REGION, "--yes", "--json", "--fix",
        "--source", SOURCE, "--consumer-region", "us-west-2",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["consumer_regions"] == ["us-west-2"]
    assert supported(sandbox, result["endpoint_service_id"]) == [
        ("us-east-1", "Available"),
        ("us-west-2", "Available"),
    ]
    # The preview, before anything was created: the change and its price.
    assert "Will change: Offer the endpoint service in us-west-2 too" in err
    assert "Will cost: about $0.02 per GB of traffic between us-east-1 and us-west-2" in err
    assert (
        "Connect from region us-west-2 (cross-region): your endpoint's service region is us-east-1"
        in result["message"]
    )

    code, out, err = run(capsys, "status", "--region", REGION, "--name", result["name"], "--json")
    assert code in (0, 1), err
    [link] = json.loads(out)["links"]
    assert link["supported_regions"] == [
        {"region": "us-east-1", "state": "Available"},
        {"region": "us-west-2", "state": "Available"},
    ]
    assert link["record"]["consumer_regions"] == ["us-west-2"]
    code, out, _ = run(capsys, "status", "--region", REGION, "--name", result["name"])
    assert "Also offered in (cross-region): us-west-2 (Available)" in out

    # A re-run without it converges: the region is no longer offered (after saying so).
    code, out, err = run(capsys, "setup", "--region", REGION, "--yes", "--json", "--fix", "--source", SOURCE)
    assert code == 0, err
    assert (
        "Will remove: the endpoint service's offer in us-west-2 (endpoints the platform "
        "already made there keep working)" in err
    )
    again = json.loads(out)
    assert again["endpoint_service_id"] == result["endpoint_service_id"] and again["consumer_regions"] == []
    assert supported(sandbox, result["endpoint_service_id"]) == [("us-east-1", "Available")]
    assert "cross-region" not in again["message"]

    code, _, err = run(capsys, "teardown", "--region", REGION, "--name", result["name"], "--yes")
    assert code == 0, err


@pytest.mark.parametrize(
    ("regions", "fragment"),
    [
        (["moon-1"], "'moon-1' is not an AWS region name"),
        (["us-east-9"], "'us-east-9' is not a region AWS has"),
        (["us-east-1"], "us-east-1 is the link's own region"),
        (["cn-north-1"], "cn-north-1 and us-east-1 are in different AWS partitions"),
    ],
)
def test_a_bad_consumer_region_is_refused_before_anything_is_created(
    sandbox: Any, capsys: pytest.CaptureFixture[str], regions: list[str], fragment: str
) -> None:
    before = count_managed(sandbox)
    args = [a for r in regions for a in ("--consumer-region", r)]
    code, _out, err = run(capsys, "setup", "--region", REGION, "--yes", "--source", SOURCE, *args)
    assert code == 2
    assert fragment in err and "Traceback" not in err
    assert count_managed(sandbox) == before


def test_one_zone_cannot_serve_other_regions_refused_before_anything_is_created(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    before = count_managed(sandbox)
    subnet = sandbox.sample.subnet_ids[0]
    code, _out, err = run(
        capsys, "setup", "--region", REGION, "--yes", "--source", SOURCE,
        "--subnets", subnet, "--consumer-region", "us-west-2",
    )  # fmt: skip
    assert code == 2, err
    assert "AWS offers an endpoint service in other regions only from at least two such zones" in err
    assert count_managed(sandbox) == before


def test_setup_offers_the_platforms_nearest_region_when_it_does_not_connect_from_the_links(
    sandbox: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    profile = tmp_path / "acme.toml"
    profile.write_text(
        'id = "acme"\ndisplay_name = "Acme"\nprincipal = "arn:aws:iam::012922587834:root"\n'
        'regions = ["eu-west-1", "us-west-2"]\nsupport_contact = "Acme support"\n',
        encoding="utf-8",
    )
    code, out, err = run(
        capsys, "setup", "--region", REGION, "--yes", "--fix", "--json", "--source", SOURCE,
        "--consumer", str(profile),
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["consumer_regions"] == []  # offered, not done: it costs
    assert (
        "Note: Acme does not connect from us-east-1; it connects from us-west-2, eu-west-1. Add "
        "--consumer-region us-west-2 (the nearest) to offer the service there too" in err
    )
    assert "about $0.02 per GB of traffic" in err
    run(capsys, "teardown", "--region", REGION, "--name", result["name"], "--yes")
