"""`privatelink-wizard --self-test`: prove this installation works, with no AWS account and no screen.

It is the installers' smoke test (CI runs it on every bundle) and a support tool: a DBA whose copy
misbehaves can run it and send the output. It starts the built-in sandbox, builds the PrivateLink
chain for the sample RDS MySQL database up to the service name through the same engine the CLI
and the GUI use, accepts the simulated platform's connection request, and opens the wizard window
off-screen. Exit code 0 only if every check passed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from wizard import APP_NAME, __version__

# The sandbox accepts any key; fixed dummy ones keep the user's own AWS settings out of the test.
_SANDBOX_CREDENTIALS = ("sandbox", "sandbox")
# The simulated platform polls every 0.2 s here; allow for a slow, busy machine.
_REQUEST_WAIT_SECONDS = 30.0


@dataclass
class CheckResult:
    name: str
    ok: bool = False
    seconds: float = 0.0
    detail: str = ""


@dataclass
class _Context:
    """What one check hands to the next."""

    sandbox: Any = None
    endpoint_url: str = ""
    service_name: str = ""
    link: Any = None
    results: list[CheckResult] = field(default_factory=list)


def _headless() -> None:
    """Use Qt's off-screen platform when there is no display to draw on (CI, SSH, containers)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


@contextmanager
def _private_folders() -> Iterator[None]:
    """Point data, settings and logs at a temporary folder: the test must not touch the user's
    saved links (a half-built sample link would show up in their resume list)."""
    names = ("PRIVATELINK_WIZARD_DATA_DIR", "PRIVATELINK_WIZARD_CONFIG_DIR", "PRIVATELINK_WIZARD_LOG_DIR")
    saved = {name: os.environ.get(name) for name in names}
    with tempfile.TemporaryDirectory(prefix="plw-selftest-") as tmp:
        for name in names:
            os.environ[name] = str(Path(tmp, name.rsplit("_", 2)[-2].lower()))
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _check_imports(ctx: _Context) -> str:
    import boto3
    import moto
    from PySide6 import QtCore

    import wizard.commands
    import wizard.sandbox.server
    import wizard.steps
    import wizard.ui.app  # noqa: F401  (importing is the check)

    return f"Qt {QtCore.qVersion()}, boto3 {boto3.__version__}, moto {moto.__version__}"


def _check_resources(ctx: _Context) -> str:
    from wizard.consumers import DEFAULT_CONSUMER, load_consumers
    from wizard.paths import resource

    consumers = load_consumers()
    if DEFAULT_CONSUMER not in consumers:
        raise RuntimeError(f"the default consumer profile '{DEFAULT_CONSUMER}' is missing")
    icon = resource("icons", "app.png")
    if not icon.is_file():
        raise RuntimeError("the application icon is missing")
    return f"{len(consumers)} consumer profile(s), icon present"


def _check_aws_models(ctx: _Context) -> str:
    # Installers keep only these services' models (see wizard/aws/services.py): each client the
    # app or botocore's sign-in can make must load. Creating a client reads its model, no network.
    import boto3

    from wizard.aws.services import BUNDLED_SERVICES

    key_id, secret = _SANDBOX_CREDENTIALS
    session = boto3.session.Session(key_id, secret, region_name="us-east-1")
    for service in BUNDLED_SERVICES:
        session.client(service, endpoint_url="http://127.0.0.1:9").close()
    return f"{len(BUNDLED_SERVICES)} services: {', '.join(BUNDLED_SERVICES)}"


def _check_sandbox(ctx: _Context) -> str:
    from wizard.sandbox.server import Sandbox

    # The simulated platform asks for a connection as soon as it sees the service (the demo
    # waits a few seconds, to feel real; a test has no reason to).
    ctx.sandbox = Sandbox(consumer_delay=0.0, consumer_interval=0.2)
    ctx.endpoint_url = ctx.sandbox.start(port=0, seeded=True, consumer=True)
    return f"seeded sample account at {ctx.endpoint_url}"


def _check_sso(ctx: _Context) -> str:
    """The demo's IAM Identity Center sign-in: device authorization, account and role, the
    permission preflight (the login is kept in a folder of its own, as the demo keeps it)."""
    import threading

    from wizard.aws import preflight
    from wizard.aws.session import make_context, whoami
    from wizard.ui import account_tasks

    login = account_tasks.login_for("https://self-test.awsapps.com/start", ctx.sandbox.region)
    no_browser = lambda _code: None  # noqa: E731 (the sandbox approves by itself)
    session = account_tasks.sso_sign_in(login, ctx.endpoint_url, no_browser, threading.Event(), demo=True)
    account = session.accounts[0].account_id
    credentials = session.portal.role_credentials(session.token, account, "DatabaseAdmin")
    aws = make_context(credentials, ctx.sandbox.region, ctx.endpoint_url)
    identity = whoami(aws)
    check = preflight.run(aws, identity)
    if not check.complete:
        raise RuntimeError(check.summary())
    return f"{identity.arn}: {len(check.permissions)} permissions allowed"


def _check_setup(ctx: _Context) -> str:
    from wizard.aws import discovery
    from wizard.aws.session import Credentials, make_context, whoami
    from wizard.consumers import load_consumer
    from wizard.model import LinkPlan
    from wizard.state import RecordStore
    from wizard.steps import open_link, run_setup, service_summary
    from wizard.validators import default_link_name

    key_id, secret = _SANDBOX_CREDENTIALS
    sample = ctx.sandbox.sample
    aws = make_context(
        Credentials(access_key_id=key_id, secret_access_key=secret), sample.region, ctx.endpoint_url
    )
    identity = whoami(aws)
    source = discovery.find_data_source(aws, sample.orders_mysql)
    plan = LinkPlan.of(
        name=default_link_name(source.id),
        region=aws.region,
        source=source,
        subnet_ids=discovery.default_subnets(aws, source),
        consumer=load_consumer(),
    )
    link = open_link(aws, plan, identity.account_id, store=RecordStore())
    run_setup(link)
    summary = service_summary(link)
    if not summary.service_name.startswith("com.amazonaws.vpce."):
        raise RuntimeError(f"unexpected service name {summary.service_name!r}")
    ctx.service_name = summary.service_name
    ctx.link = link
    return f"{source.id} → {summary.service_name}"


def _check_accept(ctx: _Context) -> str:
    from wizard.steps import accept_requests, expected_owner, list_requests

    if ctx.link is None:
        raise RuntimeError("no link to accept a request for (the previous check failed)")
    owner = expected_owner(ctx.link)
    deadline = time.monotonic() + _REQUEST_WAIT_SECONDS
    pending: list[str] = []
    while not pending and time.monotonic() < deadline:
        pending = [
            c.endpoint_id
            for c in list_requests(ctx.link)
            if c.state == "pendingAcceptance" and c.owner_account == owner
        ]
        if not pending:
            time.sleep(0.2)
    if not pending:
        raise RuntimeError(f"no connection request from account {owner} within {_REQUEST_WAIT_SECONDS:g} s")
    accepted = accept_requests(ctx.link, pending)
    states = {c.endpoint_id: c.state for c in list_requests(ctx.link)}
    if not accepted or any(states.get(e) != "available" for e in pending):
        raise RuntimeError(f"the request was not accepted (states: {states})")
    return f"{', '.join(pending)} from {owner} is available"


def _check_window(ctx: _Context) -> str:
    from wizard.consumers import load_consumer
    from wizard.settings import Settings
    from wizard.state import RecordStore
    from wizard.ui.app import app_icon, make_app
    from wizard.ui.main_window import MainWindow
    from wizard.ui.state import WizardState

    # The same window `privatelink-wizard --demo` opens, pointed at the self-test's sandbox.
    app = make_app([])
    state = WizardState(consumer=load_consumer(), endpoint_url=ctx.endpoint_url, demo=True)
    window = MainWindow(state, Settings.load(), store=RecordStore())
    window.show()
    window.wizard.restart()
    for _ in range(10):
        app.processEvents()
    shown = window.isVisible() and window.wizard.currentPage() is not None
    title = window.windowTitle()
    has_icon = not app_icon().isNull()
    window.close()  # also waits for any background call the first page started
    app.processEvents()
    window.deleteLater()
    app.processEvents()
    if not shown:
        raise RuntimeError("the window did not open on its first page")
    if not has_icon:
        raise RuntimeError("the application icon did not load")
    return f"opened and closed '{title}' with its icon ({app.platformName()})"


CHECKS: list[tuple[str, Callable[[_Context], str]]] = [
    ("Python modules and Qt load", _check_imports),
    ("Bundled files are readable", _check_resources),
    ("AWS clients load", _check_aws_models),
    ("Sandbox starts", _check_sandbox),
    ("IAM Identity Center sign-in and permission check", _check_sso),
    ("Sample link builds to the service name", _check_setup),
    ("Platform's connection request is accepted", _check_accept),
    ("Wizard window opens", _check_window),
]


def _write(out: TextIO | None, text: str) -> None:
    # A windowed Windows executable has no console: sys.stdout is None, and the exit code is all
    # the caller gets (privatelink-wizard-cli.exe prints the report).
    if out is None:
        return
    try:
        out.write(text + "\n")
    except UnicodeEncodeError:
        # An old Windows console code page has no ✔; the report must still get through.
        for fancy, plain in (("✔", "OK"), ("✖", "FAIL"), ("→", "->")):
            text = text.replace(fancy, plain)
        out.write(text.encode("ascii", "replace").decode("ascii") + "\n")
    out.flush()


def run(out: TextIO | None = None) -> int:
    """Run every check, print a report, return 0 if all passed and 1 otherwise."""
    out = out if out is not None else sys.stdout
    _headless()
    ctx = _Context()
    started = time.monotonic()
    _write(
        out,
        f"{APP_NAME} {__version__} self-test ({sys.platform}, Python "
        f"{sys.version.split()[0]}{', bundled' if getattr(sys, 'frozen', False) else ''})",
    )
    with _private_folders():
        try:
            for name, check in CHECKS:
                result = CheckResult(name)
                t0 = time.monotonic()
                try:
                    result.detail = check(ctx)
                    result.ok = True
                except Exception as exc:  # report every failure, whatever its kind, and go on
                    result.detail = f"{type(exc).__name__}: {exc}"
                    if os.environ.get("PLW_SELFTEST_TRACEBACK"):
                        result.detail += "\n" + traceback.format_exc()
                result.seconds = time.monotonic() - t0
                ctx.results.append(result)
                mark = "✔" if result.ok else "✖"
                _write(out, f"  {mark} {name} ({result.seconds:.1f} s): {result.detail}")
                # Later checks depend on the sandbox; without it they can only repeat its error.
                if not result.ok and check is _check_sandbox:
                    break
        finally:
            if ctx.sandbox is not None:
                ctx.sandbox.stop()
    failed = [r for r in ctx.results if not r.ok]
    skipped = len(CHECKS) - len(ctx.results)
    total = time.monotonic() - started
    if failed or skipped:
        _write(
            out,
            f"Self-test FAILED: {len(failed)} check(s) failed, {skipped} not run "
            f"({total:.1f} s). Set PLW_SELFTEST_TRACEBACK=1 for details.",
        )
        return 1
    _write(out, f"Self-test passed: {len(ctx.results)} checks in {total:.1f} s.")
    return 0
