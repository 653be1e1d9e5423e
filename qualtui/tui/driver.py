"""Terminal driver choice: draw on whichever of stderr/stdout is the terminal.

Textual draws on stderr. When stderr is redirected (``qualtui open 2>debug.log``, or a test
harness capturing it) but stdout is still the terminal, the UI would be invisible; then we
draw on stdout instead.
"""

from __future__ import annotations

import sys
from typing import Any


def driver_class() -> type[Any] | None:
    """A driver class for :class:`~textual.app.App`, or None for Textual's default."""
    if sys.platform == "win32":  # pragma: no cover
        return None
    stderr_tty = bool(sys.__stderr__ and sys.__stderr__.isatty())
    stdout_tty = bool(sys.__stdout__ and sys.__stdout__.isatty())
    if stderr_tty or not stdout_tty:
        return None
    from textual.drivers.linux_driver import LinuxDriver

    class StdoutDriver(LinuxDriver):
        """Textual's Linux driver, drawing on stdout."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._file = sys.__stdout__

    return StdoutDriver
