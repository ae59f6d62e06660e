"""PyInstaller runtime hook: keep moto's endpoint-service listing to the services in the bundle.

The spec leaves most of moto out (see MOTO_KEEP there). moto's DescribeVpcEndpointServices,
which the sandbox's simulated platform calls to find our service, imports a handful of other
services' backends to list AWS's own endpoint services; CloudFormation among them drags in all
of moto. Once moto.ec2.models.vpcs is imported, this hook drops the services the bundle lacks
from that list, so they get moto's generic entry instead of an import error (an HTTP 500).
It costs nothing at start-up: the patch runs only when the sandbox imports that module.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

TARGET = "moto.ec2.models.vpcs"


def _bundled(service: str) -> bool:
    try:
        return importlib.util.find_spec(f"moto.{service}") is not None
    except (ImportError, ValueError):
        return False


def _only_bundled_services(module: ModuleType) -> None:
    names = vars(module)
    missing = {s for s in names["IMPLEMENTED_ENDPOINT_SERVICES"] if not _bundled(s)}
    for key in ("IMPLEMENTED_ENDPOINT_SERVICES", "COVERED_ENDPOINT_SERVICES"):
        names[key] = [s for s in names[key] if s not in missing]


class _PatchAfterExec(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _only_bundled_services(module)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchAfterExec(spec.loader)
                return spec
        return None


sys.meta_path.insert(0, _Finder())
