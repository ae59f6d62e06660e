"""Whether a link's load balancer serves a database's zones, and extending it to them.

A load balancer sends traffic only to targets in zones it has a subnet in, cross-zone load
balancing or not ("Update the Availability Zones for your Network Load Balancer", ELB guide), so a
database added to a link needs the load balancer in its zone. SetSubnets enables more zones on a
Network Load Balancer: one subnet per zone, every subnet it has already kept as it is (API
reference, SetSubnets). The endpoint service is offered in its load balancer's zones ("Create a
service powered by AWS PrivateLink", Prerequisites), so it gains the zone too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wizard.aws import discovery
from wizard.aws.errors import aws_step
from wizard.aws.nlb import NlbInfo
from wizard.aws.session import AwsContext
from wizard.model import DataSource, SubnetInfo


@dataclass(frozen=True)
class ZonePlan:
    """What the load balancer needs for the database's zones."""

    served: tuple[str, ...]  # the database's zones the load balancer already serves
    new_subnets: tuple[SubnetInfo, ...]  # one usable subnet per zone it gains
    unreachable: tuple[str, ...]  # the database's zones with no usable subnet in the VPC

    @property
    def refused(self) -> bool:
        """True when the database would be in no zone the load balancer serves."""
        return not self.served and not self.new_subnets

    def words(self) -> str:
        gained = ", ".join(f"{s.subnet_id} in {s.availability_zone}" for s in self.new_subnets)
        return f"the load balancer gains the subnet(s) {gained}" if gained else ""


def plan_zones(aws: AwsContext, source: DataSource, balancer: NlbInfo) -> ZonePlan:
    """The database's zones the load balancer lacks, and a usable subnet of the VPC for each
    (the database's own subnet first); reads only."""
    subnets = discovery.list_subnets(aws, balancer.vpc_id)
    zone_of = {s.subnet_id: s.availability_zone for s in subnets}
    have = {zone_of[s] for s in balancer.subnet_ids if s in zone_of}
    wanted = [z for z in dict.fromkeys(source.availability_zones) if z]
    own = set(source.subnet_ids)
    gained, unreachable = [], []
    for zone in (z for z in wanted if z not in have):
        usable = sorted(
            (s for s in subnets if s.availability_zone == zone and not s.problem),
            key=lambda s: (s.subnet_id not in own, s.subnet_id),
        )
        if usable:
            gained.append(usable[0])
        else:
            unreachable.append(zone)
    return ZonePlan(tuple(z for z in wanted if z in have), tuple(gained), tuple(unreachable))


def _mappings(aws: AwsContext, arn: str) -> list[dict[str, Any]]:
    """The load balancer's subnets with their existing configuration (a fixed private address)."""
    with aws_step("Looking for the load balancer", "elasticloadbalancing:DescribeLoadBalancers"):
        reply = aws.elbv2.describe_load_balancers(LoadBalancerArns=[arn])
    mappings = []
    for zone in reply["LoadBalancers"][0].get("AvailabilityZones", []):
        mapping: dict[str, Any] = {"SubnetId": zone["SubnetId"]}
        fixed = [
            a["PrivateIPv4Address"]
            for a in zone.get("LoadBalancerAddresses", [])
            if a.get("PrivateIPv4Address")
        ]
        if fixed:
            mapping["PrivateIPv4Address"] = fixed[0]
        mappings.append(mapping)
    return mappings


def add_subnets(aws: AwsContext, arn: str, subnet_ids: Sequence[str]) -> list[str]:
    """Enable the zones of `subnet_ids` on the load balancer, keeping every subnet it has;
    returns its subnets now."""
    mappings = _mappings(aws, arn)
    present = {m["SubnetId"] for m in mappings}
    mappings += [{"SubnetId": s} for s in subnet_ids if s not in present]
    with aws_step("Adding the database's zone to the load balancer", "elasticloadbalancing:SetSubnets"):
        reply = aws.elbv2.set_subnets(LoadBalancerArn=arn, SubnetMappings=mappings)
    return [z["SubnetId"] for z in reply.get("AvailabilityZones", []) if z.get("SubnetId")]
