"""Issue 16 (9): bounded waits and clear faults. An endpoint that takes the connection and never
answers is given up on within the per-call deadline (retries included), with a notice while it
waits; a server that is not AWS, or a region the sandbox does not serve, gets one line, never a
dump of HTML. The silent and HTML servers here listen on 127.0.0.1 only."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config

from wizard.aws import deadline, session
from wizard.errors import EXIT_AWS, EXIT_TIMEOUT

from .conftest import REGION, cli


@pytest.fixture
def silent_endpoint() -> Iterator[tuple[str, list[socket.socket]]]:
    """Accepts connections and never answers; yields its URL and the connections it took."""
    server = socket.create_server(("127.0.0.1", 0))
    taken: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                taken.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", taken
    stop.set()
    thread.join()
    for conn in taken:
        conn.close()
    server.close()


class _WebPage(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b"<html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WebPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_silent_endpoint_is_given_up_on_with_a_notice(
    silent_endpoint: tuple[str, list[socket.socket]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, taken = silent_endpoint
    # The real bounds are 15 s a try and 45 s a call; the same logic at a hundredth of them.
    monkeypatch.setattr(session, "RETRY_CONFIG", session.RETRY_CONFIG.merge(Config(read_timeout=0.2)))
    monkeypatch.setattr(deadline, "CALL_DEADLINE", 0.5)
    monkeypatch.setattr(deadline, "SLOW_SECONDS", 0.1)
    run = cli(capsys, "status", "--region", REGION, "--endpoint-url", url)
    assert run.code == EXIT_TIMEOUT, run.err
    assert "Still waiting for AWS to answer (GetCallerIdentity)" in run.err
    assert "AWS did not answer within" in run.err and "proxy or firewall" in run.err
    # Without the deadline botocore would have tried 8 times (RETRY_CONFIG's max_attempts).
    assert 2 <= len(taken) <= 4


def test_a_server_that_is_not_aws_gets_one_line(web_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(capsys, "status", "--region", REGION, "--endpoint-url", web_server)
    assert run.code == EXIT_AWS
    assert "The AWS endpoint sent an answer that is not from AWS" in run.err
    assert "<html" not in run.err and "Unexpected error" not in run.err
    assert run.err.count("\n") == 1


def test_a_region_the_sandbox_does_not_serve_gets_one_line(
    sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    run = cli(capsys, "status", "--region", "ap-nowhere-9")
    assert run.code == EXIT_AWS
    assert "not from AWS" in run.err and "--region" in run.err
    assert "<!doctype" not in run.err.lower() and run.err.count("\n") == 1
