"""Helpers shared by the team tests: small projects, offline copies, a settable clock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from qualtui.core.project import Project
from qualtui.core.text import detect_turns
from qualtui.store.project import init_project, open_project, read_raw

INTERVIEW = (
    "Interview P99 - test transcript\n\n"
    "Interviewer: What are the benefits of social media for your agency?\n\n"
    "P99: Transparency is the main one. People can see what we do. It is also faster"
    " than the old notice board, e.g. for flood alerts.\n\n"
    "Interviewer: And the risks?\n\n"
    "P99: Privacy worries me. Citizens post their IC numbers in the comments. Security too,"
    " our page was hacked once.\n"
)

SECOND = (
    "Interview P98 - second transcript\n\n"
    "Interviewer: How do you moderate comments?\n\n"
    "P98: We hide abusive comments within the hour. The minister reads the page himself.\n"
)

CODES = ("Benefits/Transparency", "Benefits/Efficiency", "Risks/Privacy", "Risks/Security")


def span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def build(root: Path, group: bool = False) -> Path:
    """A project with P99 and the four codes, closed (so the copy is complete)."""
    init_project(root, title="Team test", group=group)
    project = open_project(root, coder="coder1")
    project.documents.add("P99", INTERVIEW, fmt="txt", filename="P99.txt",
                          turns=detect_turns(INTERVIEW))
    for path in CODES:
        project.codebook.add(path)
    project.close()
    return root


def copy(src: Path, dst: Path) -> Path:
    """An offline copy, as a fieldworker makes it (the whole directory)."""
    shutil.copytree(src, dst)
    return dst


@contextmanager
def opened(root: Path, coder: str = "coder1") -> Iterator[Project]:
    project = open_project(root, coder=coder)
    try:
        yield project
    finally:
        project.close()


def code_id(project: Project, path: str) -> str:
    code = project.codebook.find(path)
    assert code is not None, path
    return code.id


def doc_id(project: Project, name: str = "P99") -> str:
    return project.documents.by_name(name).id


def tables(root: Path) -> dict[str, dict[str, Any]]:
    """Every record table of a project on disk, keyed by record id (the log left out)."""
    with opened(root) as project:
        project.refresh()
        return {t: {r["id"]: dict(r) for r in project.repo.all(t)}
                for t in ("documents", "codes", "segments", "memos", "cases", "attributes")}


def raw_tables(root: Path) -> dict[str, Any]:
    return read_raw(root)


class Clock:
    """Makes log times (``at``) and record stamps predictable: ``clock.set("...")``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = "2026-01-01T10:00:00Z"
        for module in ("qualtui.core.oplog", "qualtui.core.memos", "qualtui.core.codebook",
                       "qualtui.core.coding", "qualtui.core.documents", "qualtui.core.merge",
                       "qualtui.analysis.team"):
            monkeypatch.setattr(f"{module}.now_iso", self)

    def __call__(self) -> str:
        return self.now

    def set(self, stamp: str) -> None:
        self.now = stamp


# Double coding of P99 used by the agreement tests: coder1 and coder2 agree on Privacy,
# overlap on Transparency, and each applied one code the other did not.
TRANSPARENCY = "Transparency is the main one."
PEOPLE = "People can see what we do."
FASTER = "It is also faster than the old notice board"
PRIVACY = "Privacy worries me."
SECURITY = "Security too, our page was hacked once."

DOUBLE_CODING = (
    ("coder1", "Benefits/Transparency", TRANSPARENCY + " " + PEOPLE),
    ("coder2", "Benefits/Transparency", PEOPLE + " " + FASTER),
    ("coder1", "Risks/Privacy", PRIVACY),
    ("coder2", "Risks/Privacy", PRIVACY),
    ("coder1", "Risks/Security", SECURITY),
    ("coder2", "Benefits/Efficiency", FASTER),
)


def double_code(root: Path) -> Path:
    """Add :data:`DOUBLE_CODING` to the project at ``root``."""
    with opened(root) as project:
        for coder, path, text in DOUBLE_CODING:
            project.coding.apply(doc_id(project), *span(INTERVIEW, text), code_id(project, path),
                                 coder=coder)
    return root
