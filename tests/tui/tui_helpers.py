"""Test data and pilot helpers for the terminal UI tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from qualtui.core.project import Project
from qualtui.core.text import detect_turns
from qualtui.store.project import init_project, open_project
from qualtui.tui.app import QualtuiApp
from qualtui.tui.screens.coding import CodingScreen

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



def build_project(root: Path, docs: tuple[tuple[str, str], ...] = (("P99", INTERVIEW),
                                                                   ("P98", SECOND))) -> Path:
    """A project at ``root`` with ``docs`` and the four :data:`CODES`."""
    init_project(root, title="TUI test")
    project = open_project(root, coder="coder1")
    for name, text in docs:
        project.documents.add(name, text, fmt="txt", filename=f"{name}.txt",
                              turns=detect_turns(text))
    for path in CODES:
        project.codebook.add(path)
    project.close()
    return root


def offset_of(text: str, needle: str, nth: int = 0) -> int:
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return pos


def code_id(project: Project, path: str) -> str:
    code = project.codebook.find(path)
    assert code is not None, path
    return code.id


def notes(app: QualtuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[_key(ch) for ch in text])


def _key(ch: str) -> str:
    return {" ": "space", "/": "slash", ".": "full_stop", "-": "minus"}.get(ch, ch)


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


class PanelsReadyApp(QualtuiApp):
    """The app, whose ``run_test`` hands over the pilot once the coding screen's side
    panels (mounted a frame after the transcript) are filled, so tests need not wait."""

    CSS_PATH = str(Path(__file__).resolve().parents[2] / "qualtui" / "tui" / "qualtui.tcss")

    @asynccontextmanager
    async def run_test(self, *args: Any, **kwargs: Any) -> AsyncIterator[Pilot[None]]:
        async with super().run_test(*args, **kwargs) as pilot:
            for _ in range(200):
                screen = self.screen
                if not isinstance(screen, CodingScreen) or screen.panels_ready:
                    break
                await pilot.pause(0.01)
            yield pilot
