"""Pilot tests of the memos screen and the memo dialog, checked in the database."""

from __future__ import annotations

import pytest
from memo_helpers import PRIVACY, TRANSPARENCY, memo_titled, memos_of, type_text, wait_for
from textual.widgets import Markdown, OptionList

from qualtui.core.memo_tools import MemoContext
from qualtui.core.project import Project
from qualtui.store.project import open_project
from qualtui.tui.app import QualtuiApp
from qualtui.tui.screens.coding import CodingScreen
from qualtui.tui.screens.dialogs import ChoiceScreen
from qualtui.tui.screens.memos import (
    MemoEditor,
    MemosScreen,
    new_journal_entry,
    open_memo,
)
from qualtui.tui.widgets.memo_pane import MemoPane


def memos_screen(app: QualtuiApp) -> MemosScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, MemosScreen)
    return screen


def listed(app: QualtuiApp) -> list[str]:
    """Titles of the memos in the list, in order."""
    return [m.title for m in memos_screen(app).shown]


def option_ids(app: QualtuiApp) -> list[str]:
    memo_list = memos_screen(app).query_one("#memos-list", OptionList)
    return [o.id for o in memo_list.options if o.id]


async def goto_memos(pilot, app: QualtuiApp) -> MemosScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f6")
    await pilot.pause()
    assert app.current_mode == "memos"
    return memos_screen(app)


def segment_id(project: Project, text: str) -> str:
    ctx = MemoContext(project)
    return next(s.id for s in ctx.segments.values() if ctx.text_of(s) == text)


async def test_f6_lists_memos_grouped_and_opens_the_first(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        assert listed(app) == ["Where the argument stands", "First coding session",
                               "Second coder notes", "P99 - a webmaster's view",
                               "Privacy is about citizens' data", "Transparency as visibility"]
        assert isinstance(app.focused, OptionList)
        assert screen.pane.memo is not None
        assert screen.pane.memo.title == "Where the argument stands"
        assert screen.pane.area.text == "Transparency and **privacy** pull against each other."
        await pilot.press("j", "j")
        assert screen.pane.memo.title == "Second coder notes"
        assert "Café" in screen.pane.area.text


async def test_journal_entry_is_autosaved_without_saving(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        before = len(memos_of(project, "journal"))
        await pilot.press("J")
        assert app.focused is screen.pane.area
        await type_text(pilot, "Reread P99.")
        assert await wait_for(pilot, lambda: len(memos_of(project, "journal")) == before + 1)
        assert await wait_for(pilot, lambda: any(
            m.body == "Reread P99."
            for m in memos_of(project, "journal")))
        memo = next(m for m in memos_of(project, "journal") if m.body.startswith("Reread"))
        assert memo.title.startswith("Journal 2") and memo.author == "coder1"
        # the whole typing burst is one entry in the operation log
        entries = [e for e in project.log.entries() if any(
            c["id"] == memo.id for c in e.changes)]
        assert [e.op for e in entries] == ["memo.create"]
        assert memo.title in listed(app)  # the list shows the new entry


async def test_j_in_the_editor_is_a_letter(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        await pilot.press("J")
        await type_text(pilot, "Jot J")
        assert screen.pane.area.text == "Jot J"
        assert screen.pane.kind == "journal"


async def test_edit_a_memo_then_undo_the_burst(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        await pilot.press("j", "j", "j")
        assert screen.pane.memo.title == "P99 - a webmaster's view"
        await pilot.press("enter")
        assert app.focused is screen.pane.area
        await pilot.press("end")
        await type_text(pilot, " P98?")
        memo_id = screen.pane.memo_id
        assert await wait_for(pilot, lambda: project.refresh() is not None and
                              project.memos.get(memo_id).body.endswith(" P98?"))
        await pilot.press("escape")
        assert isinstance(app.focused, OptionList)
        await pilot.press("u")
        assert project.memos.get(memo_id).body == "Speaks for the ministry, not for herself."
        assert screen.pane.area.text == "Speaks for the ministry, not for herself."


async def test_title_edits_are_saved_and_listed(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        memo_id = screen.pane.memo_id
        screen.pane.title_input.focus()
        await pilot.press("end")
        await type_text(pilot, " now")
        assert await wait_for(pilot, lambda: project.memos.get(memo_id).title
                              == "Where the argument stands now")
        assert await wait_for(pilot, lambda: "Where the argument stands now" in listed(app))


async def test_search_narrows_the_list_and_escape_clears_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        await pilot.press("slash")
        await type_text(pilot, "minist")
        assert listed(app) == ["P99 - a webmaster's view"]
        assert screen.pane.memo.title == "P99 - a webmaster's view"
        await pilot.press("enter")
        assert isinstance(app.focused, OptionList)
        await pilot.press("slash")
        await pilot.press("escape")
        assert len(listed(app)) == 6


async def test_filter_by_kind_author_and_code(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        await pilot.press("f")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("1", "3")  # kind -> Journal
        assert listed(app) == ["First coding session", "Second coder notes"]
        await pilot.press("f", "2", "3")  # author -> coder2 (authors: coder1, coder2)
        assert listed(app) == ["Second coder notes"]
        await pilot.press("x")
        assert len(listed(app)) == 6
        await pilot.press("f", "3")
        await type_text(pilot, "Privacy")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: listed(app) == ["Privacy is about citizens' data"])
        assert screen.code_filter == project.codebook.find("Risks/Privacy").id


async def test_insert_a_link_from_the_picker(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        await pilot.press("J")
        await type_text(pilot, "See ")
        await pilot.press("ctrl+l")
        await type_text(pilot, "code secur")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: "[[code:Risks/Security]]" in screen.pane.area.text)
        assert app.focused is screen.pane.area
        await type_text(pilot, " again")
        security = project.codebook.find("Risks/Security").id
        assert await wait_for(pilot, lambda: any(
            m.body == "See [[code:Risks/Security]] again" and m.links == [security]
            for m in memos_of(project, "journal")))


async def test_insert_a_segment_link_by_its_text(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        await pilot.press("J", "ctrl+l")
        await type_text(pilot, "worries")
        await pilot.pause(0.3)
        await pilot.press("enter")
        seg = segment_id(project, PRIVACY)
        assert await wait_for(pilot, lambda: screen.pane.area.text == f"[[segment:{seg[:8]}]]")
        assert await wait_for(pilot, lambda: any(m.links == [seg]
                                                 for m in memos_of(project, "journal")))


@pytest.fixture
def jumps(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Records what the coding screen is asked to show (the app turns the JumpToPassage /
    JumpToCode messages into these calls)."""
    seen: list[tuple[str, ...]] = []
    show_passage, show_code = CodingScreen.show_passage, CodingScreen.show_code

    def record_passage(self: CodingScreen, document_id: str, start: int, end: int) -> None:
        seen.append(("passage", document_id, str(start), str(end)))
        show_passage(self, document_id, start, end)

    def record_code(self: CodingScreen, code_id: str) -> None:
        seen.append(("code", code_id))
        show_code(self, code_id)

    monkeypatch.setattr(CodingScreen, "show_passage", record_passage)
    monkeypatch.setattr(CodingScreen, "show_code", record_code)
    return seen


async def test_following_a_segment_link_jumps_to_the_coding_screen(make_app, project,
                                                                   jumps) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        await pilot.press("j", "j", "j", "j")
        assert screen.pane.memo.title == "Privacy is about citizens' data"
        await pilot.press("enter")
        await pilot.press("ctrl+o")  # the cursor is on the first line, before the link
        assert await wait_for(pilot, lambda: bool(jumps))
        assert app.current_mode == "coding"
        seg = project.coding.get(segment_id(project, PRIVACY))
        assert jumps == [("passage", seg.document_id, str(seg.start), str(seg.end))]


async def test_following_code_and_memo_links(make_app, project, jumps) -> None:
    privacy = project.codebook.find("Risks/Privacy").id
    target = memo_titled(project, "First coding session")
    project.memos.create("project", None, "Links", f"[[memo:{target.id[:8]}]]\n"
                                                   "[[code:Risks/Privacy]]")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        await pilot.press("j")
        assert screen.pane.memo.title == "Links"
        await pilot.press("enter", "ctrl+o")
        assert screen.pane.memo_id == target.id  # a memo link opens that memo
        assert app.current_mode == "memos"
        await pilot.press("k", "enter", "down", "ctrl+o")
        assert await wait_for(pilot, lambda: bool(jumps))
        assert jumps == [("code", privacy)]


async def test_preview_toggles_at_80_columns(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        pane = screen.pane
        assert pane.area.display and not pane.preview_visible
        await pilot.press("enter", "ctrl+t")
        assert pane.preview_visible and not pane.editor_visible
        markdown = pane.query_one("#memo-markdown", Markdown)
        assert await wait_for(pilot, lambda: "privacy" in markdown.source)
        await pilot.press("ctrl+t")
        assert pane.editor_visible and not pane.preview_visible


async def test_preview_beside_the_editor_at_120_columns(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(130, 30)) as pilot:
        screen = await goto_memos(pilot, app)
        pane = screen.pane
        assert screen.has_class("-wide")
        assert pane.editor_visible and pane.preview_visible
        preview = pane.query_one("#memo-preview")
        assert preview.region.x > pane.area.region.x and preview.region.width > 20
        await pilot.press("enter")
        await type_text(pilot, "New ")
        markdown = pane.query_one("#memo-markdown", Markdown)
        assert await wait_for(pilot, lambda: markdown.source.startswith("New "))


async def test_new_memo_on_a_code_via_the_menu(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await goto_memos(pilot, app)
        await pilot.press("n", "4")  # Code memo...
        await type_text(pilot, "effic")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await type_text(pilot, "Speed.")
        efficiency = project.codebook.find("Benefits/Efficiency").id
        assert await wait_for(pilot, lambda: [m.body for m in memos_of(project, "code")
                                              if m.target_id == efficiency]
                              == ["Speed."])
        memo = project.memos.all(kind="code", target_id=efficiency)[0]
        assert memo.title == "Speed."


async def test_delete_and_undo(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        memo_id = screen.pane.memo_id
        await pilot.press("d", "1")
        assert all(m.id != memo_id for m in project.memos.all())
        assert len(listed(app)) == 5
        await pilot.press("u")
        assert project.memos.get(memo_id).title == "Where the argument stands"
        assert len(listed(app)) == 6


async def test_another_process_change_shows_up(make_app, project, memo_root) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await goto_memos(pilot, app)
        other = open_project(memo_root, coder="coder2")
        memo = other.memos.all(kind="project")[0]
        other.memos.edit(memo.id, body="Rewritten by coder2.")
        other.memos.create("journal", None, "From the other process", "hello")
        other.close()
        assert await wait_for(pilot, lambda: "From the other process" in listed(app))
        assert await wait_for(pilot, lambda: screen.pane.area.text == "Rewritten by coder2.")


async def test_open_memo_dialog_creates_a_segment_memo(make_app, project) -> None:
    seg = segment_id(project, PRIVACY)
    results: list[object] = []
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        open_memo(app, "segment", seg, results.append)
        await pilot.pause()
        assert isinstance(app.screen, MemoEditor)
        quote = app.screen.query_one("#memo-quote")
        assert PRIVACY in str(quote.render())
        await type_text(pilot, "IC numbers.")
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: bool(results))
        assert not isinstance(app.screen, MemoEditor)
    memo = project.memos.all(kind="segment", target_id=seg)[0]
    assert memo.body == "IC numbers."
    assert results == [memo]


async def test_open_memo_dialog_edits_the_existing_memo(make_app, project) -> None:
    seg = segment_id(project, TRANSPARENCY)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        editor = open_memo(app, "segment", seg)
        await pilot.pause()
        pane = editor.query_one(MemoPane)
        assert pane.area.text == "Visibility, not accountability."
        await type_text(pilot, " Or both.")
        await pilot.press("escape")
        await pilot.pause()
    assert [m.body for m in project.memos.all(kind="segment", target_id=seg)] == [
        "Visibility, not accountability. Or both."]


async def test_an_untouched_dialog_writes_nothing(make_app, project) -> None:
    seg = segment_id(project, PRIVACY)
    before = int(project.repo.get_meta("next_seq"))
    results: list[object] = []
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        open_memo(app, "segment", seg, results.append)
        await pilot.pause()
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: bool(results))
    assert results == [None]
    assert int(project.repo.get_meta("next_seq")) == before


async def test_new_journal_entry_from_another_screen(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.current_mode == "coding"
        new_journal_entry(app)
        await pilot.pause()
        screen = memos_screen(app)
        assert screen.pane.kind == "journal" and screen.pane.memo is None
        assert app.focused is screen.pane.area
        await type_text(pilot, "Hi.")
        assert await wait_for(pilot, lambda: any(m.body == "Hi."
                                                 for m in memos_of(project, "journal")))


async def test_help_lists_the_memo_keys(make_app) -> None:
    from qualtui.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await goto_memos(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        groups = app.screen._groups
        assert ("J", "Journal") in groups["Memos"]
        assert ("ctrl+l", "Link") in groups["Memo editor"]
