"""A database's parameter group, and the one the wizard makes for a link (`<link>-params`).

The wizard never changes a parameter group it did not create: a team's group may be shared by
other databases, and AWS does not allow changing its default groups at all. To change a setting
it copies the database's current group, with all of its settings, into a group of its own
tagged with the link, attaches that group and sets the value there. AWS cannot copy a default
group ("You can't copy a default DB parameter group", CopyDBParameterGroup), so for one of those
it creates a group of the same family, which starts with the same default values.

Attaching a group is a ModifyDBInstance, which would also apply every change the DBA queued for
the maintenance window if sent with ApplyImmediately. The group name changes at once whatever
ApplyImmediately says (ModifyDBInstance, DBParameterGroupName), so the wizard always sends False
and leaves the queue alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from wizard.aws.errors import aws_step
from wizard.aws.polling import Patience, wait_until
from wizard.aws.retry import create_once
from wizard.aws.session import AwsContext
from wizard.errors import EXIT_TIMEOUT, UserError
from wizard.model import LINK_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, link_tags

# RDS refuses changes to the groups AWS provides; their names all start like this.
DEFAULT_GROUP_PREFIX = "default."
IN_SYNC = "in-sync"
APPLYING = "applying"
PENDING_REBOOT = "pending-reboot"
# An attach shows `applying` for seconds to minutes; a reboot takes minutes.
REBOOT_PATIENCE = Patience(timeout=1800.0, longest=15.0)
# PendingModifiedValues fields in words, for the message about queued changes.
_PENDING_WORDS = {
    "DBInstanceClass": "instance class",
    "AllocatedStorage": "storage size",
    "StorageType": "storage type",
    "Iops": "provisioned IOPS",
    "StorageThroughput": "storage throughput",
    "EngineVersion": "engine version",
    "MultiAZ": "Multi-AZ",
    "DBSubnetGroupName": "subnet group",
    "LicenseModel": "license model",
    "CACertificateIdentifier": "CA certificate",
    "Port": "port",
    "BackupRetentionPeriod": "backup retention",
}


@dataclass(frozen=True)
class DbState:
    """What DescribeDBInstances says about a database's parameter group and queued changes."""

    instance_id: str
    status: str  # DBInstanceStatus: available, modifying, rebooting, ...
    group: str
    apply_status: str  # ParameterApplyStatus of that group: in-sync, applying, pending-reboot
    pending: dict[str, Any] = field(default_factory=dict)  # PendingModifiedValues

    @property
    def waiting_for_reboot(self) -> bool:
        """Some values of the group are not in effect yet (they apply at the next reboot)."""
        return self.apply_status in (APPLYING, PENDING_REBOOT)


@dataclass(frozen=True)
class Setting:
    value: str | None  # None: not set in the group (the engine's default applies)
    apply_type: str = ""  # static | dynamic
    apply_method: str = ""  # how it was last changed: immediate | pending-reboot


def link_group_name(link_name: str) -> str:
    """The group the wizard creates: `<link>-params` (a group name must start with a letter)."""
    name = f"{link_name}-params"
    return name if name[:1].isalpha() else f"plw-{name}"


def is_default_group(name: str) -> bool:
    return name.startswith(DEFAULT_GROUP_PREFIX)


def read_instance(aws: AwsContext, instance_id: str) -> DbState:
    with aws_step("Reading the database", "rds:DescribeDBInstances"):
        found = aws.rds.describe_db_instances(DBInstanceIdentifier=instance_id)
    instance = found["DBInstances"][0]
    groups = instance.get("DBParameterGroups", [])
    if not groups:
        raise UserError(
            what=f"{instance_id} has no parameter group",
            why="RDS did not report one; the database may still be being created.",
            fix="Wait until it is 'available' in the RDS console, then check again.",
        )
    return DbState(
        instance_id=instance_id,
        status=str(instance.get("DBInstanceStatus", "")),
        group=str(groups[0]["DBParameterGroupName"]),
        apply_status=str(groups[0].get("ParameterApplyStatus", "")),
        pending=dict(instance.get("PendingModifiedValues") or {}),
    )


def settings(aws: AwsContext, group: str, names: tuple[str, ...]) -> dict[str, Setting]:
    """The named parameters as `group` holds them (a name it does not list: value None)."""
    found = {name: Setting(None) for name in names}
    with aws_step("Reading the database's parameters", "rds:DescribeDBParameters"):
        pages = aws.rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=group)
        for page in pages:
            for p in page.get("Parameters", []):
                if p.get("ParameterName") in found:
                    value = p.get("ParameterValue")
                    found[p["ParameterName"]] = Setting(
                        None if value is None else str(value),
                        str(p.get("ApplyType", "")),
                        str(p.get("ApplyMethod", "")),
                    )
    return found


def describe_pending(pending: Mapping[str, Any]) -> str:
    """Queued changes in words: "instance class db.r6g.large, storage size 200"."""
    parts = [
        f"{_PENDING_WORDS.get(key, key)} {value}"
        for key, value in pending.items()
        if value not in (None, {}, [])
    ]
    return ", ".join(parts)


def use_link_group(aws: AwsContext, state: DbState, link_name: str) -> tuple[str, list[str]]:
    """Make sure the database uses the link's own group (copying its current one into it first);
    returns that group's name and what was done, in sentences."""
    target = link_group_name(link_name)
    existing = _group(aws, target)
    if state.group == target:
        if existing is None or not _is_ours(aws, existing, link_name):
            raise _not_ours(target, link_name)
        return target, []
    done: list[str] = []
    if existing is not None:
        if not _is_ours(aws, existing, link_name):
            raise _not_ours(target, link_name)
        # An older copy nothing uses any more: the database's current group is what to copy now.
        with aws_step("Deleting the wizard's older parameter group", "rds:DeleteDBParameterGroup"):
            aws.rds.delete_db_parameter_group(DBParameterGroupName=target)
        done.append(f"Deleted the wizard's older copy {target}, which {state.instance_id} no longer used.")
    source = _group(aws, state.group)
    if source is None:
        raise UserError(
            what=f"RDS does not list {state.group}, the parameter group of {state.instance_id}",
            why="It may have been deleted or renamed a moment ago.",
            fix="Check the database's parameter group in the RDS console, then try again.",
        )
    family = str(source["DBParameterGroupFamily"])
    if is_default_group(state.group):
        _create(aws, target, family, link_name, state.group)
        done.append(
            f"Created parameter group {target} for {family}, the family of {state.group}: AWS does "
            "not allow changing or copying its default groups, and a new group starts with the "
            "same default values."
        )
    else:
        _copy(aws, state.group, target, link_name)
        done.append(
            f"Copied parameter group {state.group}, with all of its settings, to {target}; "
            f"{state.group} itself is unchanged."
        )
    ready = wait_ready(aws, state.instance_id, lambda s: s.status == "available", "be available")
    with aws_step("Attaching a parameter group to the database", "rds:ModifyDBInstance"):
        # ApplyImmediately=False: the group name changes at once anyway, and True would also
        # apply whatever the DBA queued for the maintenance window.
        aws.rds.modify_db_instance(
            DBInstanceIdentifier=state.instance_id, DBParameterGroupName=target, ApplyImmediately=False
        )
    done.append(f"Attached {target} to {state.instance_id} in place of {state.group}.")
    queued = describe_pending(ready.pending)
    if queued:
        done.append(
            f"Your queued changes ({queued}) stay queued for the maintenance window: the wizard "
            "did not apply them early."
        )
    return target, done


def set_parameters(aws: AwsContext, group: str, values: Mapping[str, tuple[str, str]]) -> None:
    """Set {name: (value, apply method)} in `group`, which must be the wizard's own."""
    if is_default_group(group):  # never: AWS refuses, and the group is not the wizard's
        raise UserError(
            what=f"{group} is an AWS default parameter group and cannot be changed",
            fix="Attach a parameter group of your own instead.",
        )
    with aws_step("Changing a database parameter", "rds:ModifyDBParameterGroup"):
        aws.rds.modify_db_parameter_group(
            DBParameterGroupName=group,
            Parameters=[
                {"ParameterName": name, "ParameterValue": value, "ApplyMethod": method}
                for name, (value, method) in values.items()
            ],
        )


def reboot(aws: AwsContext, instance_id: str, patience: Patience = REBOOT_PATIENCE) -> bool:
    """Reboot once the group's values wait only for it, and wait until they are in effect.
    Returns False (no reboot) if they are already in effect."""
    # RDS refuses a reboot while it is still applying a group change, and a reboot during
    # `applying` might not pick the new values up.
    before = wait_ready(
        aws,
        instance_id,
        lambda s: s.status == "available" and s.apply_status != APPLYING,
        "be ready for a reboot",
        patience,
    )
    if before.apply_status == IN_SYNC:
        return False
    with aws_step("Rebooting the database", "rds:RebootDBInstance"):
        aws.rds.reboot_db_instance(DBInstanceIdentifier=instance_id)
    wait_ready(
        aws,
        instance_id,
        lambda s: s.status == "available" and s.apply_status == IN_SYNC,
        "restart with the new settings",
        patience,
    )
    return True


def wait_ready(
    aws: AwsContext,
    instance_id: str,
    done: Callable[[DbState], bool],
    waiting_to: str,
    patience: Patience = REBOOT_PATIENCE,
) -> DbState:
    def check(state: DbState) -> bool:
        if state.status in ("failed", "incompatible-parameters", "stopped", "deleting"):
            raise UserError(
                what=f"{instance_id} is '{state.status}'",
                why="The database is not running normally, so the wizard stopped here.",
                fix="Look at the database in the RDS console, then run the fix again.",
            )
        return done(state)

    def timed_out(state: DbState) -> UserError:
        return UserError(
            what=f"{instance_id} is still '{state.status}' (parameters '{state.apply_status}') "
            f"after {patience.timeout:g} seconds",
            why="RDS is taking longer than usual.",
            fix="Nothing is lost: look at the database in the RDS console, then run the fix again.",
            step=f"Waiting for the database to {waiting_to}",
            exit_code=EXIT_TIMEOUT,
        )

    return wait_until(lambda: read_instance(aws, instance_id), check, patience, timed_out)


# --- the link's group ---------------------------------------------------------------------------


def _group(aws: AwsContext, name: str) -> dict[str, Any] | None:
    with aws_step("Reading the database's parameter groups", "rds:DescribeDBParameterGroups"):
        try:
            found = aws.rds.describe_db_parameter_groups(DBParameterGroupName=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "DBParameterGroupNotFound":
                raise
            return None
    groups = found.get("DBParameterGroups", [])
    return dict(groups[0]) if groups else None


def _is_ours(aws: AwsContext, group: dict[str, Any], link_name: str) -> bool:
    with aws_step("Reading the tags of a parameter group", "rds:ListTagsForResource"):
        reply = aws.rds.list_tags_for_resource(ResourceName=group["DBParameterGroupArn"])
    tags = {t["Key"]: t["Value"] for t in reply.get("TagList", [])}
    return tags.get(MANAGED_BY_KEY) == MANAGED_BY_VALUE and tags.get(LINK_TAG_KEY) == link_name


def _not_ours(name: str, link_name: str) -> UserError:
    return UserError(
        what=f"A parameter group called {name} exists, but the wizard did not make it for the "
        f"link '{link_name}'",
        why="The wizard keeps the settings it changes in a group of that name, and never changes "
        "a group it did not create.",
        fix=f"Rename or delete {name} (or use another link name), then try again.",
        exit_code=2,
    )


def _description(link_name: str, source: str) -> str:
    return f"privatelink-wizard {link_name}: {source} with the settings the link needs"


def _create(aws: AwsContext, name: str, family: str, link_name: str, source: str) -> None:
    def create() -> str:
        with aws_step("Creating a custom parameter group", "rds:CreateDBParameterGroup"):
            aws.client("rds", retries=False).create_db_parameter_group(
                DBParameterGroupName=name,
                DBParameterGroupFamily=family,
                Description=_description(link_name, f"the {family} defaults (as {source})"),
                Tags=link_tags(link_name),
            )
        return name

    create_once(create, lambda: name if _group(aws, name) else None)


def _copy(aws: AwsContext, source: str, name: str, link_name: str) -> None:
    def copy() -> str:
        with aws_step("Copying the database's parameter group", "rds:CopyDBParameterGroup"):
            aws.client("rds", retries=False).copy_db_parameter_group(
                SourceDBParameterGroupIdentifier=source,
                TargetDBParameterGroupIdentifier=name,
                TargetDBParameterGroupDescription=_description(link_name, f"a copy of {source}"),
                Tags=link_tags(link_name),
            )
        return name

    create_once(copy, lambda: name if _group(aws, name) else None)
