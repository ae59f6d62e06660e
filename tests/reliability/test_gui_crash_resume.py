"""The window's process dies mid-flow (os._exit, no clean-up) right after AWS returned the new
target group, before the wizard noted it; a new window offers to continue the link, resumes on
the target group page and finishes it, reusing what exists: one of each resource, connection
available. Both windows run in their own processes against the sandbox server, driven as a
user would drive them (tests/ui/flow.py)."""

from __future__ import annotations

import os
from typing import Any

from .conftest import ONE_EACH, link_resources, run_wizard_process

LINK = "plw-analytics-pg"  # the name the wizard derives from the source

# argv: phase ("crash" | "resume"), sandbox URL. Prints the accepted endpoint ids when done.
DRIVE_WINDOW = """
import os, sys
from PySide6.QtWidgets import QMessageBox

from tests.ui import flow
from wizard import steps
from wizard.consumers import load_consumer
from wizard.settings import Settings
from wizard.ui.app import make_app
from wizard.ui.main_window import MainWindow
from wizard.ui.page_ids import PageId
from wizard.ui.state import WizardState

phase, url = sys.argv[1], sys.argv[2]
QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
if phase == "crash":
    noting = steps.Link.created

    def created(self, what):
        note = noting(self, what)
        def crash(resource_id):
            if what == "target-group":
                os._exit(137)  # AWS made it; the wizard never got to note it
            note(resource_id)
        return crash

    steps.Link.created = created

app = make_app([])
state = WizardState(consumer=load_consumer("rivery"), endpoint_url=url, demo=True)
window = MainWindow(state, Settings.load())
window.show()
window.wizard.restart()
bot = flow.LoopBot()
if phase == "crash":
    flow.run_flow(bot, window, "analytics-pg")
    sys.exit(1)  # not reached: the target group step ends the process
offered = window.offer_resume()
assert offered is not None and offered.name == "plw-analytics-pg", offered
flow.wait_settled(bot, window)
flow.next_page(bot, window, PageId.TARGET_GROUP)
link = flow.finish_flow(bot, window)
print("ACCEPTED", *link.record.accepted_endpoint_ids)
window.close()
"""


def _drive(phase: str, url: str) -> Any:
    env = {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": os.getcwd()}
    return run_wizard_process(DRIVE_WINDOW, [phase, url], env, timeout=240)


def test_a_killed_window_resumes_in_a_new_one_without_duplicates(sandbox_server: Any) -> None:
    url = sandbox_server.endpoint_url
    crashed = _drive("crash", url)
    assert crashed.returncode == 137, crashed.stderr[-3000:]
    before = link_resources(LINK, url)
    assert {k: len(v) for k, v in before.items()} == {
        "nlb": 1,
        "target-group": 1,
        "listener": 0,
        "endpoint-service": 0,
        "security-group": 1,
    }

    resumed = _drive("resume", url)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    after = link_resources(LINK, url)
    assert {k: len(v) for k, v in after.items()} == ONE_EACH
    assert after["nlb"] == before["nlb"] and after["target-group"] == before["target-group"]
    accepted = resumed.stdout.split("ACCEPTED", 1)[1].split()
    assert len(accepted) == 1 and accepted[0].startswith("vpce-")
