"""Fixtures for the retrieval tests: a small coded project, an app factory, snapshots."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qualtui.core.project import Project
from qualtui.store.project import open_project

from .rt_helpers import build

TESTS = Path(__file__).resolve().parent.parent




@pytest.fixture(autouse=True)
def _tui_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("QUALTUI_CODER", "coder1")
    for name in ("NO_COLOR", "QUALTUI_COLORS", "QUALTUI_EXIT_AFTER_PAINT", "QUALTUI_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    return build(tmp_path / "proj")


@pytest.fixture
def project(project_root: Path) -> Iterator[Project]:
    proj = open_project(project_root, coder="coder1")
    yield proj
    proj.close()


@pytest.fixture
def make_app(project: Project) -> Callable[..., object]:
    from qualtui.tui.app import QualtuiApp

    def make(**kwargs: object) -> QualtuiApp:
        kwargs.setdefault("color_depth", "truecolor")
        return QualtuiApp(project, **kwargs)  # type: ignore[arg-type]

    return make
