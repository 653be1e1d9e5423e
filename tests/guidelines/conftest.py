"""Fixtures for the guideline tests: the hand-built study of :mod:`gl_helpers`, opened.

Snapshots of these tests are stored in ``tests/__snapshots__/<test file>/`` like the other
TUI snapshots (through the ``shared_snapshots`` fixture, scoped to the test).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_textual_snapshot
from gl_helpers import Study, build_study

from qualtui.core.project import Project
from qualtui.store.project import open_project

TESTS = Path(__file__).resolve().parent.parent


class _SharedSnapshotDir(pytest_textual_snapshot.SVGImageExtension):
    """Keep SVG snapshots in ``tests/__snapshots__`` (excluded from ruff)."""

    @classmethod
    def dirname(cls, *, test_location):  # type: ignore[no-untyped-def,override]
        return str(TESTS / "__snapshots__" / test_location.basename)


@pytest.fixture
def shared_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Store this test's snapshots in ``tests/__snapshots__`` without changing where other
    directories' tests keep theirs (the patch ends with the test)."""
    monkeypatch.setattr(pytest_textual_snapshot, "SVGImageExtension", _SharedSnapshotDir)


@pytest.fixture(autouse=True)
def _guideline_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("QUALTUI_CODER", "coder1")
    for name in ("NO_COLOR", "QUALTUI_COLORS", "QUALTUI_EXIT_AFTER_PAINT", "QUALTUI_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def study(tmp_path: Path) -> Study:
    return build_study(tmp_path / "study")


@pytest.fixture
def bare_study(tmp_path: Path) -> Study:
    """The documents, cases, codes and segments, without sections or guidelines."""
    return build_study(tmp_path / "bare", with_guidelines=False)


@pytest.fixture
def project(study: Study) -> Iterator[Project]:
    proj = open_project(study.root, coder="coder1")
    yield proj
    proj.close()
