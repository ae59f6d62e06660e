"""Cross-region links: which regions a platform may connect from, checked before anything is
created, and which of the platform's regions to offer when the link's own is not one of them.

The rule for the offer: the platform's regions ordered by the great-circle distance between the
regions' home cities, nearest first; the nearest is suggested. Distance stands for both what a
DBA feels (latency grows with it) and what AWS charges (the inter-region price is lowest between
neighbours: us-east-1 ↔ us-east-2). One region is enough: the platform needs one place to connect
from, and every extra region is one more the platform could reach the database from.
No AWS call here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cache

from wizard.errors import bad_input
from wizard.validators import validate_region

# Each commercial region's home city (latitude, longitude), for the distance rule above.
_CITIES: dict[str, tuple[float, float]] = {
    "us-east-1": (38.9, -77.4), "us-east-2": (40.0, -83.0), "us-west-1": (37.4, -121.9),
    "us-west-2": (45.6, -121.2), "ca-central-1": (45.5, -73.6), "ca-west-1": (51.0, -114.1),
    "sa-east-1": (-23.5, -46.6), "mx-central-1": (20.6, -100.4), "eu-west-1": (53.3, -6.3),
    "eu-west-2": (51.5, -0.1), "eu-west-3": (48.9, 2.4), "eu-central-1": (50.1, 8.7),
    "eu-central-2": (47.4, 8.5), "eu-north-1": (59.3, 18.1), "eu-south-1": (45.5, 9.2),
    "eu-south-2": (41.6, -0.9), "ap-south-1": (19.1, 72.9), "ap-south-2": (17.4, 78.5),
    "ap-southeast-1": (1.35, 103.8), "ap-southeast-2": (-33.9, 151.2),
    "ap-southeast-3": (-6.2, 106.8), "ap-southeast-4": (-37.8, 145.0),
    "ap-southeast-5": (3.1, 101.7), "ap-southeast-7": (13.8, 100.5),
    "ap-northeast-1": (35.7, 139.7), "ap-northeast-2": (37.6, 127.0),
    "ap-northeast-3": (34.7, 135.5), "ap-east-1": (22.3, 114.2), "me-south-1": (26.1, 50.6),
    "me-central-1": (24.5, 54.4), "il-central-1": (32.1, 34.8), "af-south-1": (-33.9, 18.4),
}  # fmt: skip
# Regions an account must enable before using them ("opt-in Regions"); the PrivateLink guide,
# "Cross-Region access": a provider must opt in to one before adding it as a supported Region.
OPT_IN = frozenset(
    {
        "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1",
        "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
    }
)  # fmt: skip


@cache
def known_regions() -> frozenset[str]:
    """Every region code AWS has (our list, plus any newer one botocore knows)."""
    import botocore.session

    found = set(_CITIES)
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        found |= set(botocore.session.get_session().get_available_regions("ec2", partition))
    return frozenset(found)


def validate_consumer_regions(regions: Iterable[str], link_region: str) -> tuple[str, ...]:
    """The regions asked for the platform, checked before anything is created: each an AWS region
    other than the link's own (which the platform can always use), in AWS's partition of it."""
    found: list[str] = []
    for raw in regions:
        region = validate_region(raw)
        if region not in known_regions():
            raise bad_input(
                f"'{raw}' is not a region AWS has",
                "Use a region code such as us-west-2 or eu-central-1 (the platform's documentation "
                "lists where it connects from).",
            )
        if region == link_region:
            raise bad_input(
                f"{region} is the link's own region",
                "The platform can always connect from the link's own region: leave it out and "
                "name only other regions with --consumer-region.",
            )
        if _partition(region) != _partition(link_region):
            raise bad_input(
                f"{region} and {link_region} are in different AWS partitions",
                "An endpoint service can be offered only in regions of its own partition "
                "(commercial, China or GovCloud).",
            )
        if region not in found:
            found.append(region)
    return tuple(found)


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def distance_km(a: str, b: str) -> float:
    """Great-circle distance between two regions' home cities (inf when one is not known)."""
    if a not in _CITIES or b not in _CITIES:
        return math.inf
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, _CITIES[r])) for r in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def nearest_first(link_region: str, platform_regions: Sequence[str]) -> list[str]:
    """The platform's regions, nearest to the link's first (the offer's order)."""
    others = [r for r in platform_regions if r != link_region]
    return sorted(others, key=lambda r: (distance_km(link_region, r), others.index(r)))


def suggestion(link_region: str, platform_regions: Sequence[str]) -> str:
    """The platform region to offer when the link's region is not one of the platform's ("" when
    it is, or the platform lists no other)."""
    if link_region in platform_regions:
        return ""
    ordered = nearest_first(link_region, platform_regions)
    return ordered[0] if ordered else ""


def opt_in_note(regions: Iterable[str]) -> str:
    """What to know about opt-in regions among these ("" when none)."""
    opt_in = [r for r in regions if r in OPT_IN]
    if not opt_in:
        return ""
    return (
        f"{', '.join(opt_in)} {'is an opt-in region' if len(opt_in) == 1 else 'are opt-in regions'}: "
        "your account must have it enabled first (AWS console → Account → AWS Regions)."
    )
