"""Fixtures for the terminal UI tests: small projects and an app factory.

Helpers and test data live in ``tui_helpers``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import PanelsReadyApp, build_project

from qualtui.core.project import Project
from qualtui.store.project import open_project
from qualtui.tui.app import QualtuiApp


@pytest.fixture(autouse=True)
def _tui_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("QUALTUI_CODER", "coder1")
    for name in ("NO_COLOR", "QUALTUI_COLORS", "QUALTUI_EXIT_AFTER_PAINT", "QUALTUI_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    return build_project(tmp_path / "proj")


@pytest.fixture
def project(project_root: Path) -> Project:
    proj = open_project(project_root, coder="coder1")
    yield proj
    proj.close()


@pytest.fixture
def make_app(project: Project) -> Callable[..., QualtuiApp]:
    def make(**kwargs: object) -> QualtuiApp:
        kwargs.setdefault("color_depth", "truecolor")
        return PanelsReadyApp(project, **kwargs)  # type: ignore[arg-type]

    return make
