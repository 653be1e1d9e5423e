"""Fixtures for the memo tests: a small project with codes, segments and memos of every
kind (fixed timestamps, so snapshots are stable), an app factory and pilot helpers."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qualtui.core.project import Project
from qualtui.store.project import open_project
from qualtui.tui.app import QualtuiApp

TESTS = Path(__file__).resolve().parent.parent

from memo_helpers import build_memo_project  # noqa: E402


@pytest.fixture(autouse=True)
def _memo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("QUALTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("QUALTUI_CODER", "coder1")
    for name in ("NO_COLOR", "QUALTUI_COLORS", "QUALTUI_EXIT_AFTER_PAINT", "QUALTUI_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"  # local times in lists and exports, the same everywhere
    time.tzset()
    yield
    if old_tz is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old_tz
    time.tzset()


@pytest.fixture
def memo_root(tmp_path: Path) -> Path:
    return build_memo_project(tmp_path / "proj")


@pytest.fixture
def project(memo_root: Path) -> Project:
    proj = open_project(memo_root, coder="coder1")
    yield proj
    proj.close()


@pytest.fixture
def make_app(project: Project) -> Callable[..., QualtuiApp]:
    def make(**kwargs: object) -> QualtuiApp:
        kwargs.setdefault("color_depth", "truecolor")
        return QualtuiApp(project, **kwargs)  # type: ignore[arg-type]

    return make
