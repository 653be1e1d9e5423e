"""The live team view: another process writes the project, the open screen follows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tui_helpers import INTERVIEW, notes, offset_of, wait_for

from qualtui.tui.screens.coding import CodingScreen

WRITER = """
import sys
from pathlib import Path
from qualtui.store.project import open_project
project = open_project(Path(sys.argv[1]), coder="coder2")
doc = project.documents.by_name("P99")
code = project.codebook.find("Risks/Privacy")
start = int(sys.argv[2])
for end in (start + 19, start + 7, start + 3):
    project.coding.apply(doc.id, start, end, code.id)
project.close()
"""


async def test_other_coders_changes_appear_with_a_notification(make_app, project_root: Path,
                                                              project) -> None:
    app = make_app()
    start = offset_of(INTERVIEW, "Privacy worries me.")
    async with app.run_test(size=(80, 24)) as pilot:
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        await pilot.press("right_square_bracket", "right_square_bracket", "v", "w")
        selection = coding.view.selection
        cursor = coding.view.cursor
        proc = subprocess.run([sys.executable, "-c", WRITER, str(project_root), str(start)],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert await wait_for(pilot, lambda: len(coding.view.segments) == 3, timeout=5)
        assert await wait_for(
            pilot, lambda: "coder2 coded 3 segments in P99" in notes(app), timeout=2)
        # the cursor and the selection are where they were
        assert coding.view.cursor == cursor and coding.view.selection == selection
        # the codebook counts follow
        assert coding.doc_segments and all(s.coder == "coder2" for s in coding.doc_segments)


async def test_own_changes_are_not_announced(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        await pilot.press("s")
        coding.apply_code(project.codebook.find("Risks/Privacy").id)
        await pilot.pause(1.2)  # two polls
        assert not any(n.startswith("coder1") for n in notes(app))
