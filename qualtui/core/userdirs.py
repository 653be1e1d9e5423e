"""Where qualtui keeps per-user files: the config, state and cache directories.

On Linux and the BSDs these are the XDG base directories, exactly as
``platformdirs.user_*_dir("qualtui")`` gives them there, worked out here without importing
platformdirs (about 5 ms of every start, with the modules it pulls in). Elsewhere (macOS,
Windows) platformdirs decides.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

__all__ = ["APP_NAME", "user_dir"]

APP_NAME = "qualtui"

Kind = Literal["config", "state", "cache"]

_XDG: dict[str, tuple[str, str]] = {
    "config": ("XDG_CONFIG_HOME", "~/.config"),
    "state": ("XDG_STATE_HOME", "~/.local/state"),
    "cache": ("XDG_CACHE_HOME", "~/.cache"),
}


def _uses_xdg() -> bool:
    return sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))


def user_dir(kind: Kind) -> Path:
    """The user's ``kind`` directory for qualtui (not created)."""
    if _uses_xdg():
        variable, default = _XDG[kind]
        base = os.environ.get(variable, "")
        if not base.strip():
            base = os.path.expanduser(default)
        return Path(base) / APP_NAME
    import platformdirs  # pragma: no cover - macOS / Windows

    finder = {"config": platformdirs.user_config_dir, "state": platformdirs.user_state_dir,
              "cache": platformdirs.user_cache_dir}[kind]  # pragma: no cover
    return Path(finder(APP_NAME, appauthor=False))  # pragma: no cover
