"""What `status` (and link health) says about a link's alerts and its endpoint's hostnames:
read into the LinkStatus, findings in plain words, and the lines of the text report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wizard import hostnames
from wizard.aws import alerts
from wizard.aws.session import AwsContext
from wizard.errors import UserError

if TYPE_CHECKING:
    from wizard.diagnostics.status import Finding, LinkStatus


def read(aws: AwsContext, s: LinkStatus) -> list[Finding]:
    """Read the link's alerts into `s.alerts`; a finding when they cannot be read."""
    from wizard.diagnostics.status import Finding

    try:
        s.alerts = alerts.read_alerts(aws, s.name, s.service.id if s.service else "")
    except UserError as exc:  # e.g. an older policy without the SNS and CloudWatch reads
        return [Finding("warning", "The link's alerts could not be read", exc.paragraph())]
    return []


def findings(s: LinkStatus) -> list[Finding]:
    from wizard.diagnostics.status import Finding

    info = s.alerts
    if info is None:
        return []
    again = f"privatelink-wizard notify --region {s.region} --name {s.name} --email {info.email or 'ADDRESS'}"
    found = []
    if info.email and not info.confirmed:
        found.append(
            Finding(
                "warning",
                f"The alerts are waiting for you to confirm the e-mail to {info.email}",
                "AWS sends no alert to an address until its owner confirms it.",
                "Open the e-mail from AWS Notifications and click 'Confirm subscription' (it is "
                f"valid for a few days; if it expired, run `{again}` to have it sent again).",
            )
        )
    if info.missing():
        found.append(
            Finding(
                "warning",
                f"The alerts are incomplete: {', '.join(info.missing())} missing",
                "Part of the alerts was removed outside the wizard, or their set-up stopped part way.",
                f"Run `{again}`: it adds what is missing.",
            )
        )
    if info.alarm_state == "ALARM":
        found.append(
            Finding(
                "problem",
                f"The health alarm {info.alarm_name} is firing",
                "The load balancer has had no healthy database target for 5 minutes: the platform "
                "cannot reach the database.",
                "See the target findings above; the alarm clears (and e-mails you) once a target "
                "is healthy again.",
            )
        )
    return found


def text_lines(s: LinkStatus) -> list[str]:
    lines = []
    for c in s.connections:
        if c.state == "available":
            lines += [f"      {line}" for line in hostnames.lines(c.dns_names, s.port)]
    if s.alerts is not None:
        lines += ["  Alerts:", *(f"    {line}" for line in s.alerts.lines())]
    elif s.service is not None:
        lines.append(
            f"  Alerts: off (`privatelink-wizard notify --region {s.region} --name {s.name} "
            "--email ADDRESS` turns them on)"
        )
    return lines
