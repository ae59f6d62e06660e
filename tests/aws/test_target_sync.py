"""Issue 17 (1): the target sync follows the database after a failover (new address at once, the
old one after 3 missed runs; a cluster's new writer at once), ships as a Lambda package that runs
on its own (standard library and boto3), and its role can touch nothing but its target group."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
import zipfile

import boto3
import pytest

from wizard.aws import discovery, network, sync_deploy, target_sync
from wizard.aws import target_group as tg
from wizard.aws.session import AwsContext
from wizard.sandbox.eventbridge import SimulatedEventBridge, load_package
from wizard.sandbox.failover import failover
from wizard.sandbox.seed import SampleAccount

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "resolve_host", lambda host, timeout=0.0: [])  # moto's never resolve
    monkeypatch.setattr(target_sync.addresses, "resolve_host", lambda host, timeout=0.0: [])


def _group(
    aws: AwsContext, sample: SampleAccount, source_id: str, port: int
) -> tuple[str, target_sync.Config]:
    source = discovery.find_data_source(aws, source_id)
    info, _ = tg.find_or_create_target_group(aws, f"l-{port}", f"l-{port}", source.vpc_id, port, "ip")
    return info.arn, target_sync.Config(info.arn, port, source.kind.value, source.id, source.vpc_id)


def _targets(aws: AwsContext, arn: str) -> dict[str, str]:
    return {t.target_id: t.state for t in tg.target_health(aws, arn)}


def test_a_failover_is_followed_at_once_and_the_old_address_goes_after_three_misses(
    aws: AwsContext, seeded: SampleAccount
) -> None:
    arn, config = _group(aws, seeded, seeded.orders_mysql, 3306)
    first = target_sync.run(config, aws)
    (old,) = first.registered
    moved = failover(aws, seeded.orders_mysql)
    assert moved.old_ips == (old,) and moved.new_ips[0] != old
    new = moved.new_ips[0]

    runs = [target_sync.run(config, aws) for _ in range(3)]
    assert runs[0].registered == (new,) and runs[0].waiting == {old: 1} and not runs[0].deregistered
    assert runs[1].waiting == {old: 2} and not runs[1].registered and not runs[1].deregistered
    assert runs[2].deregistered == (old,) and runs[2].waiting == {}
    assert set(_targets(aws, arn)) == {new}
    # The miss count lives on the target group and is gone once nothing is waiting.
    state = target_sync.read_state(aws, arn)
    assert target_sync.TAG_MISSES not in state
    assert target_sync.parse_last_run(state[target_sync.TAG_LAST_RUN])["deregistered"] == old


def test_an_address_back_before_its_third_miss_stays(aws: AwsContext, seeded: SampleAccount) -> None:
    arn, config = _group(aws, seeded, seeded.orders_mysql, 3306)
    current = target_sync.run(config, aws).registered[0]
    tg.sync_targets(aws, arn, [current, "10.20.1.99"], 3306)  # a stray address, e.g. DNS's answer
    assert target_sync.run(config, aws).waiting == {"10.20.1.99": 1}
    assert target_sync.reconcile(aws, arn, 3306, [current, "10.20.1.99"]).waiting == {}
    assert target_sync.run(config, aws).waiting == {"10.20.1.99": 1}  # counted from the start again


def test_the_targets_follow_an_aurora_writer_at_once(aws: AwsContext, seeded: SampleAccount) -> None:
    arn, config = _group(aws, seeded, seeded.reports_cluster, 5432)
    writer_ip = target_sync.run(config, aws).registered
    assert writer_ip == tuple(e.private_ip for e in seeded.enis_of(seeded.reports_writer))
    moved = failover(aws, seeded.reports_cluster)
    assert (moved.old_writer, moved.new_writer) == (seeded.reports_writer, seeded.reports_reader)
    # The old writer is a reader now and still passes TCP health checks: it must go at once.
    after = target_sync.run(config, aws)
    reader_ip = tuple(e.private_ip for e in seeded.enis_of(seeded.reports_reader))
    assert after.registered == reader_ip and after.deregistered == writer_ip
    assert after.writer == seeded.reports_reader
    assert set(_targets(aws, arn)) == set(reader_ip)


def test_nothing_changes_when_the_address_cannot_be_found(aws: AwsContext, seeded: SampleAccount) -> None:
    arn, config = _group(aws, seeded, seeded.orders_mysql, 3306)
    target_sync.run(config, aws)
    before = _targets(aws, arn)
    for eni in seeded.enis_of(seeded.orders_mysql):
        aws.ec2.delete_network_interface(NetworkInterfaceId=eni.eni_id)
    with pytest.raises(Exception, match="Could not find the private IP addresses"):
        target_sync.run(config, aws)
    assert _targets(aws, arn) == before  # never emptied on a failed lookup
    last = target_sync.parse_last_run(target_sync.read_state(aws, arn)[target_sync.TAG_LAST_RUN])
    assert last["error"].startswith("Could not find the private IP addresses of orders-mysql")


def test_the_state_tags_fit_aws_limits() -> None:
    result = target_sync.SyncResult(
        registered=tuple(f"10.20.{i}.{i}" for i in range(40)),
        current=("10.20.1.10",),
        at="2026-01-01T00:00:00Z",
    )
    text = target_sync.last_run_text(result, error="AWS said: (AccessDenied) «no»; try again!")
    # Network Load Balancers guide, "Tag a target group": values up to 256 characters of
    # letters, digits, spaces and _ . : / = + - @.
    assert len(text) <= 256
    assert all(c.isalnum() or c in " _.:/=+-@" for c in text)


# ---- the Lambda package ---------------------------------------------------------------------------


def test_the_package_runs_alone_in_lambda_against_the_sandbox(
    aws: AwsContext, seeded: SampleAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = sync_deploy.package()
    with zipfile.ZipFile(io.BytesIO(code)) as archive:
        names = archive.namelist()
        sources = [archive.read(n).decode() for n in names]
    assert sorted(names) == [
        "target_sync/__init__.py",
        "target_sync/addresses.py",
        "target_sync/reconcile.py",
    ]
    # Only the standard library, boto3 and botocore: the wizard's own aws_step is optional.
    for text in sources:
        for line in text.splitlines():
            if line.startswith(("import ", "from ")) and not line.startswith("from __future__"):
                imported = line.split()[1]
                assert imported.startswith(".") or imported.split(".")[0] in sys.stdlib_module_names | {
                    "botocore",
                    "boto3",
                }, line
    assert sync_deploy.package() == code  # the same source gives the same package (CodeSha256)
    arn, config = _group(aws, seeded, seeded.orders_mysql, 3306)
    for key, value in config.environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setitem(sys.modules, "wizard.aws.errors", None)  # as in Lambda: no wizard
    module = load_package(code + b"", "target_sync.handler")  # unpacked under a name of its own
    monkeypatch.setattr(module.addresses, "resolve_host", lambda host, timeout=0.0: [])
    assert module.addresses.aws_step.__module__ == module.addresses.__name__  # the stand-in
    reply = module.handler({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    ip = seeded.enis_of(seeded.orders_mysql)[0].private_ip
    assert reply["registered"] == [ip] and reply["trigger"] == "schedule"
    assert set(_targets(aws, arn)) == {ip}
    # An AWS refusal reads as the step and the IAM action in the function's log.
    monkeypatch.setenv("TARGET_GROUP_ARN", arn.replace("targetgroup/l-3306", "targetgroup/other"))
    with pytest.raises(module.SyncError, match=r"\(elasticloadbalancing:DescribeTargetHealth\) failed"):
        module.handler({}, None)


def test_the_role_policy_reaches_only_the_links_target_group(aws: AwsContext, seeded: SampleAccount) -> None:
    from moto.core.authorization import enable_iam_authentication

    own, _ = _group(aws, seeded, seeded.orders_mysql, 3306)
    other, _ = _group(aws, seeded, seeded.analytics_pg, 5432)
    log_arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/privatelink-wizard-sync-l"
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="sync-function")
    iam.put_user_policy(
        UserName="sync-function",
        PolicyName="target-sync",
        PolicyDocument=json.dumps(sync_deploy.role_policy(own, log_arn)),
    )
    key = iam.create_access_key(UserName="sync-function")["AccessKey"]
    elbv2 = boto3.client(
        "elbv2",
        region_name=REGION,
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    target = [{"Id": "10.20.1.10", "Port": 3306}]
    with enable_iam_authentication():  # the sandbox's IAM model: resource ARNs as AWS checks them
        elbv2.register_targets(TargetGroupArn=own, Targets=target)
        elbv2.add_tags(ResourceArns=[own], Tags=[{"Key": target_sync.TAG_MISSES, "Value": "x"}])
        for call, kwargs in (
            ("register_targets", {"TargetGroupArn": other, "Targets": target}),
            ("deregister_targets", {"TargetGroupArn": other, "Targets": target}),
            ("add_tags", {"ResourceArns": [other], "Tags": [{"Key": "k", "Value": "v"}]}),
            ("delete_target_group", {"TargetGroupArn": own}),
        ):
            with pytest.raises(Exception, match="AccessDenied"):
                getattr(elbv2, call)(**kwargs)


# ---- the sandbox's EventBridge runs the deployed function -------------------------------------------


def test_schedule_and_rds_events_run_the_deployed_function(aws: AwsContext, seeded: SampleAccount) -> None:
    arn, config = _group(aws, seeded, seeded.orders_mysql, 3306)
    sync_deploy.deploy(aws, "l", seeded.account_id, config, [seeded.orders_mysql])
    bridge = SimulatedEventBridge()
    assert bridge.poll_once() == 1  # the schedule, due at once at timing scale 0
    moved = failover(aws, seeded.orders_mysql)
    bridge.poll_once()
    assert ("privatelink-wizard-sync-l", "RDS-EVENT-0049") in bridge.runs
    assert set(_targets(aws, arn)) == {*moved.old_ips, *moved.new_ips}  # the old one waits
    missing = target_sync.read_state(aws, arn)[target_sync.TAG_MISSES]
    assert missing == f"{moved.old_ips[0]}=2"  # the schedule's run and the event's


def test_deploy_is_idempotent_and_updates_what_changed(aws: AwsContext, seeded: SampleAccount) -> None:
    _, config = _group(aws, seeded, seeded.orders_mysql, 3306)
    made: list[tuple[str, str]] = []

    def note(kind: str, resource_id: str) -> None:
        made.append((kind, resource_id))

    first = sync_deploy.deploy(aws, "l", seeded.account_id, config, [seeded.orders_mysql], note)
    assert [k for k, _ in made] == ["sync-log-group", "sync-role", "sync-function", "sync-rule", "sync-rule"]
    assert first == sync_deploy.find_sync(aws, "l")
    made.clear()
    assert sync_deploy.deploy(aws, "l", seeded.account_id, config, [seeded.orders_mysql], note) == first
    assert made == []  # nothing made twice
    moved = dataclasses.replace(config, port=3307)
    sync_deploy.deploy(aws, "l", seeded.account_id, moved, [seeded.orders_mysql], note)
    assert made == [] and (sync_deploy.find_sync(aws, "l").environment or {})["PORT"] == "3307"
    rule = aws.client("events").describe_rule(Name="privatelink-wizard-sync-l-rds-events")
    pattern = json.loads(rule["EventPattern"])
    assert pattern["detail"]["SourceIdentifier"] == [seeded.orders_mysql]
    assert "failover" in pattern["detail"]["EventCategories"]
    assert aws.client("events").describe_rule(Name="privatelink-wizard-sync-l-schedule")[
        "ScheduleExpression"
    ] == ("rate(5 minutes)")
    function = aws.client("lambda").get_function(FunctionName="privatelink-wizard-sync-l")["Configuration"]
    assert (function["Runtime"], function["Handler"]) == ("python3.12", "target_sync.handler")
    assert "VpcConfig" not in function or not function["VpcConfig"].get("SubnetIds")  # no VPC needed
