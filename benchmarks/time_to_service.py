"""Time to the service name on AWS-like timings, against the floor AWS itself sets.

Runs `privatelink-wizard setup --yes --fix` in this process against the sandbox at a timing scale
(1 = AWS's own times; the default 1/20 shortens every AWS wait proportionally, and the engine's
polling, whose pauses are a share of the time waited, scales with it). It measures the wall time
from the start of `setup` to its return, right after it prints the service name, and compares it
with the floor: the AWS waits that cannot overlap (the load balancer provisioning, then the
endpoint service becoming available on it), at the same scale.

    python benchmarks/time_to_service.py                 # scale 1/20, orders-mysql
    python benchmarks/time_to_service.py --scale 0.1 --source reports-aurora --runs 3
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def floor_seconds() -> float:
    """The AWS waits of a setup that cannot overlap, in AWS seconds."""
    from wizard.sandbox import ec2_model, elb_model

    return float(elb_model.PROVISIONING_SECONDS + ec2_model.SERVICE_PENDING_SECONDS)


def one_run(scale: float, source: str, link: str) -> tuple[float, str]:
    from wizard import cli
    from wizard.sandbox.server import Sandbox

    with tempfile.TemporaryDirectory() as home, Sandbox(timing=scale) as sandbox:
        for name in ("DATA", "CONFIG", "LOG"):
            os.environ[f"PRIVATELINK_WIZARD_{name}_DIR"] = str(Path(home) / name.lower())
        os.environ["AWS_ENDPOINT_URL"] = sandbox.endpoint_url
        out, err = io.StringIO(), io.StringIO()
        started = time.monotonic()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(
                ["setup", "--region", sandbox.region, "--source", source, "--name", link, "--yes", "--fix"]
            )
        elapsed = time.monotonic() - started
    if code != 0 or "Service name:" not in out.getvalue():
        raise SystemExit(f"setup failed (exit {code}):\n{err.getvalue()}")
    return elapsed, err.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="timing scale (default 1/20)")
    parser.add_argument("--source", default="orders-mysql", help="the sample database to link")
    parser.add_argument("--runs", type=int, default=1, help="runs (default 1)")
    parser.add_argument("--verbose", action="store_true", help="print setup's progress lines")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "sandbox")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "sandbox")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    floor = floor_seconds() * args.scale
    times = []
    for run in range(args.runs):
        elapsed, progress = one_run(args.scale, args.source, f"plw-bench-{run}")
        times.append(elapsed)
        if args.verbose:
            print(progress)
    median = statistics.median(times)
    print(f"scale {args.scale:g}: floor {floor:.2f} s ({floor_seconds():g} AWS seconds)")
    print(f"setup to service name: {', '.join(f'{t:.2f} s' for t in times)}")
    print(f"ratio (median / floor): {median / floor:.3f}x  (goal <= 1.1x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
