"""Test data and helpers for the memo tests (imported by their conftest and modules)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from qualtui.core.models import Memo
from qualtui.core.project import Project
from qualtui.core.text import detect_turns
from qualtui.store.project import init_project, open_project

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
TRANSPARENCY = "Transparency is the main one."
PRIVACY = "Privacy worries me."
HACKED = "our page was hacked once."
STAMP = "2026-11-24T06:33:36Z"


def build_memo_project(root: Path) -> Path:
    """Two documents, four codes, three segments and six memos (fixed timestamps)."""
    init_project(root, title="Memo test")
    project = open_project(root, coder="coder1")
    p99 = project.documents.add("P99", INTERVIEW, fmt="txt", filename="P99.txt",
                                turns=detect_turns(INTERVIEW))
    project.documents.add("P98", SECOND, fmt="txt", filename="P98.txt",
                          turns=detect_turns(SECOND))
    codes = {path: project.codebook.add(path) for path in CODES}
    seg_t = _code(project, p99.id, TRANSPARENCY, codes["Benefits/Transparency"].id)
    seg_p = _code(project, p99.id, PRIVACY, codes["Risks/Privacy"].id)
    _code(project, p99.id, HACKED, codes["Risks/Security"].id)
    memos = project.memos
    memos.create("project", None, "Where the argument stands",
                 "Transparency and **privacy** pull against each other.")
    memos.create("journal", None, "First coding session",
                 "Coded P99. The hacking story needs a code of its own?")
    memos.create("document", p99.id, "P99 - a webmaster's view",
                 "Speaks for the ministry, not for herself.")
    memos.create("code", codes["Risks/Privacy"].id, "Privacy is about citizens' data",
                 f"Mostly IC numbers in comments, see [[segment:{seg_p.id[:8]}]].")
    memos.create("segment", seg_t.id, "Transparency as visibility",
                 "Visibility, not accountability.")
    project.set_coder("coder2")
    memos.create("journal", None, "Second coder notes",
                 "I would merge Efficiency into Transparency. Café talk helped.")
    with project.repo.transaction():
        for row in project.repo.all("memos"):
            project.repo.replace("memos", dict(row) | {"created_at": STAMP,
                                                       "modified_at": STAMP})
    project.close()
    return root


def _code(project: Project, document_id: str, needle: str, code_id: str):  # type: ignore[no-untyped-def]
    start = INTERVIEW.index(needle)
    return project.coding.apply(document_id, start, start + len(needle), code_id)


def memo_titled(project: Project, title: str) -> Memo:
    project.refresh()
    return next(m for m in project.memos.all() if m.title == title)


def memos_of(project: Project, kind: str) -> list[Memo]:
    project.refresh()
    return project.memos.all(kind=kind)


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[_key(ch) for ch in text])


def _key(ch: str) -> str:
    return {" ": "space", "/": "slash", ".": "full_stop", "-": "minus", ",": "comma",
            ":": "colon", "?": "question_mark", "[": "left_square_bracket",
            "]": "right_square_bracket"}.get(ch, ch)


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool],
                   timeout: float = 5.0) -> bool:
    """Pause until ``predicate()`` holds (or ``timeout`` seconds pass)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if predicate():
            return True
        await pilot.pause(0.05)
    return predicate()
