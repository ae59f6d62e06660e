"""Several databases on one link: add a database to a link (its own target group, and a listener
on its own port of the link's load balancer), remove one, and read a link's databases from AWS.

The link's first database is the one it was set up with (the record's legacy fields); the ones
added later are in `LinkRecord.databases`. Every target group and listener made for a database
carries `DATABASE_TAG_KEY`, so they are found in AWS without the record. Each change runs under
the link's lock. Removing is in `database_removal`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

from wizard.aws import alerts, endpoint_service, network, nlb, nlb_zones, sync_deploy, target_sync
from wizard.aws import target_group as tg
from wizard.aws.link_databases import FoundDatabase, find_databases, links_using, target_group_name
from wizard.aws.session import AwsContext
from wizard.aws.teardown_plan import remember_rules
from wizard.checks import CheckRow
from wizard.consumers import Consumer
from wizard.errors import EXIT_BAD_INPUT, UserError, bad_input
from wizard.model import DataSource, LinkDatabase, LinkRecord
from wizard.state import DamagedRecordError, RecordStore
from wizard.steps.link import PreviewItem, Progress, quiet
from wizard.steps.sync import database_configs
from wizard.steps.target_group_step import database_checks

# API reference, CreateListener: a TCP listener's Port is 1-65535.
MAX_PORT = 65535


@dataclass
class AddDatabasePlan:
    """What adding a database would do (read only): the listener port chosen, the preview, the
    database's checks; `refusal` says why it cannot be added (None = it can)."""

    link_name: str
    source: DataSource
    listener_port: int
    preview: list[PreviewItem] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)
    refusal: UserError | None = None
    # Subnets the load balancer gains so that it covers the database's zones (may be empty).
    new_subnet_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatabaseOnLink(FoundDatabase):
    """One database of a link, as found in AWS (tags) and the record, with its targets' health."""

    health: tuple[tg.TargetHealthInfo, ...] = ()


def load_record(store: RecordStore, account_id: str, region: str, link_name: str) -> LinkRecord | None:
    try:
        return store.load(account_id, region, link_name)
    except DamagedRecordError:  # what exists is found by its tags all the same
        return None


def used_listener_ports(aws: AwsContext, link_name: str) -> set[int]:
    """The ports the listeners of the link's load balancer use."""
    balancer = nlb.find_nlb(aws, link_name)
    if balancer is None:
        return set()
    return {int(ls.get("Port", 0)) for ls in tg.listeners(aws, balancer.arn)}


def _next_free(used: set[int], wanted: int) -> int:
    port = wanted
    while port in used:
        port += 1
    if port > MAX_PORT:
        raise bad_input(
            f"No free port from {wanted} upwards on the link's load balancer",
            "Choose a listener port with --listener-port.",
        )
    return port


def free_listener_port(aws: AwsContext, link_name: str, wanted: int) -> int:
    """`wanted` if no listener of the link's load balancer uses it, else the next free port up."""
    return _next_free(used_listener_ports(aws, link_name), wanted)


def links_with(aws: AwsContext, store: RecordStore, account_id: str, source_id: str, but: str) -> list[str]:
    """The other links this database is on: by the database tag on target groups, and by the
    saved records (a link made by an older version tags no database)."""
    names = links_using(aws, source_id)
    records, _ = store.scan()
    names |= {
        r.name
        for r in records
        if r.account_id == account_id
        and r.region == aws.region
        and any(d.source_id == source_id for d in r.all_databases())
    }
    return sorted(names - {but})


def _refusal(what: str, why: str, fix: str) -> UserError:
    return UserError(what=what, why=why, fix=fix, step="Adding a database", exit_code=EXIT_BAD_INPUT)


def plan_add_database(
    aws: AwsContext,
    store: RecordStore,
    account_id: str,
    link_name: str,
    source: DataSource,
    listener_port: int | None = None,
) -> AddDatabasePlan:
    """What adding `source` to the link would do, and whether it can (reads only). An EC2 server
    has no port AWS can tell: pass it with its port set (dataclasses.replace(source, port=…))."""
    plan = AddDatabasePlan(link_name, source, listener_port or source.port or 0)
    balancer = nlb.find_nlb(aws, link_name)
    if balancer is None:
        plan.refusal = _refusal(
            f"The link '{link_name}' has no load balancer in {aws.region}",
            "A database is added to an existing link: its load balancer gets one more listener.",
            "Check --name and --region (`privatelink-wizard list`), or set the link up first.",
        )
        return plan
    if not source.port:
        plan.refusal = _refusal(
            f"{source.id} is an EC2 server, so the wizard cannot guess its port",
            "AWS does not know which port a program on a server listens on.",
            "Give the database's port with --port (3306, 5432, …).",
        )
        return plan
    record = load_record(store, account_id, aws.region, link_name)
    on_link = find_databases(aws, link_name, record, balancer)
    here = next((d for d in on_link if d.source_id == source.id), None)
    saved = record.database(source.id) if record else None
    if (
        here is not None
        and not here.first
        and saved is not None
        and not (here.listener_arn and here.target_group_arn)
    ):
        # An add that stopped half-way (AWS refused, or the computer went off): continue it on
        # the port it chose.
        listener_port = plan.listener_port = listener_port or saved.listener_port
        here = None
    if here is not None:
        port_words = f" on listener port {here.listener_port}" if here.listener_port else ""
        plan.refusal = _refusal(
            f"{source.id} is already on the link '{link_name}'{port_words}",
            "Each database has one target group and one listener on its link.",
            "Nothing to do; `privatelink-wizard status --name " + link_name + "` shows it.",
        )
        return plan
    elsewhere = links_with(aws, store, account_id, source.id, link_name)
    if elsewhere:
        plan.refusal = _refusal(
            f"{source.id} is already on the link '{elsewhere[0]}'",
            "A database belongs to one link: two links would each keep its targets and firewall "
            "rule, and removing one would cut the other.",
            f"Use the link '{elsewhere[0]}' for it, or remove it there first (`privatelink-wizard "
            f"remove --name {elsewhere[0]} --source {source.id}`).",
        )
        return plan
    if source.vpc_id != balancer.vpc_id:
        plan.refusal = _refusal(
            f"{source.id} is in the network {source.vpc_id}, the link '{link_name}' in {balancer.vpc_id}",
            "A target group and its load balancer share one VPC, so the link's load balancer "
            "cannot forward to a database in another one.",
            f"Set up a link of its own for it: privatelink-wizard setup --source {source.id}.",
        )
        return plan
    used = {int(ls.get("Port", 0)) for ls in tg.listeners(aws, balancer.arn)}
    if listener_port is not None:
        if not 1 <= listener_port <= MAX_PORT:
            plan.refusal = _refusal(
                f"The listener port {listener_port} is not a TCP port",
                f"A listener port is a number from 1 to {MAX_PORT}.",
                "Choose another --listener-port, or leave it out to take the next free one.",
            )
            return plan
        if listener_port in used:
            plan.refusal = _refusal(
                f"Port {listener_port} on the link's load balancer is already used by a listener",
                "A load balancer forwards each port to one place only.",
                f"Choose another --listener-port (the next free one is "
                f"{_next_free(used, listener_port)}), or leave it out.",
            )
            return plan
    else:
        plan.listener_port = _next_free(used, source.port)
    zones = nlb_zones.plan_zones(aws, source, balancer)
    if zones.refused:
        plan.refusal = _refusal(
            f"{source.id} is in {', '.join(source.availability_zones) or 'no known zone'}, where the "
            f"link's load balancer has no subnet and none can be added",
            "A load balancer sends traffic only to targets in its own zones (cross-zone load "
            f"balancing does not change that), and the network {balancer.vpc_id} has no subnet "
            "there a load balancer can use.",
            "Create a subnet in the database's zone (with a few free addresses), then run add "
            "again; or set up a link of its own for this database.",
        )
        return plan
    plan.new_subnet_ids = tuple(s.subnet_id for s in zones.new_subnets)
    plan.checks = database_checks(aws, source, source.port, link_name, balancer)
    if zones.unreachable:
        plan.checks.append(
            CheckRow(
                "database-zones",
                True,
                "The load balancer reaches the database in some of its zones only",
                warning=True,
                required=False,
                reason=f"The network has no usable subnet in {', '.join(zones.unreachable)}: a "
                "target there gets no traffic (after a failover into that zone, the link stops).",
                fix="Create a subnet in that zone, then run add again (it extends the load balancer).",
            )
        )
    plan.preview = _preview(aws, link_name, source, plan.listener_port, balancer, zones)
    return plan


def _preview(
    aws: AwsContext,
    link_name: str,
    source: DataSource,
    listener_port: int,
    balancer: nlb.NlbInfo,
    zones: nlb_zones.ZonePlan,
) -> list[PreviewItem]:
    items = [
        PreviewItem(
            "change",
            f"load balancer '{balancer.name}': add the subnet {s.subnet_id} in {s.availability_zone}",
            "a load balancer reaches only databases in its own zones; the endpoint service is "
            f"then offered in {s.availability_zone_id or s.availability_zone} too, and the platform "
            "may add a subnet there to its endpoint",
        )
        for s in zones.new_subnets
    ]
    kind = "IP addresses" if source.target_type == "ip" else "the server"
    items.append(
        PreviewItem(
            "create",
            f"TCP target group '{target_group_name(link_name, listener_port)}' on port {source.port}",
            f"targets: {kind} of {source.id}; proxy protocol, client IP preservation and stickiness off",
        )
    )
    same = "" if listener_port == source.port else f", forwarding to the database's port {source.port}"
    items.append(
        PreviewItem(
            "create",
            f"TCP listener on port {listener_port} of load balancer '{balancer.name}'",
            f"the platform reaches {source.id} on port {listener_port}{same}",
        )
    )
    firewall = network.check_security_group(
        aws, source, int(source.port or 0), balancer.subnet_ids, balancer.security_group_ids
    )
    if not firewall.ok and firewall.fix:
        items.append(PreviewItem("change", f"{source.id}'s firewall", firewall.fix))
    if source.target_type == "ip" and sync_deploy.find_sync(aws, link_name).deployed:
        items.append(
            PreviewItem(
                "change",
                f"target sync '{sync_deploy.function_name(link_name)}'",
                f"it also keeps {source.id}'s target group on the database's current address",
            )
        )
    if alerts.find_topic(aws, link_name):
        items.append(
            PreviewItem(
                "create",
                f"CloudWatch alarm '{alerts.database_alarm_name(link_name, listener_port)}'",
                f"an e-mail when {source.id} has had no healthy target for 5 minutes",
            )
        )
    return items


def add_database(
    aws: AwsContext,
    store: RecordStore,
    account_id: str,
    link_name: str,
    source: DataSource,
    consumer: Consumer,
    listener_port: int | None = None,
    progress: Progress = quiet,
    wait: float = 0,
) -> LinkDatabase:
    """Add `source` to the link under its lock; raises the plan's refusal if it cannot."""

    def waiting() -> None:
        progress(f"Another window or command is changing the link '{link_name}'; waiting up to {wait:g} s…")

    with store.locked(account_id, aws.region, link_name, wait=wait, on_wait=waiting):
        plan = plan_add_database(aws, store, account_id, link_name, source, listener_port)
        if plan.refusal is not None:
            raise plan.refusal
        record = load_record(store, account_id, aws.region, link_name)
        record = record or LinkRecord(name=link_name, region=aws.region, account_id=account_id)
        try:
            return _add(aws, store, record, plan, progress)
        except UserError as exc:
            record.last_error = exc.paragraph()
            store.save(record)
            raise


def _add(
    aws: AwsContext, store: RecordStore, record: LinkRecord, plan: AddDatabasePlan, progress: Progress
) -> LinkDatabase:
    link_name, source, port = plan.link_name, plan.source, int(plan.source.port or 0)
    balancer = nlb.find_nlb(aws, link_name)
    assert balancer is not None  # the plan refuses a link without one
    if plan.new_subnet_ids:
        progress(f"Adding the subnet(s) {', '.join(plan.new_subnet_ids)} to the load balancer…")
        nlb_zones.add_subnets(aws, balancer.arn, plan.new_subnet_ids)
        balancer = nlb.describe_nlb(aws, balancer.arn)
        service = endpoint_service.find_endpoint_service(aws, link_name)
        if service is not None:
            record.az_ids = endpoint_service.zone_ids(aws, service)
        store.save(record)
        if not balancer.security_group_ids:
            from wizard.steps.database_fixes import open_new_subnets

            open_new_subnets(aws, store, record, balancer, progress)
    entry = record.database(source.id)
    if entry is None or entry.source_id == record.source_id:
        entry = LinkDatabase(source.id, source.kind.value, port, plan.listener_port)
        record.databases.append(entry)  # saved first: a crash half-way leaves it known (remove finds it)
    entry.listener_port = plan.listener_port
    store.save(record)

    def noted(kind: str) -> Progress:
        def note(resource_id: str) -> None:
            record.note_created(kind, resource_id, note=source.id)
            store.save(record)

        return note

    name = target_group_name(link_name, plan.listener_port)
    progress(f"Creating (or finding) the target group '{name}'…")
    info, _ = tg.find_or_create_target_group(
        aws,
        link_name,
        name,
        source.vpc_id,
        port,
        source.target_type,
        noted("target-group"),
        database=source.id,
    )
    entry.target_group_arn = info.arn
    store.save(record)
    progress("Turning off proxy protocol, client IP preservation and stickiness…")
    tg.configure_target_group(aws, info.arn)
    progress(f"Creating (or finding) the listener on port {plan.listener_port}…")
    entry.listener_arn, _ = tg.find_or_create_listener(
        aws, link_name, balancer.arn, plan.listener_port, info.arn, noted("listener"), database=source.id
    )
    store.save(record)
    targets = [source.id] if source.target_type == "instance" else network.resolve_target_ips(aws, source)
    progress(f"Registering targets: {', '.join(targets)}…")
    tg.sync_targets(aws, info.arn, targets, port)
    progress("Letting the load balancer through the database's firewall…")
    rules = network.fix_security_group(
        aws, source, port, balancer.subnet_ids, link_name, balancer.security_group_ids
    )
    for rule in rules:
        record.note_created("security-group-rule", rule, note=source.id)
    store.save(record)
    remember_rules(aws, record, rules)  # what each allows: teardown's and remove's exact match
    store.save(record)
    if source.target_type == "ip" and sync_deploy.find_sync(aws, link_name).deployed:
        progress("Letting the link's target sync keep this database's target group filled too…")
        redeploy_sync(aws, record, balancer.vpc_id, lambda kind, rid: record.note_created(kind, rid))
        try:  # its first run for this database, here: it notes the state it starts from
            target_sync.run(
                target_sync.Config(info.arn, port, source.kind.value, source.id, source.vpc_id),
                aws,
                lambda host: network.resolve_host(host),
            )
        except target_sync.NoTargets as exc:
            raise UserError(exc.what, exc.why, exc.fix) from None
    alarm = alerts.ensure_database_alarm(aws, link_name, plan.listener_port, info.arn, balancer.arn)
    if alarm:
        progress(f"Created (or updated) the health alarm {alarm}.")
        record.note_created("alarm", alarm, note=source.id)
    record.last_error = ""
    store.save(record)
    return entry


def redeploy_sync(aws: AwsContext, record: LinkRecord, vpc_id: str, note: Callable[[str, str], None]) -> None:
    """Bring the link's target sync up to date with the record's databases reached by IP (their
    target groups in its settings, role policy and RDS event pattern)."""
    configs = database_configs(record, vpc_id)
    if not configs:
        return
    ids = [c.source_id for c in configs]
    sync_deploy.deploy(aws, record.name, record.account_id or "*", configs, ids, note)


def link_databases(aws: AwsContext, link_name: str, record: LinkRecord | None) -> list[DatabaseOnLink]:
    """The link's databases, read from AWS (the database tag on its target groups and listeners)
    and the record, each with its targets' health; the first database first."""
    return [_with_health(aws, found) for found in find_databases(aws, link_name, record)]


def _with_health(aws: AwsContext, found: FoundDatabase) -> DatabaseOnLink:
    health = tuple(tg.target_health(aws, found.target_group_arn)) if found.target_group_arn else ()
    return DatabaseOnLink(**dataclasses.asdict(found), health=health)


def remove_database(
    aws: AwsContext,
    store: RecordStore,
    account_id: str,
    link_name: str,
    source_id: str,
    progress: Progress = quiet,
    wait: float = 0,
) -> list[str]:
    """Remove one database from the link under its lock; returns what was removed, in words."""
    from wizard.steps.database_removal import remove

    def waiting() -> None:
        progress(f"Another window or command is changing the link '{link_name}'; waiting up to {wait:g} s…")

    with store.locked(account_id, aws.region, link_name, wait=wait, on_wait=waiting):
        return remove(aws, store, account_id, link_name, source_id, progress)
