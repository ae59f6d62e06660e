"""A link's databases as found in AWS and its record: each database's target group (found by the
link's tags; the database tag names whose it is) and the listener that forwards to it. A target
group of the link without the database tag (made by an older version) is the first database's.
Reads only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wizard.aws import converge, discovery, nlb
from wizard.aws import target_group as tg
from wizard.aws.nlb import elbv2_tags
from wizard.aws.session import AwsContext
from wizard.errors import UserError
from wizard.model import DATABASE_TAG_KEY, LINK_TAG_KEY, LinkDatabase, LinkRecord


@dataclass(frozen=True)
class FoundDatabase:
    """One database of a link: its target group and the listener that forwards to it."""

    source_id: str
    source_kind: str  # "" when only AWS knows the database (no record)
    port: int  # the database's own port (its target group's; the record's when none exists)
    listener_port: int  # 0: no listener forwards to its target group
    target_group_arn: str = ""
    listener_arn: str = ""
    target_group_name: str = ""
    first: bool = False  # the database the link was set up with


def target_group_name(link_name: str, listener_port: int) -> str:
    """A database's target group: `{link}-{listener_port}` (LinkPlan.target_group_name for the
    first database, whose listener port is its port)."""
    return f"{link_name}-{listener_port}"


def _listener_of(listeners: Sequence[dict[str, Any]], group_arn: str) -> dict[str, Any] | None:
    return next((ls for ls in listeners if group_arn in tg._forward_targets(ls)), None)


def find_databases(
    aws: AwsContext, link_name: str, record: LinkRecord | None, balancer: nlb.NlbInfo | None = None
) -> list[FoundDatabase]:
    """The link's databases: the first one (the record's legacy fields, or an untagged group),
    then every other. A database the record lists but AWS lacks is still listed (without ARNs),
    so status can say it is missing. An earlier port's group of the first database (a leftover,
    see converge) is not a database."""
    balancer = balancer if balancer is not None else nlb.find_nlb(aws, link_name)
    listeners = tg.listeners(aws, balancer.arn) if balancer else []
    groups = tg.find_target_groups(aws, link_name)
    tags = elbv2_tags(aws, (g.arn for g in groups)) if groups else {}
    known = {d.source_id: d for d in (record.all_databases() if record else [])}
    first_id = record.source_id if record else ""
    by_source: dict[str, FoundDatabase] = {}
    for group in groups:
        source_id = tags.get(group.arn, {}).get(DATABASE_TAG_KEY, "") or first_id
        if not source_id:
            continue  # an untagged group and no record: nothing says whose it is
        listener = _listener_of(listeners, group.arn)
        saved = known.get(source_id)
        found = FoundDatabase(
            source_id,
            saved.source_kind if saved else "",
            group.port,
            int(listener.get("Port", 0)) if listener else 0,
            group.arn,
            str(listener["ListenerArn"]) if listener else "",
            group.name,
            first=source_id == first_id,
        )
        if source_id in by_source and not _better(found, by_source[source_id], saved, link_name):
            continue
        by_source[source_id] = found
    for source_id, saved in known.items():
        if source_id not in by_source:
            by_source[source_id] = FoundDatabase(
                source_id,
                saved.source_kind,
                saved.port,
                0,
                target_group_name=target_group_name(link_name, saved.listener_port),
                first=source_id == first_id,
            )
    order = list(known)
    return sorted(
        by_source.values(),
        key=lambda d: (not d.first, order.index(d.source_id) if d.source_id in order else len(order)),
    )


def _better(new: FoundDatabase, old: FoundDatabase, saved: LinkDatabase | None, link_name: str) -> bool:
    """Of two groups of one database, the one the record names (or whose name fits its listener
    port, or that a listener uses): the other is an earlier setup's leftover."""
    if saved is not None:
        wanted = saved.target_group_arn or ""
        if wanted:
            return new.target_group_arn == wanted
        return new.target_group_name == target_group_name(link_name, saved.listener_port)
    return bool(new.listener_arn) and not old.listener_arn


def others_wanted(
    aws: AwsContext,
    link_name: str,
    first_source_id: str,
    record: LinkRecord | None,
    balancer: nlb.NlbInfo | None,
) -> list[converge.Wanted]:
    """What a setup of the link's first database (`first_source_id`) must keep: every other
    database's listener, target group and firewall port (see converge)."""
    wanted = []
    for found in find_databases(aws, link_name, record, balancer):
        if found.source_id == first_source_id or found.first:
            continue
        saved = record.database(found.source_id) if record else None
        listener_port = found.listener_port or (saved.listener_port if saved else 0)
        name = found.target_group_name or target_group_name(link_name, listener_port)
        wanted.append(converge.Wanted(listener_port, name, found.port, _groups(aws, found.source_id)))
    return wanted


def _groups(aws: AwsContext, source_id: str) -> tuple[str, ...]:
    """The database's security groups (empty when it cannot be read: then its port is kept in
    any group, the safe side)."""
    try:
        return discovery.find_data_source(aws, source_id).security_group_ids
    except UserError:
        return ()


def links_using(aws: AwsContext, source_id: str) -> set[str]:
    """The links whose target groups carry the database tag of `source_id` (reads every target
    group's tags: AWS has no filter by tag for target groups)."""
    groups = tg._all_target_groups(aws)
    tags = elbv2_tags(aws, (g["TargetGroupArn"] for g in groups)) if groups else {}
    return {
        t[LINK_TAG_KEY] for t in tags.values() if t.get(DATABASE_TAG_KEY) == source_id and t.get(LINK_TAG_KEY)
    }
