"""A link's health: its live state (`status`, read from AWS by `reading`), what is wrong with it
in plain words (`diagnosis`, `target_findings`, `drift`, `sync`), each finding's fix (`fixes`),
and the redacted report support asks for (`report`). Shared by `privatelink-wizard status` and
the GUI's link health."""

from wizard.diagnostics.diagnosis import FIX_KEYS, STEP_FIXES, diagnose
from wizard.diagnostics.fixes import apply_fix
from wizard.diagnostics.reading import link_names, link_status
from wizard.diagnostics.report import report_markdown, write_report
from wizard.diagnostics.status import Finding, LinkStatus, ListenerInfo

__all__ = [
    "FIX_KEYS",
    "STEP_FIXES",
    "Finding",
    "LinkStatus",
    "ListenerInfo",
    "apply_fix",
    "diagnose",
    "link_names",
    "link_status",
    "report_markdown",
    "write_report",
]
