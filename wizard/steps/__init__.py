"""The procedure as ordered steps. Each step reads its preconditions (check), says what it would do
(preview) and does it idempotently (apply), saving every new id to the link record at once; the
operations that change a link take its lock here.

The CLI and every GUI page drive the engine through this package only; the flow lives here, the
faces render it (the Electrum idea: no Qt in the flow)."""

from wizard.steps.link import Link, PreviewItem, Progress, Step, link_lock, open_link
from wizard.steps.nlb_step import NlbStep
from wizard.steps.operations import (
    SETUP_STEPS,
    ServiceSummary,
    accept_on_service,
    accept_requests,
    apply_fix,
    apply_step,
    expected_owner,
    list_requests,
    remove_alerts,
    remove_link,
    run_setup,
    service_summary,
    set_up_alerts,
    step_by_id,
    target_health,
)
from wizard.steps.service_steps import AllowlistStep, EndpointServiceStep, allowed_principals
from wizard.steps.target_group_step import TargetGroupStep

__all__ = [
    "SETUP_STEPS",
    "AllowlistStep",
    "EndpointServiceStep",
    "Link",
    "NlbStep",
    "PreviewItem",
    "Progress",
    "ServiceSummary",
    "Step",
    "TargetGroupStep",
    "accept_on_service",
    "accept_requests",
    "allowed_principals",
    "apply_fix",
    "apply_step",
    "expected_owner",
    "link_lock",
    "list_requests",
    "open_link",
    "remove_alerts",
    "remove_link",
    "run_setup",
    "service_summary",
    "set_up_alerts",
    "step_by_id",
    "target_health",
]
