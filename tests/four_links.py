"""Four links on one sandbox, one in each state the home screen and `list` name: built through
the CLI (and one stopped midway through the engine, as a setup that was interrupted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

from wizard import link_states
from wizard.consumers import load_consumer
from wizard.sandbox.consumer import SimulatedConsumer

REGION = "us-east-1"
# link name -> the word it must get
EXPECTED = {
    "plw-healthy": link_states.HEALTHY,
    "plw-waiting": link_states.WAITING,
    "plw-broken": link_states.NEEDS_ATTENTION,
    "plw-unfinished": link_states.UNFINISHED,
}


def make_four_links(sandbox: Any, run: Callable[..., int]) -> None:
    """`run(*argv)` runs one CLI command and returns its exit code."""
    where = ["--region", REGION, "--endpoint-url", sandbox.endpoint_url]
    setup = ["setup", *where, "--yes", "--fix"]
    platform = SimulatedConsumer(REGION, endpoint_url=sandbox.endpoint_url, delay=0)
    # Healthy: built, the platform asked, the request accepted.
    assert run(*setup, "--source", "analytics-pg", "--name", "plw-healthy") == 0
    assert platform.poll_once(), "the platform should ask to connect"
    assert run("accept", *where, "--name", "plw-healthy") == 0
    # Waiting for the platform: its request is pending.
    assert run(*setup, "--source", "orders-proxy", "--name", "plw-waiting") == 0
    assert platform.poll_once()
    # Needs attention: someone removed the database's addresses from the target group.
    assert run(*setup, "--source", "reports-aurora", "--name", "plw-broken") == 0
    assert platform.poll_once()
    elbv2 = boto3.client("elbv2", region_name=REGION, endpoint_url=sandbox.endpoint_url)
    group = next(
        g["TargetGroupArn"]
        for g in elbv2.describe_target_groups()["TargetGroups"]
        if g["TargetGroupName"].startswith("plw-broken-")
    )
    targets = [
        {"Id": t["Target"]["Id"], "Port": t["Target"]["Port"]}
        for t in elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
    ]
    elbv2.deregister_targets(TargetGroupArn=group, Targets=targets)
    # Unfinished: the load balancer and target group made, then the run stopped.
    from wizard import steps
    from wizard.aws import discovery
    from wizard.model import LinkPlan

    aws = sandbox.aws_context()
    source = discovery.find_data_source(aws, "orders-mysql")
    consumer = load_consumer()
    plan = LinkPlan(
        name="plw-unfinished",
        region=REGION,
        source=source,
        port=source.port or 3306,
        subnet_ids=discovery.default_subnets(aws, source),
        consumer=consumer,
        principal=consumer.principal,
    )
    account = aws.client("sts").get_caller_identity()["Account"]
    steps.run_setup(steps.open_link(aws, plan, account), steps=steps.SETUP_STEPS[:2])
