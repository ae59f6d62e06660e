"""After a change to a link with several databases: the message to the platform (every database
with its port), and the fixes of one database (its firewall, its targets), under the link's lock."""

from __future__ import annotations

from wizard.aws import discovery, network, nlb
from wizard.aws import target_group as tg
from wizard.aws.link_databases import find_databases
from wizard.aws.session import AwsContext
from wizard.aws.teardown_plan import remember_rules
from wizard.consumers import Consumer
from wizard.errors import EXIT_BAD_INPUT, UserError, bad_input
from wizard.model import LinkPlan, LinkRecord
from wizard.state import RecordStore
from wizard.steps.databases import load_record
from wizard.steps.link import Link, Progress
from wizard.steps.operations import ServiceSummary, service_summary


def link_summary(
    aws: AwsContext, store: RecordStore, account_id: str, link_name: str, consumer: Consumer
) -> ServiceSummary | None:
    """The message to the platform for the link as it is now (every database with its port), or
    None when the link has no service name or first database yet."""
    record = load_record(store, account_id, aws.region, link_name)
    if record is None or not record.service_name or not record.source_id:
        return None
    try:
        source = discovery.find_data_source(aws, record.source_id)
    except UserError:
        return None
    plan = LinkPlan.of(
        name=link_name,
        region=aws.region,
        source=source,
        consumer=consumer,
        subnet_ids=(),
        port=record.port,
        principal=record.principal,
    )
    return service_summary(Link(aws, plan, record, store))


def fix_database(
    aws: AwsContext,
    store: RecordStore,
    account_id: str,
    link_name: str,
    source_id: str,
    key: str,
    wait: float = 0,
) -> str:
    """Apply a fix to one database of the link under its lock ("security-group": let the load
    balancer through its firewall; "refresh-targets": register its current addresses); returns
    what was done, in plain words."""
    with store.locked(account_id, aws.region, link_name, wait=wait):
        record = load_record(store, account_id, aws.region, link_name)
        found = next((d for d in find_databases(aws, link_name, record) if d.source_id == source_id), None)
        balancer = nlb.find_nlb(aws, link_name)
        if found is None or balancer is None or not found.target_group_arn:
            raise UserError(
                f"{source_id} has no target group on the link '{link_name}'",
                fix=f"Add it again: privatelink-wizard add --name {link_name} --source {source_id}",
                exit_code=EXIT_BAD_INPUT,
            )
        source = discovery.find_data_source(aws, source_id)
        if key == "refresh-targets":
            targets = (
                [source.id] if source.target_type == "instance" else network.resolve_target_ips(aws, source)
            )
            sync = tg.sync_targets(aws, found.target_group_arn, targets, found.port)
            if not sync.changed:
                return f"{source_id}'s target group already points at {', '.join(sync.current)}."
            return f"{source_id}'s targets updated: now {', '.join(sync.current)}."
        if key == "security-group":
            rules = network.fix_security_group(
                aws, source, found.port, balancer.subnet_ids, link_name, balancer.security_group_ids
            )
            if record is not None and rules:
                for rule in rules:
                    record.note_created("security-group-rule", rule, note=source_id)
                remember_rules(aws, record, rules)
                store.save(record)
            if not rules:
                return f"{source_id}'s security group already allows the load balancer."
            return (
                f"Added an inbound rule on port {found.port} to {source_id}'s security group for the "
                "load balancer."
            )
        raise bad_input(f"There is no automatic fix '{key}' for a database of a link")


def open_new_subnets(
    aws: AwsContext, store: RecordStore, record: LinkRecord, balancer: nlb.NlbInfo, progress: Progress
) -> None:
    """A load balancer without a security group (made by an older version) is let in by subnet
    ranges: each database already on the link needs a rule for the new subnet too."""
    for db in record.all_databases():
        try:
            other = discovery.find_data_source(aws, db.source_id)
        except UserError:
            continue  # gone: status says so
        progress(f"Letting the load balancer's new subnet through {db.source_id}'s firewall…")
        rules = network.fix_security_group(aws, other, db.port, balancer.subnet_ids, record.name)
        for rule in rules:
            record.note_created("security-group-rule", rule, note=db.source_id)
        remember_rules(aws, record, rules)
        store.save(record)
