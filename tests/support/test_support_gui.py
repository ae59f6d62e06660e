"""The support tools in the window: the activity log (export, Copy command), presenter mode, the
link-health view (findings, Fix, Check again), the diagnostics report, help links and glossary.

The window runs on the in-process sandbox (the `aws` fixture's moto), so the test can build and
break a link directly while the window's workers read the same account.

Pictures go to a temporary folder; to refresh the docs run
`PLW_SCREENSHOTS_DIR=docs/screenshots pytest tests/support/test_support_gui.py`."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QTextEdit,
    QTreeWidget,
    QWidget,
)

from tests.support.helpers import RIVERY, alter_response, build_link
from tests.ui.flow import wait_settled
from wizard.aws import network
from wizard.aws.activity import ACTIVITY, ActivityEvent
from wizard.aws.session import AwsContext, Credentials, make_context
from wizard.sandbox.seed import SampleAccount
from wizard.ui.glossary import GLOSSARY_LINK
from wizard.ui.glossary_dialog import GlossaryDialog
from wizard.ui.main_window import MainWindow
from wizard.ui.page_ids import PageId
from wizard.ui.pages.target_group import TargetGroupPage
from wizard.ui.redact import PresenterCover

ACCOUNT = "123456789012"
TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Tn3Vb2K"
WAIT_MS = 30000


def shots() -> Path | None:
    folder = os.environ.get("PLW_SCREENSHOTS_DIR")
    return Path(folder) if folder else None


def save(widget: QWidget, name: str, tmp_path: Path, qtbot: Any) -> Path:
    qtbot.wait(150)  # let layouts and deleteLater() settle so the picture shows the final state
    folder = shots() or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    assert widget.grab().save(str(path))
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 400
    return path


def on_screen_texts(root: QWidget) -> list[str]:
    """Every text a viewer of `root` can see (or hover): labels, buttons, fields, tables, titles.

    A text field under an active presenter cover shows the cover, not its own text."""
    texts = [root.windowTitle()]
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        texts.append(w.toolTip())
        if isinstance(w, QLabel | QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QLineEdit):
            cover = w.findChild(PresenterCover)
            if not (isinstance(cover, PresenterCover) and cover.active):
                texts.append(w.text())
        elif isinstance(w, QComboBox):
            texts.append(w.currentText())
        elif isinstance(w, QTextEdit):
            texts.append(w.toPlainText())
        elif isinstance(w, QTreeWidget):
            for i in range(w.topLevelItemCount()):
                item = w.topLevelItem(i)
                assert item is not None
                for c in range(w.columnCount()):
                    texts += [item.text(c), item.toolTip(c)]
    return texts


def account_ids_on_screen(root: QWidget) -> list[str]:
    return [m for t in on_screen_texts(root) for m in TWELVE_DIGITS.findall(t)]


@pytest.fixture
def window(
    aws: AwsContext, seeded: SampleAccount, open_window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    """A demo window signed in to the in-process sandbox, with the link 'orders' (orders-mysql)
    built while it watches, so the activity log holds the whole setup."""
    monkeypatch.setattr(network, "resolve_host", lambda host, timeout=0.0: [])
    ACTIVITY.clear()
    win: MainWindow = open_window(None, demo=True)
    win.resize(1100, 900)
    wait_settled(qtbot, win)
    assert win.state.identity is not None and win.state.identity.account_id == ACCOUNT
    link = build_link(aws, seeded.orders_mysql)
    win.state.link = link
    win.state.link_name = "orders"
    # The engine ran on this thread, so every call is already in the log.
    assert any(e.operation == "ModifyVpcEndpointServicePermissions" for e in win.activity_view.events())
    yield win


def _row_of(win: MainWindow, operation: str) -> Any:
    tree = win.activity_view.tree
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        assert item is not None
        if win.activity_view.events()[i].operation == operation:  # one line per event, in order
            return item
    raise AssertionError(f"no {operation} row in the log")


# --- activity log ---------------------------------------------------------------------------------


def test_activity_log_shows_time_words_result_and_cli(window: MainWindow, tmp_path: Path, qtbot: Any) -> None:
    item = _row_of(window, "CreateLoadBalancer")
    assert re.fullmatch(r"\d\d:\d\d:\d\d", item.text(0))
    assert item.text(1) == "Creating the load balancer"
    assert item.text(2) == "done"
    assert item.text(3).startswith("aws elbv2 create-load-balancer --name orders")
    window.set_log_height(420)
    window.activity_view.tree.setCurrentItem(item)
    save(window, "10-activity-log.png", tmp_path, qtbot)


def test_right_click_copy_command_copies_the_cli(window: MainWindow) -> None:
    item = _row_of(window, "CreateVpcEndpointServiceConfiguration")
    menu = window.activity_view.context_menu(item)
    actions = {a.objectName(): a for a in menu.actions()}
    assert actions["copyCommand"].text() == "&Copy command"

    actions["copyCommand"].trigger()

    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("aws ec2 create-vpc-endpoint-service-configuration --network-load-balancer-arns")
    assert ACCOUNT in copied  # presenter mode off: the command runs as copied


def test_export_writes_redacted_text_and_markdown(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    ACTIVITY.record(
        ActivityEvent(
            time=datetime.now(),
            service="configure",
            operation="Set",
            summary="Configured the AWS CLI",
            cli=f"aws configure set aws_secret_access_key {SECRET}",
        )
    )
    qtbot.waitUntil(lambda: window.activity_view.events()[-1].operation == "Set", timeout=WAIT_MS)
    view = window.activity_view

    text = view.export(tmp_path / "log.txt").read_text(encoding="utf-8")
    assert "Creating the load balancer — done" in text
    assert "    $ aws elbv2 create-load-balancer --name orders" in text
    assert SECRET not in text and "aws_secret_access_key ****" in text

    # The dock's Export button, through its save dialog.
    target = tmp_path / "log.md"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Markdown (*.md)"))
    window.presenter_action.setChecked(True)
    view.export_button.click()
    markdown = target.read_text(encoding="utf-8")
    assert markdown.startswith("# PrivateLink Wizard activity log")
    assert "Creating the load balancer — done" in markdown and "`aws elbv2 create-load-balancer" in markdown
    assert not TWELVE_DIGITS.findall(markdown) and "•••• 9012" in markdown
    assert SECRET not in markdown


# --- presenter mode -------------------------------------------------------------------------------


def test_presenter_mode_masks_the_screen_and_log_but_not_what_is_done(
    window: MainWindow, tmp_path: Path, qtbot: Any
) -> None:
    page = window.wizard.currentPage()
    assert window.wizard.currentId() == int(PageId.CREDENTIALS)
    assert ACCOUNT in " ".join(on_screen_texts(page))  # "Signed in to account 123456789012"
    assert ACCOUNT in " ".join(on_screen_texts(window.activity_view))
    principal_field = window.wizard.page_of(PageId.ALLOWLIST).principal  # type: ignore[attr-defined]
    principal_field.setText(RIVERY.principal)
    raw_cli = [e.cli for e in window.activity_view.events()]

    window.presenter_action.setChecked(True)
    qtbot.wait(50)  # re-rendered rows are shown on the next event-loop turn

    assert account_ids_on_screen(window) == []
    screen = " ".join(on_screen_texts(window))
    assert "Signed in to account •••• 9012" in screen
    assert "arn:aws:elasticloadbalancing:us-east-1:•••• 9012:" in screen  # the log's commands
    cover = principal_field.findChild(PresenterCover)
    assert cover.active and cover.text() == "arn:aws:iam::•••• 7834:root"
    assert window.presenter_badge.isVisible()
    window.set_log_height(420)
    window.activity_view.tree.scrollToItem(_row_of(window, "CreateListener"))
    save(window, "11-presenter-mode.png", tmp_path, qtbot)
    # What the engine gets is unchanged: the field's value, the identity, the logged calls.
    assert principal_field.text() == RIVERY.principal
    assert window.state.identity is not None and window.state.identity.account_id == ACCOUNT
    assert [e.cli for e in window.activity_view.events()] == raw_cli
    assert window.settings.presenter_mode

    window.presenter_action.setChecked(False)
    qtbot.wait(50)

    assert ACCOUNT in " ".join(on_screen_texts(page))
    assert ACCOUNT in " ".join(on_screen_texts(window.activity_view))
    assert not cover.active and not window.presenter_badge.isVisible()


# --- link health ----------------------------------------------------------------------------------


def _timeout(parsed: dict[str, Any]) -> None:
    for desc in parsed.get("TargetHealthDescriptions", []):
        desc["TargetHealth"] = {
            "State": "unhealthy",
            "Reason": "Target.Timeout",
            "Description": "Request timed out",
        }


def _wait_checked(qtbot: Any, view: Any) -> None:
    qtbot.waitUntil(lambda: not view.busy and bool(view.statuses), timeout=WAIT_MS)


def test_link_health_lists_findings_applies_a_fix_and_checks_again(
    window: MainWindow, aws: AwsContext, tmp_path: Path, qtbot: Any, no_dialogs: list[str]
) -> None:
    link = window.state.link
    # The platform has asked to connect: one more thing for the view to say.
    os.environ["MOTO_ACCOUNT_ID"] = RIVERY.account_id
    try:
        consumer = make_context(Credentials(), aws.region)
        vpc = consumer.ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
        subnet = consumer.ec2.create_subnet(VpcId=vpc, CidrBlock="10.99.1.0/24")["Subnet"]["SubnetId"]
        consumer.ec2.create_vpc_endpoint(
            VpcEndpointType="Interface", VpcId=vpc, ServiceName=link.record.service_name, SubnetIds=[subnet]
        )
    finally:
        del os.environ["MOTO_ACCOUNT_ID"]

    # And the load balancer's health checks fail (moto always says healthy: its answer is edited).
    assert window.state.aws is not None
    alter_response(window.state.aws.elbv2, "DescribeTargetHealth", _timeout)

    dialog = window.show_health()
    view = dialog.view
    _wait_checked(qtbot, view)
    titles = [f.title for f in view.findings()]
    assert "The database's firewall lets the load balancer in on port 3306" in titles
    assert any("is waiting for acceptance" in t for t in titles)
    assert "Target 10.20.1.10:3306 fails the health checks" in titles
    assert "needs attention" in view.summary.text()
    keys = {b.objectName() for b in view.findChildren(QAbstractButton) if b.isVisible()}
    assert {"fix-security-group", "fix-skip-name-resolve", "fix-accept-connection", "checkAgain"} <= keys
    dialog.resize(1000, 820)
    save(dialog, "12-troubleshooting.png", tmp_path, qtbot)

    fix = view.findChild(QAbstractButton, "fix-security-group")
    assert fix is not None
    fix.click()
    qtbot.waitUntil(lambda: "Added an inbound rule on port" in view.status.text(), timeout=WAIT_MS)
    _wait_checked(qtbot, view)
    assert "The database's firewall lets the load balancer in on port 3306" not in [
        f.title for f in view.findings()
    ]
    assert any(q.startswith("Make this change?") for q in no_dialogs)

    # Something breaks outside the wizard; Check again sees it.
    aws.ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=link.record.endpoint_service_id, RemoveAllowedPrincipals=[RIVERY.principal]
    )
    view.check_button.click()
    qtbot.waitUntil(
        lambda: not view.busy and "Rivery's principal is not allowed" in [f.title for f in view.findings()],
        timeout=WAIT_MS,
    )
    assert view.findChild(QAbstractButton, "fix-allow-principal") is not None


def test_link_health_says_a_star_lets_any_account_connect_and_removes_it_after_asking(
    window: MainWindow, aws: AwsContext, qtbot: Any, no_dialogs: list[str]
) -> None:
    # Issue 16 (2): someone put '*' on the allow list in the console.
    service = window.state.link.record.endpoint_service_id
    aws.ec2.modify_vpc_endpoint_service_permissions(ServiceId=service, AddAllowedPrincipals=["*"])
    view = window.show_health().view
    _wait_checked(qtbot, view)
    star = next(f for f in view.findings() if f.fix_key == "other-principals")
    assert star.severity == "problem"
    assert "any AWS account can request a connection" in star.title
    fix = view.findChild(QAbstractButton, "fix-other-principals")
    assert fix is not None

    fix.click()

    qtbot.waitUntil(lambda: "Removed *" in view.status.text(), timeout=WAIT_MS)
    _wait_checked(qtbot, view)
    assert any(q.startswith("Make this change?") and "Remove * from" in q for q in no_dialogs)
    allowed = aws.ec2.describe_vpc_endpoint_service_permissions(ServiceId=service)["AllowedPrincipals"]
    assert [p["Principal"] for p in allowed] == [RIVERY.principal]
    assert not [f for f in view.findings() if f.fix_key == "other-principals"]


def test_the_allowlist_page_shows_another_principal_and_its_fix_removes_it_after_asking(
    window: MainWindow, aws: AwsContext, qtbot: Any, no_dialogs: list[str]
) -> None:
    # Issue 16 (2): an earlier setup allowed another principal; it stays allowed unless removed.
    other = "arn:aws:iam::111122223333:root"
    link = window.state.link
    service = link.record.endpoint_service_id
    aws.ec2.modify_vpc_endpoint_service_permissions(ServiceId=service, AddAllowedPrincipals=[other])
    state = window.state
    state.source, state.subnet_ids, state.port = link.plan.source, link.plan.subnet_ids, link.plan.port
    page = window.wizard.page_of(PageId.ALLOWLIST)
    page.initializePage()
    qtbot.waitUntil(lambda: page.checklist.row("other-principals") is not None, timeout=WAIT_MS)
    wait_settled_page(qtbot, page)
    row = page.checklist.row("other-principals")
    assert row is not None and not row.ok and row.warning and not row.required
    assert f"{other} is allowed besides {RIVERY.principal} and stays allowed unless removed" in row.reason
    assert page.isComplete()  # a warning: the link works, Next stays open
    fix = page.checklist.findChild(QAbstractButton, "fix-other-principals")
    assert fix is not None and fix.toolTip().startswith(
        f"Remove {other} from the endpoint service's allow list"
    )

    fix.click()

    qtbot.waitUntil(lambda: "Removed" in page.status.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.checklist.row("other-principals") is None, timeout=WAIT_MS)
    wait_settled_page(qtbot, page)
    assert any(q.startswith("Make this change?") and f"Remove {other}" in q for q in no_dialogs)
    allowed = aws.ec2.describe_vpc_endpoint_service_permissions(ServiceId=service)["AllowedPrincipals"]
    assert [p["Principal"] for p in allowed] == [RIVERY.principal]


def test_the_target_group_page_previews_what_another_port_removes(
    window: MainWindow, qtbot: Any, aws: AwsContext
) -> None:
    # Issue 16 (1): a corrected port on a link that is done re-opens the step; its preview says
    # what goes (the old port's listener and target group) as well as what comes.
    link = window.state.link
    state = window.state
    state.source, state.subnet_ids, state.port = link.plan.source, link.plan.subnet_ids, link.plan.port
    page = cast(TargetGroupPage, window.wizard.page_of(PageId.TARGET_GROUP))
    page.initializePage()
    wait_settled_page(qtbot, page)
    assert page.done and not page.port.isReadOnly()

    page.port.setValue(3307)

    qtbot.waitUntil(lambda: not page.done and page.view is not None, timeout=WAIT_MS)
    wait_settled_page(qtbot, page)
    items = [(i.action, i.what) for i in page.preview.items()]
    assert ("create", "TCP listener on port 3307") in items
    assert ("remove", "TCP listener on port 3306 of load balancer 'orders'") in items
    assert ("remove", "TCP target group 'orders-3306' on port 3306") in items
    assert "<b>Will remove:</b> TCP listener on port 3306" in page.preview.text()
    # The step is to do again (its Create button opens once the new port's checks pass).
    assert page.action_button.text() == page.ACTION_TEXT
    # Nothing changed yet: the preview only says what the Create button would do.
    assert [
        ls["Port"] for ls in aws.elbv2.describe_listeners(LoadBalancerArn=link.record.nlb_arn)["Listeners"]
    ] == [3306]


def wait_settled_page(qtbot: Any, page: Any) -> None:
    qtbot.waitUntil(page.is_settled, timeout=WAIT_MS)


def test_link_health_without_sign_in_says_so(open_window: Any, qtbot: Any) -> None:
    win = open_window("http://127.0.0.1:9", demo=False)
    dialog = win.show_health()
    assert "Not signed in" in dialog.view.summary.text()
    assert not dialog.view.busy


# --- diagnostics report ---------------------------------------------------------------------------


def test_diagnostics_report_from_the_dock_button(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    target = tmp_path / "support.zip"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.presenter_action.setChecked(True)

    window.activity_view.report_button.click()

    qtbot.waitUntil(
        lambda: "Diagnostics report saved" in window.statusBar().currentMessage(), timeout=WAIT_MS
    )
    with zipfile.ZipFile(target) as zf:
        text = zf.read("report.md").decode()
    assert "## Link orders" in text and "Load balancer: orders — active" in text
    assert "Creating the load balancer — done" in text
    assert not TWELVE_DIGITS.findall(text)


def test_diagnostics_report_from_the_help_menu_in_markdown(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: Any
) -> None:
    target = tmp_path / "support.md"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.report_action.trigger()
    qtbot.waitUntil(target.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "saved" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    text = target.read_text(encoding="utf-8")
    assert f"Signed in as: arn:aws:sts::{ACCOUNT}:" in text  # presenter mode off: ids kept
    assert "Target health:" in text and "Allowed principals:" in text


# --- help in place --------------------------------------------------------------------------------


def test_every_page_links_its_aws_doc_and_the_glossary(
    open_window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(QUrl(url).toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    win = open_window("http://127.0.0.1:9", demo=False)
    urls: list[str] = []
    for page_id, page in win.wizard.pages.items():
        html = page.explanation.text()
        found = re.findall(r'href="(https://docs\.aws\.amazon\.com/[^"]+)"', html)
        assert len(found) == 1, page_id
        assert f'href="{GLOSSARY_LINK}"' in html, page_id
        urls.append(found[0])
        page.explanation.linkActivated.emit(found[0])
    assert len(set(urls)) == len(urls) == 9  # each page links its own subject
    assert opened == urls  # a documentation link opens in the browser

    win.wizard.page_of(PageId.NLB).explanation.linkActivated.emit(GLOSSARY_LINK)
    dialog = win.findChild(GlossaryDialog)
    assert isinstance(dialog, GlossaryDialog) and dialog.isVisible()
    text = dialog.browser.toPlainText()
    for term in (
        "Provider",
        "Consumer",
        "Endpoint service",
        "Principal",
        "Network Load Balancer (NLB)",
        "Target group",
        "Availability zone ID",
        "PrivateLink",
    ):
        assert term in text, term
    dialog.close()

    win.glossary_action.trigger()
    assert win.findChild(GlossaryDialog).isVisible()
    assert len(win.findChildren(GlossaryDialog)) == 1  # raised again, not opened twice
