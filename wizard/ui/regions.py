"""Region codes for the region picker (a fixed list: loading botocore's endpoint data at start-up
would cost more than it saves; any other code can still be typed)."""

from __future__ import annotations

COMMERCIAL_REGIONS: tuple[str, ...] = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "ca-central-1", "ca-west-1", "sa-east-1", "mx-central-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2",
    "eu-north-1", "eu-south-1", "eu-south-2",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-east-1", "me-south-1", "me-central-1", "il-central-1", "af-south-1",
)  # fmt: skip


def ordered_regions(preferred: tuple[str, ...]) -> list[str]:
    """The consumer's regions first (in its order), then every other region."""
    return list(preferred) + [r for r in COMMERCIAL_REGIONS if r not in preferred]
