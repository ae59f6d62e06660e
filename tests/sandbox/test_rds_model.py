"""The sandbox's RDS model: parameter group status after an attach, a parameter change and a
reboot; queued changes; AWS's refusals (each as wizard/sandbox/rds_model.py cites it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from wizard.aws.session import AwsContext
from wizard.sandbox import rds_model, timing

ACCOUNT = "123456789012"
REGION = "us-east-1"
DB = "orders"


@pytest.fixture
def rds(aws: AwsContext) -> Iterator[Any]:
    aws.rds.create_db_instance(
        DBInstanceIdentifier=DB,
        Engine="mysql",
        EngineVersion="8.0.36",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
    )
    aws.rds.create_db_parameter_group(
        DBParameterGroupName="team-mysql", DBParameterGroupFamily="mysql8.0", Description="team settings"
    )
    yield aws.rds


def _db(rds: Any) -> dict[str, Any]:
    return dict(rds.describe_db_instances(DBInstanceIdentifier=DB)["DBInstances"][0])


def _state(rds: Any) -> tuple[str, str, str]:
    db = _db(rds)
    group = db["DBParameterGroups"][0]
    return db["DBInstanceStatus"], group["DBParameterGroupName"], group["ParameterApplyStatus"]


def _later(clock: str, aws_seconds: float) -> None:
    """Move one of the instance's clocks back, as if `aws_seconds` had passed (scale 1)."""
    from moto.rds.models import rds_backends

    instance = rds_backends[ACCOUNT][REGION].databases[DB]
    setattr(instance, f"_plw_{clock}_at", getattr(instance, f"_plw_{clock}_at") - aws_seconds)


def _error(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def _set(rds: Any, group: str, name: str, value: str, method: str) -> None:
    rds.modify_db_parameter_group(
        DBParameterGroupName=group,
        Parameters=[{"ParameterName": name, "ParameterValue": value, "ApplyMethod": method}],
    )


def _effective() -> dict[str, str]:
    return rds_model.effective_parameters(ACCOUNT, REGION, DB)


def test_an_attached_group_applies_then_waits_for_a_reboot(rds: Any) -> None:
    _set(rds, "team-mysql", "skip_name_resolve", "1", "pending-reboot")
    with timing.scaled(1):
        reply = rds.modify_db_instance(
            DBInstanceIdentifier=DB, DBParameterGroupName="team-mysql", ApplyImmediately=False
        )["DBInstance"]
        # The name changes at once, even without ApplyImmediately; its values are not in effect.
        assert reply["DBParameterGroups"][0]["DBParameterGroupName"] == "team-mysql"
        assert _state(rds) == ("modifying", "team-mysql", "applying")
        # A reboot is refused while RDS is still taking the group in.
        code, message = _error(rds.reboot_db_instance, DBInstanceIdentifier=DB)
        assert code == "InvalidDBInstanceState" and "in-progress management operation" in message
        _later("applying", rds_model.APPLYING_SECONDS)
        assert _state(rds) == ("available", "team-mysql", "pending-reboot")
        assert "skip_name_resolve" not in _effective()

        rds.reboot_db_instance(DBInstanceIdentifier=DB)
        assert _state(rds) == ("rebooting", "team-mysql", "pending-reboot")
        code, message = _error(rds.reboot_db_instance, DBInstanceIdentifier=DB)
        assert (code, message) == ("InvalidDBInstanceState", f"Instance {DB} is not in available state.")
        code, _ = _error(rds.modify_db_instance, DBInstanceIdentifier=DB, ApplyImmediately=True)
        assert code == "InvalidDBInstanceState"
        _later("reboot", rds_model.REBOOT_SECONDS)
        assert _state(rds) == ("available", "team-mysql", "in-sync")
    assert _effective()["skip_name_resolve"] == "1"


def test_at_scale_0_every_change_is_final_when_first_read(rds: Any) -> None:
    reply = rds.modify_db_instance(DBInstanceIdentifier=DB, DBParameterGroupName="team-mysql")["DBInstance"]
    assert reply["DBParameterGroups"][0]["ParameterApplyStatus"] == "pending-reboot"
    assert _state(rds) == ("available", "team-mysql", "pending-reboot")
    rds.reboot_db_instance(DBInstanceIdentifier=DB)
    assert _state(rds) == ("available", "team-mysql", "in-sync")


def test_a_static_change_waits_for_a_reboot_a_dynamic_one_applies_at_once(rds: Any) -> None:
    rds.modify_db_instance(DBInstanceIdentifier=DB, DBParameterGroupName="team-mysql")
    rds.reboot_db_instance(DBInstanceIdentifier=DB)
    assert _state(rds)[2] == "in-sync"

    _set(rds, "team-mysql", "max_connect_errors", "1000000", "immediate")
    assert _state(rds)[2] == "in-sync"
    assert _effective()["max_connect_errors"] == "1000000"

    with timing.scaled(1):
        _set(rds, "team-mysql", "skip_name_resolve", "1", "pending-reboot")
        assert _state(rds) == ("available", "team-mysql", "applying")
        _later("applying", rds_model.APPLYING_SECONDS)
        assert _state(rds) == ("available", "team-mysql", "pending-reboot")
    # A later dynamic change applies at once, but the static one still waits for the reboot.
    _set(rds, "team-mysql", "max_connect_errors", "2000000", "immediate")
    assert _state(rds)[2] == "pending-reboot"
    assert _effective() == {"max_connect_errors": "2000000"}
    rds.reboot_db_instance(DBInstanceIdentifier=DB)
    assert _state(rds)[2] == "in-sync"
    assert _effective() == {"max_connect_errors": "2000000", "skip_name_resolve": "1"}


def test_a_dynamic_value_carried_in_by_a_new_group_waits_for_a_reboot(rds: Any) -> None:
    # ModifyDBInstance, DBParameterGroupName: only changes made after the attach apply at once.
    _set(rds, "team-mysql", "max_connect_errors", "1000000", "immediate")
    rds.modify_db_instance(DBInstanceIdentifier=DB, DBParameterGroupName="team-mysql")
    assert "max_connect_errors" not in _effective()
    rds.reboot_db_instance(DBInstanceIdentifier=DB)
    assert _effective()["max_connect_errors"] == "1000000"


def test_changes_wait_for_the_maintenance_window_until_applied_immediately(rds: Any) -> None:
    reply = rds.modify_db_instance(
        DBInstanceIdentifier=DB, DBInstanceClass="db.m5.large", AllocatedStorage=50, ApplyImmediately=False
    )["DBInstance"]
    assert reply["DBInstanceClass"] == "db.t3.micro"
    assert reply["PendingModifiedValues"] == {"DBInstanceClass": "db.m5.large", "AllocatedStorage": 50}
    # Neither a reboot nor another change without ApplyImmediately applies them.
    rds.reboot_db_instance(DBInstanceIdentifier=DB)
    rds.modify_db_instance(DBInstanceIdentifier=DB, DBParameterGroupName="team-mysql", ApplyImmediately=False)
    db = _db(rds)
    assert (db["DBInstanceClass"], db["AllocatedStorage"]) == ("db.t3.micro", 20)
    assert db["PendingModifiedValues"] == {"DBInstanceClass": "db.m5.large", "AllocatedStorage": 50}
    # ApplyImmediately applies this request's changes and every queued one.
    rds.modify_db_instance(DBInstanceIdentifier=DB, BackupRetentionPeriod=3, ApplyImmediately=True)
    db = _db(rds)
    assert (db["DBInstanceClass"], db["AllocatedStorage"]) == ("db.m5.large", 50)
    assert db["PendingModifiedValues"] == {}


def test_default_groups_cannot_be_changed_copied_or_deleted(rds: Any) -> None:
    assert _state(rds)[1] == "default.mysql8.0"
    code, message = _error(
        rds.modify_db_parameter_group,
        DBParameterGroupName="default.mysql8.0",
        Parameters=[
            {"ParameterName": "max_connect_errors", "ParameterValue": "5", "ApplyMethod": "immediate"}
        ],
    )
    assert (code, message) == ("InvalidParameterValue", "Cannot modify a default parameter group.")
    code, message = _error(
        rds.copy_db_parameter_group,
        SourceDBParameterGroupIdentifier="default.mysql8.0",
        TargetDBParameterGroupIdentifier="mine",
        TargetDBParameterGroupDescription="mine",
    )
    assert code == "InvalidParameterValue" and "DBParameterGroupName is not a valid identifier" in message
    code, _ = _error(rds.delete_db_parameter_group, DBParameterGroupName="default.mysql8.0")
    assert code == "InvalidDBParameterGroupState"


def test_a_static_parameter_refuses_immediate(rds: Any) -> None:
    code, message = _error(
        rds.modify_db_parameter_group,
        DBParameterGroupName="team-mysql",
        Parameters=[
            {"ParameterName": "skip_name_resolve", "ParameterValue": "1", "ApplyMethod": "immediate"}
        ],
    )
    assert (code, message) == (
        "InvalidParameterCombination",
        "cannot use immediate apply method for static parameter",
    )
    params = {
        p["ParameterName"]: p
        for p in rds.describe_db_parameters(DBParameterGroupName="team-mysql")["Parameters"]
    }
    assert params["skip_name_resolve"]["ApplyType"] == "static"
    assert params["max_connect_errors"]["ApplyType"] == "dynamic"
    assert "ParameterValue" not in params["skip_name_resolve"]


def test_a_copy_keeps_the_values_and_takes_its_tags_and_a_used_group_stays(rds: Any) -> None:
    _set(rds, "team-mysql", "wait_timeout", "300", "immediate")
    copy = rds.copy_db_parameter_group(
        SourceDBParameterGroupIdentifier="team-mysql",
        TargetDBParameterGroupIdentifier="copy-mysql",
        TargetDBParameterGroupDescription="copy",
        Tags=[{"Key": "owner", "Value": "wizard"}],
    )["DBParameterGroup"]
    params = {
        p["ParameterName"]: p
        for p in rds.describe_db_parameters(DBParameterGroupName="copy-mysql")["Parameters"]
    }
    assert params["wait_timeout"]["ParameterValue"] == "300"
    assert copy["DBParameterGroupFamily"] == "mysql8.0"
    tags = rds.list_tags_for_resource(ResourceName=copy["DBParameterGroupArn"])["TagList"]
    assert tags == [{"Key": "owner", "Value": "wizard"}]

    rds.modify_db_instance(DBInstanceIdentifier=DB, DBParameterGroupName="copy-mysql")
    code, _ = _error(rds.delete_db_parameter_group, DBParameterGroupName="copy-mysql")
    assert code == "InvalidDBParameterGroupState"
    rds.delete_db_parameter_group(DBParameterGroupName="team-mysql")  # nothing uses it


def test_the_model_answers_over_http_as_in_process(moto_server_rds: Any) -> None:
    rds = moto_server_rds
    rds.create_db_instance(
        DBInstanceIdentifier="served",
        Engine="mysql",
        EngineVersion="8.0.36",
        DBInstanceClass="db.t3.micro",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
    )
    rds.create_db_parameter_group(
        DBParameterGroupName="served-params", DBParameterGroupFamily="mysql8.0", Description="x"
    )
    with timing.scaled(1):
        rds.modify_db_instance(
            DBInstanceIdentifier="served", DBParameterGroupName="served-params", DBInstanceClass="db.m5.large"
        )
        db = rds.describe_db_instances(DBInstanceIdentifier="served")["DBInstances"][0]
    assert db["DBInstanceStatus"] == "modifying"
    assert db["DBParameterGroups"] == [
        {"DBParameterGroupName": "served-params", "ParameterApplyStatus": "applying"}
    ]
    assert db["PendingModifiedValues"] == {"DBInstanceClass": "db.m5.large"}


@pytest.fixture
def moto_server_rds(moto_server_url: str) -> Any:
    import boto3

    return boto3.client(
        "rds",
        region_name=REGION,
        endpoint_url=moto_server_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
