"""Pilot tests of the retrieval screen (F5) and the cases screen, checked in the database."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from textual.widgets import Input

from qualtui.core.project import Project
from qualtui.tui.screens.cases import CasesScreen, ValueScreen
from qualtui.tui.screens.codebook import ConfirmScreen, ReportScreen
from qualtui.tui.screens.dialogs import ChoiceScreen, PromptScreen
from qualtui.tui.screens.retrieval import RetrievalScreen

from .rt_helpers import DOC1, span
from .tui_helpers import pick, type_text, wait_for


async def open_retrieval(app: Any, pilot: Any) -> RetrievalScreen:
    await pilot.press("f5")
    assert await wait_for(pilot, lambda: isinstance(app.screen, RetrievalScreen))
    await pilot.pause()
    return app.screen


async def submit(pilot: Any, key: str, text: str, typed: bool = False) -> None:
    """Open the query/search line with ``key``, fill it (typed, or set at once) and submit."""
    await pilot.press(key)
    field = pilot.app.screen.query_one("#rt-input", Input)
    assert field.has_focus
    if typed:
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, text)
    else:
        field.value = text
    await pilot.press("enter")
    await pilot.pause(0.1)


def segment_count(project: Project) -> int:
    project.refresh()
    return len(project.coding.segments())


async def test_code_retrieval_with_and_without_subcodes(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_retrieval(app, pilot)
        await pilot.press("c")
        await pick(pilot, "Risks")
        assert await wait_for(pilot, lambda: len(screen.rows) == 5)
        assert screen.summary == "code Risks (with sub-codes)"
        await pilot.press("s")
        assert await wait_for(pilot, lambda: screen.rows == [])
        await pilot.press("s", "c")
        await pick(pilot, "Risks/Privacy")
        assert await wait_for(pilot, lambda: len(screen.rows) == 2)
        table = screen.table
        assert [str(c) for c in table.get_row_at(0)[:4]] == ["P02", "P02", "coder1", "M"]
        assert str(table.get_row_at(1)[3]) == ""  # no memo on the second
        preview = str(screen.query_one("#rt-preview").render())
        assert "Citizens send their IC numbers." in preview
        assert "Memo: IC numbers in public comments" in preview


async def test_query_whole_toggle_and_filter(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_retrieval(app, pilot)
        await submit(pilot, "q", "Risks AND NOT Security")
        assert await wait_for(pilot, lambda: len(screen.rows) == 3)
        assert [r.text for r in screen.rows] == [
            "We keep no records.", "Citizens send their IC numbers.",
            "Privacy is a records issue"]
        await submit(pilot, "q", "Records SAME TURN Security")
        assert await wait_for(pilot, lambda: len(screen.rows) == 1)
        await pilot.press("f")
        await type_text(pilot, "coder = coder2")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: bool(screen.filters))
        assert screen.rows == []  # coder2 coded no Security
        assert "filter: coder = coder2" in str(screen.query_one("#rt-status").render())
        await pilot.press("F")
        assert await wait_for(pilot, lambda: len(screen.rows) == 1)


async def test_bad_query_is_reported_not_raised(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_retrieval(app, pilot)
        await submit(pilot, "q", "Records AND", typed=True)
        assert screen.rows == [] and screen.summary.startswith("error: bad query")
        assert any("bad query" in n.message for n in app._notifications)


async def test_search_then_code_all_hits_is_one_undo(make_app, project) -> None:
    app = make_app()
    before = segment_count(project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_retrieval(app, pilot)
        await submit(pilot, "slash", "comments", typed=True)
        assert await wait_for(pilot, lambda: len(screen.rows) == 2)
        await pilot.press("A")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("2")  # sentence
        await pick(pilot, "Benefits/Transparency")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        message = str(app.screen.query_one(".message").render())
        assert message.startswith("2 hits -> 2 sentences in 2 documents to code as"
                                  " Benefits/Transparency")
        await pilot.press("y")
        assert await wait_for(pilot, lambda: segment_count(project) == before + 2)
        code = project.codebook.find("Benefits/Transparency")
        assert sorted(project.coding.text_of(s) for s in project.coding.segments(
            code_ids=[code.id])) == ["Nobody archives the comments.", "We hide those comments."]
        await pilot.press("u")
        assert await wait_for(pilot, lambda: segment_count(project) == before)


async def test_search_options_toggle(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_retrieval(app, pilot)
        await submit(pilot, "slash", "records")
        assert await wait_for(pilot, lambda: len(screen.rows) == 6)
        await pilot.press("I")  # smart -> sensitive
        assert await wait_for(pilot, lambda: len(screen.rows) == 5)
        await pilot.press("W")  # whole words: still 5
        await pilot.press("slash", "ctrl+a", "ctrl+k")
        await type_text(pilot, "record.")
        await pilot.press("enter", "R")  # regex: "record." matches "records"
        assert await wait_for(pilot, lambda: screen.search.regex and len(screen.rows) == 5)


async def test_export_csv_and_markdown(make_app, project, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_retrieval(app, pilot)
        await submit(pilot, "q", "Privacy")
        assert await wait_for(pilot, lambda: len(screen.rows) == 2)
        for name in ("out.csv", "out.md"):
            await pilot.press("e")
            assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
            app.screen.query_one(Input).value = str(tmp_path / name)
            await pilot.press("enter")
            assert await wait_for(pilot, lambda n=name: (tmp_path / n).exists())
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text())))
    assert [(r["document"], r["speaker"], r["text"], r["memo"]) for r in rows] == [
        ("P02", "P02", "Citizens send their IC numbers.", "IC numbers in public comments"),
        ("P02", "P02", "Privacy is a records issue", "")]
    markdown = (tmp_path / "out.md").read_text()
    assert markdown.startswith("# Query: Privacy (exact passages)\n")
    assert "> Citizens send their IC numbers.\n>\n> — P02 (R2), speaker P02" in markdown


async def test_enter_opens_the_passage_in_the_coding_screen(make_app, project) -> None:
    from qualtui.tui.screens.coding import CodingScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_retrieval(app, pilot)
        await submit(pilot, "q", "Security")
        assert await wait_for(pilot, lambda: len(screen.rows) == 1)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen))
        coding = app.screen
        assert await wait_for(pilot, lambda: coding.view.selection is not None)
        assert coding.doc.name == "P01"
        assert coding.view.selection == span(DOC1, "Records vanish when a phone is lost.")


# --------------------------------------------------------------------------- cases screen


async def open_cases(app: Any, pilot: Any) -> CasesScreen:
    await app.switch_mode("cases")
    assert await wait_for(pilot, lambda: isinstance(app.screen, CasesScreen))
    await pilot.pause()
    return app.screen


async def test_cases_edit_values_with_type_checks(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_cases(app, pilot)
        assert [r.name for r in screen.rows] == ["R1", "R2"]
        await pilot.press("l", "l", "l", "enter")  # years_of_service of R1
        assert await wait_for(pilot, lambda: isinstance(app.screen, ValueScreen))
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "twenty")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: any("not a number" in n.message
                                                 for n in app._notifications))
        await pilot.press("enter", "ctrl+a", "ctrl+k")
        await type_text(pilot, "22")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: (project.refresh() or True) and project.documents
                              .by_name("P01").attributes["years_of_service"] == 22)
        await pilot.press("h", "enter")  # role: a category with its values to choose
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("2")  # Webmaster
        assert await wait_for(pilot, lambda: (project.refresh() or True) and project.documents
                              .by_name("P01").attributes["role"] == "Webmaster")
        await pilot.press("u")
        assert await wait_for(pilot, lambda: (project.refresh() or True) and project.documents
                              .by_name("P01").attributes["role"] == "Records officer")


async def test_cases_import_shows_the_report(make_app, project, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("document,years_of_service\nP01,lots\nP09,4\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("document,years_of_service,unit\nP01,30,Archives\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_cases(app, pilot)
        screen.import_csv(bad)
        assert await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.pause()
        lines = [str(w.render()) for w in app.screen.query(".line")]
        assert lines == ["1 unknown document(s), 1 bad value(s) in 2 rows; nothing imported",
                         "line 2 (P01): years_of_service: 'lots' is not a number"
                         " (years_of_service is a number)",
                         "line 3 (P09): unknown document 'P09'"]
        await pilot.press("enter")  # cannot apply: stays open
        assert isinstance(app.screen, ReportScreen)
        await pilot.press("escape")
        await pilot.press("i")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = str(good)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.press("y")
        assert await wait_for(pilot, lambda: "unit" in screen.names)
    project.refresh()
    assert project.documents.by_name("P01").attributes["years_of_service"] == 30


async def test_cases_new_attribute_and_export(make_app, project, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_cases(app, pilot)
        await pilot.press("n")
        await type_text(pilot, "department")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("4")  # category
        assert await wait_for(pilot, lambda: "department" in screen.names)
        screen.export_csv(tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text().splitlines()[0] == (
        "document,case,role,years_of_service,joined,department")
    assert [d.type for d in project.cases.attribute_defs() if d.name == "department"] == [
        "category"]
