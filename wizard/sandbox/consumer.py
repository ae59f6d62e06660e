"""The data platform's side of PrivateLink, simulated in the sandbox.

A background thread plays the consumer account: it looks, with the consumer's own identity, for
endpoint services that allow-list it (what DescribeVpcEndpointServices shows the consumer), and a
little while after one appears it requests a connection by creating an interface endpoint in a VPC
of its own. The provider then sees a `pendingAcceptance` request, exactly as with the real platform.

It talks to moto through boto3 only, choosing the consumer account per request with moto's
`x-moto-account-id` header, so the same code drives the in-process mock (endpoint_url None) and a
moto server (endpoint_url of the server).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from wizard.aws.session import boto3_session
from wizard.validators import principal_account, validate_principal

log = logging.getLogger("wizard.sandbox")

ACCOUNT_HEADER = "x-moto-account-id"
CONSUMER_VPC_CIDR = "10.99.0.0/16"
# The consumer picks one subnet per AZ the service offers, at most this many (as platforms do).
MAX_ENDPOINT_AZS = 3
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5)


@dataclass(frozen=True)
class ConnectionRequest:
    """One endpoint the simulated consumer created."""

    service_name: str
    service_id: str
    endpoint_id: str
    state: str
    created_at: float  # time.time()


def account_client(service: str, region: str, account_id: str, endpoint_url: str | None = None) -> Any:
    """A boto3 client that moto treats as coming from `account_id`."""
    # On the window's model loader: with the sandbox in the window's process (--demo), parsing
    # EC2's model in one go held the interpreter lock for 100-200 ms.
    session, _ = boto3_session(region, "sandbox", "sandbox")
    client = session.client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        config=_CLIENT_CONFIG,
    )

    def add_account(request: Any, **_: Any) -> None:
        request.headers[ACCOUNT_HEADER] = account_id

    client.meta.events.register("before-sign.*.*", add_account)
    return client


class SimulatedConsumer:
    """Requests a connection to every endpoint service that allow-lists `principal`.

    `delay` is how long after first seeing a service the request is made; `interval` is how often
    it looks. `poll_once()` runs one look synchronously (for tests); `start()`/`stop()` run it in a
    daemon thread.
    """

    def __init__(
        self,
        region: str,
        endpoint_url: str | None = None,
        principal: str | None = None,
        delay: float = 3.0,
        interval: float = 0.5,
    ) -> None:
        from wizard.sandbox import moto_ext

        moto_ext.install()  # the consumer relies on the cross-account view the extension adds
        if principal is None:
            from wizard.consumers import load_consumer

            principal = load_consumer().principal
        self.principal = validate_principal(principal)
        self.account_id = principal_account(self.principal)
        self.region = region
        self.endpoint_url = endpoint_url
        self.delay = delay
        self.interval = interval
        self._ec2: Any = None
        self._first_seen: dict[str, float] = {}
        self._requested: dict[str, ConnectionRequest] = {}
        self._already_connected: set[str] = set()
        self._subnets_by_az: dict[str, str] = {}
        self._vpc_id = ""
        # A service offered in another region too (cross-region): the platform connects from there.
        self._remote: dict[str, tuple[Any, str, str]] = {}  # region -> (ec2 client, vpc, subnet)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error = ""

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sandbox-consumer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._ec2 is not None:
            self._ec2.close()  # drop keep-alive connections, so no server thread waits on them
            self._ec2 = None
        for client, _vpc, _subnet in self._remote.values():
            client.close()
        self._remote.clear()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> SimulatedConsumer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def requests(self) -> list[ConnectionRequest]:
        with self._lock:
            return sorted(self._requested.values(), key=lambda r: r.created_at)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
                self.last_error = ""
            except Exception as exc:  # a failed look must not end the simulation; retry next tick
                if str(exc) != self.last_error:
                    log.warning("The simulated consumer could not look for services: %s", exc)
                self.last_error = str(exc)
            self._stop.wait(self.interval)

    # --- one look ------------------------------------------------------------------------------

    @property
    def ec2(self) -> Any:
        if self._ec2 is None:
            self._ec2 = account_client("ec2", self.region, self.account_id, self.endpoint_url)
        return self._ec2

    def offered_services(self) -> list[str]:
        """Names of other accounts' endpoint services in the region.

        This stands in for the DBA handing the service name to the platform: the simulation reads
        it from moto's state (this process), then checks it as the consumer would, through AWS.
        """
        from wizard.sandbox.moto_ext import ec2_backends_in_region

        return sorted(
            config.service_name
            for backend in ec2_backends_in_region(self.region)
            if backend.account_id != self.account_id
            for config in list(backend.configurations.values())
        )

    def visible_service(self, service_name: str) -> dict[str, Any] | None:
        """The service as the consumer sees it, or None while it is not allow-listed."""
        try:
            reply = self.ec2.describe_vpc_endpoint_services(ServiceNames=[service_name])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidServiceName":
                return None
            raise
        details: list[dict[str, Any]] = reply.get("ServiceDetails", [])
        return details[0] if details else None

    def existing_requests(self) -> set[str]:
        """Service names this consumer already has an endpoint (in any state) for."""
        names = set()
        for page in self.ec2.get_paginator("describe_vpc_endpoints").paginate():
            for endpoint in page.get("VpcEndpoints", []):
                names.add(endpoint["ServiceName"])
        return names

    def poll_once(self, now: float | None = None) -> list[ConnectionRequest]:
        """Look once; request a connection to each service seen for at least `delay` seconds."""
        now = time.monotonic() if now is None else now
        with self._lock:
            done = self._requested.keys() | self._already_connected
            pending = [n for n in self.offered_services() if n not in done]
        if not pending:
            return []
        visible = [d for d in (self.visible_service(n) for n in pending) if d is not None]
        if not visible:
            return []
        existing = self.existing_requests()
        made = []
        for detail in visible:
            name = detail["ServiceName"]
            other = self.other_region(name)
            if other and name in self._existing_in(other):
                existing.add(name)
            if name in existing:  # requested earlier (another run): never ask twice
                with self._lock:
                    self._already_connected.add(name)
                continue
            with self._lock:
                first_seen = self._first_seen.setdefault(name, now)
            if now - first_seen >= self.delay:
                made.append(self._request(detail))
        return made

    def other_region(self, service_name: str) -> str:
        """The first other region the service is offered in and Available ("" when none): a
        platform there connects cross-region (PrivateLink guide, "Cross-Region access")."""
        from wizard.sandbox.moto_ext import find_service_by_name

        found = find_service_by_name(self.region, service_name)
        regions = found[1].supported_regions if found else []
        return next(
            (r["Region"] for r in regions if r["Region"] != self.region and r["ServiceState"] == "Available"),
            "",
        )

    def _remote_client(self, region: str) -> tuple[Any, str, str]:
        """The platform's client, network and subnet in another region (made on first use)."""
        if region not in self._remote:
            ec2 = account_client("ec2", region, self.account_id, self.endpoint_url)
            vpc = ec2.create_vpc(CidrBlock=CONSUMER_VPC_CIDR)["Vpc"]["VpcId"]
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.99.1.0/24", AvailabilityZone=f"{region}a")
            self._remote[region] = (ec2, vpc, subnet["Subnet"]["SubnetId"])
        return self._remote[region]

    def _existing_in(self, region: str) -> set[str]:
        ec2 = account_client("ec2", region, self.account_id, self.endpoint_url)
        try:
            return {e["ServiceName"] for e in ec2.describe_vpc_endpoints().get("VpcEndpoints", [])}
        finally:
            ec2.close()

    def _request(self, detail: dict[str, Any]) -> ConnectionRequest:
        other = self.other_region(detail["ServiceName"])
        if other:  # from the platform's region, naming the service's (ServiceRegion)
            ec2, vpc, subnet = self._remote_client(other)
            where: dict[str, Any] = {"VpcId": vpc, "SubnetIds": [subnet], "ServiceRegion": self.region}
        else:
            ec2 = self.ec2
            where = {"VpcId": "", "SubnetIds": self._subnets_for(detail.get("AvailabilityZones", []))}
            where["VpcId"] = self._vpc_id
        endpoint = ec2.create_vpc_endpoint(
            VpcEndpointType="Interface",
            ServiceName=detail["ServiceName"],
            **where,
            TagSpecifications=[
                {
                    "ResourceType": "vpc-endpoint",
                    "Tags": [{"Key": "Name", "Value": f"to-{detail['ServiceId']}"}],
                }
            ],
        )["VpcEndpoint"]
        request = ConnectionRequest(
            service_name=detail["ServiceName"],
            service_id=detail["ServiceId"],
            endpoint_id=endpoint["VpcEndpointId"],
            state=endpoint["State"],
            created_at=time.time(),
        )
        with self._lock:
            self._requested[request.service_name] = request
        log.info(
            "Simulated consumer %s requested a connection to %s (%s)",
            self.account_id,
            request.service_id,
            request.endpoint_id,
        )
        return request

    def _subnets_for(self, zones: list[str]) -> list[str]:
        """The consumer's own subnets in the service's AZs (made on first use)."""
        if not self._vpc_id:
            self._vpc_id = self.ec2.create_vpc(
                CidrBlock=CONSUMER_VPC_CIDR,
                TagSpecifications=[
                    {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "platform-vpc"}]}
                ],
            )["Vpc"]["VpcId"]
        wanted = sorted(set(zones))[:MAX_ENDPOINT_AZS] or [f"{self.region}a"]
        for zone in wanted:
            if zone not in self._subnets_by_az:
                index = len(self._subnets_by_az) + 1
                self._subnets_by_az[zone] = self.ec2.create_subnet(
                    VpcId=self._vpc_id, CidrBlock=f"10.99.{index}.0/24", AvailabilityZone=zone
                )["Subnet"]["SubnetId"]
        return [self._subnets_by_az[z] for z in wanted]
