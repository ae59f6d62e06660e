"""The regions an endpoint service is offered in besides its own (cross-region PrivateLink):
what changes, making the change, and waiting until each region is available.

AWS facts (PrivateLink guide, "Share your services through AWS PrivateLink" → "Cross-Region
access"): the host region is always supported and cannot be removed; removing a region stops new
endpoints from choosing it but does not cut existing ones; the caller needs the permission-only
action vpce:AllowMultiRegion besides ec2:CreateVpcEndpointServiceConfiguration / Modify….
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wizard.aws.endpoint_service import ServiceInfo, read_service
from wizard.aws.errors import aws_step
from wizard.aws.polling import DEFAULT_PATIENCE, Patience, wait_until
from wizard.aws.session import AwsContext
from wizard.errors import EXIT_TIMEOUT, UserError

STEP = "Offering the endpoint service in the platform's region"
# API_SupportedRegionDetail: Pending, Available, Deleting, Deleted, Failed, Closed.
_BROKEN = {"Failed", "Closed"}
# PrivateLink guide, "Cross-Region access": these zones do not support it.
NO_CROSS_REGION_ZONES = frozenset({"use1-az3", "usw1-az2", "apne1-az3", "apne2-az2", "apne2-az4"})


@dataclass(frozen=True)
class RegionChange:
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.add or self.remove)


def other_regions(info: ServiceInfo, host_region: str) -> dict[str, str]:
    """{region: state} for each region the service is offered in besides its own."""
    return {r: state for r, state in info.supported_regions if r and r != host_region and state != "Deleted"}


def change_for(current: Sequence[str], wanted: Sequence[str]) -> RegionChange:
    return RegionChange(
        add=tuple(r for r in wanted if r not in current),
        remove=tuple(r for r in current if r not in wanted),
    )


def converge(
    aws: AwsContext,
    service_id: str,
    host_region: str,
    wanted: Sequence[str],
    patience: Patience = DEFAULT_PATIENCE,
) -> ServiceInfo:
    """Make the service offered in exactly `wanted` besides its own region, then wait until each
    of them is Available (a region AWS is still adding is Pending for a while)."""
    info = read_service(aws, service_id)
    change = change_for(list(other_regions(info, host_region)), wanted)
    if change:
        params: dict[str, list[str]] = {}
        if change.add:
            params["AddSupportedRegions"] = list(change.add)
        if change.remove:
            params["RemoveSupportedRegions"] = list(change.remove)
        with aws_step(STEP, "ec2:ModifyVpcEndpointServiceConfiguration"):
            aws.ec2.modify_vpc_endpoint_service_configuration(ServiceId=service_id, **params)
    if not wanted:
        return read_service(aws, service_id)

    def done(now: ServiceInfo) -> bool:
        states = other_regions(now, host_region)
        broken = [r for r in wanted if states.get(r) in _BROKEN]
        if broken:
            raise UserError(
                what=f"AWS could not offer the endpoint service in {', '.join(broken)}",
                why=f"The region's state is '{states[broken[0]]}'.",
                fix="Check that the region is enabled for your account (AWS console → Account → "
                "AWS Regions), then run setup again.",
                step=STEP,
            )
        return all(states.get(r) == "Available" for r in wanted)

    def timed_out(now: ServiceInfo) -> UserError:
        states = other_regions(now, host_region)
        waiting = ", ".join(
            f"{r} ({states.get(r, 'not listed')})" for r in wanted if states.get(r) != "Available"
        )
        return UserError(
            what=f"The endpoint service is not yet available in {waiting} after {patience.timeout:g} seconds",
            why="AWS is taking longer than usual.",
            fix="Nothing is lost: run the same step again and it continues where it stopped.",
            step=STEP,
            exit_code=EXIT_TIMEOUT,
        )

    return wait_until(lambda: read_service(aws, service_id), done, patience, timed_out)
