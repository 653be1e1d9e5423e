"""Pilot tests of the guideline drafting screen (F8), checked in the project, and a snapshot.

Every path is driven by keys at 80x24: choose a guideline in the tree, add and mark
evidence, edit the title, statement, status and priority, write a guideline for a coverage
gap, add sections, undo, and write the report from the screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from gl_helpers import Study
from textual.pilot import Pilot

from qualtui.core.guidelines import GuidelineService
from qualtui.core.project import Project
from qualtui.tui.app import QualtuiApp
from qualtui.tui.screens.guidelines import GuidelinesScreen, parse_addresses
from qualtui.tui.widgets.guideline_panels import EvidenceList, GuidelineTree

B1 = "Citizens like Aminah post IC numbers."


def make_app(project: Project) -> QualtuiApp:
    return QualtuiApp(project, color_depth="truecolor")


def screen(app: QualtuiApp) -> GuidelinesScreen:
    assert isinstance(app.screen, GuidelinesScreen), app.screen
    return app.screen


async def type_text(pilot: Pilot[None], text: str) -> None:
    keys = {" ": "space", "/": "slash", ".": "full_stop", "-": "minus", "*": "asterisk",
            ",": "comma"}
    await pilot.press(*[keys.get(ch, ch) for ch in text])


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool],
                   timeout: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if predicate():
            return True
        await pilot.pause(0.05)
    return predicate()


async def open_guideline(pilot: Pilot[None]) -> None:
    """F8, then the first guideline (1.1) and focus on its evidence."""
    app = pilot.app
    await pilot.press("f8")
    assert await wait_for(pilot, lambda: isinstance(app.screen, GuidelinesScreen)
                          and isinstance(app.focused, GuidelineTree))
    await pilot.press("down", "enter")
    assert await wait_for(pilot, lambda: isinstance(app.focused, EvidenceList))
    await pilot.pause()


async def test_f8_opens_the_tree_on_the_first_section(project: Project, study: Study) -> None:
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        gl = screen(app)
        assert isinstance(app.focused, GuidelineTree)
        assert gl.selected == f"s:{study.sections['Privacy']}"
        await pilot.press("down")
        await pilot.pause()
        assert gl.guideline is not None and gl.guideline.number == "1.1"


async def test_one_key_adds_evidence_marks_counter_and_undo(project: Project,
                                                            study: Study) -> None:
    service = GuidelineService(project)
    b1 = study.seg("B1", B1)
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_guideline(pilot)
        evidence = screen(app).evidence
        assert isinstance(app.focused, EvidenceList)
        assert [c.document for c in evidence.candidates] == ["A1", "A2", "B1", "C1"]
        await pilot.press("down", "down")
        assert evidence.segment_id == b1
        await pilot.press("space")
        await pilot.pause()
        assert service.get("1.1").evidence_for(b1) is not None
        assert service.index().support(service.get("1.1")).evidence == 2
        await pilot.press("x")
        await pilot.pause()
        assert service.get("1.1").evidence_for(b1).counter is True
        assert evidence.segment_id == b1  # the highlight stays on the passage
        await pilot.press("u")
        await pilot.pause()
        assert service.get("1.1").evidence_for(b1).counter is False
        await pilot.press("u")
        await pilot.pause()
        assert service.get("1.1").evidence_for(b1) is None
        await pilot.press("space", "space")  # on and off again: one key each way
        await pilot.pause()
        assert service.get("1.1").evidence_for(b1) is None


async def test_quote_key_and_chosen_only_view(project: Project, study: Study) -> None:
    service = GuidelineService(project)
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_guideline(pilot)
        await pilot.press("q")
        await pilot.pause()
        a1 = study.seg("A1", "We keep IC numbers out of comments.")
        assert service.get("1.1").evidence_for(a1).quote is True
        await pilot.press("v")
        await pilot.pause()
        shown = screen(app).evidence.option_count
        assert shown == 3  # A1, A2 and the counter-evidence C1; B1 is not chosen


async def test_editing_title_statement_status_priority(project: Project) -> None:
    service = GuidelineService(project)
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("down", "t")
        await pilot.pause()
        await type_text(pilot, "Never ask for identifiers")
        await pilot.press("enter")
        await pilot.pause()
        assert service.get("1.1").title == "Never ask for identifiers"
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")
        await type_text(pilot, "Use a secure form.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert service.get("1.1").statement == ("Officers **never** ask for IC numbers in"
                                                " public.\nUse a secure form.")
        await pilot.press("s", "p")
        await pilot.pause()
        updated = service.get("1.1")
        assert (updated.status, updated.priority) == ("reviewed", "medium")
        node = screen(app).tree.cursor_node
        assert node is not None and node.label.plain.endswith("Never ask for identifiers")
        await pilot.press("u", "u")
        await pilot.pause()
        assert (service.get("1.1").status, service.get("1.1").priority) == ("draft", "high")


async def test_coverage_gap_becomes_a_linked_guideline(project: Project, study: Study) -> None:
    service = GuidelineService(project)
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        gl = screen(app)
        assert gl.coverage is not None and gl.coverage.gaps == []  # k = 3
        await pilot.press("minus")
        await pilot.pause()
        assert gl.k == 2 and [g.path for g in gl.coverage.gaps] == ["Benefits/Transparency"]
        await pilot.press("home", "enter")  # the first gap
        await pilot.pause()
        await type_text(pilot, "Publish decisions")
        await pilot.press("enter")
        await pilot.pause()
        created = service.get("1.2")
        assert created.title == "Publish decisions"
        assert created.code_ids == [study.codes["Benefits/Transparency"]]
        assert gl.coverage.gaps == []
        assert gl.selected == f"g:{created.id}"


async def test_new_section_and_guideline_keys(project: Project) -> None:
    service = GuidelineService(project)
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        await type_text(pilot, "Records")
        await pilot.press("enter")
        await pilot.pause()
        assert [s.title for s in service.sections()] == ["Privacy", "Records", "Security"]
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "Capture posts monthly")
        await pilot.press("enter")
        await pilot.pause()
        assert service.get("2.1").title == "Capture posts monthly"
        assert service.get("3.1").title == "Require two-factor authentication"


async def test_report_key_writes_the_file_in_a_worker(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "screen-report.md"
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        await type_text(pilot, str(target))
        await pilot.press("enter")
        assert await wait_for(pilot, target.exists)
        assert await wait_for(pilot, lambda: "wrote" in screen(app).last_report)
    assert "### 1.1 Keep identifiers out of public channels" in target.read_text("utf-8")


def test_address_lines_parse_with_optional_codes(study: Study) -> None:
    paths = {"risks/privacy": study.codes["Risks/Privacy"]}
    parsed = parse_addresses("risk: IC numbers in comments [Risks/Privacy]\n\n"
                             "Benefit: faster answers\n", paths)
    assert [(a.kind, a.text, a.code_id) for a in parsed] == [
        ("risk", "IC numbers in comments", study.codes["Risks/Privacy"]),
        ("benefit", "faster answers", None)]


def test_drafting_screen_snapshot(shared_snapshots: None, snap_compare,
                                  project: Project) -> None:
    app = make_app(project)
    assert snap_compare(app, press=["f8", "down", "enter"], terminal_size=(80, 24))


async def test_coming_back_from_coding_refreshes_the_candidates(project: Project,
                                                                study: Study) -> None:
    app = make_app(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_guideline(pilot)
        assert len(screen(app).evidence.candidates) == 4
        await pilot.press("f3")
        await pilot.pause()
        doc = project.documents.by_name("B1")
        doc_text = project.documents.text(doc.id)
        start = doc_text.index("We publish decisions openly.")
        project.coding.apply(doc.id, start, start + 28, study.codes["Risks/Privacy"])
        await pilot.press("f8")
        await pilot.pause()
        assert len(screen(app).evidence.candidates) == 5
