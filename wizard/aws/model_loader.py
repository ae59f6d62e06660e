"""AWS service models loaded once per process: one botocore model loader per AWS_DATA_PATH
value, shared by every boto3 session, so a second sign-in (or the sandbox's own sessions) parses
no model again. How a loader reads a model file is botocore's, unless the app chooses otherwise
(`use_file_loader`: the window parses in pieces, wizard/ui/model_parsing.py).
"""

from __future__ import annotations

import contextlib
import threading

from botocore.exceptions import DataNotFoundError, UnknownServiceError
from botocore.loaders import JSONFileLoader, Loader, create_loader

_shared_lock = threading.Lock()
_loaders: dict[str | None, Loader] = {}
_file_loader: JSONFileLoader | None = None  # None: botocore's own


def shared_loader(data_path: str | None) -> Loader:
    """One model loader per AWS_DATA_PATH value for the whole process (botocore caches the
    parsed models on the loader)."""
    with _shared_lock:
        if data_path not in _loaders:
            loader = create_loader(data_path)
            if _file_loader is not None:
                loader.file_loader = _file_loader
            _loaders[data_path] = loader
        return _loaders[data_path]


def use_file_loader(file_loader: JSONFileLoader) -> bool:
    """Read model files with `file_loader` from now on, in every shared loader; False (nothing
    changed) when botocore's Loader no longer reads its files through `file_loader`."""
    global _file_loader
    if not isinstance(getattr(Loader(), "file_loader", None), JSONFileLoader):
        return False
    with _shared_lock:
        _file_loader = file_loader
        for loader in _loaders.values():
            loader.file_loader = file_loader
    return True


def forget_repeated_search_paths(loader: Loader) -> None:
    """Each boto3 session appends boto3's data folder to its loader's search paths; a shared
    loader would collect one copy per sign-in."""
    with _shared_lock:
        paths = loader.search_paths
        paths[:] = list(dict.fromkeys(paths))


# What the wizard's clients load: each service's model, paginators, waiters and endpoint rules.
SERVICES = ("sts", "ec2", "elbv2", "rds")
_SERVICE_FILES = ("service-2", "paginators-1", "waiters-2", "endpoint-rule-set-1")
_SHARED_FILES = ("endpoints", "partitions", "sdk-default-configuration", "_retry")


def warm_up(data_path: str | None = None) -> int:
    """Load the models of SERVICES into the shared loader ahead of the first clients (the
    window calls this while the user signs in, so that parsing them never overlaps a page
    change); returns the number of files loaded. A file botocore cannot find is left to the
    client that needs it."""
    loader = shared_loader(data_path)
    loaded = 0
    for name in _SHARED_FILES:
        with contextlib.suppress(DataNotFoundError):
            loader.load_data(name)
            loaded += 1
    for service in SERVICES:
        for type_name in _SERVICE_FILES:
            with contextlib.suppress(DataNotFoundError, UnknownServiceError):
                loader.load_service_model(service, type_name)
                loaded += 1
    return loaded
