"""The sandbox: a moto server on 127.0.0.1, seeded with a sample account, with a simulated consumer.

`Sandbox` runs inside the calling process (the GUI's --demo, the end-to-end tests);
`serve_forever` is the `privatelink-wizard sandbox` subcommand. The server shares this process's
moto state (one per process): starting a Sandbox resets it, and so does entering or leaving a
`mock_aws` block. So run one Sandbox at a time, and no `mock_aws` block while it runs. Stopping
leaves the state as it is (the next start, or mock, resets it).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import types
from typing import Any, TextIO

from wizard.aws.session import AwsContext, Credentials, make_context
from wizard.errors import EXIT_BAD_INPUT, UserError
from wizard.sandbox import moto_ext, sso_model
from wizard.sandbox import timing as timing_scale
from wizard.sandbox.consumer import SimulatedConsumer
from wizard.sandbox.eventbridge import SimulatedEventBridge
from wizard.sandbox.failover import Failover, failover
from wizard.sandbox.seed import SampleAccount, SeededEni, seed_sample_account

DEFAULT_REGION = "us-east-1"
# Not 5000: macOS uses that port for AirPlay. Not 4566: LocalStack users keep that one busy.
DEFAULT_PORT = 5500
HOST = "127.0.0.1"
# Any key pair works against moto; these only keep boto3 from looking for real credentials.
SANDBOX_CREDENTIALS = Credentials(access_key_id="sandbox", secret_access_key="sandbox")


class _QuietContext(AwsContext):
    """An AwsContext whose calls stay out of the user's activity log (the seed is not theirs)."""

    def client(self, service: str, retries: bool = True) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self.session.client(
                    service,
                    region_name=self.region,
                    endpoint_url=self.endpoint_url,
                )
            return self._clients[service]

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


def _reset_moto() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def _server_class() -> type:
    from moto.server import ThreadedMotoServer

    class _Server(ThreadedMotoServer):
        """ThreadedMotoServer that reports a failed bind instead of waiting for ever."""

        error: BaseException | None = None

        def _server_entry(self) -> None:
            try:
                super()._server_entry()
            except BaseException as exc:  # handed to start()'s caller, which raises it clearly
                self.error = exc
                self._server_ready_event.set()

        def close(self) -> None:
            if self._server is not None:
                self._server.shutdown()
                self._server.server_close()
            if self._thread is not None:
                self._thread.join()

    return _Server


class Sandbox:
    """An in-process AWS sandbox. Use as a context manager, or call start() and stop()."""

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        consumer_principal: str | None = None,
        consumer_delay: float = 3.0,
        consumer_interval: float = 0.5,
        timing: float = timing_scale.INSTANT,
    ) -> None:
        timing_scale.set_scale(timing)  # checked before anything starts
        self._timing = timing
        self._region = region
        self._consumer_principal = consumer_principal
        self._consumer_delay = consumer_delay
        self._consumer_interval = consumer_interval
        self._server: Any = None
        self._endpoint_url = ""
        self._sample: SampleAccount | None = None
        self._consumer: SimulatedConsumer | None = None
        self._seed_context: _QuietContext | None = None
        self._eventbridge: SimulatedEventBridge | None = None

    @property
    def endpoint_url(self) -> str:
        return self._endpoint_url

    @property
    def sample(self) -> SampleAccount | None:
        return self._sample

    @property
    def region(self) -> str:
        return self._region

    @property
    def enis(self) -> tuple[SeededEni, ...]:
        """The seeded stand-ins for RDS and RDS Proxy network interfaces (empty if unseeded)."""
        return self._sample.enis if self._sample is not None else ()

    @property
    def consumer(self) -> SimulatedConsumer | None:
        return self._consumer

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self, port: int = 0, seeded: bool = True, consumer: bool = True) -> str:
        """Start the server (port 0: any free port), seed it, start the consumer; the URL."""
        if self._server is not None:
            return self._endpoint_url
        moto_ext.install()
        timing_scale.set_scale(self._timing)
        # werkzeug logs every request at INFO to stderr; the wizard has its own activity log.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = _server_class()(ip_address=HOST, port=port, verbose=False)
        server.start()
        if server.error is not None:
            raise UserError(
                what=f"The sandbox could not listen on {HOST}:{port}",
                why=str(server.error),
                fix="Choose another port with --port, or stop the program that uses this one.",
                exit_code=EXIT_BAD_INPUT,
            ) from server.error
        self._server = server
        host, bound_port = server.get_host_and_port()
        self._endpoint_url = f"http://{host}:{bound_port}"
        try:
            _reset_moto()  # a sandbox starts from an empty AWS, whatever ran before in-process
            sso_model.reset()
            if seeded:
                self._seed_context = self._quiet_context()
                self._sample = seed_sample_account(self._seed_context)
            if consumer:
                self._consumer = SimulatedConsumer(
                    self._region,
                    endpoint_url=self._endpoint_url,
                    principal=self._consumer_principal,
                    delay=self._consumer_delay,
                    interval=self._consumer_interval,
                )
                self._consumer.start()
                if self._timing > 0:  # the demo: schedules and RDS events run the Lambda functions
                    self._eventbridge = SimulatedEventBridge(self._endpoint_url)
                    self._eventbridge.start()
        except BaseException:
            self.stop()
            raise
        return self._endpoint_url

    def stop(self) -> None:
        """Stop the consumer and the server; joins their threads. Safe to call twice."""
        if self._consumer is not None:
            self._consumer.stop()
            self._consumer = None
        if self._eventbridge is not None:
            self._eventbridge.stop()
            self._eventbridge = None
        if self._seed_context is not None:
            self._seed_context.close()
            self._seed_context = None
        if self._server is not None:
            self._server.close()
            self._server = None
        self._sample = None
        self._endpoint_url = ""

    def failover(self, source_id: str) -> Failover:
        """Fail a database over (its address or its writer moves), as `sandbox failover` does."""
        if self._seed_context is None:
            self._seed_context = self._quiet_context()
        return failover(self._seed_context, source_id)

    def aws_context(self, account_id: str | None = None) -> AwsContext:
        """An AwsContext on the sandbox: the sample account, or another account by id."""
        if not self._endpoint_url:
            raise UserError(
                what="The sandbox is not running",
                fix="Start it first (Sandbox.start(), or `privatelink-wizard sandbox`).",
            )
        headers = {"x-moto-account-id": account_id} if account_id else None
        return make_context(SANDBOX_CREDENTIALS, self._region, self._endpoint_url, headers)

    def _quiet_context(self) -> _QuietContext:
        base = make_context(SANDBOX_CREDENTIALS, self._region, self._endpoint_url)
        return _QuietContext(base.session, base.region, base.endpoint_url)

    def __enter__(self) -> Sandbox:
        if self._server is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: types.TracebackType | None,
    ) -> None:
        self.stop()


def serve_forever(
    port: int = DEFAULT_PORT,
    seeded: bool = True,
    region: str = DEFAULT_REGION,
    out: TextIO | None = None,
    stop_event: threading.Event | None = None,
    timing: float = timing_scale.DEMO_SCALE,
) -> int:
    """Serve the sandbox until Ctrl-C or SIGTERM (or `stop_event`, for tests); returns 0."""
    out = out or sys.stdout
    stop = stop_event or threading.Event()
    sandbox = Sandbox(region=region, timing=timing)
    url = sandbox.start(port=port, seeded=seeded)
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        print(f"Sandbox AWS endpoint running at {url} (region {region}).", file=out)
        pace = "instant" if timing == 0 else f"{timing:g} x AWS's own times"
        print(f"Resources change state at {pace} (--timing).", file=out)
        if sandbox.sample is not None:
            sample = sandbox.sample
            print(
                f"Sample account {sample.account_id}: databases {sample.orders_mysql}, "
                f"{sample.analytics_pg}, Aurora cluster {sample.reports_cluster}, "
                f"RDS Proxy {sample.orders_proxy}, EC2 host {sample.tunnel_instance_id}.",
                file=out,
            )
        else:
            print("The sandbox is empty (--empty).", file=out)
        print(
            "A simulated data platform requests a connection a few seconds after it is allow-listed.",
            file=out,
        )
        print(
            "Simulate a failover with `privatelink-wizard sandbox failover orders-mysql` (or any "
            "sample database); the wizard's target sync repairs the link.",
            "IAM Identity Center: any access portal URL signs in (region us-east-1), approved "
            "by itself a moment later; two accounts with roles (wizard/sandbox/sso_model.py).",
            file=out,
        )
        print("Point the wizard (or the AWS CLI) at it with:", file=out)
        print(f"  export AWS_ENDPOINT_URL={url}", file=out)
        print("Press Ctrl-C to stop.", file=out, flush=True)
        # wait() with a timeout so Ctrl-C is handled promptly on every platform.
        while not stop.wait(0.5):
            pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sandbox.stop()
        print("Sandbox stopped.", file=out, flush=True)
    return 0
