"""`privatelink-wizard export`: the link as code (Terraform files with import blocks)."""

from __future__ import annotations

import argparse
from pathlib import Path

from wizard.commands import context
from wizard.terminal import say
from wizard.validators import validate_link_name, validate_region


def export(args: argparse.Namespace) -> int:
    from wizard.export import check_folder, export_terraform, write_folder

    validate_region(args.region)
    name = validate_link_name(args.name)
    folder = Path(args.out) if args.out else Path(f"{name}-terraform")
    check_folder(folder, args.force)  # before any AWS call: a refusal costs nothing
    aws, identity = context.connect(args)
    record = context.saved_record(identity.account_id, aws.region, name)
    result = export_terraform(aws, name, record, lambda m: say(f"  {m}"))
    written = write_folder(result, folder, args.force)
    print(
        f"Wrote the link '{name}' as Terraform to {folder}: {result.resources} resources, "
        f"{result.imports} import blocks with their ids in AWS."
    )
    for path in written:
        print(f"  {path}")
    print("Next:")
    print(f"  cd {folder}")
    print("  terraform init")
    print("  terraform plan    # should list only imports and no change")
    print("  terraform apply   # takes the link into Terraform's state")
    return 0
