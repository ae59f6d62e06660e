"""Two MySQL/MariaDB settings a database behind the load balancer needs: check them, set them
without surprises (in the link's own parameter group, see parameter_group.py).

skip_name_resolve = 1: MySQL looks up a host name for every client address otherwise. Behind a
PrivateLink load balancer every client address is one of the NLB's private IPs, which have no
useful name, so the lookups only add delay. It is static: it applies when MySQL restarts, and
then accounts granted by host name ('app'@'app.example.com') stop matching.

max_connect_errors high: the NLB's TCP health checks open a connection and drop it, and MySQL
counts each as an error from the NLB's address. After max_connect_errors of them in a row
(default 100) MySQL blocks that address, and with it every connection of the platform ("Host is
blocked because of many connection errors", MySQL manual "Host 'host_name' is blocked"; the NLB's
TCP health checks run every 30 s from each of its nodes). It is dynamic: set with ApplyMethod
immediate, it applies at once.

Aurora MySQL lists skip_name_resolve among the cluster-level parameters and marks it not
modifiable (Aurora MySQL reference, "Cluster-level parameters"): reported as a note, never fixed.
max_connect_errors is an instance-level parameter there, modifiable: checked and fixed on the
cluster's writer, the instance the load balancer forwards to.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

from wizard.aws import parameter_group as pg
from wizard.aws.errors import aws_step
from wizard.aws.parameter_group import link_group_name
from wizard.aws.session import AwsContext
from wizard.checks import CheckRow
from wizard.errors import UserError
from wizard.model import DataSource, SourceKind

PARAMETER = "skip_name_resolve"
KEY = "skip-name-resolve"
LABEL = "MySQL does not look up host names of connecting clients (skip_name_resolve = 1)"
MAX_ERRORS = "max_connect_errors"
MAX_ERRORS_KEY = "max-connect-errors"
KEYS = (KEY, MAX_ERRORS_KEY)
MAX_ERRORS_LABEL = "MySQL does not block the load balancer after its health checks (max_connect_errors)"
# At one health check every 30 s from each NLB node, a million errors in a row take months of a
# link without a single successful connection (any success resets the count).
SAFE_MAX_ERRORS = 1_000_000
ENGINE_DEFAULT_MAX_ERRORS = 100  # MySQL 8 and MariaDB
_ON_VALUES = {"1", "on", "true"}
# Accounts granted to a host name, not an IP, a range, a pattern of those, or localhost. Works on
# MySQL and MariaDB (an IPv6 address has a colon; a host name has none).
HOST_NAME_GRANTS_SQL = (
    "SELECT user, host FROM mysql.user WHERE host <> 'localhost' "
    "AND host NOT LIKE '%:%' AND host REGEXP '[a-zA-Z]';"
)
HOST_NAME_WARNING = (
    "Once it applies, accounts granted by host name ('user'@'host.name') no longer match, so "
    "clients that log in through them are refused. The wizard cannot log in to your database to "
    f"look for them: run {HOST_NAME_GRANTS_SQL} as the master user, and for each row create the "
    "account again for the client's IP address or range (for example 'user'@'10.0.%') before "
    "the reboot."
)
AFTER_REBOOT_WARNING = (
    "Accounts granted by host name ('user'@'host.name') no longer match now. The wizard cannot "
    f"log in to your database to look for them: run {HOST_NAME_GRANTS_SQL} as the master user, "
    "and for each row create the account again for the client's IP address or range."
)


@dataclass(frozen=True)
class ParamFixResult:
    message: str  # one plain paragraph for the user
    parameter_group: str  # the group that now holds the setting ("" if nothing applies)
    needs_reboot: bool  # True: the database must still be rebooted for the value to apply
    rebooted: bool  # True: the wizard rebooted it (only ever with allow_reboot=True)


def is_default_group(name: str) -> bool:
    return pg.is_default_group(name)


def applies(source: DataSource) -> bool:
    """Both settings matter for MySQL/MariaDB on an RDS instance or a cluster."""
    return source.is_mysql_family and source.kind in (
        SourceKind.RDS_INSTANCE,
        SourceKind.AURORA_CLUSTER,
        SourceKind.MULTI_AZ_CLUSTER,
    )


def _not_changed_here(source: DataSource, parameter: str) -> UserError:
    return UserError(
        what=f"The wizard does not change {parameter} on a Multi-AZ DB cluster",
        why="Its settings come from its DB cluster parameter group, which the wizard does not change.",
        fix=f"Set {parameter} in a custom DB cluster parameter group of {source.id} in the RDS console.",
        exit_code=2,
    )


def _not_needed(key: str, label: str) -> CheckRow:
    return CheckRow(
        key=key,
        ok=True,
        label=label,
        required=False,
        reason="not needed: this setting only matters for MySQL and MariaDB on RDS or Aurora.",
    )


def _nothing(source: DataSource, parameter: str) -> ParamFixResult:
    return ParamFixResult(
        message=f"Nothing to change: {parameter} does not apply to {source.id}.",
        parameter_group="",
        needs_reboot=False,
        rebooted=False,
    )


def _attach_words(state: pg.DbState, link_name: str) -> str:
    """How the fix gets a group it may change, for a row's fix text."""
    target = link_group_name(link_name) if link_name else "a group named after this link (…-params)"
    if state.group == target:
        return f"in {target}, the wizard's own parameter group for this link"
    if pg.is_default_group(state.group):
        return (
            f"in a new parameter group {target} of the same family as {state.group} (AWS does not "
            f"allow changing or copying its default groups), attached to {state.instance_id}"
        )
    return (
        f"in {target}, a copy of {state.group} with all of its settings, attached to "
        f"{state.instance_id} ({state.group} itself stays unchanged)"
    )


_BLOCKED = (
    "the load balancer's health checks open a connection and drop it every few seconds, and "
    "MySQL counts each as an error from the load balancer's address; after that many in a row "
    "without a successful connection it blocks that address, and with it every connection of "
    "the platform, until someone runs FLUSH HOSTS."
)
# "You can't modify the DB instances within a Multi-AZ DB cluster" (Modifying a Multi-AZ DB
# cluster); its settings come from its DB cluster parameter group (Overview of parameter groups).
_MULTI_AZ = (
    "A Multi-AZ DB cluster takes its settings from its DB cluster parameter group, which the "
    "wizard does not change: no Fix here."
)


# --- skip_name_resolve --------------------------------------------------------------------------


def check_skip_name_resolve(aws: AwsContext, source: DataSource, link_name: str = "") -> CheckRow:
    """Is skip_name_resolve 1, and in effect, for the database?"""
    if not applies(source):
        return _not_needed(KEY, LABEL)
    if source.kind is SourceKind.AURORA_CLUSTER:
        return _check_aurora(aws, source)
    if source.kind is SourceKind.MULTI_AZ_CLUSTER:
        group, value = _cluster_value(aws, source, PARAMETER)
        if _is_on(value):
            return CheckRow(
                key=KEY, ok=True, label=LABEL, reason=f"Cluster parameter group {group} sets it to 1."
            )
        shown = "not set (MySQL's default is 0)" if value is None else f"{value}"
        return CheckRow(
            key=KEY,
            ok=False,
            required=False,
            label=LABEL,
            reason=f"skip_name_resolve is {shown} in {group}. {_MULTI_AZ} Set skip_name_resolve=1 "
            f"in a custom DB cluster parameter group of {source.id}; it applies when the cluster is "
            "rebooted. " + HOST_NAME_WARNING,
        )
    state = pg.read_instance(aws, source.rds_instance_id)
    value = pg.settings(aws, state.group, (PARAMETER,))[PARAMETER].value
    if _is_on(value):
        if state.waiting_for_reboot:
            return CheckRow(
                key=KEY,
                ok=True,
                warning=True,
                label=LABEL,
                reason=f"Set to 1 in parameter group {state.group}, waiting for a reboot: MySQL "
                f"reads it only when it starts, so until {state.instance_id} is rebooted it still "
                "looks up host names.",
                fix=f"Reboot {state.instance_id} in a quiet moment (RDS console > Databases > "
                "Actions > Reboot).",
            )
        return CheckRow(key=KEY, ok=True, label=LABEL, reason=f"Parameter group {state.group} sets it to 1.")
    shown = "not set (MySQL's default is 0)" if value is None else f"{value}"
    why = ""
    if pg.is_default_group(state.group):
        why = (
            " That is an AWS default parameter group, which AWS does not allow changing: the "
            "database needs a custom group."
        )
    return CheckRow(
        key=KEY,
        ok=False,
        label=LABEL,
        reason=f"skip_name_resolve is {shown} in parameter group {state.group}.{why}",
        fix=(
            f"Set skip_name_resolve=1 {_attach_words(state, link_name)}. It takes effect when "
            f"{state.instance_id} is rebooted (the wizard reboots only if you allow it). " + HOST_NAME_WARNING
        ),
    )


def fix_skip_name_resolve(
    aws: AwsContext, source: DataSource, link_name: str, allow_reboot: bool = False
) -> ParamFixResult:
    """Set skip_name_resolve = 1 in the link's own group; reboot only if allowed."""
    if not applies(source):
        return _nothing(source, PARAMETER)
    if source.kind is SourceKind.AURORA_CLUSTER:
        raise UserError(
            what="The wizard cannot change skip_name_resolve on an Aurora MySQL cluster",
            why="Aurora manages it at the cluster level and AWS does not allow changing it.",
            fix="Nothing to do here; give your database users host grants by IP range "
            "(for example '%') rather than by host name.",
            exit_code=2,
        )
    if source.kind is SourceKind.MULTI_AZ_CLUSTER:
        raise _not_changed_here(source, PARAMETER)
    instance_id = source.rds_instance_id
    state = pg.read_instance(aws, instance_id)
    done: list[str] = []
    if _is_on(pg.settings(aws, state.group, (PARAMETER,))[PARAMETER].value):
        target = state.group
        if not state.waiting_for_reboot:
            return ParamFixResult(
                message=f"skip_name_resolve is already 1 in parameter group {target} and in effect.",
                parameter_group=target,
                needs_reboot=False,
                rebooted=False,
            )
    else:
        target, done = pg.use_link_group(aws, state, link_name)
        pg.set_parameters(aws, target, {PARAMETER: ("1", "pending-reboot")})  # static
        done.append(f"Set skip_name_resolve=1 in {target}.")
    changed = " ".join(done) + (" " if done else "")
    if allow_reboot:
        rebooted = pg.reboot(aws, instance_id)
        return ParamFixResult(
            message=changed
            + (
                f"Rebooted {instance_id}; it now runs with skip_name_resolve=1. "
                if rebooted
                else f"{instance_id} already runs with skip_name_resolve=1 (no reboot needed). "
            )
            + AFTER_REBOOT_WARNING,
            parameter_group=target,
            needs_reboot=False,
            rebooted=rebooted,
        )
    return ParamFixResult(
        message=changed + f"A reboot of {instance_id} is still needed for it to take effect: "
        "reboot it in a quiet moment (RDS console > Databases > Actions > Reboot), or let the "
        "wizard do it. The database was not rebooted. " + HOST_NAME_WARNING,
        parameter_group=target,
        needs_reboot=True,
        rebooted=False,
    )


# --- max_connect_errors -------------------------------------------------------------------------


def check_max_connect_errors(aws: AwsContext, source: DataSource, link_name: str = "") -> CheckRow:
    """Is max_connect_errors high enough that health checks never get the NLB blocked?"""
    if not applies(source) or not source.rds_instance_id:
        return _not_needed(MAX_ERRORS_KEY, MAX_ERRORS_LABEL)
    if source.kind is SourceKind.MULTI_AZ_CLUSTER:
        group, raw = _cluster_value(aws, source, MAX_ERRORS)
        if _as_int(raw) >= SAFE_MAX_ERRORS:
            return CheckRow(
                key=MAX_ERRORS_KEY,
                ok=True,
                label=MAX_ERRORS_LABEL,
                reason=f"Cluster parameter group {group} sets it to {_as_int(raw):,}.",
            )
        return CheckRow(
            key=MAX_ERRORS_KEY,
            ok=False,
            required=False,
            label=MAX_ERRORS_LABEL,
            reason=f"max_connect_errors is {_as_int(raw):,} in {group}: {_BLOCKED} {_MULTI_AZ} Set "
            f"max_connect_errors={SAFE_MAX_ERRORS} in a custom DB cluster parameter group of "
            f"{source.id}; it applies at once.",
        )
    state = pg.read_instance(aws, source.rds_instance_id)
    setting = pg.settings(aws, state.group, (MAX_ERRORS,))[MAX_ERRORS]
    value = _as_int(setting.value)
    if value >= SAFE_MAX_ERRORS:
        if _in_effect(state, setting):
            return CheckRow(
                key=MAX_ERRORS_KEY,
                ok=True,
                label=MAX_ERRORS_LABEL,
                reason=f"Parameter group {state.group} sets it to {value:,}.",
            )
        return CheckRow(
            key=MAX_ERRORS_KEY,
            ok=False,
            label=MAX_ERRORS_LABEL,
            reason=f"Parameter group {state.group} sets it to {value:,}, but for the next reboot of "
            f"{state.instance_id} (ApplyMethod pending-reboot): until then MySQL keeps its old value, "
            "and the load balancer's health checks can get it blocked.",
            fix=f"Set max_connect_errors={value} again, to apply at once, "
            f"{_attach_words(state, link_name)}. No reboot is needed.",
        )
    shown = f"{value:,}" if setting.value is not None else f"not set (the default is {value})"
    return CheckRow(
        key=MAX_ERRORS_KEY,
        ok=False,
        label=MAX_ERRORS_LABEL,
        reason=f"max_connect_errors is {shown} in parameter group {state.group}: {_BLOCKED}",
        fix=(
            f"Set max_connect_errors={SAFE_MAX_ERRORS} {_attach_words(state, link_name)}. It "
            "applies at once, without a reboot."
        ),
    )


def fix_max_connect_errors(aws: AwsContext, source: DataSource, link_name: str) -> ParamFixResult:
    """Set max_connect_errors in the link's own group, after attaching it: a dynamic value set in
    the attached group applies at once; one carried in with a newly attached group waits for a
    reboot (ModifyDBInstance, DBParameterGroupName)."""
    if not applies(source) or not source.rds_instance_id:
        return _nothing(source, MAX_ERRORS)
    if source.kind is SourceKind.MULTI_AZ_CLUSTER:
        raise _not_changed_here(source, MAX_ERRORS)
    state = pg.read_instance(aws, source.rds_instance_id)
    setting = pg.settings(aws, state.group, (MAX_ERRORS,))[MAX_ERRORS]
    if _as_int(setting.value) >= SAFE_MAX_ERRORS and _in_effect(state, setting):
        return ParamFixResult(
            message=f"max_connect_errors is already at least {SAFE_MAX_ERRORS:,} in parameter "
            f"group {state.group}.",
            parameter_group=state.group,
            needs_reboot=False,
            rebooted=False,
        )
    wanted = max(_as_int(setting.value), SAFE_MAX_ERRORS)  # never lower a higher choice
    target, done = pg.use_link_group(aws, state, link_name)
    pg.set_parameters(aws, target, {MAX_ERRORS: (str(wanted), "immediate")})  # dynamic
    done.append(f"Set max_connect_errors={wanted} in {target}; it applies at once, without a reboot.")
    return ParamFixResult(message=" ".join(done), parameter_group=target, needs_reboot=False, rebooted=False)


# --- Helpers -----------------------------------------------------------------------------------


def _is_on(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _ON_VALUES


def _in_effect(state: pg.DbState, setting: pg.Setting) -> bool:
    """A dynamic value changed with "immediate" applies at once even while other values of its
    group wait for a reboot (ModifyDBParameterGroup); one changed with "pending-reboot" does not.
    (A group attached after the change would wait too; the wizard always attaches first.)"""
    return not state.waiting_for_reboot or setting.apply_method == "immediate"


def _as_int(value: str | None) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return ENGINE_DEFAULT_MAX_ERRORS


def _cluster_value(aws: AwsContext, source: DataSource, parameter: str) -> tuple[str, str | None]:
    """The cluster's DB cluster parameter group and `parameter`'s value there (None: not set)."""
    with aws_step("Reading the database cluster", "rds:DescribeDBClusters"):
        cluster = aws.rds.describe_db_clusters(DBClusterIdentifier=source.id)["DBClusters"][0]
    group = str(cluster.get("DBClusterParameterGroup", ""))
    value: str | None = None
    with aws_step("Reading the cluster's parameters", "rds:DescribeDBClusterParameters"):
        try:
            pages = aws.rds.get_paginator("describe_db_cluster_parameters").paginate(
                DBClusterParameterGroupName=group
            )
            for page in pages:
                for p in page.get("Parameters", []):
                    if p.get("ParameterName") == parameter and p.get("ParameterValue") is not None:
                        value = str(p["ParameterValue"])
        except ClientError as exc:
            # Only a default group can be missing from the listing (emulators); its value is unset.
            if not (is_default_group(group) and "NotFound" in str(exc.response["Error"]["Code"])):
                raise
    return group, value


def _check_aurora(aws: AwsContext, source: DataSource) -> CheckRow:
    group, value = _cluster_value(aws, source, PARAMETER)
    if _is_on(value):
        return CheckRow(
            key=KEY, ok=True, label=LABEL, reason=f"Cluster parameter group {group} sets it to 1."
        )
    return CheckRow(
        key=KEY,
        ok=True,
        warning=True,
        required=False,
        label=LABEL,
        reason=(
            f"Aurora MySQL manages skip_name_resolve itself (cluster parameter group {group}) and "
            "AWS does not allow changing it, so there is nothing to fix. Give your database users "
            "host grants by IP range (for example '%') rather than by host name."
        ),
    )
