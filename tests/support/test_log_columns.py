"""The activity log's first three columns fit the longest text they have shown, widening as a
longer line arrives and never measuring the old lines again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QTreeWidgetItem

from wizard.aws.activity import ActivityEvent
from wizard.ui.redact import Redactor
from wizard.ui.widgets.log_view import ActivityView


def _event(summary: str, ok: bool = True) -> ActivityEvent:
    return ActivityEvent(
        time=datetime(2026, 12, 1, 9, 30, 5),
        service="ec2",
        operation="DescribeVpcs",
        summary=summary,
        cli="aws ec2 describe-vpcs --region us-east-1",
        ok=ok,
        error_code="" if ok else "UnauthorizedOperation",
    )


def _fits(view: ActivityView, item: QTreeWidgetItem) -> bool:
    header, metrics = view.tree.header(), view.tree.fontMetrics()
    return all(
        header.sectionSize(column) > metrics.horizontalAdvance(item.text(column))
        for column in ActivityView.FITTED_COLUMNS
    )


def _items(view: ActivityView) -> list[QTreeWidgetItem]:
    found = [view.tree.topLevelItem(i) for i in range(view.tree.topLevelItemCount())]
    return [item for item in found if item is not None]


def test_columns_widen_to_fit_the_longest_line_and_stay(qtbot: Any) -> None:
    view = ActivityView(Redactor(False))
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    header = view.tree.header()
    for column, title in enumerate(ActivityView.COLUMNS[:3]):  # the titles fit before any line
        assert header.sectionSize(column) >= view.tree.fontMetrics().horizontalAdvance(title)

    view.add_event(_event("Reading your networks (VPCs)"))
    short = header.sectionSize(1)
    long_summary = "Looking up the private IP addresses of the database's network interfaces"
    view.add_event(_event(long_summary, ok=False))
    widened = header.sectionSize(1)
    assert widened > short
    assert all(_fits(view, item) for item in _items(view))

    view.add_event(_event("Short"))
    assert header.sectionSize(1) == widened  # a shorter line does not narrow the column
