"""What the installers keep and leave out (packaging/bundle_prune.py, packaging/icu_data.py),
checked without building a bundle: tests/test_packaging.py checks the built one."""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import botocore.session
import pytest

from wizard.aws.services import BUNDLED_SERVICES

ROOT = Path(__file__).resolve().parent.parent
# The IAM policy names ELB's actions by their IAM prefix.
IAM_PREFIX_TO_SERVICE = {"elasticloadbalancing": "elbv2"}
# IAM prefixes of permission-only actions (vpce:AllowMultiRegion): no API, so no client or model.
PERMISSION_ONLY_PREFIXES = {"vpce"}


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"plw_{name}", ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle_prune = _load("bundle_prune")
icu_data = _load("icu_data")


def _clients_named_in_code() -> dict[str, set[str]]:
    """Service names the code passes to a client factory: `x.client("ec2")`, `session.client(
    "sts")`, `account_client("ec2", ...)`, `_paginate(aws, "rds", ...)`, and the `aws.ec2`-style
    shortcuts, with the files that name them."""
    found: dict[str, set[str]] = {}
    shortcuts = {"ec2", "elbv2", "rds", "sts", "iam"}
    for path in sorted((ROOT / "wizard").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[ast.expr] = []
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in {"client", "account_client", "create_client"} and node.args:
                    names = [node.args[0]]
                elif called == "_paginate" and len(node.args) > 1:
                    names = [node.args[1]]
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in shortcuts
                and isinstance(node.value, ast.Name)
                and node.value.id == "aws"
            ):
                found.setdefault(node.attr, set()).add(path.name)
            for arg in names:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, set()).add(path.name)
    return found


def _services_in_iam_policy() -> set[str]:
    text = (ROOT / "resources" / "iam-policy.json").read_text(encoding="utf-8")
    actions: list[str] = []
    for statement in json.loads(text)["Statement"]:
        value = statement.get("Action", [])
        actions += [value] if isinstance(value, str) else value
    prefixes = {action.split(":")[0] for action in actions} - PERMISSION_ONLY_PREFIXES
    return {IAM_PREFIX_TO_SERVICE.get(prefix, prefix) for prefix in prefixes}


def test_the_scan_sees_the_clients_the_engine_makes() -> None:
    # Guards the scan itself: if it stopped seeing these, the next test would prove nothing.
    found = _clients_named_in_code()
    assert {"ec2", "elbv2", "rds", "sts"} <= set(found)


def test_every_client_the_code_makes_has_its_model_in_the_bundle() -> None:
    from wizard.aws import model_loader

    # The window makes the clients of model_loader.SERVICES ahead of the pages that need them.
    named = set(_clients_named_in_code()) | _services_in_iam_policy() | set(model_loader.SERVICES)
    missing = sorted(named - set(BUNDLED_SERVICES))
    assert not missing, (
        f"The code makes clients for {missing}, whose AWS models the installers leave out: add "
        "them to wizard/aws/services.py"
    )


def test_every_bundled_service_is_one_botocore_knows() -> None:
    known = set(botocore.session.get_session().get_available_services())
    assert set(BUNDLED_SERVICES) <= known, sorted(set(BUNDLED_SERVICES) - known)


def test_self_test_creates_a_client_for_every_bundled_service() -> None:
    from wizard import selftest

    detail = selftest._check_aws_models(selftest._Context())
    assert detail.startswith(f"{len(BUNDLED_SERVICES)} services: ")
    assert "sso-oidc" in detail and "elbv2" in detail
    assert ("AWS clients load", selftest._check_aws_models) in selftest.CHECKS


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("botocore/data/ec2/2016-11-15/service-2.json.gz", True),
        ("botocore/data/sso-oidc/2019-06-10/service-2.json.gz", True),
        ("botocore/data/endpoints.json", True),
        ("botocore/data/partitions.json", True),
        ("botocore/data/ecs/2014-11-13/service-2.json.gz", False),
        ("botocore/data/sagemaker/2017-07-24/service-2.json.gz", False),
        ("moto/ec2/resources/amis.json.gz", True),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/translations/qt_fr.qm", False),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/platforms/libqlinuxfb.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/plugins/imageformats/qwebp.dll", False),
        ("PySide6/Qt/plugins/generic/libqevdevtouchplugin.so", False),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/lib/libQt6Network.so.6", False),
        ("PySide6/Qt6Network.dll", False),
        ("PySide6/opengl32sw.dll", False),
        ("PySide6/Qt6Gui.dll", True),
        ("PySide6/Qt/lib/QtNetwork.framework/Versions/A/QtNetwork", False),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/lib/libQt6DBus.so.6", True),
        ("PySide6/Qt/lib/libicudata.so.73", True),
    ],
)
def test_prune_keeps_what_the_app_uses(dest: str, kept: bool) -> None:
    assert bundle_prune.keep(dest) is kept


@pytest.mark.parametrize(
    ("item", "kept"),
    [
        ("icudt73l/root.res", True),
        ("icudt73l/en.res", True),
        ("icudt73l/en_GB.res", True),
        ("icudt73l/pool.res", True),
        ("icudt73l/res_index.res", True),
        ("icudt73l/supplementalData.res", True),
        ("icudt73l/zoneinfo64.res", True),
        ("icudt73l/cnvalias.icu", True),
        ("icudt73l/nfkc.nrm", True),
        ("icudt73l/coll/ucadata.icu", True),
        ("icudt73l/coll/root.res", True),
        ("icudt73l/brkitr/line.brk", True),
        ("icudt73l/de.res", False),
        ("icudt73l/zh_Hant_TW.res", False),
        ("icudt73l/coll/de.res", False),
        ("icudt73l/zone/ja.res", False),
        ("icudt73l/ibm-943_P15A-2003.cnv", False),
        ("icudt73l/brkitr/cjdict.dict", False),
        ("icudt73l/translit/Any_Latin.res", False),
    ],
)
def test_icu_keeps_the_shared_tables_and_english(item: str, kept: bool) -> None:
    assert icu_data.keep_item(item) is kept


def _qt_icu_data() -> Path:
    pyside = Path(importlib.util.find_spec("PySide6").origin).parent  # type: ignore[arg-type, union-attr]
    found = sorted((pyside / "Qt" / "lib").glob("libicudata.so.*"))
    if not found:
        pytest.skip("this PySide6 carries no ICU data library (only Linux wheels do)")
    return found[0]


_PROBE = r"""
import ctypes, sys
folder, version = sys.argv[1], sys.argv[2]
libs = [ctypes.CDLL(f"{folder}/libicu{n}.so.{version}", mode=ctypes.RTLD_GLOBAL)
        for n in ("data", "uc", "i18n")]
uc, i18n = libs[1], libs[2]
def call(lib, name, *args):
    fn = getattr(lib, f"{name}_{version}")
    fn.restype = ctypes.c_void_p
    status = ctypes.c_int(0)
    handle = fn(*args, ctypes.byref(status))
    return handle, status.value
results = {}
for locale in ("en", "de", "ja"):
    collator, status = call(i18n, "ucol_open", locale.encode())
    a, b = (ctypes.c_uint16 * 1)(ord("a")), (ctypes.c_uint16 * 1)(ord("B"))
    i18n[f"ucol_strcoll_{version}"].restype = ctypes.c_int
    order = i18n[f"ucol_strcoll_{version}"](ctypes.c_void_p(collator), a, 1, b, 1) if collator else None
    results[f"collator {locale}"] = (status <= 0, order)
for name in ("UTF-8", "ISO-8859-1"):
    results[f"converter {name}"] = (call(uc, "ucnv_open", name.encode())[1] <= 0, None)
print(repr(results))
"""


@pytest.mark.parametrize("compiler", ["cc", None], ids=["linked anew", "rewritten in place"])
def test_trimmed_icu_data_still_collates_and_converts(tmp_path: Path, compiler: str | None) -> None:
    source = _qt_icu_data()
    if compiler and not shutil.which(compiler):
        pytest.skip("no C compiler here")
    version = source.name.rsplit(".", 1)[-1]
    for name in ("uc", "i18n"):
        (tmp_path / f"libicu{name}.so.{version}").write_bytes(
            (source.parent / f"libicu{name}.so.{version}").read_bytes()
        )
    before, after = icu_data.trim_library(source, tmp_path / source.name, compiler)
    assert after < before / 4
    size = (tmp_path / source.name).stat().st_size
    if compiler:
        assert size < after + 100_000  # the package and little else
    else:
        assert size == source.stat().st_size  # the same layout, the rest zeroed
    # A fresh process, so that this ICU and not the one Qt already loaded here answers.
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path), version],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    results = ast.literal_eval(probe.stdout.strip())
    # Every locale gets a collator (the root rules when its own are gone): "a" sorts before
    # "B", as a person expects (code-point order would put "B" first).
    for locale in ("en", "de", "ja"):
        assert results[f"collator {locale}"] == (True, -1), results
    assert results["converter UTF-8"][0] and results["converter ISO-8859-1"][0], results


def test_trimmed_package_lists_only_the_kept_items(tmp_path: Path) -> None:
    source = _qt_icu_data()
    icu_data.trim_library(source, tmp_path / source.name)
    elf = (tmp_path / source.name).read_bytes()
    offset, size = icu_data._data_symbol(elf)
    _, items = icu_data.read_package(elf[offset : offset + size])
    names = [name for name, _ in items]
    assert names == sorted(names)  # ICU finds items by binary search
    assert any(name.endswith("/coll/ucadata.icu") for name in names)
    assert not any(name.endswith((".cnv", ".dict", "/de.res")) for name in names)


def _apt_line(text: str) -> set[str]:
    # The command may go on over lines ending in a backslash.
    match = re.search(r"apt-get install((?:[^`\n\\]|\\\n)+)", text)
    assert match, "no apt-get install line"
    return set(match.group(1).replace("\\\n", " ").split()) - {"-y", "sudo"}


def test_readme_apt_list_is_the_one_ci_installs() -> None:
    listed = {
        line.strip()
        for line in (ROOT / "packaging" / "linux" / "qt-libraries.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Building installers")[1]
    assert _apt_line(section) == listed
    assert "packaging/linux/qt-libraries.txt" in (ROOT / ".ci" / "run").read_text()
    workflow = (ROOT / ".github" / "workflows" / "build.yml").read_text()
    assert "packaging/linux/qt-libraries.txt" in workflow


def test_libraries_only_pruned_files_needed_go_too(monkeypatch: pytest.MonkeyPatch) -> None:
    needs = {
        "src/libqgtk3.so": ["libpango-1.0.so.0", "libglib-2.0.so.0"],
        "src/libpango-1.0.so.0": ["libharfbuzz.so.0", "libglib-2.0.so.0"],
        "src/libqxcb.so": ["libglib-2.0.so.0", "libxcb-icccm.so.4"],
    }
    monkeypatch.setattr(bundle_prune, "elf_needed", lambda source: needs.get(source, []))
    before = [
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "src/libqgtk3.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "src/libqxcb.so", "BINARY"),
        ("libpango-1.0.so.0", "src/libpango-1.0.so.0", "BINARY"),
        ("libharfbuzz.so.0", "src/libharfbuzz.so.0", "BINARY"),
        ("libglib-2.0.so.0", "src/libglib-2.0.so.0", "BINARY"),
        ("libxcb-icccm.so.4", "src/libxcb-icccm.so.4", "BINARY"),
        ("libXau.so.6", "src/libXau.so.6", "BINARY"),  # needed by no one here: may be dlopened
        ("libpython3.11.so.1.0", "src/libpython3.11.so.1.0", "BINARY"),
    ]
    after = bundle_prune.without_orphans(before, bundle_prune.prune(before))
    assert [dest for dest, *_ in after] == [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "libglib-2.0.so.0",
        "libxcb-icccm.so.4",
        "libXau.so.6",
        "libpython3.11.so.1.0",
    ]


def test_elf_needed_reads_a_real_library() -> None:
    pyside = Path(importlib.util.find_spec("PySide6").origin).parent  # type: ignore[arg-type, union-attr]
    plugin = pyside / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        pytest.skip("no Linux Qt here")
    assert "libQt6XcbQpa.so.6" in bundle_prune.elf_needed(str(plugin))
    assert bundle_prune.elf_needed(str(ROOT / "README.md")) == []


def test_links_to_pruned_libraries_go_too() -> None:
    toc = [
        ("PySide6/Qt/lib/libQt6Network.so.6", "/venv/PySide6/Qt/lib/libQt6Network.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/venv/PySide6/Qt/lib/libQt6Core.so.6", "BINARY"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        # A macOS framework's links point at a folder and at other links: they stay.
        ("PySide6/Qt/lib/QtCore.framework/Versions/Current", "A", "SYMLINK"),
        ("PySide6/Qt/lib/QtCore.framework/QtCore", "Versions/Current/QtCore", "SYMLINK"),
    ]
    assert [dest for dest, *_ in bundle_prune.prune(toc)] == [
        "PySide6/Qt/lib/libQt6Core.so.6",
        "libQt6Core.so.6",
        "PySide6/Qt/lib/QtCore.framework/Versions/Current",
        "PySide6/Qt/lib/QtCore.framework/QtCore",
    ]


def test_links_listed_with_the_data_files_go_with_the_libraries_they_point_at() -> None:
    binaries = [
        ("PySide6/Qt/lib/libQt6Network.so.6", "/venv/PySide6/Qt/lib/libQt6Network.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/venv/PySide6/Qt/lib/libQt6Core.so.6", "BINARY"),
    ]
    datas = [
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("wizard/resources/icons/app.png", "/repo/resources/icons/app.png", "DATA"),
    ]
    kept_binaries, kept_datas = bundle_prune.prune(binaries), bundle_prune.prune(datas)
    assert (
        bundle_prune.without_links_to_pruned(binaries + datas, kept_binaries + kept_datas, kept_datas)
        == datas[1:]
    )
