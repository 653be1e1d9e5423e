"""SVG snapshots of the codebook and retrieval screens at 80x24 (update with
``pytest --snapshot-update``). The data is made before the app starts and nothing on these
screens shows a time or a path, so the SVGs are stable."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from qualtui.core.project import Project
from qualtui.tui.app import QualtuiApp


@pytest.mark.parametrize("depth", ["truecolor", "16"])
def test_codebook_screen(snap_compare, project: Project, depth: str) -> None:
    app = QualtuiApp(project, color_depth=depth)
    assert snap_compare(app, press=["f4", "_", "j"], terminal_size=(80, 24))


@pytest.mark.parametrize("depth", ["truecolor", "16"])
def test_retrieval_screen(snap_compare, project: Project, depth: str) -> None:
    async def run_query(pilot: Pilot[None]) -> None:
        await pilot.press("f5")
        await pilot.pause()
        pilot.app.screen.run_query("Risks WHERE years >= 5")  # type: ignore[attr-defined]
        await pilot.pause()
        await pilot.press("j")

    app = QualtuiApp(project, color_depth=depth)
    assert snap_compare(app, run_before=run_query, terminal_size=(80, 24))
