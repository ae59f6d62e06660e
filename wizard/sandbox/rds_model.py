"""The sandbox's model of RDS parameter groups, reboots and queued changes, which moto 5.2 lacks.

moto attaches a parameter group and reports it `in-sync` at once, applies every ModifyDBInstance
change at once whatever ApplyImmediately says, lets anyone change, copy or delete an AWS default
group (or delete one in use), accepts `immediate` for a static parameter, lists only the values
someone set, and reboots in no time whatever the instance is doing.
Real RDS, which the wizard is written for, is modelled here; each rule cites its AWS page.

Durations are AWS seconds, scaled by wizard/sandbox/timing.py: at scale 0 a change is already
final the first time it is read (`applying` is `pending-reboot`, a reboot is over).
`install()` patches moto's RDS backend, response and DBInstance classes in place (tied to 5.2.x,
idempotent through moto_ext's lock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from wizard.sandbox import timing

# No page gives a duration: a parameter group change shows `applying` for well under a minute.
APPLYING_SECONDS = 30.0
# "Rebooting a DB instance results in a momentary outage" (RebootDBInstance): a minute or two.
REBOOT_SECONDS = 90.0

AVAILABLE = "available"
MODIFYING = "modifying"
REBOOTING = "rebooting"
IN_SYNC = "in-sync"
APPLYING = "applying"
PENDING_REBOOT = "pending-reboot"

# The MySQL/MariaDB parameters the wizard reads, as DescribeDBParameters shows them. Static or
# dynamic as the engines document them: skip_name_resolve "Dynamic: No", max_connect_errors
# "Dynamic: Yes" (MySQL Server System Variables; MariaDB System Variables).
CATALOGUE: dict[str, dict[str, Any]] = {
    "skip_name_resolve": {
        "ApplyType": "static",
        "DataType": "boolean",
        "AllowedValues": "0,1",
        "Description": "Don't resolve hostnames",
    },
    "max_connect_errors": {
        "ApplyType": "dynamic",
        "DataType": "integer",
        "AllowedValues": "1-18446744073709551615",
        "Description": "A host is blocked after this many interrupted connection requests",
    },
}
_MYSQL_FAMILIES = ("mysql", "mariadb", "aurora-mysql")

# ModifyDBInstance settings that wait for the maintenance window unless ApplyImmediately is set
# (ModifyDBInstance API reference: DBInstanceClass, DBSubnetGroupName, MultiAZ, EngineVersion,
# Iops; "Modifying an Amazon RDS DB instance" settings table: storage), with the
# PendingModifiedValues field each shows up in.
DEFERRED = {
    "db_instance_class": "DBInstanceClass",
    "allocated_storage": "AllocatedStorage",
    "storage_type": "StorageType",
    "iops": "Iops",
    "storage_throughput": "StorageThroughput",
    "engine_version": "EngineVersion",
    "multi_az": "MultiAZ",
    "db_subnet_group_name": "DBSubnetGroupName",
    "license_model": "LicenseModel",
    "ca_certificate_identifier": "CACertificateIdentifier",
}

_lock = threading.RLock()


def install() -> None:
    """Patch moto (called once, under moto_ext's lock)."""
    from moto.rds.models import DBInstance, RDSBackend
    from moto.rds.responses import RDSResponse

    DBInstance.status = property(_get_status, _set_status)  # type: ignore[assignment]
    DBInstance.db_parameter_group_status_list = property(_group_status)  # type: ignore[assignment,method-assign]
    DBInstance.pending_modified_values = property(_pending_values)  # type: ignore[attr-defined]
    patches: dict[tuple[type, str], Callable[..., Any]] = {
        (RDSBackend, "modify_db_instance"): _wrap_modify_db_instance(RDSBackend.modify_db_instance),
        (RDSBackend, "reboot_db_instance"): _reboot_db_instance,
        (RDSBackend, "modify_db_parameter_group"): _wrap_modify_group(RDSBackend.modify_db_parameter_group),
        (RDSBackend, "copy_db_parameter_group"): _wrap_copy_group(RDSBackend.copy_db_parameter_group),
        (RDSBackend, "delete_db_parameter_group"): _wrap_delete_group(RDSBackend.delete_db_parameter_group),
        (RDSResponse, "describe_db_parameters"): _describe_db_parameters,
    }
    for (cls, name), function in patches.items():
        setattr(cls, name, function)


# --- what tests may ask the model -----------------------------------------------------------


def effective_parameters(account_id: str, region: str, instance_id: str) -> dict[str, str]:
    """The parameter values the database engine runs with now (no API shows them; tests do)."""
    from moto.rds.models import rds_backends

    instance = rds_backends[account_id][region].databases[instance_id]
    with _lock:
        _advance(instance)
        return dict(_running(instance))


def is_default_group(name: str) -> bool:
    return name.lower().startswith("default.")


# --- instance state, advanced when read ---------------------------------------------------------


def _state(instance: Any) -> dict[str, Any]:
    state: dict[str, Any] = instance.__dict__
    return state


def _get_status(instance: Any) -> str:
    with _lock:
        _advance(instance)
        return str(_state(instance).get("_plw_status", AVAILABLE))


def _set_status(instance: Any, value: str) -> None:
    _state(instance)["_plw_status"] = value


def _param_status(instance: Any) -> str:
    return str(_state(instance).get("_plw_param_status", IN_SYNC))


def _attached(instance: Any) -> Any:
    return instance.db_parameter_groups()[0]


def _group_values(group: Any) -> dict[str, str]:
    return {
        name: str(p["ParameterValue"])
        for name, p in group.parameters.items()
        if p.get("ParameterValue") is not None
    }


def _running(instance: Any) -> dict[str, str]:
    """What the engine runs with: the attached group's values as of the last (re)boot."""
    state = _state(instance)
    if "_plw_running" not in state:
        state["_plw_running"] = _group_values(_attached(instance))
    running: dict[str, str] = state["_plw_running"]
    return running


def _advance(instance: Any) -> None:
    """Move the instance on by the AWS time passed since its clocks started (caller holds _lock)."""
    state = _state(instance)
    if state.get("_plw_status") == REBOOTING:
        if not timing.has_passed(timing.mark(instance, "reboot"), REBOOT_SECONDS):
            return
        # The engine starts with every value of its group: RDS reports it in-sync again.
        state["_plw_status"] = AVAILABLE
        state["_plw_running"] = _group_values(_attached(instance))
        state["_plw_param_status"] = IN_SYNC
        state.pop("_plw_after_applying", None)
        timing.forget(instance, "reboot")
        timing.forget(instance, "applying")
    if _param_status(instance) == APPLYING:
        if not timing.has_passed(timing.mark(instance, "applying"), APPLYING_SECONDS):
            return
        state["_plw_param_status"] = state.pop("_plw_after_applying", PENDING_REBOOT)
        timing.forget(instance, "applying")
        if state.get("_plw_status") == MODIFYING:
            state["_plw_status"] = AVAILABLE


def _start_applying(instance: Any, then: str, modifying: bool) -> None:
    """RDS shows `applying` while it takes a group change in, then `then` (caller holds _lock)."""
    state = _state(instance)
    if _param_status(instance) == PENDING_REBOOT or state.get("_plw_after_applying") == PENDING_REBOOT:
        then = PENDING_REBOOT  # a change already waiting for a reboot still waits for one
    state["_plw_param_status"] = APPLYING
    state["_plw_after_applying"] = then
    if modifying:
        state["_plw_status"] = MODIFYING
    timing.restart(instance, "applying")


def _group_status(instance: Any) -> list[dict[str, str]]:
    with _lock:
        _advance(instance)
        return [
            {
                "DBParameterGroupName": _attached(instance).name,
                "ParameterApplyStatus": _param_status(instance),
            }
        ]


def _pending_values(instance: Any) -> dict[str, Any]:
    with _lock:
        pending = dict(_state(instance).get("_plw_pending", {}))
    return {DEFERRED[key]: value for key, value in pending.items()}


def _instances_using(backend: Any, group_name: str) -> list[Any]:
    return [db for db in list(backend.databases.values()) if _attached(db).name == group_name.lower()]


def _error(code: str, message: str) -> Exception:
    from moto.rds.exceptions import RDSClientError

    return RDSClientError(code, message)


# --- ModifyDBInstance and RebootDBInstance ------------------------------------------------------


def _wrap_modify_db_instance(original: Callable[..., Any]) -> Callable[..., Any]:
    def modify_db_instance(self: Any, db_instance_identifier: str, db_kwargs: Any) -> Any:
        instance = self.describe_db_instances(db_instance_identifier)[0]
        with _lock:
            if _get_status(instance) != AVAILABLE:
                # As RDS answers (terraform-provider-aws#31594 quotes it); ModifyDBInstance errors.
                raise _error("InvalidDBInstanceState", "Database instance is not in available state.")
            before = _attached(instance).name
            _running(instance)  # noted before the change: the engine keeps these values
            # A new dict each time: moto copies instances (read replicas) attribute by attribute.
            pending = dict(_state(instance).get("_plw_pending", {}))
            # ModifyDBInstance API reference, ApplyImmediately: this request's changes "and any
            # pending modifications" apply now; without it they wait for the maintenance window.
            for key in DEFERRED:
                if key in db_kwargs and db_kwargs[key] is not None:
                    pending[key] = db_kwargs.pop(key)
            if db_kwargs.get("apply_immediately"):
                db_kwargs.update(pending)
                pending = {}
            database = original(self, db_instance_identifier, db_kwargs)
            _state(database)["_plw_pending"] = pending
            # ModifyDBInstance API reference, DBParameterGroupName: the group name changes at once
            # whatever ApplyImmediately says; its values apply only at a reboot without failover.
            if _attached(database).name != before:
                _start_applying(database, PENDING_REBOOT, modifying=True)
            return database

    modify_db_instance.__wrapped__ = original  # type: ignore[attr-defined]
    return modify_db_instance


def _reboot_db_instance(self: Any, db_instance_identifier: str, *_: Any, **__: Any) -> Any:
    instance = self.describe_db_instances(db_instance_identifier)[0]
    with _lock:
        status = _get_status(instance)
        # RebootDBInstance lists InvalidDBInstanceStateFault; these are the messages RDS gives
        # (terraform-provider-aws#27325 for a change in progress; the docs give none).
        if status == MODIFYING:
            raise _error(
                "InvalidDBInstanceState",
                "Instance cannot currently reboot due to an in-progress management operation.",
            )
        if status != AVAILABLE:
            raise _error(
                "InvalidDBInstanceState", f"Instance {db_instance_identifier} is not in available state."
            )
        # RebootDBInstance: "the DB instance status is set to rebooting" for a momentary outage.
        _set_status(instance, REBOOTING)
        timing.restart(instance, "reboot")
    return instance


# --- parameter groups ---------------------------------------------------------------------------


def _wrap_modify_group(original: Callable[..., Any]) -> Callable[..., Any]:
    def modify_db_parameter_group(
        self: Any, db_parameter_group_name: str, db_parameter_group_parameters: Iterable[dict[str, Any]]
    ) -> Any:
        parameters = list(db_parameter_group_parameters)
        if is_default_group(db_parameter_group_name):
            # "You can't change the parameter values in a default DB parameter group" (Working
            # with DB parameter groups); RDS answers this way (seen in ankane/pghero#66).
            raise _error("InvalidParameterValue", "Cannot modify a default parameter group.")
        for parameter in parameters:
            kind = CATALOGUE.get(str(parameter.get("ParameterName")), {}).get("ApplyType")
            if kind == "static" and parameter.get("ApplyMethod") == "immediate":
                # ModifyDBParameterGroup: "immediate" is for dynamic parameters only. The docs give
                # no message; this is RDS's reply as terraform-provider-aws#216 quotes it.
                raise _error(
                    "InvalidParameterCombination", "cannot use immediate apply method for static parameter"
                )
        with _lock:
            users = _instances_using(self, db_parameter_group_name)
            for instance in users:
                _running(instance)  # noted before the change
            group = original(self, db_parameter_group_name, parameters)
            later = [p for p in parameters if p.get("ApplyMethod") != "immediate"]
            for instance in users:
                # ModifyDBParameterGroup: "immediate" changes reach the instances using the group
                # at once; "pending-reboot" ones after a reboot without failover.
                running = dict(_running(instance))
                for p in parameters:
                    if p.get("ApplyMethod") == "immediate" and p.get("ParameterValue") is not None:
                        running[str(p["ParameterName"])] = str(p["ParameterValue"])
                _state(instance)["_plw_running"] = running
                _start_applying(instance, PENDING_REBOOT if later else IN_SYNC, modifying=False)
            return group

    modify_db_parameter_group.__wrapped__ = original  # type: ignore[attr-defined]
    return modify_db_parameter_group


def _wrap_copy_group(original: Callable[..., Any]) -> Callable[..., Any]:
    def copy_db_parameter_group(self: Any, source_db_parameter_group_identifier: str, **kwargs: Any) -> Any:
        source = source_db_parameter_group_identifier.split(":")[-1]
        if is_default_group(source):
            # CopyDBParameterGroup: "You can't copy a default DB parameter group". The docs give no
            # message; this is RDS's reply as aws/aws-cli#4525 quotes it.
            raise _error(
                "InvalidParameterValue",
                "The parameter DBParameterGroupName is not a valid identifier. Identifiers must "
                "begin with a letter; must contain only ASCII letters, digits, and hyphens; and must "
                "not end with a hyphen or contain two consecutive hyphens.",
            )
        return original(self, source_db_parameter_group_identifier, **kwargs)

    copy_db_parameter_group.__wrapped__ = original  # type: ignore[attr-defined]
    return copy_db_parameter_group


def _wrap_delete_group(original: Callable[..., Any]) -> Callable[..., Any]:
    def delete_db_parameter_group(self: Any, db_parameter_group_name: str) -> Any:
        # DeleteDBParameterGroup: a default group, or one any instance uses, can't be deleted
        # (InvalidDBParameterGroupState). The first message is RDS's (awsdocs/amazon-rds-user-
        # guide#14); for the second the docs give none, so it is ours.
        if is_default_group(db_parameter_group_name):
            raise _error(
                "InvalidDBParameterGroupState",
                f"Default DBParameterGroup cannot be deleted: {db_parameter_group_name}",
            )
        with _lock:
            if _instances_using(self, db_parameter_group_name):
                raise _error(
                    "InvalidDBParameterGroupState",
                    f"One or more database instances are still members of this parameter group "
                    f"{db_parameter_group_name}, so the group cannot be deleted",
                )
            return original(self, db_parameter_group_name)

    delete_db_parameter_group.__wrapped__ = original  # type: ignore[attr-defined]
    return delete_db_parameter_group


def _describe_db_parameters(self: Any) -> Any:
    """moto's listing holds only the values someone set; RDS lists every parameter of the family
    with its apply type and source (DescribeDBParameters, Parameter data type)."""
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import DBParameterGroupNotFoundError

    name = self.params.get("DBParameterGroupName")
    groups = self.backend.describe_db_parameter_groups({"db_parameter_group_name": name})
    if not groups:
        raise DBParameterGroupNotFoundError(name)
    group = groups[0]
    listed: dict[str, dict[str, Any]] = {}
    if str(group.family or "").startswith(_MYSQL_FAMILIES):
        for parameter_name, fields in CATALOGUE.items():
            listed[parameter_name] = {
                "ParameterName": parameter_name,
                "Source": "engine-default",
                "IsModifiable": True,
                "ApplyMethod": "pending-reboot",
                **fields,
            }
    for parameter_name, stored in group.parameters.items():
        row = listed.setdefault(parameter_name, {"ParameterName": parameter_name})
        row.update(stored)
        row["Source"] = "user"
    return ActionResult({"Parameters": list(listed.values())})
