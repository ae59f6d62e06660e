"""The redacted diagnostics report support asks for: Markdown, or a zip with the JSON too."""

from __future__ import annotations

import json
import platform
import zipfile
from datetime import datetime
from pathlib import Path

from wizard import __version__, private_files
from wizard.aws import activity as act
from wizard.aws.session import AwsContext, Identity
from wizard.diagnostics.status import LinkStatus
from wizard.errors import file_error
from wizard.redact import redact


def report_markdown(
    aws: AwsContext | None,
    identity: Identity | None,
    reports: list[LinkStatus],
    presenter: bool = False,
) -> str:
    """The diagnostics report, with secrets (always) and account ids (presenter) masked.

    Without a sign-in (aws/identity None) it still carries the app, OS and activity: that is
    when support needs it most."""
    out = [
        "# PrivateLink Wizard diagnostics",
        "",
        f"- App version: {__version__}",
        f"- OS: {platform.platform()} / Python {platform.python_version()}",
        f"- Region: {aws.region if aws else 'not signed in'}",
        f"- AWS endpoint: {aws.endpoint_url or 'AWS (default)' if aws else 'n/a'}",
        f"- Signed in as: {identity.arn if identity else 'not signed in'}",
        f"- Written: {datetime.now():%Y-%m-%d %H:%M:%S}",
        "",
    ]
    if not reports:
        out += ["No links were found for this account and region.", ""]
    for report in reports:
        out += [f"## Link {report.name}", "", "```", report.text(), "```", ""]
        if report.record:
            out += [
                "Link record:",
                "",
                "```json",
                json.dumps(report.record.to_dict(), indent=2),
                "```",
                "",
            ]
        if report.listeners:
            out += ["Listeners:", ""]
            out += [
                f"- {ls.protocol} {ls.port} → {', '.join(ls.target_group_arns) or 'nothing'}"
                for ls in report.listeners
            ]
            out += [""]
        if report.target_group:
            out += [
                "Target group attributes:",
                "",
                "```json",
                json.dumps(report.target_group.attributes, indent=2),
                "```",
                "",
                "Target health:",
                "",
            ]
            out += [
                f"- {t.target_id}:{t.port} — {t.state}"
                + (f" ({t.reason}: {t.description})" if t.reason else "")
                for t in report.targets
            ] or ["- no targets registered"]
            out += [""]
        if report.service:
            out += ["Allowed principals:", ""]
            out += [f"- {p}" for p in report.principals] or ["- nobody"]
            out += ["", "Connections:", ""]
            out += [
                f"- {c.endpoint_id} from {c.owner_account} — {c.state} (since {c.created_at})"
                for c in report.connections
            ] or ["- none yet"]
            out += [""]
        if report.checks:
            out += (
                ["Checks:", ""]
                + [f"- {'✔' if c.ok else '✖'} {c.label}: {c.reason}" for c in report.checks]
                + [""]
            )
    out += ["## Recent activity", ""]
    out += [f"- {e.line()}  \n  `{e.cli}`" for e in act.ACTIVITY.events()[-200:]]
    return redact("\n".join(out) + "\n", presenter=presenter, extra_secrets=_session_secrets(aws))


def _session_secrets(aws: AwsContext | None) -> tuple[str, ...]:
    """The signed-in secret key and token, masked by value wherever they might appear."""
    if aws is None:
        return ()
    creds = aws.session.get_credentials()
    if creds is None:
        return ()
    frozen = creds.get_frozen_credentials()
    return tuple(v for v in (frozen.secret_key, frozen.token) if v)


def write_report(
    path: str | Path,
    aws: AwsContext | None,
    identity: Identity | None,
    reports: list[LinkStatus],
    presenter: bool = False,
) -> Path:
    """Markdown, or a zip holding the Markdown and the JSON, by the file's suffix."""
    target = Path(path)
    text = report_markdown(aws, identity, reports, presenter)
    try:
        return _write_report(target, text, aws, reports, presenter)
    except OSError as exc:
        raise file_error(exc, "write the report") from None


def _write_report(
    target: Path, text: str, aws: AwsContext | None, reports: list[LinkStatus], presenter: bool
) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".zip":
        data = redact(
            json.dumps([r.to_dict() for r in reports], indent=2, default=str),
            presenter=presenter,
            extra_secrets=_session_secrets(aws),
        )
        with (
            private_files.open_private(target, "wb") as raw,
            zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf,
        ):
            zf.writestr("report.md", text)
            zf.writestr("status.json", data)
    else:
        private_files.write_text(target, text)
    return target
