"""Reading a link from AWS (and its saved record) into a LinkStatus, diagnosed. Reads only."""

from __future__ import annotations

from wizard.aws import connections, converge, discovery, endpoint_service, inventory, link_databases, nlb
from wizard.aws import target_group as tg
from wizard.aws.session import AwsContext, Identity
from wizard.aws.teardown_plan import left_rules
from wizard.consumers import Consumer
from wizard.diagnostics import drift
from wizard.diagnostics.diagnosis import diagnose
from wizard.diagnostics.status import Finding, LinkStatus, ListenerInfo
from wizard.errors import UserError
from wizard.state import DamagedRecordError, RecordStore


def link_names(aws: AwsContext, account_id: str, store: RecordStore) -> list[str]:
    """Links known here: from saved records and from our tags in AWS."""
    records, damaged = store.scan()
    saved = {r.name for r in records if r.region == aws.region and r.account_id == account_id}
    # A damaged record still names its link in its file name (account_region_name.json).
    prefix = store.path(account_id, aws.region, "").stem
    saved |= {d.path.stem[len(prefix) :] for d in damaged if d.path.stem.startswith(prefix)}
    return sorted(saved | set(inventory.list_link_names(aws)))


def link_status(
    aws: AwsContext, identity: Identity, name: str, consumer: Consumer, store: RecordStore
) -> LinkStatus:
    """Read everything about one link and diagnose it. Reads only; changes nothing."""
    damaged: DamagedRecordError | None = None
    try:
        record = store.load(identity.account_id, aws.region, name)
    except DamagedRecordError as exc:  # what exists is still read from AWS, by the link's tags
        record, damaged = None, exc
    status = LinkStatus(name, aws.region, identity.account_id, record=record)
    record = status.record
    status.nlb = nlb.find_nlb(aws, name)
    if status.nlb:
        status.listeners = [
            ListenerInfo(
                int(ls.get("Port", 0)),
                str(ls.get("Protocol", "")),
                tuple(a["TargetGroupArn"] for a in ls.get("DefaultActions", []) if a.get("TargetGroupArn")),
            )
            for ls in tg.listeners(aws, status.nlb.arn)
        ]
    groups = tg.find_target_groups(aws, name)
    # The one for the port the link asks for (an earlier port's may be left over).
    asked = [g for g in groups if record and g.port == record.port]
    status.target_group = (asked or groups)[0] if groups else None
    if status.target_group:
        status.targets = tg.target_health(aws, status.target_group.arn)
        from wizard.diagnostics import sync

        status.target_sync = sync.read(aws, status)
    status.service = endpoint_service.find_endpoint_service(aws, name)
    if status.service:
        status.principals = endpoint_service.allowed_principals(aws, status.service.id)
        status.connections = connections.list_connections(aws, status.service.id)
        status.az_ids = discovery.az_ids(aws, list(status.service.availability_zones))
    source_id = record.source_id if record else ""
    if not source_id and status.target_group and status.target_group.target_type == "instance":
        # No saved record (built on another computer): an instance target names its server.
        source_id = next((t.target_id for t in status.targets), "")
    if source_id:
        try:
            status.source = discovery.find_data_source(aws, source_id)
        except UserError:
            status.source = None
    port = drift.expected_port(status)
    if port and (status.nlb or groups):
        target_group_name = f"{name}-{port}"  # LinkPlan.target_group_name
        first = record.source_id if record else (status.source.id if status.source else "")
        others = link_databases.others_wanted(aws, name, first, record, status.nlb)
        status.leftovers = converge.find_leftovers(aws, name, port, target_group_name, status.nlb, others)
    from wizard import alert_status

    unread = alert_status.read(aws, status)
    status.findings = diagnose(aws, status, consumer) + unread
    from wizard.diagnostics import databases

    status.databases = databases.read(aws, status)
    status.findings += [f for db in status.databases if not db.first for f in db.findings]
    # A rule that only looks like the wizard's: teardown will leave it, so say so now.
    status.findings += [Finding("warning", r.line(), r.why, r.fix) for r in left_rules(aws, name, record)]
    if damaged is not None:
        status.findings.append(Finding("warning", damaged.what, damaged.why, damaged.fix))
    return status
