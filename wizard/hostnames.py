"""The hostnames the platform will use: its endpoint's DNS names as the provider sees them
(the endpoint connection's DnsEntries), with the port. No AWS calls and no Qt here."""

from __future__ import annotations

import re
from collections.abc import Sequence

# PrivateLink guide, "DNS hostnames": a zonal name has the zone after the endpoint id and suffix
# (vpce-…-abcd1234-us-east-1a.vpce-svc-…), the Regional one does not.
_ZONAL = re.compile(r"^vpce-[0-9a-f]+-[0-9a-z]+-[a-z]{2}(?:-[a-z]+)+-\d[a-z]\.")


def split(dns_names: Sequence[str]) -> tuple[list[str], list[str]]:
    """(Regional names, zonal names) of an endpoint connection."""
    zonal = [n for n in dns_names if _ZONAL.match(n)]
    return [n for n in dns_names if n not in zonal], zonal


def lines(dns_names: Sequence[str], port: int) -> list[str]:
    """What to tell the DBA: the hostname the platform connects to, and the per-zone ones."""
    if not dns_names:
        return ["No DNS name reported yet (AWS gives them once the endpoint is available)."]
    regional, zonal = split(dns_names)
    on = f", port {port}" if port else ""
    shown = [f"Hostname: {name}{on}" for name in regional or zonal[:1]]
    if regional and zonal:
        shown.append(f"Per zone: {', '.join(zonal)}")
    return shown
