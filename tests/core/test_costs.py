"""The monthly cost of a new link, from the price table the app ships."""

from __future__ import annotations

import json

from wizard import costs
from wizard.paths import resource


def test_us_east_1_is_priced_from_the_table_with_its_date_and_page() -> None:
    cost = costs.monthly_cost("us-east-1")
    # 730 h × $0.0225 (load balancer) + 730 h × $0.006 (one NLCU)
    assert (cost.nlb_month, cost.nlcu_month) == (16.43, 4.38)
    assert cost.summary() == "About $20.81 a month in us-east-1"
    detail = cost.detail()
    assert "the endpoint service, target group and listener are free to you" in detail
    assert "the platform pays for its own endpoint" in detail
    table = json.loads(resource("prices", "link-costs.json").read_text(encoding="utf-8"))
    assert table["prices_as_of"] in detail
    assert "https://aws.amazon.com/elasticloadbalancing/pricing/" in detail


def test_a_region_not_in_the_table_says_whose_prices_it_shows() -> None:
    cost = costs.monthly_cost("ap-southeast-3")
    assert not cost.exact_region
    assert cost.summary() == "About $20.81 a month in ap-southeast-3 (at us-east-1's prices)"
    assert "The wizard has no prices for ap-southeast-3" in cost.detail()


def test_every_region_in_the_table_has_both_prices() -> None:
    table = json.loads(resource("prices", "link-costs.json").read_text(encoding="utf-8"))
    assert table["fallback_region"] in table["regions"]
    for region, prices in table["regions"].items():
        assert prices["nlb_hour"] > 0 and prices["nlcu_hour"] > 0, region
