"""The link as code: everything a link owns, read from AWS, written as Terraform (HCL) with
import blocks carrying the real ids, so `terraform plan` after the import shows no change.

No Qt here; the CLI (`privatelink-wizard export`) and the window's button both call
`export_terraform` and then `write_folder`."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wizard import __version__
from wizard.aws.session import AwsContext
from wizard.errors import UserError, bad_input, file_error
from wizard.export import extras_blocks, link_blocks
from wizard.export.builder import Export
from wizard.export.hcl import Block, Comment, Expr, render
from wizard.export.reading import LinkState, read_link
from wizard.model import LinkRecord

PROVIDER_VERSION = "~> 5.83"  # supported_regions on aws_vpc_endpoint_service arrived in 5.83
TERRAFORM_VERSION = ">= 1.5.0"  # import blocks


@dataclass(frozen=True)
class TerraformExport:
    link: str
    files: dict[str, bytes]  # file name -> content
    resources: int
    imports: int


def build(state: LinkState) -> TerraformExport:
    """The HCL files for a link read from AWS (no AWS call here)."""
    export = Export(link=state.name, region=state.region)
    link_blocks.security_groups(export, state)
    link_blocks.load_balancers(export, state)
    link_blocks.target_groups_and_listeners(export, state)
    link_blocks.endpoint_services(export, state)
    link_blocks.database_rules(export, state)
    link_blocks.parameter_group(export, state)
    extras_blocks.target_sync(export, state)
    extras_blocks.alerts(export, state)
    extra_tags = export.variable(
        "extra_tags", "map(string)", "Tags of your own to add to every resource of the link.", {}
    )
    del extra_tags
    files = {
        "main.tf": _main(export),
        "imports.tf": _imports(export),
        "variables.tf": _variables(export),
        "versions.tf": _versions(export),
    }
    out = {name: text.encode() for name, text in files.items()}
    out.update(export.files)
    resources = sum(1 for b in export.main if isinstance(b, Block))
    return TerraformExport(state.name, out, resources, len(export.imports))


def _main(export: Export) -> str:
    header = Comment(
        f"The link '{export.link}' in {export.region}, as privatelink-wizard {__version__} read it "
        "from AWS.\n"
        "imports.tf takes each resource into Terraform's state: run `terraform init` and "
        "`terraform plan` (it should show only imports, no change), then `terraform apply`. The "
        "privatelink-wizard tags stay: the wizard finds the link by them (status, target sync, "
        "teardown)."
    )
    locals_block = Block("locals")
    locals_block.set("link_tags", export.link_tags)
    return render([header, locals_block, *export.main])


def _imports(export: Export) -> str:
    blocks: list[Block | Comment] = [
        Comment(
            "Terraform 1.5 or later imports these on the next plan/apply. Once applied they may stay "
            "(an import of what is already in the state does nothing) or be deleted."
        )
    ]
    for address, resource_id in export.imports:
        blocks.append(Block("import").set("to", Expr(address)).set("id", resource_id))
    return render(blocks)


def _variables(export: Export) -> str:
    blocks: list[Block | Comment] = [
        Block("variable", ("region",))
        .set("type", Expr("string"))
        .set("description", "The AWS region of the link.")
        .set("default", export.region)
    ]
    for v in export.variables:
        blocks.append(
            Block("variable", (v.name,))
            .set("type", Expr(v.type))
            .set("description", v.description)
            .set("default", v.default)
        )
    return render(blocks)


def _versions(export: Export) -> str:
    terraform = Block("terraform").set("required_version", TERRAFORM_VERSION)
    providers = terraform.block("required_providers")
    providers.set("aws", {"source": "hashicorp/aws", "version": PROVIDER_VERSION})
    provider = Block("provider", ("aws",)).set("region", Expr("var.region"))
    return render([terraform, provider])


def export_terraform(
    aws: AwsContext,
    name: str,
    record: LinkRecord | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> TerraformExport:
    """Read the link from AWS and write its HCL (in memory); UserError if there is no such link."""
    progress(f"Reading what the link '{name}' owns from AWS…")
    state = read_link(aws, name, record)
    progress("Writing the Terraform files…")
    return build(state)


def check_folder(folder: Path, force: bool = False, in_window: bool = False) -> None:
    """Refuse a folder that holds files already, unless `force` (then ours are overwritten)."""
    if folder.exists() and not folder.is_dir():
        fix = "Choose another folder." if in_window else "Give a folder name with --out."
        raise bad_input(f"{folder} is a file, not a folder", fix)
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise bad_input(
            f"The folder {folder} is not empty",
            f"Choose another folder, or move {folder} aside first: the export does not write over "
            "files (a team may have changed them)."
            if in_window
            else "Choose an empty or new folder with --out, or add --force to overwrite the "
            "export's files there (other files are left as they are).",
        )


def write_folder(
    export: TerraformExport, folder: Path, force: bool = False, in_window: bool = False
) -> list[Path]:
    """Write the files into `folder` (made if missing); returns their paths."""
    check_folder(folder, force, in_window)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in export.files.items():
            path = folder / name
            tmp = path.with_name(f".{name}.tmp")
            tmp.write_bytes(content)
            os.replace(tmp, path)
            written.append(path)
    except OSError as exc:
        raise file_error(exc, "write the Terraform files") from None
    return written


__all__ = ["TerraformExport", "UserError", "build", "check_folder", "export_terraform", "write_folder"]
