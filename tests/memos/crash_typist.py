"""Child process of ``test_memos_crash``: opens the memos screen headless, starts a journal
entry and types :data:`TEXT` into it, one key at a time, until it is killed.

After every key it appends ``<unix time> <keys typed>`` to the progress file, so the test
knows what had been typed by when.

usage: python crash_typist.py PROJECT_DIR PROGRESS_FILE
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

TEXT = ("the interviews show that transparency is claimed more often than it is practised "
        "and that the approval chain decides what is posted and when it is posted ") * 20


def key(ch: str) -> str:
    return "space" if ch == " " else ch


async def type_until_killed(root: Path, progress: Path) -> None:
    from qualtui.store.project import open_project
    from qualtui.tui.app import QualtuiApp

    project = open_project(root, coder="coder1")
    app = QualtuiApp(project, color_depth="truecolor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("J")
        await pilot.pause()
        with progress.open("a", encoding="utf-8") as out:
            for typed, ch in enumerate(TEXT, start=1):
                await pilot.press(key(ch))
                out.write(f"{time.time():.3f} {typed}\n")
                out.flush()
    project.close()


if __name__ == "__main__":
    asyncio.run(type_until_killed(Path(sys.argv[1]), Path(sys.argv[2])))
