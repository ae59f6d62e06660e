"""skip_name_resolve and max_connect_errors against the sandbox (wizard/sandbox/rds_model.py):
the link's own group, copied from the database's, never a customer's group changed; queued
changes left queued; the reboot only with consent, when RDS is ready for it; Aurora."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from wizard.aws import discovery, parameter_group, rds_params
from wizard.aws.polling import Patience
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import LINK_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, DataSource, SourceKind
from wizard.sandbox import moto_ext, rds_model, timing

ACCOUNT = "123456789012"
REGION = "us-east-1"
LINK = "orders-link"
OURS = f"{LINK}-params"


@pytest.fixture
def aws(plain_aws: AwsContext) -> AwsContext:
    moto_ext.install()  # the sandbox's RDS model: what AWS does, not what moto accepts
    return plain_aws


@pytest.fixture
def calls(aws: AwsContext) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every RDS call the engine makes, with its parameters (to prove what it never does)."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        seen.append((model.name, params))

    for client in (aws.rds, aws.client("rds", retries=False)):
        client.meta.events.register("before-parameter-build.rds.*", record)
    yield seen
    for client in (aws.rds, aws.client("rds", retries=False)):
        client.meta.events.unregister("before-parameter-build.rds.*", record)


def _network(aws: AwsContext) -> None:
    vpc = aws.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        aws.ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for zone, cidr in (("us-east-1a", "10.0.1.0/24"), ("us-east-1b", "10.0.2.0/24"))
    ]
    aws.rds.create_db_subnet_group(DBSubnetGroupName="ab", DBSubnetGroupDescription="ab", SubnetIds=subnets)


def _instance(aws: AwsContext, name: str = "orders", engine: str = "mysql", **extra: Any) -> DataSource:
    _network(aws)
    aws.rds.create_db_instance(
        DBInstanceIdentifier=name,
        Engine=engine,
        EngineVersion="8.0.36" if engine == "mysql" else "16.3",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        DBSubnetGroupName="ab",
        **extra,
    )
    return discovery.find_data_source(aws, name)


def _team_group(aws: AwsContext, **values: str) -> None:
    """A custom group of the DBA's team, with some settings of its own."""
    aws.rds.create_db_parameter_group(
        DBParameterGroupName="team-mysql", DBParameterGroupFamily="mysql8.0", Description="team settings"
    )
    aws.rds.modify_db_parameter_group(
        DBParameterGroupName="team-mysql",
        Parameters=[
            {"ParameterName": name, "ParameterValue": value, "ApplyMethod": "pending-reboot"}
            for name, value in {"wait_timeout": "300", **values}.items()
        ],
    )


def _values(aws: AwsContext, group: str) -> dict[str, str]:
    params = aws.rds.describe_db_parameters(DBParameterGroupName=group)["Parameters"]
    return {p["ParameterName"]: p["ParameterValue"] for p in params if "ParameterValue" in p}


def _db(aws: AwsContext, instance_id: str = "orders") -> dict[str, Any]:
    return dict(aws.rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"][0])


def _group_status(aws: AwsContext, instance_id: str = "orders") -> tuple[str, str]:
    group = _db(aws, instance_id)["DBParameterGroups"][0]
    return group["DBParameterGroupName"], group["ParameterApplyStatus"]


def _tags(aws: AwsContext, group: str) -> dict[str, str]:
    arn = aws.rds.describe_db_parameter_groups(DBParameterGroupName=group)["DBParameterGroups"][0][
        "DBParameterGroupArn"
    ]
    return {t["Key"]: t["Value"] for t in aws.rds.list_tags_for_resource(ResourceName=arn)["TagList"]}


def _effective(instance_id: str = "orders") -> dict[str, str]:
    return rds_model.effective_parameters(ACCOUNT, REGION, instance_id)


def _ops(calls: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [op for op, _ in calls]


# --- skip_name_resolve --------------------------------------------------------------------------


def test_a_default_group_needs_the_links_own_group(aws: AwsContext) -> None:
    orders = _instance(aws)
    row = rds_params.check_skip_name_resolve(aws, orders, link_name=LINK)
    assert row.key == "skip-name-resolve" and not row.ok and row.required
    assert "default.mysql8.0" in row.reason and "does not allow changing" in row.reason
    assert f"in a new parameter group {OURS} of the same family as default.mysql8.0" in row.fix
    assert "when orders is rebooted" in row.fix
    assert rds_params.HOST_NAME_GRANTS_SQL in row.fix


def test_fixing_a_default_group_creates_and_attaches_the_links_group_without_reboot(
    aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    orders = _instance(aws)
    calls.clear()
    result = rds_params.fix_skip_name_resolve(aws, orders, LINK)

    assert (result.parameter_group, result.needs_reboot, result.rebooted) == (OURS, True, False)
    # AWS cannot copy a default group: a new one of its family, tagged with the link's tags.
    assert "CopyDBParameterGroup" not in _ops(calls)
    group = aws.rds.describe_db_parameter_groups(DBParameterGroupName=OURS)["DBParameterGroups"][0]
    assert group["DBParameterGroupFamily"] == "mysql8.0"
    assert _tags(aws, OURS)[LINK_TAG_KEY] == LINK and _tags(aws, OURS)[MANAGED_BY_KEY] == MANAGED_BY_VALUE
    assert _values(aws, OURS) == {"skip_name_resolve": "1"}
    assert _values(aws, "default.mysql8.0") == {}
    assert [p["DBParameterGroupName"] for op, p in calls if op == "ModifyDBParameterGroup"] == [OURS]
    assert "RebootDBInstance" not in _ops(calls)
    # Attached and waiting for a reboot: not in effect, and the check says so (never a plain ok).
    assert _group_status(aws) == (OURS, "pending-reboot")
    assert "skip_name_resolve" not in _effective()
    row = rds_params.check_skip_name_resolve(aws, orders, LINK)
    assert row.ok and row.warning and "waiting for a reboot" in row.reason
    assert row.fix.startswith("Reboot orders")
    assert "The database was not rebooted" in result.message
    assert rds_params.HOST_NAME_GRANTS_SQL in result.message

    # Running the fix again changes nothing and creates nothing.
    calls.clear()
    again = rds_params.fix_skip_name_resolve(aws, orders, LINK)
    assert again.parameter_group == OURS and again.needs_reboot and not again.rebooted
    assert not {"CreateDBParameterGroup", "ModifyDBInstance", "ModifyDBParameterGroup"} & set(_ops(calls))


def test_a_custom_group_is_copied_never_changed(
    aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    _team_group(aws, skip_name_resolve="0")
    orders = _instance(aws, DBParameterGroupName="team-mysql")
    calls.clear()
    result = rds_params.fix_skip_name_resolve(aws, orders, LINK)

    # The team's group is exactly as it was; the link's copy has its settings plus ours.
    assert [p["DBParameterGroupName"] for op, p in calls if op == "ModifyDBParameterGroup"] == [OURS]
    assert _values(aws, "team-mysql") == {"wait_timeout": "300", "skip_name_resolve": "0"}
    assert _values(aws, OURS) == {"wait_timeout": "300", "skip_name_resolve": "1"}
    assert _group_status(aws)[0] == OURS
    assert _tags(aws, OURS)[LINK_TAG_KEY] == LINK
    assert result.parameter_group == OURS
    assert "Copied parameter group team-mysql, with all of its settings" in result.message


def test_a_custom_groups_row_says_it_is_copied(aws: AwsContext) -> None:
    _team_group(aws, skip_name_resolve="0")
    orders = _instance(aws, DBParameterGroupName="team-mysql")
    row = rds_params.check_skip_name_resolve(aws, orders, link_name=LINK)
    assert not row.ok and "skip_name_resolve is 0 in parameter group team-mysql" in row.reason
    assert f"in {OURS}, a copy of team-mysql with all of its settings" in row.fix
    assert "team-mysql itself stays unchanged" in row.fix


def test_queued_changes_stay_queued(aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]) -> None:
    orders = _instance(aws)
    # The DBA queued a bigger instance for the maintenance window.
    aws.rds.modify_db_instance(
        DBInstanceIdentifier="orders", DBInstanceClass="db.r6g.large", ApplyImmediately=False
    )
    calls.clear()
    result = rds_params.fix_skip_name_resolve(aws, orders, LINK)

    attach = [p for op, p in calls if op == "ModifyDBInstance"]
    assert attach == [
        {"DBInstanceIdentifier": "orders", "DBParameterGroupName": OURS, "ApplyImmediately": False}
    ]
    db = _db(aws)
    assert db["DBInstanceClass"] == "db.t3.micro"
    assert db["PendingModifiedValues"] == {"DBInstanceClass": "db.r6g.large"}
    assert db["DBParameterGroups"][0]["DBParameterGroupName"] == OURS
    assert "Your queued changes (instance class db.r6g.large) stay queued for the maintenance window" in (
        result.message
    )


def test_the_reboot_waits_for_pending_reboot_and_then_for_in_sync(
    aws: AwsContext, calls: list[tuple[str, dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.rds.models import rds_backends

    orders = _instance(aws)
    seen_at_reboot: list[tuple[str, str]] = []

    def note(**_: Any) -> None:
        instance = rds_backends[ACCOUNT][REGION].databases["orders"]
        status = instance.db_parameter_group_status_list[0]["ParameterApplyStatus"]
        seen_at_reboot.append((instance.status, status))

    aws.rds.meta.events.register("before-call.rds.RebootDBInstance", note)
    monkeypatch.setattr(parameter_group, "REBOOT_PATIENCE", Patience(timeout=30, shortest=0.05))
    try:
        # Applying and rebooting take a moment (0.3 s and 0.9 s here), as they take minutes in AWS.
        with timing.scaled(0.01):
            result = rds_params.fix_skip_name_resolve(aws, orders, LINK, allow_reboot=True)
            after = _group_status(aws), _db(aws)["DBInstanceStatus"]
    finally:
        aws.rds.meta.events.unregister("before-call.rds.RebootDBInstance", note)

    assert seen_at_reboot == [("available", "pending-reboot")]  # never while applying
    assert after == ((OURS, "in-sync"), "available")  # waited until the reboot was over
    assert _effective()["skip_name_resolve"] == "1"
    assert result.rebooted and not result.needs_reboot
    assert "Rebooted orders; it now runs with skip_name_resolve=1" in result.message
    assert rds_params.HOST_NAME_GRANTS_SQL in result.message
    assert [p for op, p in calls if op == "RebootDBInstance"] == [{"DBInstanceIdentifier": "orders"}]
    row = rds_params.check_skip_name_resolve(aws, orders, LINK)
    assert row.ok and not row.warning


def test_a_setting_waiting_for_a_reboot_is_rebooted_only_with_consent(
    aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    orders = _instance(aws)
    rds_params.fix_skip_name_resolve(aws, orders, LINK)
    assert _group_status(aws) == (OURS, "pending-reboot")
    calls.clear()
    rds_params.fix_skip_name_resolve(aws, orders, LINK, allow_reboot=False)
    assert "RebootDBInstance" not in _ops(calls)
    result = rds_params.fix_skip_name_resolve(aws, orders, LINK, allow_reboot=True)
    assert result.rebooted and _ops(calls).count("RebootDBInstance") == 1
    assert _group_status(aws) == (OURS, "in-sync")
    # In effect now: nothing left to do, no second reboot.
    again = rds_params.fix_skip_name_resolve(aws, orders, LINK, allow_reboot=True)
    assert not again.rebooted and "already 1" in again.message
    assert _ops(calls).count("RebootDBInstance") == 1


def test_a_group_already_on_is_ok(aws: AwsContext) -> None:
    _team_group(aws, skip_name_resolve="1")
    orders = _instance(aws, DBParameterGroupName="team-mysql")
    row = rds_params.check_skip_name_resolve(aws, orders)
    assert row.ok and not row.warning and "team-mysql" in row.reason


def test_a_group_without_the_setting_counts_as_off(aws: AwsContext) -> None:
    _team_group(aws)
    orders = _instance(aws, DBParameterGroupName="team-mysql")
    row = rds_params.check_skip_name_resolve(aws, orders)
    assert not row.ok and "not set" in row.reason


def test_an_older_copy_is_replaced_and_a_group_not_ours_is_left_alone(
    aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    orders = _instance(aws)
    rds_params.fix_skip_name_resolve(aws, orders, LINK)
    # The DBA moved the database to a team group since: the old copy is stale.
    _team_group(aws)
    aws.rds.modify_db_instance(DBInstanceIdentifier="orders", DBParameterGroupName="team-mysql")
    result = rds_params.fix_skip_name_resolve(aws, orders, LINK)
    assert f"Deleted the wizard's older copy {OURS}" in result.message
    assert _values(aws, OURS) == {"wait_timeout": "300", "skip_name_resolve": "1"}
    assert _group_status(aws)[0] == OURS

    # A group of that name the wizard did not make (no link tags) is never touched.
    aws.rds.create_db_parameter_group(
        DBParameterGroupName="other-link-params", DBParameterGroupFamily="mysql8.0", Description="theirs"
    )
    aws.rds.modify_db_instance(DBInstanceIdentifier="orders", DBParameterGroupName="team-mysql")
    calls.clear()
    with pytest.raises(UserError) as caught:
        rds_params.fix_skip_name_resolve(aws, orders, "other-link")
    assert "did not make it" in caught.value.what
    assert not {"DeleteDBParameterGroup", "ModifyDBParameterGroup", "ModifyDBInstance"} & set(_ops(calls))


def test_other_sources_do_not_need_either_setting(aws: AwsContext) -> None:
    pg16 = _instance(aws, "ledger", engine="postgres")
    server = DataSource(kind=SourceKind.EC2_INSTANCE, id="i-0123456789abcdef0", vpc_id="vpc-1")
    for source in (pg16, server):
        for check in (rds_params.check_skip_name_resolve, rds_params.check_max_connect_errors):
            row = check(aws, source, LINK)
            assert row.ok and row.reason.startswith("not needed")
        assert rds_params.fix_skip_name_resolve(aws, source, LINK).parameter_group == ""
        assert rds_params.fix_max_connect_errors(aws, source, LINK).parameter_group == ""


def test_link_group_names_start_with_a_letter() -> None:
    assert rds_params.link_group_name("orders") == "orders-params"
    assert rds_params.link_group_name("1st-db") == "plw-1st-db-params"


def test_access_denied_on_the_change_names_the_permission(aws: AwsContext) -> None:
    # Stubber: the refusal must carry AWS's exact error shape; moto's IAM emulation would need
    # users and policies set up just to produce the same message.
    source = DataSource(kind=SourceKind.RDS_INSTANCE, id="orders", vpc_id="vpc-1", engine="mysql")
    instance = {
        "DBInstances": [
            {
                "DBInstanceIdentifier": "orders",
                "DBInstanceStatus": "available",
                "DBParameterGroups": [{"DBParameterGroupName": OURS, "ParameterApplyStatus": "in-sync"}],
            }
        ]
    }
    group = {"DBParameterGroups": [{"DBParameterGroupName": OURS, "DBParameterGroupArn": "arn:aws:rds:pg"}]}
    tags = {
        "TagList": [{"Key": MANAGED_BY_KEY, "Value": MANAGED_BY_VALUE}, {"Key": LINK_TAG_KEY, "Value": LINK}]
    }
    with Stubber(aws.rds) as stub:
        stub.add_response("describe_db_instances", instance)
        stub.add_response(
            "describe_db_parameters",
            {"Parameters": [{"ParameterName": "skip_name_resolve", "ParameterValue": "0"}]},
        )
        stub.add_response("describe_db_parameter_groups", group)
        stub.add_response("list_tags_for_resource", tags)
        stub.add_client_error(
            "modify_db_parameter_group",
            service_error_code="AccessDenied",
            service_message="User: arn:aws:iam::123456789012:user/dba is not authorized to "
            f"perform: rds:ModifyDBParameterGroup on resource: {OURS}",
            http_status_code=403,
        )
        with pytest.raises(UserError) as caught:
            rds_params.fix_skip_name_resolve(aws, source, LINK)
    assert caught.value.permission == "rds:ModifyDBParameterGroup"
    assert "rds:ModifyDBParameterGroup" in caught.value.fix


# --- max_connect_errors -------------------------------------------------------------------------


def test_max_connect_errors_at_its_default_fails_and_says_why(aws: AwsContext) -> None:
    orders = _instance(aws)
    row = rds_params.check_max_connect_errors(aws, orders, LINK)
    assert row.key == "max-connect-errors" and not row.ok and row.required
    assert "not set (the default is 100)" in row.reason and "health checks" in row.reason
    assert "blocks that address" in row.reason
    assert row.fix.startswith(f"Set max_connect_errors=1000000 in a new parameter group {OURS}")
    assert "without a reboot" in row.fix


def test_max_connect_errors_is_set_after_the_attach_and_applies_without_reboot(
    aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    _team_group(aws, max_connect_errors="100")
    orders = _instance(aws, DBParameterGroupName="team-mysql")
    calls.clear()
    result = rds_params.fix_max_connect_errors(aws, orders, LINK)

    assert (result.parameter_group, result.needs_reboot, result.rebooted) == (OURS, False, False)
    assert "applies at once, without a reboot" in result.message
    ops = _ops(calls)
    assert "RebootDBInstance" not in ops
    assert ops.index("ModifyDBInstance") < ops.index("ModifyDBParameterGroup")  # attach first
    assert [p["Parameters"] for op, p in calls if op == "ModifyDBParameterGroup"] == [
        [{"ParameterName": "max_connect_errors", "ParameterValue": "1000000", "ApplyMethod": "immediate"}]
    ]
    assert _values(aws, "team-mysql")["max_connect_errors"] == "100"
    assert _values(aws, OURS) == {"wait_timeout": "300", "max_connect_errors": "1000000"}
    assert _effective()["max_connect_errors"] == "1000000"  # in effect, no reboot
    row = rds_params.check_max_connect_errors(aws, orders, LINK)
    assert row.ok and not row.warning and "1,000,000" in row.reason
    # The attach itself still waits for a reboot: the other settings' check says so.
    assert _group_status(aws) == (OURS, "pending-reboot")


def test_both_fixes_share_the_links_group(aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]) -> None:
    orders = _instance(aws)
    rds_params.fix_skip_name_resolve(aws, orders, LINK)
    calls.clear()
    result = rds_params.fix_max_connect_errors(aws, orders, LINK)
    assert result.parameter_group == OURS
    assert not {"CreateDBParameterGroup", "CopyDBParameterGroup", "ModifyDBInstance"} & set(_ops(calls))
    assert _values(aws, OURS) == {"skip_name_resolve": "1", "max_connect_errors": "1000000"}
    assert _effective() == {"max_connect_errors": "1000000"}  # skip_name_resolve waits for the reboot


def test_a_high_value_waiting_for_the_next_reboot_is_set_again_to_apply_at_once(aws: AwsContext) -> None:
    _team_group(aws)
    orders = _instance(aws)
    aws.rds.modify_db_instance(DBInstanceIdentifier="orders", DBParameterGroupName="team-mysql")
    aws.rds.modify_db_parameter_group(
        DBParameterGroupName="team-mysql",
        Parameters=[
            {
                "ParameterName": "max_connect_errors",
                "ParameterValue": "5000000",
                "ApplyMethod": "pending-reboot",
            }
        ],
    )
    row = rds_params.check_max_connect_errors(aws, orders, LINK)
    assert not row.ok and "for the next reboot of orders" in row.reason
    assert "=5000000 again, to apply at once" in row.fix and f"in {OURS}, a copy of team-mysql" in row.fix
    assert "max_connect_errors" not in _effective()

    rds_params.fix_max_connect_errors(aws, orders, LINK)
    assert _values(aws, "team-mysql")["max_connect_errors"] == "5000000"
    assert _effective()["max_connect_errors"] == "5000000"  # the DBA's higher value, now in effect
    assert rds_params.check_max_connect_errors(aws, orders, LINK).ok


def test_aurora_skip_name_resolve_is_a_note_max_connect_errors_is_fixed_on_the_writer(
    aws: AwsContext,
) -> None:
    # AWS: skip_name_resolve is cluster-level and not modifiable; max_connect_errors is an
    # instance-level parameter, modifiable (Aurora MySQL reference, configuration parameters).
    _network(aws)
    aws.rds.create_db_cluster(
        DBClusterIdentifier="reports",
        Engine="aurora-mysql",
        MasterUsername="admin",
        MasterUserPassword="password123",
        DBSubnetGroupName="ab",
    )
    aws.rds.create_db_instance(
        DBInstanceIdentifier="reports-1",
        Engine="aurora-mysql",
        DBInstanceClass="db.r5.large",
        DBClusterIdentifier="reports",
        DBSubnetGroupName="ab",
    )
    reports = discovery.find_data_source(aws, "reports")
    row = rds_params.check_skip_name_resolve(aws, reports)
    assert row.ok and row.warning and not row.required
    assert "cluster parameter group" in row.reason and row.fix == ""
    with pytest.raises(UserError) as caught:
        rds_params.fix_skip_name_resolve(aws, reports, LINK)
    assert "Aurora" in caught.value.what

    row = rds_params.check_max_connect_errors(aws, reports, LINK)
    assert not row.ok and "attached to reports-1" in row.fix
    result = rds_params.fix_max_connect_errors(aws, reports, LINK)
    assert result.parameter_group == OURS and _group_status(aws, "reports-1")[0] == OURS
    assert _effective("reports-1")["max_connect_errors"] == "1000000"
    assert rds_params.check_max_connect_errors(aws, reports, LINK).ok


# --- what setup and status say ----------------------------------------------------------------


def test_setup_and_status_say_waiting_for_a_reboot_until_it_is_done(
    aws: AwsContext, seeded: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.helpers import finding, status_of
    from wizard.cli import main

    setup = ["setup", "--region", REGION, "--source", seeded.orders_mysql, "--name", "orders", "--yes"]
    assert main([*setup, "--fix"]) == 0
    out = capsys.readouterr().err  # the checks are progress, on stderr
    assert "!  MySQL does not look up host names" in out and "waiting for a reboot" in out
    assert f"Not finished yet: Reboot {seeded.orders_mysql}" in out
    assert "ok MySQL does not block the load balancer" in out
    waiting = finding(status_of(aws), "MySQL does not look up host names")
    assert waiting.severity == "warning" and "waiting for a reboot" in waiting.why
    assert waiting.fix_key == ""  # a reboot is the DBA's to do, or setup's with --allow-reboot

    assert main([*setup, "--fix", "--allow-reboot"]) == 0
    out = capsys.readouterr().err
    assert f"Rebooted {seeded.orders_mysql}" in out
    assert "ok MySQL does not look up host names" in out
    status = status_of(aws)
    assert not [f for f in status.findings if f.title.startswith("MySQL")], status.text()


def test_a_multi_az_db_cluster_is_checked_in_its_cluster_group_never_changed(
    aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    # "You can't modify the DB instances within a Multi-AZ DB cluster": its settings come from
    # its DB cluster parameter group, which the wizard does not change (no Fix, not blocking).
    _network(aws)
    aws.rds.create_db_cluster(
        DBClusterIdentifier="ledger",
        Engine="mysql",
        DBClusterInstanceClass="db.m6gd.large",
        StorageType="io1",
        AllocatedStorage=100,
        Iops=1000,
        MasterUsername="admin",
        MasterUserPassword="password123",
        DBSubnetGroupName="ab",
    )
    for instance_id in ("ledger-1", "ledger-2", "ledger-3"):
        aws.rds.create_db_instance(
            DBInstanceIdentifier=instance_id,
            DBClusterIdentifier="ledger",
            Engine="mysql",
            DBInstanceClass="db.m6gd.large",
            DBSubnetGroupName="ab",
        )
    ledger = discovery.find_data_source(aws, "ledger")
    assert ledger.kind is SourceKind.MULTI_AZ_CLUSTER
    calls.clear()
    for check in (rds_params.check_skip_name_resolve, rds_params.check_max_connect_errors):
        row = check(aws, ledger, LINK)
        assert not row.ok and not row.required and row.fix == ""
        assert "DB cluster parameter group" in row.reason and "no Fix here" in row.reason
    for fix in (rds_params.fix_skip_name_resolve, rds_params.fix_max_connect_errors):
        with pytest.raises(UserError, match="Multi-AZ DB cluster"):
            fix(aws, ledger, LINK)
    assert not {op for op in _ops(calls) if not op.startswith("Describe")}
