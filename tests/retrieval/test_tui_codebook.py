"""Pilot tests of the codebook screen (F4): each edit by keys, checked in the database."""

from __future__ import annotations

from typing import Any

from qualtui.core.project import Project
from qualtui.tui.screens.codebook import (
    CodebookScreen,
    CodeFormScreen,
    ConfirmScreen,
    SplitScreen,
)

from .rt_helpers import DOC1, span
from .tui_helpers import pick, type_text, wait_for


def paths(project: Project) -> list[str]:
    project.refresh()
    return [project.codebook.path_of(c) for c in project.codebook.all()]


def segments_of(project: Project, path: str) -> int:
    project.refresh()
    code = project.codebook.find(path)
    return len(project.coding.segments(code_ids=[code.id])) if code else -1


async def open_codebook(app: Any, pilot: Any, row: int = 0) -> CodebookScreen:
    await pilot.press("f4")
    assert await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen))
    screen = app.screen
    await pilot.pause()
    for _ in range(row):
        await pilot.press("j")
    return screen


async def test_lists_codes_with_counts_and_details(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_codebook(app, pilot, row=1)
        assert screen.code_id == project.codebook.find("Risks/Records").id
        table = screen.table
        assert [str(c) for c in table.get_row_at(1)[2:6]] == ["2", "1", "1", "2"]
        assert [str(c) for c in table.get_row_at(0)[2:6]] == ["5", "2", "2", "2"]  # category
        details = str(screen.query_one("#cb-details").render())
        assert "Risks/Records" in details and "2 segments in 1 documents, 1 cases" in details


async def test_add_child_and_sibling(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_codebook(app, pilot)
        await pilot.press("a")
        await type_text(pilot, "Fake news")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: "Risks/Fake news" in paths(project))
        assert app.screen.code_id == project.codebook.find("Risks/Fake news").id
        await pilot.press("A")
        await type_text(pilot, "Rumours")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: "Risks/Rumours" in paths(project))
    assert project.codebook.find("Risks/Rumours").origin == "emergent"


async def test_rename_and_undo(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_codebook(app, pilot, row=1)
        await pilot.press("r", "ctrl+a", "ctrl+k")
        await type_text(pilot, "Archiving")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: "Risks/Archiving" in paths(project))
        await pilot.press("u")
        assert await wait_for(pilot, lambda: "Risks/Records" in paths(project))


async def test_edit_form_saves_fields_in_one_operation(make_app, project) -> None:
    app = make_app()
    entries = len(project.log.entries())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_codebook(app, pilot, row=1)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, CodeFormScreen))
        await type_text(pilot, "Posts kept as records")
        await pilot.press("tab")
        await type_text(pilot, "archiving")
        await pilot.press("tab", "tab", "tab", "tab")  # to the shortcut field
        await type_text(pilot, "5")
        await pilot.press("ctrl+s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, CodebookScreen))
    project.refresh()
    code = project.codebook.find("Risks/Records")
    assert (code.definition, code.use_when, code.shortcut) == ("Posts kept as records",
                                                               "archiving", "5")
    assert len(project.log.entries()) == entries + 1


async def test_colour_from_palette_and_category_toggle(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_codebook(app, pilot, row=2)
        await pilot.press("c")
        await pilot.pause(0.2)
        await pilot.press("2")  # sky blue
        assert await wait_for(pilot, lambda: (project.refresh() or True) and project.codebook
                              .find("Risks/Privacy").color == "#56B4E9")
        await pilot.press("x")
        assert await wait_for(pilot, lambda: (project.refresh() or True) and not project
                              .codebook.find("Risks/Privacy").codable)


async def test_move_reorder_indent_outdent(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_codebook(app, pilot, row=3)  # Risks/Security
        await pilot.press("K")
        assert await wait_for(pilot, lambda: paths(project)[:4] == [
            "Risks", "Risks/Records", "Risks/Security", "Risks/Privacy"])
        await pilot.press("greater_than_sign")
        assert await wait_for(pilot, lambda: "Risks/Records/Security" in paths(project))
        await pilot.press("less_than_sign")
        assert await wait_for(pilot, lambda: "Risks/Security" in paths(project))
        await pilot.press("m")
        await pick(pilot, "Benefits")
        assert await wait_for(pilot, lambda: "Benefits/Security" in paths(project))
        assert app.screen.code_id == project.codebook.find("Benefits/Security").id


async def test_merge_says_how_many_and_undo_restores(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_codebook(app, pilot, row=1)  # Risks/Records, 2 segments
        await pilot.press("M")
        await pick(pilot, "Risks/Security")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        message = str(app.screen.query_one(".message").render())
        assert "Merge Risks/Records into Risks/Security: 2 segments" in message
        await pilot.press("y")
        assert await wait_for(pilot, lambda: "Risks/Records" not in paths(project))
        assert segments_of(project, "Risks/Security") == 3
        await pilot.press("u")
        assert await wait_for(pilot, lambda: "Risks/Records" in paths(project))
        assert segments_of(project, "Risks/Records") == 2
        assert segments_of(project, "Risks/Security") == 1


async def test_merge_can_be_cancelled(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_codebook(app, pilot, row=1)
        await pilot.press("M")
        await pick(pilot, "Risks/Security")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await pilot.pause(0.1)
    assert "Risks/Records" in paths(project)


async def test_split_moves_the_chosen_segment(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_codebook(app, pilot, row=1)  # Risks/Records
        await pilot.press("s")
        assert await wait_for(pilot, lambda: isinstance(app.screen, SplitScreen))
        await pilot.press("space", "tab")
        await type_text(pilot, "No archive")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: "Risks/No archive" in paths(project))
    code = project.codebook.find("Risks/No archive")
    moved = project.coding.segments(code_ids=[code.id])
    assert [project.coding.text_of(s) for s in moved] == ["We keep no records."]
    assert segments_of(project, "Risks/Records") == 1


async def test_delete_states_the_count_and_undo_brings_it_back(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_codebook(app, pilot, row=2)  # Risks/Privacy: 2 segments, 1 memo
        await pilot.press("d")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        message = str(app.screen.query_one(".message").render())
        assert message == ("Delete Risks/Privacy with 2 segments, 1 memo? Undo (u) brings"
                           " them back.")
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: "Risks/Privacy" not in paths(project))
        assert len(project.coding.segments()) == 3 and not project.memos.all()
        await pilot.press("u")
        assert await wait_for(pilot, lambda: "Risks/Privacy" in paths(project))
    assert segments_of(project, "Risks/Privacy") == 2 and len(project.memos.all()) == 1


async def test_collapse_and_open_in_retrieval(make_app, project) -> None:
    from qualtui.tui.screens.retrieval import RetrievalScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_codebook(app, pilot)
        await pilot.press("h")
        assert screen.shown == [project.codebook.find("Risks").id,
                                project.codebook.find("Benefits").id,
                                project.codebook.find("Benefits/Transparency").id]
        await pilot.press("l", "j")
        await pilot.press("o")
        assert await wait_for(pilot, lambda: isinstance(app.screen, RetrievalScreen))
        retrieval = app.screen
        assert await wait_for(pilot, lambda: len(retrieval.rows) == 2)
        assert [r.text for r in retrieval.rows] == [
            "We keep no records.", DOC1[slice(*span(DOC1, "Records vanish when a phone is"
                                                   " lost."))]]
