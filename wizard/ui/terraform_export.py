"""Exporting a link as Terraform from the window (the Done page and the home screen): the folder
question, and what to say once the files are written. The export itself runs on a worker
(tasks.export_terraform)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

BUTTON_TEXT = "Export as &Terraform…"
TOOLTIP = (
    "Write the link as Terraform files (with import blocks carrying each resource's id), so "
    "your team can manage it as code"
)


def choose_folder(parent: QWidget, link_name: str) -> Path | None:
    """Where to write: a new folder `<link>-terraform` inside the folder the user picks."""
    chosen = QFileDialog.getExistingDirectory(
        parent, f"Choose where to write the Terraform files of {link_name}", str(Path.home())
    )
    return Path(chosen) / f"{link_name}-terraform" if chosen else None


def written_words(folder: Path, written: list[Path]) -> str:
    return (
        f"Wrote {len(written)} Terraform files to {folder}. Next, in that folder: terraform init, "
        "then terraform plan (it should list only imports, no change), then terraform apply."
    )
