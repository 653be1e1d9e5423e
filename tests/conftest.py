"""Shared fixtures: small projects built through the core services."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualtui.core.project import Project
from qualtui.core.text import detect_turns
from qualtui.store.project import init_project, open_project

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

from helpers import TRANSCRIPT  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("QUALTUI_CODER", "coder1")
    monkeypatch.setenv("QUALTUI_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.delenv("QUALTUI_DEBUG", raising=False)
    yield


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return init_project(tmp_path / "proj", title="Test project")


@pytest.fixture
def project(project_dir: Path) -> Project:
    proj = open_project(project_dir, coder="coder1")
    yield proj
    proj.close()


@pytest.fixture
def coded_project(project: Project) -> Project:
    """A project with one document and a few codes."""
    project.documents.add("P99", TRANSCRIPT, fmt="txt", filename="P99.txt",
                          turns=detect_turns(TRANSCRIPT))
    for path in ("Benefits/Transparency", "Benefits/Efficiency", "Risks/Privacy",
                 "Risks/Security"):
        project.codebook.add(path)
    return project
