"""Fixtures the sandbox's model tests share: a bare (unseeded) moto server with the extension."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module")
def no_default_amis() -> Iterator[None]:
    # Each new account's EC2 backend would load moto's AMI catalogue (~0.5 s); none is needed here.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        yield


@pytest.fixture(scope="module")
def moto_server_url() -> Iterator[str]:
    """The extended moto as a server on 127.0.0.1 (server mode patches the same classes)."""
    from wizard.sandbox import moto_ext
    from wizard.sandbox.server import _server_class

    moto_ext.install()
    server = _server_class()(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.close()
