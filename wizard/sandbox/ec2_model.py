"""The sandbox's model of EC2 behaviour moto 5.2 lacks: zones, subnets a load balancer can use,
and endpoint services (see wizard/sandbox/timing.py for the timing scale).

- Zones have a state, a type and an opt-in status per account: a test (or the demo) can mark a
  zone `constrained` and add a Local Zone to a region (moto knows only standard zones, all
  `available`, shared by every account).
- `unusable_subnet_reason()` says why AWS would refuse a subnet for a new Network Load Balancer:
  a constrained zone, a Local Zone, or fewer than 8 free addresses. The ELB model calls it.
- An endpoint service is `Pending` for a while before `Available`, reports its zones' ids
  (`AvailabilityZoneIds`), honours `ClientToken`, and a load balancer backs only one service.

moto's `AvailableIpAddressCount` is already right (the subnet's size less AWS's 5 reserved
addresses less every address of every network interface in it), so subnets need no patch for it.
"""

from __future__ import annotations

import copy
import inspect
import threading
from collections.abc import Callable
from typing import Any

from wizard.sandbox import timing

# "Subnets in your VPC" (Amazon VPC User Guide): AWS reserves the first four addresses and the last.
RESERVED_PER_SUBNET = 5
# "Update the Availability Zones for your Network Load Balancer": each subnet needs 8 free addresses.
NLB_MIN_FREE_ADDRESSES = 8
# API_ServiceConfiguration documents the Pending state, not its length: ~30 s is our estimate.
SERVICE_PENDING_SECONDS = 30.0

AVAILABILITY_ZONE = "availability-zone"
LOCAL_ZONE = "local-zone"
WAVELENGTH_ZONE = "wavelength-zone"
# API_AvailabilityZone (EC2 API Reference): State is available | unavailable | constrained (older
# SDKs also list information and impaired).
_ZONE_WORDS = {LOCAL_ZONE: "Local Zone", WAVELENGTH_ZONE: "Wavelength Zone"}
ZONE_STATES = frozenset({"available", "information", "impaired", "unavailable", "constrained"})

_lock = threading.RLock()


# --- zones ----------------------------------------------------------------------------------


def zones(ec2_backend: Any) -> dict[str, Any]:
    """This account's zones in the backend's region, by name: its own copies of moto's zones (so
    a state changed here stays in this account and test), plus any Local Zones added."""
    with _lock:
        own: dict[str, Any] | None = getattr(ec2_backend, "_plw_zones", None)
        if own is None:
            from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

            own = {}
            region = ec2_backend.region_name
            for zone in RegionsAndZonesBackend.zones.get(region, []):
                mine: Any = copy.copy(zone)
                mine.messages = []
                # API_AvailabilityZone: standard zones are always opt-in-not-required.
                mine.opt_in_status = "opt-in-not-required"
                mine.group_name = region
                mine.network_border_group = region
                mine.parent_zone_name = None
                mine.parent_zone_id = None
                own[zone.name] = mine
            ec2_backend._plw_zones = own
        return own


def zone_named(ec2_backend: Any, name: str) -> Any | None:
    return zones(ec2_backend).get(name)


def set_zone_state(ec2_backend: Any, zone_name: str, state: str, message: str = "") -> None:
    """Give a zone another state (e.g. `constrained`), as DescribeAvailabilityZones reports it."""
    if state not in ZONE_STATES:
        raise ValueError(f"unknown zone state {state!r}")
    zone = zone_named(ec2_backend, zone_name)
    if zone is None:
        raise KeyError(zone_name)
    zone.state = state
    zone.messages = [{"Message": message}] if message else []


def add_local_zone(
    ec2_backend: Any,
    name: str,
    zone_id: str,
    parent_zone_name: str,
    opted_in: bool = True,
    zone_type: str = LOCAL_ZONE,
) -> Any:
    """Add a Local (or Wavelength) Zone to the region, e.g. us-east-1-bos-1a with parent
    us-east-1a. Its subnets can be created once opted in (AWS: "Get started with Local Zones")."""
    from moto.ec2.models.availability_zones_and_regions import Zone

    own = zones(ec2_backend)
    parent = own[parent_zone_name]
    zone: Any = Zone(name=name, region_name=ec2_backend.region_name, zone_id=zone_id, zone_type=zone_type)
    # API_AvailabilityZone: Local and Wavelength Zones are opted-in or not-opted-in.
    zone.opt_in_status = "opted-in" if opted_in else "not-opted-in"
    group = name[:-1] if name[-1:].isalpha() else name
    zone.group_name = group
    zone.network_border_group = group
    zone.parent_zone_name = parent.name
    zone.parent_zone_id = parent.zone_id
    own[name] = zone
    return zone


_ZONE_FILTERS = (
    ("zone-id", "zone_id"),
    ("zone-type", "zone_type"),
    ("zone-name", "name"),
    ("region-name", "region_name"),
    ("state", "state"),
    ("opt-in-status", "opt_in_status"),
    ("group-name", "group_name"),
    ("network-border-group", "network_border_group"),
    ("parent-zone-name", "parent_zone_name"),
    ("parent-zone-id", "parent_zone_id"),
)


def _describe_availability_zones(
    self: Any,
    filters: Any = None,
    zone_names: list[str] | None = None,
    zone_ids: list[str] | None = None,
    all_zones: bool = False,
) -> list[Any]:
    """This account's zones; DescribeAvailabilityZones leaves out zones not opted in unless
    AllAvailabilityZones is set (EC2 API Reference, DescribeAvailabilityZones)."""
    from moto.utilities.utils import filter_resources

    found = [
        z
        for z in zones(self).values()
        if all_zones or zone_names or zone_ids or z.opt_in_status != "not-opted-in"
    ]
    if filters:
        found = filter_resources(found, filters, _ZONE_FILTERS)
    found = [z for z in found if not zone_ids or z.zone_id in zone_ids]
    return [z for z in found if not zone_names or z.name in zone_names]


def _describe_availability_zones_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    self.error_on_dryrun()
    found = self.ec2_backend.describe_availability_zones(
        self._filters_from_querystring(),
        zone_names=self._get_param("ZoneNames", []),
        zone_ids=self._get_param("ZoneIds", []),
        all_zones=self._get_bool_param("AllAvailabilityZones", False),
    )
    return ActionResult({"AvailabilityZones": found})


def _wrap_create_subnet(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto looks zones up in its shared catalogue, which has no Local Zones: create the subnet in
    the parent zone, then move it into the Local Zone."""
    signature = inspect.signature(original)

    def create_subnet(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        name = bound.arguments.get("availability_zone")
        zone_id = bound.arguments.get("availability_zone_id")
        local = next(
            (
                z
                for z in zones(self).values()
                if z.zone_type != AVAILABILITY_ZONE
                and z.opt_in_status == "opted-in"
                and (z.name == name or (not name and z.zone_id == zone_id))
            ),
            None,
        )
        if local is None:
            return original(*bound.args, **bound.kwargs)
        bound.arguments["availability_zone"] = local.parent_zone_name
        bound.arguments["availability_zone_id"] = None
        subnet = original(*bound.args, **bound.kwargs)
        self.subnets[local.parent_zone_name].pop(subnet.id, None)
        subnet._availability_zone = local
        subnet.default_for_az = False
        subnet.map_public_ip_on_launch = False
        self.subnets[local.name][subnet.id] = subnet
        return subnet

    create_subnet.__wrapped__ = original  # type: ignore[attr-defined]
    return create_subnet


# --- subnets a Network Load Balancer can use -----------------------------------------------


def unusable_subnet(ec2_backend: Any, subnet_id: str) -> tuple[str, str] | None:
    """(error code, AWS-style message) if CreateLoadBalancer would refuse this subnet for a
    Network Load Balancer, else None (also for an unknown subnet: ELB reports that itself)."""
    subnet = next(
        (s for per_zone in ec2_backend.subnets.values() for s in per_zone.values() if s.id == subnet_id),
        None,
    )
    if subnet is None:
        return None
    zone = zone_named(ec2_backend, subnet.availability_zone) or subnet._availability_zone
    # "Update the Availability Zones for your Network Load Balancer": no subnet in a Local Zone.
    if zone.zone_type != AVAILABILITY_ZONE:
        return (
            "AvailabilityZoneNotSupported",
            f"The specified Availability Zone is not supported: subnet '{subnet_id}' is in "
            f"{zone.name}, a {_ZONE_WORDS.get(zone.zone_type, zone.zone_type)}; Network Load "
            "Balancers support only Availability Zones",
        )
    # Same page: no subnet in a constrained zone (code and wording are ours: not documented).
    if zone.state == "constrained":
        return (
            "AvailabilityZoneNotSupported",
            f"The specified Availability Zone is not supported: {zone.name} is constrained and "
            f"takes no new load balancer nodes (subnet '{subnet_id}')",
        )
    # Same page: at least 8 free addresses; ELB API Reference: InvalidSubnet for this case.
    free = int(subnet.available_ip_address_count)
    if free < NLB_MIN_FREE_ADDRESSES:
        return (
            "InvalidSubnet",
            f"Not enough IP addresses available in subnet '{subnet_id}': it has {free} free, a "
            f"Network Load Balancer needs at least {NLB_MIN_FREE_ADDRESSES}",
        )
    return None


def unusable_subnet_reason(ec2_backend: Any, subnet_id: str) -> str | None:
    """The message AWS would refuse this subnet for a new Network Load Balancer with, or None."""
    found = unusable_subnet(ec2_backend, subnet_id)
    return found[1] if found else None


# --- endpoint services ----------------------------------------------------------------------


def _get_service_state(self: Any) -> str:
    state = str(self.__dict__.get("_plw_service_state", "Available"))
    if state != "Available" or self.__dict__.get("_plw_settled"):
        return state
    # API_ServiceConfiguration: a new service is Pending, then Available. Once seen Available it
    # stays so (a later, slower timing scale does not take it back).
    if not timing.has_passed(timing.mark(self, "service_created"), SERVICE_PENDING_SECONDS):
        return "Pending"
    self.__dict__["_plw_settled"] = True
    return state


def _set_service_state(self: Any, value: str) -> None:
    self.__dict__["_plw_service_state"] = value
    timing.mark(self, "service_created")  # moto's __init__ sets the state: the creation time


def _availability_zone_ids(self: Any) -> list[str]:
    """API_ServiceConfiguration: AvailabilityZoneIds, the ids of the service's zones."""
    ids = []
    for name in self.availability_zones:
        zone = zone_named(self.ec2_backend, name)
        ids.append(zone.zone_id if zone is not None else "")
    return [i for i in ids if i]


def _wrap_to_dict(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def to_dict(self: Any) -> dict[str, Any]:
        detail = original(self)
        detail["AvailabilityZoneIds"] = _availability_zone_ids(self)  # API_ServiceDetail
        return detail

    return to_dict


def _service_using(ec2_backend: Any, lb_arn: str) -> Any | None:
    for config in list(ec2_backend.configurations.values()):
        if lb_arn in config.network_load_balancer_arns + config.gateway_load_balancer_arns:
            return config
    return None


def _refuse_a_second_service(ec2_backend: Any, lb_arns: list[str]) -> None:
    """AWS's "Create a service powered by AWS PrivateLink": a Network Load Balancer can be associated
    with a single endpoint service. AWS does not document the refusal's code or wording."""
    from moto.ec2.exceptions import EC2ClientError

    for arn in lb_arns:
        other = _service_using(ec2_backend, arn)
        if other is not None:
            raise EC2ClientError(
                "InvalidParameter",
                f"Load balancer {arn} is already associated with endpoint service {other.id}",
            )


def _wrap_create_service(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def create_vpc_endpoint_service_configuration(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        _refuse_a_second_service(self, list(bound.arguments.get("lb_arns") or []))
        return original(*bound.args, **bound.kwargs)

    create_vpc_endpoint_service_configuration.__wrapped__ = original  # type: ignore[attr-defined]
    return create_vpc_endpoint_service_configuration


def _wrap_modify_service(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def modify_vpc_endpoint_service_configuration(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        added = list(bound.arguments.get("add_network_lbs") or []) + list(
            bound.arguments.get("add_gateway_lbs") or []
        )
        _refuse_a_second_service(self, added)
        return original(*bound.args, **bound.kwargs)

    modify_vpc_endpoint_service_configuration.__wrapped__ = original  # type: ignore[attr-defined]
    return modify_vpc_endpoint_service_configuration


def _wrap_create_service_response(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_vpc_endpoint_service_configuration(self: Any) -> Any:
        """EC2 API Reference, "Ensuring idempotency": a repeat with the same ClientToken returns
        the service the first call made instead of a second one (which AWS would refuse here)."""
        from moto.core.responses import ActionResult

        token = self._get_param("ClientToken")
        made: dict[str, str] = self.ec2_backend.__dict__.setdefault("_plw_service_tokens", {})
        if token and token in made:
            config = self.ec2_backend.get_vpc_endpoint_service(made[token])
            if config is not None:
                return ActionResult({"ServiceConfiguration": config})
        result = original(self)
        if token:
            made[token] = result.result["ServiceConfiguration"].id
        return result

    create_vpc_endpoint_service_configuration.__wrapped__ = original  # type: ignore[attr-defined]
    return create_vpc_endpoint_service_configuration


def install() -> None:
    """Patch moto (called once, under moto_ext's lock)."""
    from moto.ec2.models import EC2Backend
    from moto.ec2.models.vpc_service_configuration import VPCServiceConfiguration
    from moto.ec2.responses import EC2Response

    EC2Backend.describe_availability_zones = _describe_availability_zones  # type: ignore[method-assign]
    EC2Response.describe_availability_zones = _describe_availability_zones_response  # type: ignore[method-assign]
    EC2Backend.create_subnet = _wrap_create_subnet(EC2Backend.create_subnet)  # type: ignore[method-assign]
    EC2Backend.create_vpc_endpoint_service_configuration = _wrap_create_service(  # type: ignore[method-assign]
        EC2Backend.create_vpc_endpoint_service_configuration
    )
    EC2Backend.modify_vpc_endpoint_service_configuration = _wrap_modify_service(  # type: ignore[method-assign]
        EC2Backend.modify_vpc_endpoint_service_configuration
    )
    EC2Response.create_vpc_endpoint_service_configuration = _wrap_create_service_response(  # type: ignore[method-assign]
        EC2Response.create_vpc_endpoint_service_configuration
    )
    VPCServiceConfiguration.service_state = property(_get_service_state, _set_service_state)  # type: ignore[assignment]
    VPCServiceConfiguration.availability_zone_ids = property(_availability_zone_ids)  # type: ignore[attr-defined]
    VPCServiceConfiguration.to_dict = _wrap_to_dict(VPCServiceConfiguration.to_dict)  # type: ignore[method-assign]
