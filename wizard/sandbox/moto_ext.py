"""A small extension of moto 5.2.x that models the PrivateLink connection lifecycle.

moto 5.2 has no DescribeVpcEndpointConnections / AcceptVpcEndpointConnections /
RejectVpcEndpointConnections, makes every interface endpoint `available` at once, and shows a
consumer nothing of another account's endpoint service. Real AWS, which the wizard is written for:

- an interface endpoint to a service with acceptance required starts `pendingAcceptance` and shows
  up, with its owner account, in the provider's connection list; accept makes it `available`,
  reject makes it `rejected` (a rejected request stays listed);
- a consumer sees (and can connect to) another account's service only once allow-listed;
- a service with `available` or `pendingAcceptance` connections cannot be deleted: the delete call
  answers with an `ExistingVpcEndpointConnections` item in `Unsuccessful`.

`install()` patches moto's EC2 responder and backend classes in place, so it covers the in-process
mock (`mock_aws`) and `ThreadedMotoServer` alike (both use the same classes in this process). It is
idempotent and refuses moto versions it was not written for, because it relies on moto internals.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable
from typing import Any

from wizard.errors import UserError

SUPPORTED_MOTO = (5, 2)
STATE_PENDING = "pendingAcceptance"
STATE_AVAILABLE = "available"
STATE_REJECTED = "rejected"
# States that keep a service from being deleted (AWS: reject these first).
BLOCKING_STATES = frozenset({STATE_PENDING, STATE_AVAILABLE})
CONNECTION_FILTERS = frozenset(
    {
        "service-id",
        "vpc-endpoint-owner",
        "vpc-endpoint-state",
        "vpc-endpoint-id",
        "vpc-endpoint-region",
        "ip-address-type",
    }
)

_lock = threading.Lock()
_installed = False


def moto_version() -> tuple[int, int]:
    import moto

    parts = str(moto.__version__).split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return (0, 0)


def check_moto_version() -> None:
    """Raise a UserError unless the installed moto is the 5.2.x this extension was written for."""
    import moto

    if moto_version() != SUPPORTED_MOTO:
        raise UserError(
            what="The demo sandbox cannot start",
            why=(
                f"Its AWS simulator extension was written for moto 5.2.x, "
                f"but moto {moto.__version__} is installed."
            ),
            fix="Install a matching version: pip install 'moto[server]>=5.2,<5.3'.",
        )


def is_installed() -> bool:
    return _installed


def install() -> None:
    """Patch moto (once per process). Safe to call any number of times, from any thread."""
    global _installed
    check_moto_version()
    with _lock:
        if _installed:
            return
        from moto.ec2.models import EC2Backend
        from moto.ec2.responses import EC2Response

        patches: dict[tuple[type, str], Callable[..., Any]] = {
            (EC2Response, "describe_vpc_endpoint_connections"): _describe_vpc_endpoint_connections,
            (EC2Response, "accept_vpc_endpoint_connections"): _accept_vpc_endpoint_connections,
            (EC2Response, "reject_vpc_endpoint_connections"): _reject_vpc_endpoint_connections,
            (EC2Response, "delete_vpc_endpoint_service_configurations"): (_delete_service_configurations),
            (EC2Backend, "create_vpc_endpoint"): _wrap_create_vpc_endpoint(EC2Backend.create_vpc_endpoint),
            (EC2Backend, "describe_vpc_endpoint_services"): _describe_vpc_endpoint_services,
        }
        for (cls, name), function in patches.items():
            setattr(cls, name, function)
        from wizard.sandbox import (
            ec2_model,
            elb_model,
            failover,
            iam_model,
            iam_simulate,
            rds_model,
            sg_model,
            sns_model,
            sso_model,
            vpce_model,
            xregion_model,
        )

        models = (ec2_model, elb_model, rds_model, sg_model, iam_model, iam_simulate, sso_model)
        for model in (*models, vpce_model, sns_model, failover, xregion_model):
            model.install()
        _share_the_model_loader()
        _installed = True


def _share_the_model_loader() -> None:
    """moto lists each service's regions through a boto3 session of its own, which loads that
    service's whole model with one `json.loads` (dozens of them when an account first lists
    endpoint services). With the sandbox in the window's process (--demo), each held the
    interpreter lock for 50-200 ms; on the shared loader they parse in small pieces, once."""
    from moto.core.base_backend import AccountSpecificBackend

    from wizard.aws.session import boto3_session

    made: list[Any] = []

    def get_session(_cls: type) -> Any:
        # Made when first asked, as moto's own: environment variables may change until then.
        if not made:
            made.append(boto3_session("us-east-1")[0])
        return made[0]

    AccountSpecificBackend.get_session = classmethod(get_session)  # type: ignore[assignment]


# --- looking across accounts -----------------------------------------------------------------


def ec2_backends_in_region(region: str) -> list[Any]:
    """The EC2 backends of every account that already exists in this region (creates none)."""
    from moto.ec2.models import ec2_backends

    found = []
    for account_backends in list(ec2_backends.values()):
        if region in list(account_backends.keys()):
            found.append(account_backends[region])
    return found


def principal_account(principal: str) -> str:
    """The account id of an allow-listed principal ARN ('*' stays '*')."""
    if principal == "*":
        return "*"
    parts = principal.split(":")
    return parts[4] if len(parts) > 4 else ""


def allows_account(config: Any, account_id: str) -> bool:
    """True if the service's allow-list lets principals of this account connect."""
    return any(principal_account(p) in ("*", account_id) for p in list(config.principals))


def find_service_by_name(region: str, service_name: str) -> tuple[Any, Any] | None:
    """(owner backend, service configuration) of a custom endpoint service, in any account."""
    for backend in ec2_backends_in_region(region):
        for config in list(backend.configurations.values()):
            if config.service_name == service_name:
                return backend, config
    return None


def connections_of(config: Any, region: str) -> list[Any]:
    """Interface endpoints, in every account, that point at this service."""
    endpoints = []
    for backend in ec2_backends_in_region(region):
        for endpoint in list(backend.vpc_end_points.values()):
            if endpoint.service_name == config.service_name and _is_interface(endpoint):
                endpoints.append(endpoint)
    return sorted(endpoints, key=lambda e: (e.creation_timestamp, e.id))


def _is_interface(endpoint: Any) -> bool:
    return str(endpoint.vpc_endpoint_type or "").lower() == "interface"


def _connection_dict(config: Any, endpoint: Any, region: str) -> dict[str, Any]:
    return {
        "ServiceId": config.id,
        "VpcEndpointId": endpoint.id,
        "VpcEndpointOwner": endpoint.ec2_backend.account_id,
        "VpcEndpointState": endpoint.state,
        "CreationTimestamp": endpoint.creation_timestamp,
        "DnsEntries": [
            {"DnsName": entry.get("dns_name", ""), "HostedZoneId": entry.get("hosted_zone_id", "")}
            for entry in endpoint.dns_entries or []
        ],
        "NetworkLoadBalancerArns": list(config.network_load_balancer_arns),
        "GatewayLoadBalancerArns": list(config.gateway_load_balancer_arns),
        "IpAddressType": "ipv4",
        # Real ids look like vpce-con-0123…; derive a stable one from the endpoint id.
        "VpcEndpointConnectionId": "vpce-con-" + endpoint.id.removeprefix("vpce-"),
        "VpcEndpointRegion": region,
    }


def _matches(connection: dict[str, Any], filters: dict[str, list[str]]) -> bool:
    fields = {
        "service-id": "ServiceId",
        "vpc-endpoint-owner": "VpcEndpointOwner",
        "vpc-endpoint-state": "VpcEndpointState",
        "vpc-endpoint-id": "VpcEndpointId",
        "vpc-endpoint-region": "VpcEndpointRegion",
        "ip-address-type": "IpAddressType",
    }
    for name, values in filters.items():
        value = str(connection[fields[name]])
        # AWS compares states case-insensitively (PendingAcceptance vs pendingAcceptance).
        if name == "vpc-endpoint-state":
            if value.lower() not in {v.lower() for v in values}:
                return False
        elif value not in values:
            return False
    return True


# --- the three connection actions (responder methods) ------------------------------------------


def _describe_vpc_endpoint_connections(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import InvalidFilter, InvalidNextToken

    filters = self._filters_from_querystring()
    for name in filters:
        if name not in CONNECTION_FILTERS:
            raise InvalidFilter(name)
    region = self.region
    connections = [
        _connection_dict(config, endpoint, region)
        for config in list(self.ec2_backend.configurations.values())
        for endpoint in connections_of(config, region)
    ]
    connections = [c for c in connections if _matches(c, filters)]
    start = 0
    next_token = self._get_param("NextToken")
    if next_token:
        if not str(next_token).isdigit():
            raise InvalidNextToken(next_token)
        start = int(next_token)
    max_results = self._get_int_param("MaxResults") or 1000
    page = connections[start : start + max_results]
    result: dict[str, Any] = {"VpcEndpointConnections": page}
    if start + max_results < len(connections):
        result["NextToken"] = str(start + max_results)
    return ActionResult(result)


def _change_connections(self: Any, new_state: str, allowed_from: Iterable[str]) -> Any:
    from moto.core.responses import ActionResult
    from moto.ec2.exceptions import UnknownVpcEndpointService

    service_id = self._get_param("ServiceId")
    endpoint_ids = self._get_param("VpcEndpointIds", [])
    # Only the service's owner can accept or reject: look in the caller's own backend.
    config = self.ec2_backend.get_vpc_endpoint_service(service_id)
    if config is None:
        raise UnknownVpcEndpointService(service_id)
    by_id = {e.id: e for e in connections_of(config, self.region)}
    allowed = set(allowed_from)
    unsuccessful = []
    for endpoint_id in endpoint_ids:
        endpoint = by_id.get(endpoint_id)
        if endpoint is None or endpoint.state == "deleted":
            unsuccessful.append(
                _unsuccessful(
                    endpoint_id,
                    "InvalidVpcEndpointId.NotFound",
                    f"The Vpc Endpoint Id '{endpoint_id}' does not exist",
                )
            )
        elif endpoint.state == new_state:
            continue  # already there: AWS treats a repeat as success
        elif endpoint.state not in allowed:
            unsuccessful.append(
                _unsuccessful(
                    endpoint_id,
                    "InvalidState",
                    f"The Vpc Endpoint '{endpoint_id}' is in state {endpoint.state}",
                )
            )
        else:
            endpoint.state = new_state
    return ActionResult({"Unsuccessful": unsuccessful})


def _accept_vpc_endpoint_connections(self: Any) -> Any:
    return _change_connections(self, STATE_AVAILABLE, (STATE_PENDING, STATE_REJECTED))


def _reject_vpc_endpoint_connections(self: Any) -> Any:
    return _change_connections(self, STATE_REJECTED, (STATE_PENDING, STATE_AVAILABLE))


def _unsuccessful(resource_id: str, code: str, message: str) -> dict[str, Any]:
    return {"ResourceId": resource_id, "Error": {"Code": code, "Message": message}}


def _delete_service_configurations(self: Any) -> Any:
    from moto.core.responses import ActionResult

    service_ids = self._get_param("ServiceIds", [])
    blocked = []
    for service_id in service_ids:
        config = self.ec2_backend.get_vpc_endpoint_service(service_id)
        if config is not None and any(
            e.state in BLOCKING_STATES for e in connections_of(config, self.region)
        ):
            blocked.append(service_id)
    missing = self.ec2_backend.delete_vpc_endpoint_service_configurations(
        [s for s in service_ids if s not in blocked]
    )
    unsuccessful = [
        _unsuccessful(
            s,
            "InvalidVpcEndpointService.NotFound",
            f"The VpcEndpointService Id '{s}' does not exist",
        )
        for s in missing
    ] + [
        _unsuccessful(
            s,
            "ExistingVpcEndpointConnections",
            f"Service {s} has existing active VPC Endpoint connections; reject them first",
        )
        for s in blocked
    ]
    return ActionResult({"Unsuccessful": unsuccessful})


# --- backend methods ---------------------------------------------------------------------------


def _wrap_create_vpc_endpoint(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    def create_vpc_endpoint(self: Any, *args: Any, **kwargs: Any) -> Any:
        from moto.ec2.exceptions import InvalidServiceName

        bound = signature.bind(self, *args, **kwargs)
        service_name = bound.arguments.get("service_name", "")
        endpoint_type = str(bound.arguments.get("endpoint_type") or "")
        found = find_service_by_name(self.region_name, service_name)
        interface = endpoint_type.lower() == "interface"
        if found is not None and interface:
            owner, config = found
            # AWS hides a service from accounts it has not allow-listed (the owner always sees it).
            if owner.account_id != self.account_id and not allows_account(config, self.account_id):
                raise InvalidServiceName(service_name)
        endpoint = original(*bound.args, **bound.kwargs)
        if found is not None and interface and found[1].acceptance_required:
            endpoint.state = STATE_PENDING
        return endpoint

    create_vpc_endpoint.__wrapped__ = original  # type: ignore[attr-defined]
    return create_vpc_endpoint


def _service_detail(config: Any) -> dict[str, Any]:
    detail: dict[str, Any] = dict(config.to_dict())
    # moto's describe_tags rows use lower-case "key"/"value".
    detail["Tags"] = [
        {"Key": t.get("Key", t.get("key")), "Value": t.get("Value", t.get("value"))}
        for t in config.get_tags()
    ]
    return detail


def _describe_vpc_endpoint_services(
    self: Any,
    service_names: list[str],
    filters: Any,
    max_results: int,
    next_token: str | None,
    region: str,
) -> dict[str, Any]:
    """moto's listing plus other accounts' services that allow-list the caller, as AWS does."""
    from moto.ec2.exceptions import InvalidNextToken, InvalidServiceName
    from moto.ec2.models.vpcs import MAX_NUMBER_OF_ENDPOINT_SERVICES_RESULTS

    services = list(self._collect_default_endpoint_services(self.account_id, region))
    services += [_service_detail(c) for c in list(self.configurations.values())]
    for backend in ec2_backends_in_region(region):
        if backend.account_id == self.account_id:
            continue
        services += [
            _service_detail(c)
            for c in list(backend.configurations.values())
            if allows_account(c, self.account_id)
        ]
    known = {s["ServiceName"] for s in services}
    for name in service_names:
        if name not in known:
            raise InvalidServiceName(name)
    matching = sorted(
        self._filter_endpoint_services(service_names, filters, services),
        key=lambda s: s["ServiceName"],
    )
    ids = [s["ServiceId"] for s in matching]
    start = 0
    if next_token:
        if next_token not in ids:
            raise InvalidNextToken(next_token)
        start = ids.index(next_token)
    if not max_results or max_results > MAX_NUMBER_OF_ENDPOINT_SERVICES_RESULTS:
        max_results = MAX_NUMBER_OF_ENDPOINT_SERVICES_RESULTS
    page = matching[start : start + max_results]
    more = len(matching) > start + max_results
    return {
        "servicesDetails": page,
        "serviceNames": [s["ServiceName"] for s in page],
        "nextToken": matching[start + max_results]["ServiceId"] if more else None,
    }
