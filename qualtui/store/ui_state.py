"""Per-user UI state: the last document per project, codes pinned to keys 1-9, recent codes.

Stored as one JSON file, ``ui_state.json``, in ``platformdirs.user_state_dir("qualtui")``
(``QUALTUI_STATE_DIR`` overrides the directory), keyed by each project's ``project_id``.
Writes are atomic and the file is private (0600). A corrupt or unreadable file is ignored:
:attr:`UIState.warning` says why, and the next save writes a fresh file. This state is a
convenience; nothing in it is project data.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from qualtui.store.storage import atomic_write_bytes

__all__ = ["STATE_ENV", "STATE_FILE", "UIState", "state_dir"]

STATE_ENV = "QUALTUI_STATE_DIR"
STATE_FILE = "ui_state.json"
VERSION = 1
MAX_RECENT = 9

log = logging.getLogger(__name__)


def state_dir() -> Path:
    """The directory holding the UI state file."""
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override)
    from qualtui.core.userdirs import user_dir

    return user_dir("state")


def _read(path: Path) -> tuple[dict[str, Any], str | None]:
    """The whole state file as a dict, and a warning when it had to be ignored."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        return {}, f"cannot read {path}: {exc.strerror or exc}; using defaults"
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}, f"{path} is not valid JSON; ignoring it (it is rewritten on the next save)"
    if not isinstance(data, dict) or not isinstance(data.get("projects", {}), dict):
        return {}, f"{path} has an unexpected layout; ignoring it"
    return data, None


def _clean_pinned(value: Any) -> dict[int, str]:
    out: dict[int, str] = {}
    if isinstance(value, dict):
        for key, code in value.items():
            if str(key).isdigit() and 1 <= int(key) <= 9 and isinstance(code, str) and code:
                out[int(key)] = code
    return out


@dataclass
class UIState:
    """One user's UI state for one project."""

    project_id: str
    last_document: str | None = None
    pinned: dict[int, str] = field(default_factory=dict)
    recent: list[str] = field(default_factory=list)
    warning: str | None = None
    path: Path = field(default_factory=lambda: state_dir() / STATE_FILE)

    @classmethod
    def load(cls, project_id: str, directory: Path | None = None) -> UIState:
        """The state for ``project_id`` (defaults when there is none or the file is bad)."""
        path = (directory or state_dir()) / STATE_FILE
        data, warning = _read(path)
        if warning:
            log.warning("%s", warning)
        entry = data.get("projects", {}).get(project_id, {}) if data else {}
        if not isinstance(entry, dict):
            entry = {}
        last = entry.get("last_document")
        recent = entry.get("recent", [])
        return cls(
            project_id=project_id,
            last_document=last if isinstance(last, str) else None,
            pinned=_clean_pinned(entry.get("pinned")),
            recent=[c for c in recent if isinstance(c, str)][:MAX_RECENT]
            if isinstance(recent, list) else [],
            warning=warning,
            path=path,
        )

    def as_json(self) -> dict[str, Any]:
        return {"last_document": self.last_document,
                "pinned": {str(k): v for k, v in sorted(self.pinned.items())},
                "recent": self.recent[:MAX_RECENT]}

    def save(self) -> None:
        """Write this project's entry, keeping other projects' entries (read just before).

        Errors (a read-only home, a full disk) are logged and swallowed: losing the UI state
        must never interrupt coding.
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            data, _ = _read(self.path)
            projects = data.get("projects", {}) if data else {}
            projects[self.project_id] = self.as_json()
            payload = orjson.dumps({"version": VERSION, "projects": projects},
                                   option=orjson.OPT_INDENT_2)
            atomic_write_bytes(self.path, payload, 0o600)
        except OSError as exc:
            log.warning("cannot save UI state to %s: %s", self.path, exc)
