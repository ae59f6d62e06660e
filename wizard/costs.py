"""What the resources of a new link cost per month, from the price table the app ships
(resources/prices/link-costs.json, dated, with AWS's pricing page). No AWS call: the Price List
API would need one more permission and a us-east-1 client for a figure that changes rarely."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from wizard.paths import resource


@dataclass(frozen=True)
class CostEstimate:
    region: str
    priced_region: str  # the region whose prices were used (the fallback's when not listed)
    nlb_hour: float
    nlcu_hour: float
    nlcus: float
    hours: int
    as_of: str
    pricing_page: str

    @property
    def nlb_month(self) -> float:
        return round(self.nlb_hour * self.hours, 2)

    @property
    def nlcu_month(self) -> float:
        return round(self.nlcu_hour * self.nlcus * self.hours, 2)

    @property
    def monthly(self) -> float:
        return self.nlb_month + self.nlcu_month

    @property
    def exact_region(self) -> bool:
        return self.priced_region == self.region

    def summary(self) -> str:
        """One line: "About $20.81 a month in us-east-1"."""
        where = self.region if self.exact_region else f"{self.region} (at {self.priced_region}'s prices)"
        return f"About ${self.monthly:,.2f} a month in {where}"

    def detail(self) -> str:
        """How the figure is made, who pays what, and where the prices come from."""
        parts = [
            f"the load balancer {self.hours} h × ${self.nlb_hour:g} = ${self.nlb_month:,.2f}",
            f"{'one' if self.nlcus == 1 else f'{self.nlcus:g}'} typical capacity unit (NLCU, 1 GB "
            f"an hour) {self.hours} h × ${self.nlcu_hour:g} = ${self.nlcu_month:,.2f}",
            "the endpoint service, target group and listener are free to you",
            "the platform pays for its own endpoint",
        ]
        text = "; ".join(parts) + f". AWS prices of {self.as_of}: {self.pricing_page}"
        if not self.exact_region:
            text += (
                f". The wizard has no prices for {self.region}: these are {self.priced_region}'s; "
                "many regions charge somewhat more, see the pricing page"
            )
        return text


@cache
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource("prices", "link-costs.json").read_text(encoding="utf-8"))
    return data


def monthly_cost(region: str) -> CostEstimate:
    """The monthly cost of one link's load balancer in `region` (its own prices when the table
    has them, else the fallback region's, said in the text)."""
    table = _table()
    priced = region if region in table["regions"] else table["fallback_region"]
    prices = table["regions"][priced]
    return CostEstimate(
        region=region,
        priced_region=priced,
        nlb_hour=float(prices["nlb_hour"]),
        nlcu_hour=float(prices["nlcu_hour"]),
        nlcus=float(table["typical_nlcu"]),
        hours=int(table["hours_per_month"]),
        as_of=str(table["prices_as_of"]),
        pricing_page=str(table["pricing_page"]),
    )


@dataclass(frozen=True)
class CrossRegionCost:
    """What traffic between the link's region and the platform's other region(s) costs."""

    region: str
    consumer_regions: tuple[str, ...]
    per_gb: dict[str, float]  # by consumer region
    as_of: str
    pricing_page: str

    def line(self) -> str:
        """One line: "about $0.02 per GB of traffic between us-east-1 and us-west-2 (…)"."""
        rates = sorted(set(self.per_gb.values()))
        price = f"${rates[0]:g}" if len(rates) == 1 else f"${rates[0]:g}–${rates[-1]:g}"
        return (
            f"about {price} per GB of traffic between {self.region} and {', '.join(self.consumer_regions)} "
            f"(inter-region data transfer, AWS prices of {self.as_of}; the database's replies leave "
            f"{self.region}, so expect them on your bill)"
        )


def cross_region_cost(region: str, consumer_regions: tuple[str, ...]) -> CrossRegionCost | None:
    """The inter-region data transfer rate between the link's region and each consumer region
    (None when there is none: the platform connects in the link's own region)."""
    if not consumer_regions:
        return None
    table = _table()
    rates = table["inter_region_gb"]
    per_gb = {
        other: float(rates["pairs"].get(" ".join(sorted((region, other))), rates["default"]))
        for other in consumer_regions
    }
    return CrossRegionCost(
        region, consumer_regions, per_gb, str(table["prices_as_of"]), str(rates["pricing_page"])
    )
