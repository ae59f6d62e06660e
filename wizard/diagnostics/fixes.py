"""A finding's Fix, applied: each one goes through the engine operation that owns it (under the
link's lock), so the link health view repairs exactly as the wizard's pages and the CLI do."""

from __future__ import annotations

from wizard import steps
from wizard.aws import connections, endpoint_service
from wizard.aws.session import AwsContext
from wizard.consumers import Consumer
from wizard.diagnostics.diagnosis import FIX_KEYS
from wizard.diagnostics.status import LinkStatus
from wizard.errors import UserError, bad_input
from wizard.model import LinkPlan
from wizard.state import RecordStore


def _open_link(aws: AwsContext, s: LinkStatus, consumer: Consumer, store: RecordStore) -> steps.Link:
    if s.source is None:
        raise UserError(
            f"The wizard cannot repair the link '{s.name}' automatically",
            "Its data source is not known (no saved link record, or the database was removed).",
            "Run setup again for the database; it repairs the chain.",
        )
    plan = LinkPlan.of(
        name=s.name,
        region=s.region,
        source=s.source,
        port=s.port,
        subnet_ids=s.nlb.subnet_ids if s.nlb else (),
        consumer=consumer,
        principal=s.record.principal if s.record else "",
        cross_zone=s.nlb.cross_zone if s.nlb else True,
    )
    link = steps.open_link(aws, plan, s.account_id, store)
    if s.target_group and not link.record.target_group_arn:
        link.record.target_group_arn = s.target_group.arn
    if s.service and not link.record.endpoint_service_id:
        link.record.endpoint_service_id = s.service.id
    return link


def apply_fix(
    aws: AwsContext,
    s: LinkStatus,
    key: str,
    consumer: Consumer,
    store: RecordStore,
    allow_reboot: bool = False,
) -> str:
    """Apply the fix of a Finding (its fix_key); returns what was done, in plain words."""
    if ":" in key:  # a fix of one database of the link (wizard/diagnostics/databases.py)
        from wizard.diagnostics.databases import DATABASE_FIXES
        from wizard.steps.database_fixes import fix_database

        base, _, source_id = key.partition(":")
        if base not in DATABASE_FIXES:
            raise bad_input(f"There is no automatic fix called '{key}'")
        return fix_database(aws, store, s.account_id, s.name, source_id, base)
    if key not in FIX_KEYS:
        raise bad_input(f"There is no automatic fix called '{key}'")
    if key == "allow-principal":
        if s.service is None:
            raise UserError(
                "There is no endpoint service to allow the platform on", fix="Run setup again to create it."
            )
        principal = (s.record.principal if s.record else "") or consumer.principal
        endpoint_service.allow_principal(aws, s.service.id, principal)
        return f"{principal} may now connect to {s.service.name}."
    if key == "other-principals":
        if s.service is None:
            raise UserError("There is no endpoint service", fix="Run setup again to create it.")
        if s.source is not None:  # under the link's lock, as the allow-list page does it
            return steps.apply_fix(_open_link(aws, s, consumer, store), steps.AllowlistStep(), key)
        principal = (s.record.principal if s.record else "") or consumer.principal
        others = [p for p in endpoint_service.allowed_principals(aws, s.service.id) if p != principal]
        left = endpoint_service.remove_principals(aws, s.service.id, others)
        return f"Removed {', '.join(others) or 'nobody'}; allowed now: {', '.join(left) or 'nobody'}."
    if key == "accept-connection":
        if s.service is None:
            raise UserError("There is no endpoint service", fix="Run setup again to create it.")
        pending = [
            c.endpoint_id
            for c in s.connections
            if c.state == "pendingAcceptance" and c.owner_account == consumer.account_id
        ]
        if not pending:
            return f"No request from {consumer.display_name} is waiting any more."
        if s.source is not None:
            link = _open_link(aws, s, consumer, store)
            steps.accept_requests(link, pending)
        else:
            connections.accept_connections(aws, s.service.id, pending)
        return f"Accepted {', '.join(pending)}."
    return steps.apply_fix(_open_link(aws, s, consumer, store), steps.TargetGroupStep(), key, allow_reboot)
