"""Fixtures for the team tests (helpers live in ``team_helpers``).

SVG snapshots are kept in ``tests/__snapshots__/<test file>/`` (see ``tests/conftest.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from team_helpers import Clock, build

TESTS = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _team_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("QUALTUI_CODER", "coder1")
    for name in ("NO_COLOR", "QUALTUI_COLORS", "QUALTUI_EXIT_AFTER_PAINT", "QUALTUI_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A closed project at ``tmp_path/server`` with one document and four codes."""
    return build(tmp_path / "server")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)
