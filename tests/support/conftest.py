"""The GUI tests here reuse the window factory, dialog answering and dangling-thread guard of
tests/ui (the guard applies to every test in this folder: none may leave a worker running)."""

from tests.ui.conftest import no_dangling_threads, no_dialogs, open_window, qapp_cls  # noqa: F401
