"""EventBridge invoking Lambda functions, in the sandbox: what makes the deployed target sync run.

moto stores rules, their targets and Lambda functions but runs no schedule, delivers no AWS
service event, and invokes a function only in Docker. The sandbox plays the rest in-process:
a rule with `rate(N minutes)` runs its Lambda targets every N minutes (scaled by the sandbox's
timing: every 15 s in the demo), and an RDS event the sandbox publishes (a simulated failover,
sandbox/failover.py) runs the targets of the rules whose pattern matches it (moto's own matcher).
A function runs as in Lambda: its code is imported from the zip moto holds, and its handler gets
the event, the function's environment variables and clients on the sandbox, as its account.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import logging
import re
import sys
import tempfile
import threading
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from wizard.sandbox import timing

log = logging.getLogger("wizard.sandbox")
# "Creating a rule that runs on a schedule" (EventBridge user guide): rate(value unit).
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def publish_rds_event(account: str, region: str, detail_type: str, source_id: str, event_id: str) -> None:
    """Queue the event RDS sends to EventBridge (EventBridge events reference, Amazon RDS)."""
    from moto.events.models import events_backends

    kind = "cluster" if "Cluster" in detail_type else "db"
    arn = f"arn:aws:rds:{region}:{account}:{kind}:{source_id}"
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "aws.rds",
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [arn],
        "detail": {
            "EventCategories": ["failover"],
            "SourceType": "CLUSTER" if kind == "cluster" else "DB_INSTANCE",
            "SourceArn": arn,
            "SourceIdentifier": source_id,
            "EventID": event_id,
            "Message": "Failover completed (simulated in the sandbox).",
        },
    }
    _pending(events_backends[account][region]).append(event)


def _pending(backend: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = backend.__dict__.setdefault("_plw_pending_events", [])
    return found


def schedule_seconds(expression: str | None) -> float | None:
    """AWS seconds between runs of a `rate(...)` schedule; None for anything else."""
    match = _RATE.match(expression or "")
    if not match:
        return None
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]


# ---- running a function as Lambda would ----------------------------------------------------------

_modules: dict[str, ModuleType] = {}
_modules_lock = threading.Lock()


def load_package(code: bytes, handler: str) -> ModuleType:
    """The package that holds `handler` ("package.function"), unpacked from the function's zip as
    Lambda does (into its task folder) and imported under a name of its own, so two versions of
    the code never mix."""
    package_name = handler.rsplit(".", 1)[0].split(".")[0]
    key = f"plw_lambda_{hashlib.sha256(code).hexdigest()[:16]}"
    with _modules_lock:
        if key in _modules:
            return _modules[key]
        folder = Path(tempfile.mkdtemp(prefix="plw-lambda-"))
        with zipfile.ZipFile(io.BytesIO(code)) as archive:
            archive.extractall(folder)
        init = folder / package_name / "__init__.py"
        spec = importlib.util.spec_from_file_location(
            key, init, submodule_search_locations=[str(init.parent)]
        )
        if spec is None or spec.loader is None or not init.exists():
            raise ImportError(f"{package_name} is not in the function's package")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # its relative imports look it up by this name
        spec.loader.exec_module(module)
        _modules[key] = module
        return module


def invoke(function: Any, event: dict[str, Any], endpoint_url: str | None) -> Any:
    """Run a moto Lambda function's handler in-process with clients on the sandbox."""
    from wizard.sandbox.consumer import account_client

    module = load_package(function.code_bytes, function.handler)
    region, account = function.region, function.account_id
    clients = module.Clients(
        *(account_client(name, region, account, endpoint_url) for name in ("ec2", "elbv2", "rds"))
    )
    return module.handle(event, dict(function.environment_vars), clients)


class SimulatedEventBridge:
    """Runs due schedules and delivers published RDS events; `poll_once()` for tests, `start()` /
    `stop()` for a daemon thread (the demo)."""

    def __init__(self, endpoint_url: str | None = None, interval: float = 0.5) -> None:
        self.endpoint_url = endpoint_url
        self.interval = interval
        self.runs: list[tuple[str, str]] = []  # (function name, trigger) of every invocation
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> int:
        """Run what is due now; returns how many invocations were made."""
        from moto.awslambda.models import lambda_backends
        from moto.events.models import events_backends

        made = 0
        for account, regions in list(events_backends.items()):
            for region, backend in list(regions.items()):
                events, backend.__dict__["_plw_pending_events"] = list(_pending(backend)), []
                rules = [
                    r
                    for bus in list(backend.event_buses.values())
                    for r in list(bus.rules.values())
                    if r.state == "ENABLED"
                ]
                for rule in rules:
                    due: list[dict[str, Any]] = [e for e in events if _matches(rule, e)]
                    every = schedule_seconds(rule.scheduled_expression)
                    if every is not None:
                        started = timing.mark(rule, "plw_schedule")
                        if timing.has_passed(started, every):
                            timing.restart(rule, "plw_schedule")
                            due.append(_scheduled_event(account, region, rule.arn))
                    for event in due:
                        made += self._run_targets(lambda_backends[account][region], rule, event)
        return made

    def _run_targets(self, functions: Any, rule: Any, event: dict[str, Any]) -> int:
        made = 0
        for target in list(rule.targets):
            if ":lambda:" not in target.get("Arn", ""):
                continue
            try:
                function = functions.get_function(target["Arn"])
            except Exception:  # the function was deleted while its rule stayed
                continue
            trigger = event.get("detail", {}).get("EventID", "schedule")
            self.runs.append((function.function_name, trigger))
            made += 1
            try:
                invoke(function, event, self.endpoint_url)
            except Exception:  # a failing function must not stop the sandbox; Lambda logs it
                log.warning(
                    "The Lambda function %s failed in the sandbox", function.function_name, exc_info=True
                )
        return made

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="sandbox-eventbridge", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll_once()
            except Exception:  # moto state reset under us (a new sandbox): try again next time
                log.debug("EventBridge simulation skipped a round", exc_info=True)


def _matches(rule: Any, event: dict[str, Any]) -> bool:
    if not rule.event_pattern.get_pattern():  # a schedule's rule has no pattern
        return False
    return bool(rule.event_pattern.matches_event(event))


def _scheduled_event(account: str, region: str, rule_arn: str) -> dict[str, Any]:
    # "Amazon EventBridge events" reference: what a schedule sends (detail-type Scheduled Event).
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }
