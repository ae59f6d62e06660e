"""skip_name_resolve: default group (new custom group, no reboot), custom group, Aurora, others."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from wizard.aws import discovery, rds_params
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import LINK_TAG_KEY, DataSource, SourceKind

REGION = "us-east-1"
LINK = "orders-link"


@pytest.fixture
def aws(plain_aws: AwsContext) -> AwsContext:
    return plain_aws


@pytest.fixture
def calls(aws: AwsContext) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every RDS call the engine makes, with its parameters (to prove what it never does)."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        seen.append((model.name, params))

    aws.rds.meta.events.register("before-parameter-build.rds.*", record)
    yield seen
    aws.rds.meta.events.unregister("before-parameter-build.rds.*", record)


def _network(aws: AwsContext) -> None:
    vpc = aws.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        aws.ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for zone, cidr in (("us-east-1a", "10.0.1.0/24"), ("us-east-1b", "10.0.2.0/24"))
    ]
    aws.rds.create_db_subnet_group(
        DBSubnetGroupName="ab", DBSubnetGroupDescription="ab", SubnetIds=subnets
    )


def _instance(aws: AwsContext, name: str, engine: str = "mysql", **extra: Any) -> DataSource:
    aws.rds.create_db_instance(
        DBInstanceIdentifier=name, Engine=engine, DBInstanceClass="db.t3.micro",
        MasterUsername="admin", MasterUserPassword="password123", AllocatedStorage=20,
        DBSubnetGroupName="ab", **extra,
    )
    return discovery.find_data_source(aws, name)


def _custom_group(aws: AwsContext, name: str, value: str | None) -> None:
    aws.rds.create_db_parameter_group(
        DBParameterGroupName=name, DBParameterGroupFamily="mysql8.0", Description="team settings"
    )
    if value is not None:
        aws.rds.modify_db_parameter_group(
            DBParameterGroupName=name,
            Parameters=[{"ParameterName": "skip_name_resolve", "ParameterValue": value,
                         "ApplyMethod": "pending-reboot"}],
        )


def _value(aws: AwsContext, group: str) -> dict[str, Any] | None:
    params = aws.rds.describe_db_parameters(DBParameterGroupName=group)["Parameters"]
    return next((p for p in params if p["ParameterName"] == "skip_name_resolve"), None)


def _attached_group(aws: AwsContext, instance_id: str) -> str:
    db = aws.rds.describe_db_instances(DBInstanceIdentifier=instance_id)["DBInstances"][0]
    return str(db["DBParameterGroups"][0]["DBParameterGroupName"])


def test_default_group_needs_a_custom_group(aws: AwsContext) -> None:
    _network(aws)
    orders = _instance(aws, "orders")
    row = rds_params.check_skip_name_resolve(aws, orders, link_name=LINK)
    assert row.key == "skip-name-resolve"
    assert not row.ok and row.required
    assert orders.parameter_group in row.reason
    assert "default parameter group" in row.reason and "does not allow changing" in row.reason
    assert f"Create a custom parameter group {LINK}-params" in row.fix
    assert "skip_name_resolve=1" in row.fix and "rebooted" in row.fix


def test_fixing_a_default_group_creates_and_attaches_a_custom_one_without_reboot(
    aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    _network(aws)
    orders = _instance(aws, "orders", EngineVersion="8.0.35")
    default_group = orders.parameter_group
    assert default_group.startswith("default.")

    calls.clear()
    result = rds_params.fix_skip_name_resolve(aws, orders, LINK)

    new_group = f"{LINK}-params"
    assert result.parameter_group == new_group
    assert result.needs_reboot and not result.rebooted
    assert "reboot of orders is still needed" in result.message
    assert "was not rebooted" in result.message
    assert _attached_group(aws, "orders") == new_group
    group = aws.rds.describe_db_parameter_groups(DBParameterGroupName=new_group)["DBParameterGroups"][0]
    default = aws.rds.describe_db_parameter_groups(DBParameterGroupName=default_group)["DBParameterGroups"][0]
    assert group["DBParameterGroupFamily"] == default["DBParameterGroupFamily"]
    tags = aws.rds.list_tags_for_resource(ResourceName=group["DBParameterGroupArn"])["TagList"]
    assert {"Key": LINK_TAG_KEY, "Value": LINK} in tags
    setting = _value(aws, new_group)
    assert setting is not None
    assert (setting["ParameterValue"], setting["ApplyMethod"]) == ("1", "pending-reboot")
    # The default group was never touched (moto would allow it; real AWS refuses) ...
    assert _value(aws, default_group) is None
    touched = [p for op, p in calls if op == "ModifyDBParameterGroup"]
    assert [p["DBParameterGroupName"] for p in touched] == [new_group]
    # ... and nothing was rebooted.
    assert "RebootDBInstance" not in [op for op, _ in calls]

    # Running the fix again changes nothing and creates nothing.
    calls.clear()
    again = rds_params.fix_skip_name_resolve(aws, orders, LINK)
    assert again.parameter_group == new_group and not again.rebooted
    assert not {"CreateDBParameterGroup", "ModifyDBInstance", "RebootDBInstance"} & {op for op, _ in calls}
    assert rds_params.check_skip_name_resolve(aws, orders, link_name=LINK).ok


def test_reboot_only_with_consent(aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]) -> None:
    _network(aws)
    orders = _instance(aws, "orders")
    result = rds_params.fix_skip_name_resolve(aws, orders, LINK, allow_reboot=True)
    assert result.rebooted and not result.needs_reboot
    assert "Rebooted orders" in result.message
    reboots = [p for op, p in calls if op == "RebootDBInstance"]
    assert reboots == [{"DBInstanceIdentifier": "orders"}]


def test_custom_group_set_to_zero_is_changed_in_place(
    aws: AwsContext, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    _network(aws)
    _custom_group(aws, "team-mysql", "0")
    orders = _instance(aws, "orders", DBParameterGroupName="team-mysql")
    row = rds_params.check_skip_name_resolve(aws, orders, link_name=LINK)
    assert not row.ok
    assert "skip_name_resolve is 0" in row.reason and "team-mysql" in row.reason
    assert row.fix.startswith("Set skip_name_resolve=1 in parameter group team-mysql")
    assert "next reboot" in row.fix

    calls.clear()
    result = rds_params.fix_skip_name_resolve(aws, orders, LINK)
    assert result.parameter_group == "team-mysql"
    assert result.needs_reboot and not result.rebooted
    setting = _value(aws, "team-mysql")
    assert setting is not None and setting["ParameterValue"] == "1"
    assert _attached_group(aws, "orders") == "team-mysql"
    assert not {"CreateDBParameterGroup", "ModifyDBInstance", "RebootDBInstance"} & {op for op, _ in calls}
    assert rds_params.check_skip_name_resolve(aws, orders).ok


def test_custom_group_without_the_setting_counts_as_off(aws: AwsContext) -> None:
    _network(aws)
    _custom_group(aws, "team-mysql", None)
    orders = _instance(aws, "orders", DBParameterGroupName="team-mysql")
    row = rds_params.check_skip_name_resolve(aws, orders)
    assert not row.ok and "not set" in row.reason


def test_custom_group_already_on_is_ok(aws: AwsContext) -> None:
    _network(aws)
    _custom_group(aws, "team-mysql", "1")
    orders = _instance(aws, "orders", DBParameterGroupName="team-mysql")
    row = rds_params.check_skip_name_resolve(aws, orders)
    assert row.ok and not row.warning
    assert "team-mysql" in row.reason


def test_non_mysql_sources_do_not_need_it(aws: AwsContext) -> None:
    _network(aws)
    pg = _instance(aws, "ledger", engine="postgres")
    server = DataSource(kind=SourceKind.EC2_INSTANCE, id="i-0123456789abcdef0", vpc_id="vpc-1")
    for source in (pg, server):
        row = rds_params.check_skip_name_resolve(aws, source)
        assert row.ok and row.reason.startswith("not needed")
        result = rds_params.fix_skip_name_resolve(aws, source, LINK)
        assert not result.needs_reboot and result.parameter_group == ""


def test_aurora_mysql_is_a_note_not_a_fix(aws: AwsContext) -> None:
    # AWS lists skip_name_resolve among Aurora MySQL's cluster-level parameters, not modifiable.
    _network(aws)
    aws.rds.create_db_cluster(
        DBClusterIdentifier="reports", Engine="aurora-mysql", MasterUsername="admin",
        MasterUserPassword="password123", DBSubnetGroupName="ab",
    )
    aws.rds.create_db_instance(
        DBInstanceIdentifier="reports-1", Engine="aurora-mysql", DBInstanceClass="db.r5.large",
        DBClusterIdentifier="reports", DBSubnetGroupName="ab",
    )
    reports = discovery.find_data_source(aws, "reports")
    row = rds_params.check_skip_name_resolve(aws, reports)
    assert row.ok and row.warning and not row.required
    assert "cluster parameter group" in row.reason and row.fix == ""
    with pytest.raises(UserError) as caught:
        rds_params.fix_skip_name_resolve(aws, reports, LINK)
    assert "Aurora" in caught.value.what


def test_custom_group_name_starts_with_a_letter() -> None:
    assert rds_params.custom_group_name("orders") == "orders-params"
    assert rds_params.custom_group_name("1st-db") == "plw-1st-db-params"


def test_access_denied_on_the_change_names_the_permission(aws: AwsContext) -> None:
    # Stubber: the refusal must carry AWS's exact error shape; moto's IAM emulation would need
    # users and policies set up just to produce the same message.
    source = DataSource(kind=SourceKind.RDS_INSTANCE, id="orders", vpc_id="vpc-1", engine="mysql")
    instance = {"DBInstances": [{
        "DBInstanceIdentifier": "orders",
        "DBParameterGroups": [{"DBParameterGroupName": "team-mysql", "ParameterApplyStatus": "in-sync"}],
    }]}
    with Stubber(aws.rds) as stub:
        stub.add_response("describe_db_instances", instance)
        stub.add_response("describe_db_parameters", {"Parameters": [
            {"ParameterName": "skip_name_resolve", "ParameterValue": "0", "ApplyType": "static"}
        ]})
        stub.add_client_error(
            "modify_db_parameter_group",
            service_error_code="AccessDenied",
            service_message="User: arn:aws:iam::123456789012:user/dba is not authorized to "
            "perform: rds:ModifyDBParameterGroup on resource: team-mysql",
            http_status_code=403,
        )
        with pytest.raises(UserError) as caught:
            rds_params.fix_skip_name_resolve(aws, source, LINK)
    assert caught.value.permission == "rds:ModifyDBParameterGroup"
    assert "rds:ModifyDBParameterGroup" in caught.value.fix
