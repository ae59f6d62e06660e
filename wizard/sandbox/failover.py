"""A simulated failover in the sandbox: what AWS does to a database's addresses, so the target
sync (and link health) can be seen reacting.

- An RDS instance (a Multi-AZ failover, a host replacement during maintenance): its network
  interface is replaced by a new one with another private IP in the same subnet; the old
  address answers nothing any more.
- An Aurora or Multi-AZ DB cluster: the writer moves to another instance (FailoverDBCluster,
  which moto models); every instance keeps its own address, so the old writer, now a reader,
  still answers TCP health checks.
- An RDS Proxy (scaling): one of its network interfaces is replaced.

Each publishes the RDS event AWS would send to EventBridge (sandbox/eventbridge.py delivers it to
the rules that match). It works over boto3 against the in-process mock or, through the control
endpoint `POST /moto-api/privatelink-wizard/failover` the sandbox server adds, in the server's
own process (the released address is remembered there, for the load balancer's health checks).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import asdict, dataclass
from typing import Any
from urllib import request as urlrequest

from wizard.aws import target_sync
from wizard.errors import EXIT_BAD_INPUT, UserError

CONTROL_PATH = "/moto-api/privatelink-wizard/failover"
# "Amazon RDS event categories and event messages": RDS-EVENT-0049, a Multi-AZ instance failover
# completed; RDS-EVENT-0071, a DB cluster failover completed (both in the "failover" category).
INSTANCE_EVENT = "RDS-EVENT-0049"
CLUSTER_EVENT = "RDS-EVENT-0071"


@dataclass(frozen=True)
class Failover:
    source_id: str
    kind: str
    old_ips: tuple[str, ...] = ()
    new_ips: tuple[str, ...] = ()
    old_writer: str = ""
    new_writer: str = ""

    def words(self) -> str:
        if self.new_writer:
            return (
                f"{self.source_id}: the writer moved from {self.old_writer} to {self.new_writer} "
                f"(the old writer is a reader now)."
            )
        old, new = ", ".join(self.old_ips), ", ".join(self.new_ips)
        return f"{self.source_id}: its address moved from {old} to {new}."


def _released(ec2_backend: Any) -> set[str]:
    found: set[str] = ec2_backend.__dict__.setdefault("_plw_released_ips", set())
    return found


def released_addresses(ec2_backend: Any) -> set[str]:
    """Addresses a simulated failover took away and that no interface holds again."""
    held = {eni.private_ip_address for eni in list(ec2_backend.enis.values())}
    return _released(ec2_backend) - held


def _region_account(aws: Any) -> tuple[str, str]:
    account = aws.client("sts").get_caller_identity()["Account"]
    return aws.region, str(account)


def _replace_interface(aws: Any, ip: str) -> str:
    """Delete the interface holding `ip` and make its twin (same subnet, groups, description)."""
    enis = aws.ec2.describe_network_interfaces(
        Filters=[{"Name": "addresses.private-ip-address", "Values": [ip]}]
    )["NetworkInterfaces"]
    if not enis:
        raise UserError(f"No network interface holds {ip} in the sandbox", exit_code=EXIT_BAD_INPUT)
    old = enis[0]
    from moto.ec2.models import ec2_backends

    region, account = _region_account(aws)
    released = _released(ec2_backends[account][region])
    new = aws.ec2.create_network_interface(
        SubnetId=old["SubnetId"],
        Groups=[g["GroupId"] for g in old.get("Groups", [])],
        Description=old.get("Description", ""),
        PrivateIpAddress=_free_address(aws, old["SubnetId"], released | {ip}),
    )["NetworkInterface"]
    aws.ec2.delete_network_interface(NetworkInterfaceId=old["NetworkInterfaceId"])
    released.add(ip)
    return str(new["PrivateIpAddress"])


def _free_address(aws: Any, subnet_id: str, avoid: set[str]) -> str:
    """The subnet's lowest free address from .10 on (as the seed hands them out): none held by an
    interface, none a failover released (moto would pick at random, maybe a taken one)."""
    cidr = aws.ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["CidrBlock"]
    held = {
        e["PrivateIpAddress"]
        for e in aws.ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])[
            "NetworkInterfaces"
        ]
    }
    network = ipaddress.ip_network(cidr)
    for host in list(network.hosts())[9:]:
        if str(host) not in held | avoid:
            return str(host)
    raise UserError(f"The sandbox's subnet {subnet_id} has no free address left", exit_code=EXIT_BAD_INPUT)


def _cluster(aws: Any, source_id: str) -> dict[str, Any] | None:
    try:
        clusters = aws.rds.describe_db_clusters(DBClusterIdentifier=source_id)["DBClusters"]
    except Exception:  # DBClusterNotFoundFault: not a cluster
        return None
    return dict(clusters[0]) if clusters else None


def _writer(cluster: dict[str, Any]) -> str:
    return next((m["DBInstanceIdentifier"] for m in cluster["DBClusterMembers"] if m["IsClusterWriter"]), "")


def failover(aws: Any, source_id: str) -> Failover:
    """Fail the database over as AWS would (see the module's docstring); publishes its RDS event."""
    from wizard.sandbox import eventbridge

    region, account = _region_account(aws)
    cluster = _cluster(aws, source_id)
    if cluster is not None:
        before = _writer(cluster)
        aws.rds.failover_db_cluster(DBClusterIdentifier=source_id)
        after = _writer(_cluster(aws, source_id) or cluster)
        eventbridge.publish_rds_event(account, region, "RDS DB Cluster Event", source_id, CLUSTER_EVENT)
        return Failover(source_id, "cluster", old_writer=before, new_writer=after)
    try:
        proxies = aws.rds.describe_db_proxies(DBProxyName=source_id)["DBProxies"]
    except Exception:  # DBProxyNotFoundFault: an instance, or nothing
        proxies = []
    kind = target_sync.RDS_PROXY if proxies else target_sync.RDS_INSTANCE
    try:
        vpc = proxies[0]["VpcId"] if proxies else _instance_vpc(aws, source_id)
        where = target_sync.locate(aws, kind, source_id, vpc)
        old = target_sync.desired_targets(aws, where, lambda host: [])[:1]
    except (target_sync.SyncError, UserError) as exc:
        raise UserError(
            f"The sandbox has no database called '{source_id}' to fail over",
            str(exc),
            "Name a sample database: orders-mysql, analytics-pg, reports-aurora or orders-proxy.",
            exit_code=EXIT_BAD_INPUT,
        ) from None
    new = tuple(_replace_interface(aws, ip) for ip in old)
    if kind == target_sync.RDS_INSTANCE:
        eventbridge.publish_rds_event(account, region, "RDS DB Instance Event", source_id, INSTANCE_EVENT)
    return Failover(source_id, kind, tuple(old), new)


def _instance_vpc(aws: Any, source_id: str) -> str:
    try:
        instance = aws.rds.describe_db_instances(DBInstanceIdentifier=source_id)["DBInstances"][0]
    except Exception as exc:
        raise target_sync.SyncError(f"no instance {source_id}") from exc
    return str(instance["DBSubnetGroup"]["VpcId"])


# ---- the control endpoint, and its client --------------------------------------------------------


def control_handler(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """POST {"source": id, "region": r}: fail that database over (moto-api handler signature)."""
    from wizard.aws.session import Credentials, make_context

    try:
        body = json.loads(request.data or b"{}")
        host = full_url.split("/moto-api/", 1)[0]
        keys = Credentials(access_key_id="sandbox", secret_access_key="sandbox")
        aws = make_context(keys, body.get("region", "us-east-1"), host)
        done = failover(aws, str(body["source"]))
    except UserError as exc:
        return 400, {"Content-Type": "application/json"}, json.dumps({"error": exc.paragraph()})
    except (KeyError, ValueError) as exc:
        return 400, {"Content-Type": "application/json"}, json.dumps({"error": f"bad request: {exc}"})
    return 200, {"Content-Type": "application/json"}, json.dumps(asdict(done) | {"words": done.words()})


def install() -> None:
    """Add the control endpoint to moto's server (before a server starts)."""
    from moto.moto_api._internal import urls

    urls.url_paths["{0}" + CONTROL_PATH] = control_handler


def request_failover(endpoint_url: str, source_id: str, region: str) -> str:
    """Ask a running sandbox server to fail a database over; its answer in plain words."""
    data = json.dumps({"source": source_id, "region": region}).encode()
    req = urlrequest.Request(
        endpoint_url.rstrip("/") + CONTROL_PATH, data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urlrequest.urlopen(req, timeout=30) as reply:
            return str(json.loads(reply.read())["words"])
    except OSError as exc:
        detail = ""
        if hasattr(exc, "read"):
            detail = json.loads(exc.read() or b"{}").get("error", "")
        if detail:  # the sandbox answered: its own words say why and what to do
            raise UserError(f"The sandbox at {endpoint_url} did not fail {source_id} over", detail) from None
        raise UserError(
            f"The sandbox at {endpoint_url} did not fail {source_id} over",
            str(exc),
            "Start it with `privatelink-wizard sandbox` and pass its address with --endpoint-url.",
        ) from None
