"""skip_name_resolve for MySQL/MariaDB on RDS: check it, and set it without surprises.

MySQL looks up a host name for every client address unless skip_name_resolve is 1. Behind a
PrivateLink load balancer every client address is one of the NLB's private IPs, which have no
useful name, so the lookups only add delay and can break host-based grants.

Aurora MySQL is different: AWS lists skip_name_resolve among the *cluster-level* parameters and
marks it not modifiable (Aurora MySQL reference, "Cluster-level parameters"). The wizard reads it
from the cluster parameter group and, as nobody can change it, reports it as a note, never a fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from wizard.aws.errors import aws_step
from wizard.aws.session import AwsContext
from wizard.checks import CheckRow
from wizard.errors import UserError
from wizard.model import DataSource, SourceKind, link_tags

PARAMETER = "skip_name_resolve"
KEY = "skip-name-resolve"
LABEL = "MySQL does not look up host names of connecting clients (skip_name_resolve = 1)"
_ON_VALUES = {"1", "on", "true"}
# ParameterApplyStatus values meaning the running database does not use the group's values yet.
_NOT_YET_APPLIED = {"pending-reboot", "applying"}
# RDS refuses changes to the groups AWS provides; their names all start like this.
DEFAULT_GROUP_PREFIX = "default."
# A freshly attached group takes minutes to apply in real AWS before a reboot is accepted.
_WAIT = {"Delay": 15, "MaxAttempts": 80}


@dataclass(frozen=True)
class ParamFixResult:
    message: str  # one plain paragraph for the user
    parameter_group: str  # the group that now holds skip_name_resolve = 1
    needs_reboot: bool  # True: the database must still be rebooted for the value to apply
    rebooted: bool  # True: the wizard rebooted it (only ever with allow_reboot=True)


def custom_group_name(link_name: str) -> str:
    """The custom parameter group the wizard creates: `<link>-params` (must start with a letter)."""
    name = f"{link_name}-params"
    return name if name[:1].isalpha() else f"plw-{name}"


def is_default_group(name: str) -> bool:
    return name.startswith(DEFAULT_GROUP_PREFIX)


def applies(source: DataSource) -> bool:
    """skip_name_resolve matters for MySQL/MariaDB on an RDS instance or an Aurora cluster."""
    return source.is_mysql_family and source.kind in (
        SourceKind.RDS_INSTANCE, SourceKind.AURORA_CLUSTER
    )


def check_skip_name_resolve(aws: AwsContext, source: DataSource, link_name: str = "") -> CheckRow:
    """Is skip_name_resolve 1 for the database (ok "not needed" when it is not MySQL on RDS)?"""
    if not applies(source):
        return CheckRow(
            key=KEY, ok=True, label=LABEL, required=False,
            reason="not needed: this setting only matters for MySQL and MariaDB on RDS or Aurora.",
        )
    if source.kind is SourceKind.AURORA_CLUSTER:
        return _check_aurora(aws, source)

    instance = _instance(aws, source.rds_instance_id)
    group, apply_status = _group_of(instance)
    value = _instance_value(aws, group)
    if _is_on(value):
        if apply_status in _NOT_YET_APPLIED:
            return CheckRow(
                key=KEY, ok=True, warning=True, label=LABEL,
                reason=f"Parameter group {group} sets it to 1, but the database applies it only "
                "at its next reboot; until then MySQL still looks up host names.",
            )
        return CheckRow(
            key=KEY, ok=True, label=LABEL, reason=f"Parameter group {group} sets it to 1."
        )
    shown = "not set (MySQL's default is 0)" if value is None else f"{value}"
    if is_default_group(group):
        new_group = (
            custom_group_name(link_name) if link_name else "(named after this link, ending in -params)"
        )
        return CheckRow(
            key=KEY, ok=False, label=LABEL,
            reason=(
                f"skip_name_resolve is {shown} in {group}, an AWS default parameter group. AWS "
                "does not allow changing a default group, so the database needs a custom group."
            ),
            fix=(
                f"Create a custom parameter group {new_group} copying the family of {group}, set "
                "skip_name_resolve=1 in it and attach it to the database. The database must be "
                "rebooted for it to take effect (the wizard reboots only if you allow it)."
            ),
        )
    return CheckRow(
        key=KEY, ok=False, label=LABEL,
        reason=f"skip_name_resolve is {shown} in the database's parameter group {group}.",
        fix=f"Set skip_name_resolve=1 in parameter group {group} (applies at the next reboot; "
        "the wizard reboots only if you allow it).",
    )


def fix_skip_name_resolve(
    aws: AwsContext, source: DataSource, link_name: str, allow_reboot: bool = False
) -> ParamFixResult:
    """Set skip_name_resolve = 1 (never on a default.* group); reboot only if allowed."""
    if not applies(source):
        return ParamFixResult(
            message=f"Nothing to change: skip_name_resolve does not apply to {source.id}.",
            parameter_group="", needs_reboot=False, rebooted=False,
        )
    if source.kind is SourceKind.AURORA_CLUSTER:
        raise UserError(
            what="The wizard cannot change skip_name_resolve on an Aurora MySQL cluster",
            why="Aurora manages it at the cluster level and AWS does not allow changing it.",
            fix="Nothing to do here; give your database users host grants by IP range "
            "(for example '%') rather than by host name.",
            exit_code=2,
        )
    instance_id = source.rds_instance_id
    instance = _instance(aws, instance_id)
    group, apply_status = _group_of(instance)

    if _is_on(_instance_value(aws, group)):
        needs_reboot = apply_status in _NOT_YET_APPLIED
        target = group
        changed = ""
    elif is_default_group(group):
        target = custom_group_name(link_name)
        _ensure_custom_group(aws, target, _family(aws, group), link_name)
        _set_on(aws, target)
        with aws_step("Attaching a parameter group to the database", "rds:ModifyDBInstance"):
            aws.rds.modify_db_instance(
                DBInstanceIdentifier=instance_id, DBParameterGroupName=target, ApplyImmediately=True
            )
        needs_reboot = True
        changed = (
            f"Created parameter group {target} (a copy of the {group} family) with "
            f"skip_name_resolve=1 and attached it to {instance_id} in place of {group}, which AWS "
            "does not allow changing. "
        )
    else:
        target = group
        _set_on(aws, target)
        needs_reboot = True
        changed = f"Set skip_name_resolve=1 in parameter group {target}. "

    if needs_reboot and allow_reboot:
        _reboot(aws, instance_id)
        return ParamFixResult(
            message=changed + f"Rebooted {instance_id} so the setting takes effect; it is "
            "unavailable for a few minutes while it restarts.",
            parameter_group=target, needs_reboot=False, rebooted=True,
        )
    if needs_reboot:
        return ParamFixResult(
            message=changed + f"A reboot of {instance_id} is still needed for it to take effect: "
            "reboot it in a quiet moment (RDS console > Actions > Reboot), or let the wizard do "
            "it. The database was not rebooted.",
            parameter_group=target, needs_reboot=True, rebooted=False,
        )
    return ParamFixResult(
        message=f"skip_name_resolve is already 1 in parameter group {target} and in effect.",
        parameter_group=target, needs_reboot=False, rebooted=False,
    )


# --- Helpers -----------------------------------------------------------------------------------


def _is_on(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _ON_VALUES


def _instance(aws: AwsContext, instance_id: str) -> dict[str, Any]:
    with aws_step("Reading the database", "rds:DescribeDBInstances"):
        found = aws.rds.describe_db_instances(DBInstanceIdentifier=instance_id)
    return dict(found["DBInstances"][0])


def _group_of(instance: dict[str, Any]) -> tuple[str, str]:
    groups = instance.get("DBParameterGroups", [])
    if not groups:
        raise UserError(
            what=f"{instance.get('DBInstanceIdentifier')} has no parameter group",
            why="RDS did not report one; the database may still be being created.",
            fix="Wait until it is 'available' in the RDS console, then check again.",
        )
    return str(groups[0]["DBParameterGroupName"]), str(groups[0].get("ParameterApplyStatus", ""))


def _find_value(parameters: list[dict[str, Any]]) -> str | None:
    for parameter in parameters:
        if parameter.get("ParameterName") == PARAMETER:
            value = parameter.get("ParameterValue")
            return None if value is None else str(value)
    return None


def _instance_value(aws: AwsContext, group: str) -> str | None:
    with aws_step("Reading the database's parameters", "rds:DescribeDBParameters"):
        pages = aws.rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=group)
        return _find_value([p for page in pages for p in page.get("Parameters", [])])


def _check_aurora(aws: AwsContext, source: DataSource) -> CheckRow:
    with aws_step("Reading the Aurora cluster", "rds:DescribeDBClusters"):
        cluster = aws.rds.describe_db_clusters(DBClusterIdentifier=source.id)["DBClusters"][0]
    group = str(cluster.get("DBClusterParameterGroup", ""))
    value: str | None = None
    with aws_step("Reading the cluster's parameters", "rds:DescribeDBClusterParameters"):
        try:
            pages = aws.rds.get_paginator("describe_db_cluster_parameters").paginate(
                DBClusterParameterGroupName=group
            )
            value = _find_value([p for page in pages for p in page.get("Parameters", [])])
        except ClientError as exc:
            # Only a default group can be missing from the listing (emulators); its value is unset.
            if not (is_default_group(group) and "NotFound" in str(exc.response["Error"]["Code"])):
                raise
    if _is_on(value):
        return CheckRow(
            key=KEY, ok=True, label=LABEL, reason=f"Cluster parameter group {group} sets it to 1."
        )
    return CheckRow(
        key=KEY, ok=True, warning=True, required=False, label=LABEL,
        reason=(
            f"Aurora MySQL manages skip_name_resolve itself (cluster parameter group {group}) and "
            "AWS does not allow changing it, so there is nothing to fix. Give your database users "
            "host grants by IP range (for example '%') rather than by host name."
        ),
    )


def _family(aws: AwsContext, group: str) -> str:
    with aws_step("Reading the database's parameter groups", "rds:DescribeDBParameterGroups"):
        found = aws.rds.describe_db_parameter_groups(DBParameterGroupName=group)
    return str(found["DBParameterGroups"][0]["DBParameterGroupFamily"])


def _ensure_custom_group(aws: AwsContext, name: str, family: str, link_name: str) -> None:
    with aws_step("Reading the database's parameter groups", "rds:DescribeDBParameterGroups"):
        try:
            found = aws.rds.describe_db_parameter_groups(DBParameterGroupName=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "DBParameterGroupNotFound":
                raise
            found = {"DBParameterGroups": []}
    existing = found.get("DBParameterGroups", [])
    if existing:
        if existing[0].get("DBParameterGroupFamily") != family:
            raise UserError(
                what=f"A parameter group called {name} already exists for another engine version "
                f"({existing[0].get('DBParameterGroupFamily')}, the database needs {family})",
                why="The wizard reuses that name for its custom group and will not change a group "
                "it did not make for this database.",
                fix=f"Rename or delete {name}, or use another link name, then try again.",
                exit_code=2,
            )
        return
    with aws_step("Creating a custom parameter group", "rds:CreateDBParameterGroup"):
        aws.rds.create_db_parameter_group(
            DBParameterGroupName=name,
            DBParameterGroupFamily=family,
            Description=f"privatelink-wizard {link_name}: {family} defaults with skip_name_resolve=1",
            Tags=link_tags(link_name),
        )


def _set_on(aws: AwsContext, group: str) -> None:
    if is_default_group(group):  # never: AWS refuses, and an emulator would wrongly accept it
        raise UserError(
            what=f"{group} is an AWS default parameter group and cannot be changed",
            fix="Attach a custom parameter group instead.",
        )
    with aws_step("Changing a database parameter", "rds:ModifyDBParameterGroup"):
        aws.rds.modify_db_parameter_group(
            DBParameterGroupName=group,
            # Static parameter: RDS only accepts pending-reboot for it.
            Parameters=[
                {"ParameterName": PARAMETER, "ParameterValue": "1", "ApplyMethod": "pending-reboot"}
            ],
        )


def _reboot(aws: AwsContext, instance_id: str) -> None:
    # A reboot is refused while the group change is still being applied ("modifying").
    with aws_step("Waiting for the database to be ready for a reboot", "rds:DescribeDBInstances"):
        aws.rds.get_waiter("db_instance_available").wait(
            DBInstanceIdentifier=instance_id, WaiterConfig=_WAIT
        )
    with aws_step("Rebooting the database", "rds:RebootDBInstance"):
        aws.rds.reboot_db_instance(DBInstanceIdentifier=instance_id)
