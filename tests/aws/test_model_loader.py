"""The engine's model loaders: one per AWS_DATA_PATH for the whole process, so a second
sign-in parses no model again, and the warm-up leaves the first clients nothing to parse."""

from __future__ import annotations

import pytest
from botocore.loaders import JSONFileLoader

from wizard.aws import model_loader
from wizard.aws.session import Credentials, make_context

KEYS = Credentials(access_key_id="AKIAEXAMPLE", secret_access_key="x" * 20)


class CountingFileLoader(JSONFileLoader):
    def __init__(self) -> None:
        self.read: list[str] = []

    def load_file(self, file_path: str) -> object:
        loaded = super().load_file(file_path)
        if loaded is not None:  # botocore also asks for optional files that do not exist
            self.read.append(file_path)
        return loaded


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> CountingFileLoader:
    """Loaders of this test's own, counting the files they read; the process's come back
    afterwards (the sessions made earlier, moto's kept one among them, still hold those)."""
    monkeypatch.setattr(model_loader, "_loaders", {})
    monkeypatch.setattr(model_loader, "_file_loader", None)
    counting = CountingFileLoader()
    assert model_loader.use_file_loader(counting)
    return counting


def test_sessions_share_one_loader_and_parse_each_model_once(counted: CountingFileLoader) -> None:
    first = make_context(KEYS, "us-east-1")
    first.client("elbv2")
    after_first = len(counted.read)
    assert any("elbv2" in path and path.endswith("service-2") for path in counted.read)
    second = make_context(KEYS, "us-east-1")
    second.client("elbv2")
    assert len(counted.read) == after_first  # the second session read nothing
    loader = second.session._session.get_component("data_loader")
    assert loader is first.session._session.get_component("data_loader")
    assert len(loader.search_paths) == len(set(loader.search_paths))


def test_after_the_warm_up_clients_parse_nothing(counted: CountingFileLoader) -> None:
    # Every service has a model, paginators and endpoint rules (STS has no waiters).
    assert model_loader.warm_up() >= 3 * len(model_loader.SERVICES)
    warmed = len(counted.read)
    aws = make_context(KEYS, "us-east-1")
    aws.client("sts")
    aws.ec2.get_paginator("describe_instances")
    aws.ec2.get_waiter("instance_running")
    aws.elbv2.get_paginator("describe_load_balancers")
    aws.elbv2.get_waiter("load_balancer_available")
    aws.rds.get_paginator("describe_db_instances")
    assert counted.read[warmed:] == []
