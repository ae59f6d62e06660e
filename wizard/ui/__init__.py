"""The PySide6 GUI (started by `wizard.ui.app.run`)."""
