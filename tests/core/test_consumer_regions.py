"""Issue 20 (2): which regions a platform may connect from, the nearest-region offer, what the
traffic costs, and that a link record keeps its regions."""

from __future__ import annotations

import pytest

from wizard import consumer_regions as xr
from wizard import costs
from wizard.aws.endpoint_service import ServiceInfo
from wizard.consumers import Consumer
from wizard.diagnostics.diagnosis import region_findings
from wizard.diagnostics.status import LinkStatus
from wizard.errors import UserError
from wizard.model import LinkRecord

PLATFORM = Consumer(
    "acme", "Acme", "arn:aws:iam::012922587834:root", ("eu-west-1", "us-west-2", "ap-south-1")
)


def test_the_nearest_of_the_platforms_regions_is_offered_first() -> None:
    assert xr.nearest_first("us-east-1", PLATFORM.regions) == ["us-west-2", "eu-west-1", "ap-south-1"]
    assert xr.suggestion("us-east-1", PLATFORM.regions) == "us-west-2"
    assert xr.suggestion("eu-central-1", PLATFORM.regions) == "eu-west-1"
    assert xr.suggestion("ap-south-2", PLATFORM.regions) == "ap-south-1"  # Hyderabad → Mumbai
    assert xr.suggestion("us-west-2", PLATFORM.regions) == ""  # the platform connects from it


@pytest.mark.parametrize(
    ("asked", "fragment"),
    [
        (["us_west_2"], "is not an AWS region name"),
        (["us-west-9"], "is not a region AWS has"),
        (["us-east-1"], "is the link's own region"),
        (["us-gov-west-1"], "different AWS partitions"),
    ],
)
def test_bad_consumer_regions_are_refused_with_why(asked: list[str], fragment: str) -> None:
    with pytest.raises(UserError) as caught:
        xr.validate_consumer_regions(asked, "us-east-1")
    assert fragment in caught.value.paragraph() and caught.value.exit_code == 2


def test_good_consumer_regions_are_kept_once_in_order() -> None:
    assert xr.validate_consumer_regions(["US-West-2", "eu-west-1", "us-west-2"], "us-east-1") == (
        "us-west-2",
        "eu-west-1",
    )
    assert "af-south-1 is an opt-in region" in xr.opt_in_note(["af-south-1", "us-west-2"])
    assert xr.opt_in_note(["us-west-2"]) == ""


def test_cross_region_traffic_is_priced_per_gb_with_neighbours_cheaper() -> None:
    assert costs.cross_region_cost("us-east-1", ()) is None
    near = costs.cross_region_cost("us-east-1", ("us-east-2",))
    assert near is not None and near.per_gb == {"us-east-2": 0.01}
    far = costs.cross_region_cost("us-east-1", ("us-west-2", "us-east-2"))
    assert far is not None
    line = far.line()
    assert "about $0.01–$0.02 per GB" in line and "inter-region data transfer" in line
    assert far.pricing_page == "https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer"
    assert far.as_of in line


def test_a_record_keeps_its_regions_and_an_older_record_loads_without() -> None:
    record = LinkRecord(name="l", region="us-east-1", consumer_regions=["us-west-2"])
    assert LinkRecord.from_dict(record.to_dict()).consumer_regions == ["us-west-2"]
    assert LinkRecord.from_dict({"name": "l", "region": "us-east-1"}).consumer_regions == []


def _status(region: str, supported: tuple[tuple[str, str], ...]) -> LinkStatus:
    service = ServiceInfo("vpce-svc-1", "com.amazonaws.vpce.x", "Available", True, (), (), (), supported)
    return LinkStatus(name="l", region=region, account_id="1", service=service)


def test_status_offers_the_nearest_region_until_the_service_is_offered_there() -> None:
    [finding] = region_findings(_status("us-east-1", (("us-east-1", "Available"),)), PLATFORM)
    assert finding.title == "Acme does not connect from us-east-1"
    assert "--consumer-region us-west-2 (the platform's nearest region)" in finding.fix
    offered = _status("us-east-1", (("us-east-1", "Available"), ("us-west-2", "Available")))
    assert region_findings(offered, PLATFORM) == []
    pending = region_findings(_status("us-east-1", (("us-west-2", "Pending"),)), PLATFORM)
    assert [(f.severity, f.title) for f in pending] == [
        ("warning", "The endpoint service is 'Pending' in us-west-2")
    ]
    failed = region_findings(_status("us-east-1", (("us-west-2", "Failed"),)), PLATFORM)
    assert failed[0].severity == "problem"
