"""The in-process sandbox server: start, seed, simulated consumer, stop, and the CLI's loop."""

from __future__ import annotations

import io
import socket
import threading
import time
from typing import Any

import pytest

from wizard.errors import UserError
from wizard.sandbox.server import Sandbox, serve_forever

PRINCIPAL = "arn:aws:iam::012922587834:root"


def _threads() -> set[threading.Thread]:
    return set(threading.enumerate())


def _wait_for_threads_to_end(before: set[threading.Thread], timeout: float = 5.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        extra = [t for t in _threads() - before if t.is_alive()]
        if not extra:
            return []
        time.sleep(0.05)
    return [t.name for t in _threads() - before if t.is_alive()]


def _wait_for(predicate: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_end_to_end_the_platform_asks_and_the_provider_accepts(sandbox_server: Sandbox) -> None:
    sample = sandbox_server.sample
    assert sample is not None
    assert sandbox_server.endpoint_url.startswith("http://127.0.0.1:")
    assert sandbox_server.region == "us-east-1"
    assert sandbox_server.enis == sample.enis
    aws = sandbox_server.aws_context()
    names = [d["DBInstanceIdentifier"] for d in aws.rds.describe_db_instances()["DBInstances"]]
    assert sorted(names) == ["analytics-pg", "orders-mysql", "reports-aurora-1", "reports-aurora-2"]

    lb = aws.elbv2.create_load_balancer(
        Name="plw-orders", Type="network", Scheme="internal", Subnets=list(sample.subnet_ids)
    )["LoadBalancers"][0]["LoadBalancerArn"]
    service = aws.ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[lb], AcceptanceRequired=True
    )["ServiceConfiguration"]
    aws.ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=service["ServiceId"], AddAllowedPrincipals=[PRINCIPAL]
    )

    def pending() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = aws.ec2.describe_vpc_endpoint_connections(
            Filters=[{"Name": "service-id", "Values": [service["ServiceId"]]}]
        )["VpcEndpointConnections"]
        return found

    [conn] = _wait_for(pending)
    assert conn["VpcEndpointOwner"] == "012922587834"
    assert conn["VpcEndpointState"] == "pendingAcceptance"
    reply = aws.ec2.accept_vpc_endpoint_connections(
        ServiceId=service["ServiceId"], VpcEndpointIds=[conn["VpcEndpointId"]]
    )
    assert reply["Unsuccessful"] == []
    consumer_side = sandbox_server.aws_context("012922587834")
    [endpoint] = consumer_side.ec2.describe_vpc_endpoints()["VpcEndpoints"]
    assert endpoint["State"] == "available"
    assert sandbox_server.consumer is not None
    assert [r.endpoint_id for r in sandbox_server.consumer.requests] == [conn["VpcEndpointId"]]
    for context in (aws, consumer_side):
        for client in context._clients.values():
            client.close()


def test_start_is_empty_without_seed_and_stop_leaves_no_thread() -> None:
    before = _threads()
    sandbox = Sandbox(consumer_delay=0.1, consumer_interval=0.05)
    url = sandbox.start(seeded=False)
    assert sandbox.running and sandbox.sample is None and sandbox.enis == ()
    assert sandbox.consumer is not None and sandbox.consumer.running
    assert sandbox.start() == url  # a second start is a no-op
    aws = sandbox.aws_context()
    assert aws.ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["prod-vpc"]}])["Vpcs"] == []
    aws.ec2.close()
    sandbox.stop()
    sandbox.stop()  # twice is fine
    assert not sandbox.running and sandbox.endpoint_url == ""
    assert _wait_for_threads_to_end(before) == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=1).close()
    with pytest.raises(UserError):
        sandbox.aws_context()


def test_a_busy_port_is_a_clear_error() -> None:
    before = _threads()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UserError) as caught:
            Sandbox().start(port=port, seeded=False, consumer=False)
    assert f"127.0.0.1:{port}" in caught.value.what
    assert "--port" in caught.value.fix
    assert _wait_for_threads_to_end(before) == []


def test_serve_forever_prints_the_endpoint_and_stops_on_request() -> None:
    before = _threads()
    out = io.StringIO()
    stop = threading.Event()
    result: list[int] = []
    with socket.socket() as probe:  # find a free port, then hand it to the sandbox
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    runner = threading.Thread(
        target=lambda: result.append(serve_forever(port=port, seeded=False, out=out, stop_event=stop))
    )
    runner.start()
    _wait_for(lambda: "Press Ctrl-C" in out.getvalue())
    text = out.getvalue()
    assert f"export AWS_ENDPOINT_URL=http://127.0.0.1:{port}" in text
    assert "empty" in text
    stop.set()
    runner.join(10)
    assert result == [0]
    assert "Sandbox stopped." in out.getvalue()
    assert _wait_for_threads_to_end(before) == []
