"""Removing one database from a link (`privatelink-wizard remove`): its listener, target group,
the firewall rules the wizard made for it, its health alarm, and its place in the target sync;
the link's other databases keep working. The caller holds the link's lock
(steps.databases.remove_database).

The last database is not removed: a link without a database forwards nothing, and removing the
whole link is teardown's job (which says what it will delete and asks first)."""

from __future__ import annotations

from typing import Any

from wizard.aws import alerts, converge, discovery, nlb, sync_deploy
from wizard.aws.errors import aws_step
from wizard.aws.link_databases import FoundDatabase, find_databases
from wizard.aws.session import AwsContext
from wizard.errors import EXIT_BAD_INPUT, UserError
from wizard.model import LINK_TAG_KEY, LinkRecord
from wizard.state import DamagedRecordError, RecordStore
from wizard.steps.link import Progress
from wizard.steps.sync import database_configs


def _load(store: RecordStore, account_id: str, region: str, name: str) -> LinkRecord | None:
    try:
        return store.load(account_id, region, name)
    except DamagedRecordError:
        return None


def _refuse(what: str, why: str, fix: str) -> UserError:
    return UserError(what=what, why=why, fix=fix, step="Removing a database", exit_code=EXIT_BAD_INPUT)


def remove(
    aws: AwsContext, store: RecordStore, account_id: str, link_name: str, source_id: str, progress: Progress
) -> list[str]:
    record = _load(store, account_id, aws.region, link_name)
    balancer = nlb.find_nlb(aws, link_name)
    found = find_databases(aws, link_name, record, balancer)
    gone = next((d for d in found if d.source_id == source_id), None)
    if gone is None:
        names = ", ".join(d.source_id for d in found) or "none found"
        raise _refuse(
            f"{source_id} is not on the link '{link_name}'",
            f"The link's databases: {names}.",
            "Check --source and --name (`privatelink-wizard status --name " + link_name + "`).",
        )
    rest = [d for d in found if d.source_id != source_id]
    if not rest:
        raise _refuse(
            f"{source_id} is the only database of the link '{link_name}'",
            "A link without a database forwards nothing; removing it is removing the link.",
            f"Remove the whole link: privatelink-wizard teardown --name {link_name}",
        )
    removed: list[str] = []
    vpc_id = balancer.vpc_id if balancer else ""
    if record is not None:
        _forget(record, gone, rest)
        store.save(record)
        # The sync first: nothing then registers targets in the group about to go.
        if sync_deploy.find_sync(aws, link_name).deployed:
            removed += _update_sync(aws, record, vpc_id, progress)
    alarm_words, alarms_gone = _remove_alarm(aws, link_name, gone, rest, balancer)
    removed += alarm_words
    items = []
    if gone.listener_arn and balancer is not None:
        items.append(converge.Leftover("listener", gone.listener_arn, gone.listener_port, balancer.name))
    if gone.target_group_arn:
        items.append(
            converge.Leftover("target-group", gone.target_group_arn, gone.port, gone.target_group_name)
        )
    items += _rules(aws, link_name, record, gone, rest)
    done = converge.remove_leftovers(aws, items, progress)
    removed += [item.describe() for item in done]
    if record is not None:
        ids = {item.id for item in done} | set(alarms_gone)
        record.created = [r for r in record.created if r.id not in ids]
        store.save(record)
    return removed


def _forget(record: LinkRecord, gone: FoundDatabase, rest: list[FoundDatabase]) -> None:
    """Drop the database from the record; the first one's place goes to the next database whose
    listener port is its own port (the legacy fields' rule), else stays empty."""
    record.databases = [d for d in record.databases if d.source_id != gone.source_id]
    if record.source_id != gone.source_id:
        return
    promoted = next(
        (d for d in record.databases if d.listener_port == d.port),
        None,
    )
    if promoted is None:
        record.source_id, record.source_kind, record.port = "", "", 0
        record.target_group_arn = record.listener_arn = ""
        return
    record.databases = [d for d in record.databases if d is not promoted]
    record.source_id, record.source_kind, record.port = (
        promoted.source_id,
        promoted.source_kind,
        promoted.port,
    )
    record.target_group_arn, record.listener_arn = promoted.target_group_arn, promoted.listener_arn


def _update_sync(aws: AwsContext, record: LinkRecord, vpc_id: str, progress: Progress) -> list[str]:
    configs = database_configs(record, vpc_id)
    if configs:
        progress("Updating the target sync: it no longer keeps the removed database's target group…")
        sync_deploy.deploy(
            aws, record.name, record.account_id or "*", configs, [c.source_id for c in configs]
        )
        return []
    removed = []
    for kind, resource_id, name in sync_deploy.find_sync(aws, record.name).resources():
        progress(f"Removing the target sync's {name}: no database of the link needs it now…")
        sync_deploy.remove_part(aws, kind, resource_id)
        removed.append(f"target sync {name}")
    gone = {resource_id for _, resource_id, _ in sync_deploy.find_sync(aws, record.name).resources()}
    record.created = [r for r in record.created if not r.kind.startswith("sync-") or r.id in gone]
    return removed


def _remove_alarm(
    aws: AwsContext,
    link_name: str,
    gone: FoundDatabase,
    rest: list[FoundDatabase],
    balancer: nlb.NlbInfo | None,
) -> tuple[list[str], list[str]]:
    """Delete the database's health alarm (returns what was removed in words, and the alarms'
    names). The link's main alarm watches the first database: when
    that one goes, it watches the next, whose own alarm then goes (one alarm per database)."""
    names = alerts.database_alarms(aws, link_name)
    removed, deleted = [], []
    own = alerts.database_alarm_name(link_name, gone.listener_port)
    if own in names:
        alerts.delete(aws, "alarm", own)
        removed.append(f"CloudWatch alarm {own}")
        deleted.append(own)
    if gone.first and balancer is not None and alerts.find_alarm(aws, link_name) is not None:
        topic = alerts.find_topic(aws, link_name)
        nxt = rest[0]
        if topic and nxt.target_group_arn:
            alerts._ensure_alarm(aws, link_name, topic, nxt.target_group_arn, balancer.arn)
            moved = alerts.database_alarm_name(link_name, nxt.listener_port)
            if moved in names:
                alerts.delete(aws, "alarm", moved)
                deleted.append(moved)
                removed.append(
                    f"CloudWatch alarm {moved} (the link's alarm {alerts.alarm_name(link_name)} "
                    f"now watches {nxt.source_id})"
                )
    return removed, deleted


def _groups(aws: AwsContext, source_id: str) -> tuple[str, ...]:
    try:
        return discovery.find_data_source(aws, source_id).security_group_ids
    except UserError:  # the database is gone: its rules go with its security group
        return ()


def _rules(
    aws: AwsContext,
    link_name: str,
    record: LinkRecord | None,
    gone: FoundDatabase,
    rest: list[FoundDatabase],
) -> list[converge.Leftover]:
    """The wizard's inbound rules opening the database's port in its security groups, unless
    another database of the link uses the same group and port."""
    groups = set(_groups(aws, gone.source_id))
    if not groups:
        return []
    shared = {(g, d.port) for d in rest for g in _groups(aws, d.source_id)}
    made = {r.id for r in (record.created if record else []) if r.kind == "security-group-rule"}
    found = []
    for rule in _link_rules(aws, link_name, groups):
        group, low = str(rule.get("GroupId", "")), int(rule.get("FromPort", -1))
        tags = {t["Key"]: t.get("Value", "") for t in rule.get("Tags", [])}
        ours = tags.get(LINK_TAG_KEY) == link_name or rule["SecurityGroupRuleId"] in made
        if ours and low == gone.port == int(rule.get("ToPort", -1)) and (group, gone.port) not in shared:
            found.append(converge.Leftover("security-group-rule", rule["SecurityGroupRuleId"], low, group))
    return found


def _link_rules(aws: AwsContext, link_name: str, groups: set[str]) -> list[dict[str, Any]]:
    with aws_step("Reading firewall rules (security groups)", "ec2:DescribeSecurityGroupRules"):
        pages = aws.ec2.get_paginator("describe_security_group_rules").paginate(
            Filters=[{"Name": "group-id", "Values": sorted(groups)}]
        )
        return [r for page in pages for r in page.get("SecurityGroupRules", []) if not r.get("IsEgress")]
