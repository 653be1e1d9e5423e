"""Shared fixtures: small projects built through the core services."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_textual_snapshot
from helpers import TRANSCRIPT

from qualtui.core.project import Project
from qualtui.core.text import detect_turns
from qualtui.store.project import init_project, open_project

TESTS = Path(__file__).resolve().parent


class _SharedSnapshotDir(pytest_textual_snapshot.SVGImageExtension):
    """Every SVG snapshot lives in ``tests/__snapshots__/<test file>/``, whatever directory
    its test is in (one place to review them; patched once, here, for the whole run)."""

    @classmethod
    def dirname(cls, *, test_location):  # type: ignore[no-untyped-def,override]
        return str(TESTS / "__snapshots__" / test_location.basename)


pytest_textual_snapshot.SVGImageExtension = _SharedSnapshotDir  # type: ignore[misc]


@pytest.fixture(scope="session")
def _yaml_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One YAML parse cache for the run (entries are keyed by content, so sharing is safe)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                  _yaml_cache_dir: Path):
    monkeypatch.setenv("QUALTUI_CODER", "coder1")
    monkeypatch.setenv("QUALTUI_CACHE_DIR", str(_yaml_cache_dir))
    monkeypatch.setenv("QUALTUI_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("QUALTUI_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
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
