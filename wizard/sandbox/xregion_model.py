"""The sandbox's model of cross-region PrivateLink for endpoint services (SupportedRegions).

moto 5.2 takes SupportedRegions / AddSupportedRegions / RemoveSupportedRegions and lists exactly
the names it was given, each `Available`: it checks nothing, omits the host region, and answers
a removal of a region it does not list with an HTTP 500. AWS, per the PrivateLink guide ("Share
your services through AWS PrivateLink" → "Cross-Region access") and the EC2 API Reference:

- the host region is always supported and cannot be removed;
- a provider must opt in to an opt-in region before adding it;
- the service must be in at least two Availability Zones that support cross-region access
  (use1-az3, usw1-az2, apne1-az3, apne2-az2 and apne2-az4 do not);
- each region has a ServiceState (API_SupportedRegionDetail): an added region is Pending for a
  while, then Available;
- the caller also needs the permission-only action vpce:AllowMultiRegion (condition key
  ec2:VpceSupportedRegion): `iam_checks()` adds it to the sandbox's IAM enforcement;
- a consumer in an offered region creates its interface endpoint there with ServiceRegion = the
  service's region; the provider sees it among its connections (VpcEndpointRegion = the
  consumer's region), pending acceptance; a region not offered (or no longer) is refused.

AWS does not document the refusals' codes or wording: the sandbox answers InvalidParameterValue
in words of its own. A removal of a region the service does not list is a no-op here (AWS's answer
is undocumented; moto's 500 is surely not it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from wizard.sandbox import timing

# PrivateLink guide, "Cross-Region access": zones that do not support it.
NO_CROSS_REGION_ZONES = frozenset({"use1-az3", "usw1-az2", "apne1-az3", "apne2-az2", "apne2-az4"})
# AWS Account Management guide, "Enable or disable AWS Regions in your account": regions launched
# after 20 March 2019 are disabled until the account opts in.
OPT_IN_REGIONS = frozenset(
    {
        "af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1",
        "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
    }
)  # fmt: skip
# API_SupportedRegionDetail documents Pending, not its length: ~60 s is our estimate.
REGION_PENDING_SECONDS = 60.0

_opted_in: dict[str, set[str]] = {}  # account id -> opt-in regions it has enabled


def opt_in(account_id: str, region: str) -> None:
    """Enable an opt-in region for an account (what the console's "Enable" does)."""
    _opted_in.setdefault(account_id, set()).add(region)


def _error(message: str) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError("InvalidParameterValue", message)


def _values(data: Mapping[str, Any], name: str) -> list[str]:
    from wizard.sandbox.iam_model import _values as values

    return values(data, name)


def _known_regions() -> set[str]:
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    return {r.name for r in RegionsAndZonesBackend.regions}


def _eligible_zone_ids(config: Any) -> list[str]:
    from wizard.sandbox.ec2_model import zone_named

    ids = {getattr(zone_named(config.ec2_backend, name), "zone_id", "") for name in config.availability_zones}
    return sorted(i for i in ids if i and i not in NO_CROSS_REGION_ZONES)


def _refuse(backend: Any, host: str, config: Any | None, adding: list[str], removing: list[str]) -> None:
    """Raise what AWS refuses about these regions (config None: the service is being created)."""
    for region in adding + removing:
        if region not in _known_regions():
            raise _error(f"The region '{region}' is not valid")
    if host in removing:
        raise _error(f"The host region {host} cannot be removed from the supported regions")
    for region in adding:
        if region in OPT_IN_REGIONS and region not in _opted_in.get(backend.account_id, set()):
            raise _error(f"The region {region} is not enabled for account {backend.account_id}")
    others = set(adding) | set(_names(config, host) if config is not None else [])
    if not (others - set(removing) - {host}) or config is None:
        return
    if len(_eligible_zone_ids(config)) < 2:
        raise _error(
            "Cross-region access requires the service in at least two Availability Zones that "
            f"support it; {config.id} has {', '.join(_eligible_zone_ids(config)) or 'none'}"
        )


def _names(config: Any, host: str) -> list[str]:
    return [r for r in config._supported_region_names if r != host]


# --- the two actions (responder wrappers) ---------------------------------------------------------


def _wrap_create(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_vpc_endpoint_service_configuration(self: Any) -> Any:
        host = self.region
        wanted = self._get_param("SupportedRegions", []) or []
        _refuse(self.ec2_backend, host, None, list(wanted), [])
        result = original(self)
        config = result.result["ServiceConfiguration"]
        if [r for r in wanted if r != host] and len(_eligible_zone_ids(config)) < 2:
            # Checked once the zones are known; AWS refuses the create as a whole.
            self.ec2_backend.configurations.pop(config.id, None)
            raise _error(
                "Cross-region access requires the service in at least two Availability Zones that support it"
            )
        for region in wanted:
            timing.mark(config, f"region_{region}")
        return result

    create_vpc_endpoint_service_configuration.__wrapped__ = original  # type: ignore[attr-defined]
    return create_vpc_endpoint_service_configuration


def _wrap_modify(original: Callable[..., Any]) -> Callable[..., Any]:
    def modify_vpc_endpoint_service_configuration(self: Any) -> Any:
        from moto.ec2.exceptions import UnknownVpcEndpointService

        service_id = self._get_param("ServiceId")
        config = self.ec2_backend.get_vpc_endpoint_service(service_id)
        if config is None:
            raise UnknownVpcEndpointService(service_id)
        host = self.region
        adding = list(self._get_param("AddSupportedRegions", []) or [])
        removing = list(self._get_param("RemoveSupportedRegions", []) or [])
        _refuse(self.ec2_backend, host, config, adding, removing)
        names = config._supported_region_names
        for region in adding:
            if region not in names and region != host:
                timing.restart(config, f"region_{region}")
                _settled(config).discard(region)
            elif region in names:
                names.remove(region)  # moto appends it again: one of each
        for region in removing:
            if region not in names:
                names.append(region)  # moto removes it again (rather than answering 500)
        return original(self)

    modify_vpc_endpoint_service_configuration.__wrapped__ = original  # type: ignore[attr-defined]
    return modify_vpc_endpoint_service_configuration


def _supported_regions(self: Any) -> list[dict[str, str]]:
    """API_SupportedRegionDetail: the host region (in the service's own state) and each other."""
    host = self.ec2_backend.region_name
    shown = [{"Region": host, "ServiceState": self.service_state}]
    for region in _names(self, host):
        started = timing.mark(self, f"region_{region}")
        # Once seen Available it stays so (a later, slower timing scale does not take it back).
        if region in _settled(self) or timing.has_passed(started, REGION_PENDING_SECONDS):
            _settled(self).add(region)
        shown.append(
            {"Region": region, "ServiceState": "Available" if region in _settled(self) else "Pending"}
        )
    return shown


def _settled(config: Any) -> set[str]:
    found: set[str] = config.__dict__.setdefault("_plw_regions_settled", set())
    return found


# --- IAM ------------------------------------------------------------------------------------------


def iam_checks(
    action: str, data: Mapping[str, Any], resources: tuple[Any, ...], region: str, account: str
) -> list[Any]:
    """The permission-only action AWS checks when a request names supported regions (PrivateLink
    guide, "Cross-Region access" → Permissions: vpce:AllowMultiRegion)."""
    from wizard.sandbox.iam_model import Check, Resource

    if action == "CreateVpcEndpointServiceConfiguration":
        regions = _values(data, "SupportedRegion")
        resources = (Resource(f"arn:aws:ec2:{region}:{account}:vpc-endpoint-service/*"),)
    elif action == "ModifyVpcEndpointServiceConfiguration":
        regions = _values(data, "AddSupportedRegion") + _values(data, "RemoveSupportedRegion")
    else:
        return []
    if not regions:
        return []
    return [Check("vpce:AllowMultiRegion", resources, {"ec2:VpceSupportedRegion": regions})]


def install() -> None:
    """Patch moto (called once, under moto_ext's lock, after ec2_model's patches)."""
    from moto.ec2.models.vpc_service_configuration import VPCServiceConfiguration
    from moto.ec2.responses import EC2Response

    EC2Response.create_vpc_endpoint_service_configuration = _wrap_create(  # type: ignore[method-assign]
        EC2Response.create_vpc_endpoint_service_configuration
    )
    EC2Response.modify_vpc_endpoint_service_configuration = _wrap_modify(  # type: ignore[method-assign]
        EC2Response.modify_vpc_endpoint_service_configuration
    )
    VPCServiceConfiguration.supported_regions = property(_supported_regions)  # type: ignore[assignment,method-assign]
    install_consumer_side()


# --- the consumer's side: an interface endpoint in another region (ServiceRegion) ------------------

# The consumer's region is the request's; the service region is the provider's (PrivateLink guide,
# "Cross-Region access": a consumer selects a service Region when creating an endpoint).


def _wrap_create_endpoint(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_vpc_endpoint(self: Any) -> Any:
        from moto.ec2.exceptions import InvalidServiceName

        from wizard.sandbox import moto_ext, vpce_model

        service_region = self._get_param("ServiceRegion") or ""
        if not service_region or service_region == self.region:
            return original(self)
        name = str(self._get_param("ServiceName") or "")
        found = moto_ext.find_service_by_name(service_region, name)
        if found is None:
            raise InvalidServiceName(name)
        owner, config = found
        account = self.ec2_backend.account_id
        if owner.account_id != account and not moto_ext.allows_account(config, account):
            raise InvalidServiceName(name)  # hidden from accounts it does not allow, as in its region
        offered = {r["Region"]: r["ServiceState"] for r in _supported_regions(config)}
        if offered.get(self.region) != "Available":
            # A removed region stops new endpoints only (existing ones keep working).
            raise _error(f"The service {name} is not available in {self.region}")
        result = original(self)
        endpoint = result.result["VpcEndpoint"]
        endpoint.__dict__["_plw_service_region"] = service_region
        if config.acceptance_required:
            endpoint.state = moto_ext.STATE_PENDING
        endpoint.dns_entries = vpce_model._endpoint_dns_entries(endpoint, config, service_region)
        vpce_model.notify(owner, config, endpoint, "Connect")
        return result

    create_vpc_endpoint.__wrapped__ = original  # type: ignore[attr-defined]
    return create_vpc_endpoint


def _wrap_connections_of(original: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    def connections_of(config: Any, region: str) -> list[Any]:
        """The service's connections in its region, and those made from other regions."""
        from moto.ec2.models import ec2_backends

        found = list(original(config, region))
        for account_backends in list(ec2_backends.values()):
            for other, backend in list(account_backends.items()):
                if other == region:
                    continue
                found += [
                    e
                    for e in list(backend.vpc_end_points.values())
                    if e.__dict__.get("_plw_service_region") == region
                    and e.service_name == config.service_name
                ]
        return sorted(found, key=lambda e: (e.creation_timestamp, e.id))

    return connections_of


def _wrap_connection_dict(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def connection_dict(config: Any, endpoint: Any, region: str) -> dict[str, Any]:
        shown = original(config, endpoint, region)
        # API_VpcEndpointConnection: VpcEndpointRegion is the endpoint's own region.
        shown["VpcEndpointRegion"] = endpoint.ec2_backend.region_name
        return shown

    return connection_dict


def install_consumer_side() -> None:
    """Patch moto and moto_ext for endpoints made from another region (called by install())."""
    from moto.ec2.responses import EC2Response

    from wizard.sandbox import moto_ext

    EC2Response.create_vpc_endpoint = _wrap_create_endpoint(EC2Response.create_vpc_endpoint)  # type: ignore[method-assign]
    moto_ext.connections_of = _wrap_connections_of(moto_ext.connections_of)
    moto_ext._connection_dict = _wrap_connection_dict(moto_ext._connection_dict)
