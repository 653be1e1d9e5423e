"""SVG snapshots of the coding screen (update with ``pytest --snapshot-update``).

The data is made through the core services before the app starts, the coder is fixed, the
screen shows no clock, and the transcript cursor does not blink, so the SVGs are stable.
"""

from __future__ import annotations

import pytest
from tui_helpers import INTERVIEW, PanelsReadyApp, code_id, offset_of

from qualtui.core.project import Project


def _code(project: Project, needle: str, path: str, length: int | None = None) -> None:
    doc = project.documents.by_name("P99")
    start = offset_of(INTERVIEW, needle)
    project.coding.apply(doc.id, start, start + (length or len(needle)), code_id(project, path))


@pytest.fixture
def coded(project: Project) -> Project:
    _code(project, "Transparency is the main one. People can see what we do.",
          "Benefits/Transparency")
    _code(project, "People can see what we do. It is also faster", "Benefits/Efficiency")
    _code(project, "Privacy worries me.", "Risks/Privacy")
    _code(project, "Citizens post their IC numbers in the comments.", "Risks/Privacy")
    _code(project, "Security too, our page was hacked once.", "Risks/Security")
    _code(project, "Privacy worries me. Citizens post", "Benefits/Transparency")
    return project


# Move to "People" (inside an overlap), select its sentence.
KEYS = ["right_square_bracket", "right_square_bracket", "right_square_bracket",
        "right_square_bracket", "right_parenthesis", "s"]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("depth", ["truecolor", "16"])
def test_coding_screen(snap_compare, coded: Project, size: tuple[int, int], depth: str) -> None:
    app = PanelsReadyApp(coded, color_depth=depth)
    assert snap_compare(app, press=KEYS, terminal_size=size)
