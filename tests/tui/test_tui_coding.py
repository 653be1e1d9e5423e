"""Pilot tests of the coding screen: each path driven by keys, checked in the database."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import INTERVIEW, code_id, notes, offset_of, type_text, wait_for

from qualtui.core.project import Project
from qualtui.store.project import open_project
from qualtui.store.ui_state import UIState
from qualtui.tui.app import QualtuiApp
from qualtui.tui.screens.coding import CodingScreen
from qualtui.tui.screens.dialogs import ChoiceScreen, PromptScreen
from qualtui.tui.screens.help import HelpScreen
from qualtui.tui.screens.memos import MemoEditor
from qualtui.tui.widgets.transcript import TranscriptView

TRANSPARENCY = "Transparency is the main one."
PEOPLE = "People can see what we do."


def screen(app: QualtuiApp) -> CodingScreen:
    found = next(s for s in app.screen_stack if isinstance(s, CodingScreen))
    return found


def view(app: QualtuiApp) -> TranscriptView:
    return screen(app).view


def texts(project: Project, doc: str = "P99") -> list[tuple[str, str]]:
    """(coded text, code path) of every segment in ``doc``, in text order."""
    project.refresh()
    doc_id = project.documents.by_name(doc).id
    return [(project.coding.text_of(s), project.codebook.path_of(s.code_id))
            for s in sorted(project.coding.segments(document_id=doc_id),
                            key=lambda s: (s.start, s.code_id))]


def pin(project: Project, key: int, path: str) -> None:
    state = UIState.load(project.repo.get_meta("project_id"))
    state.pinned[key] = code_id(project, path)
    state.save()


async def test_opens_first_document_with_transcript_focused(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, TranscriptView)
        assert view(app).text == INTERVIEW
        assert screen(app).doc is not None and screen(app).doc.name == "P99"


async def test_sentence_coded_through_the_picker(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right_square_bracket", "right_square_bracket",
                          "right_square_bracket", "right_square_bracket", "s")
        assert view(app).selection == (offset_of(INTERVIEW, TRANSPARENCY),
                                       offset_of(INTERVIEW, TRANSPARENCY) + len(TRANSPARENCY))
        await pilot.press("c")
        await type_text(pilot, "transp")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: bool(texts(project)))
    assert texts(project) == [(TRANSPARENCY, "Benefits/Transparency")]


async def test_picker_creates_a_missing_code(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right_square_bracket", "right_square_bracket",
                          "right_square_bracket", "right_square_bracket", "s", "c")
        await type_text(pilot, "Benefits/Openness")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: bool(texts(project)))
    assert texts(project) == [(TRANSPARENCY, "Benefits/Openness")]
    assert project.codebook.find("Benefits/Openness").origin == "emergent"


async def test_quick_code_repeat_and_counts(make_app, project) -> None:
    pin(project, 1, "Risks/Privacy")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # to P99's first turn, then "1" codes its first sentence; "2)" moves two sentences,
        # "." repeats the coding there.
        await pilot.press("right_square_bracket", "right_square_bracket",
                          "right_square_bracket", "right_square_bracket", "s", "1",
                          "escape", "2", "right_parenthesis", "s", "full_stop")
        await pilot.pause()
    assert texts(project) == [(TRANSPARENCY, "Risks/Privacy"),
                              ("It is also faster than the old notice board, e.g. for flood"
                               " alerts.", "Risks/Privacy")]


async def test_recent_codes_fill_the_digit_keys(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        coding = screen(app)
        await pilot.press("right_square_bracket", "right_square_bracket",
                          "right_square_bracket", "right_square_bracket", "s")
        coding.apply_code(code_id(project, "Risks/Security"))
        coding.apply_code(code_id(project, "Benefits/Efficiency"))
        assert coding.quick == {1: code_id(project, "Benefits/Efficiency"),
                                2: code_id(project, "Risks/Security")}
        await pilot.press("right_parenthesis", "s", "2")
        await pilot.pause()
    assert texts(project)[-1] == (PEOPLE, "Risks/Security")


async def test_in_vivo_names_a_code_after_the_words(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right_square_bracket", "right_square_bracket",
                          "right_square_bracket", "right_square_bracket", "s", "i")
        await pilot.pause()
    assert texts(project) == [(TRANSPARENCY, "In vivo/Transparency is the main one")]


async def test_remove_asks_which_when_several(make_app, project) -> None:
    doc = project.documents.by_name("P99")
    start = offset_of(INTERVIEW, TRANSPARENCY)
    project.coding.apply(doc.id, start, start + len(TRANSPARENCY),
                         code_id(project, "Benefits/Transparency"))
    project.coding.apply(doc.id, start, start + 12, code_id(project, "Risks/Privacy"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view(app).move_to(start + 3)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("2")  # sorted by path: Benefits/Transparency, Risks/Privacy
        await pilot.pause()
        assert texts(project) == [(TRANSPARENCY, "Benefits/Transparency")]
        await pilot.press("x")  # one left: removed without asking
        await pilot.pause()
        assert not isinstance(app.screen, ChoiceScreen)
    assert texts(project) == []


async def test_undo_and_redo_survive_a_restart(project_root: Path) -> None:
    project = open_project(project_root, coder="coder1")
    pin(project, 1, "Benefits/Transparency")
    app = QualtuiApp(project, color_depth="truecolor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right_square_bracket", "right_square_bracket",
                          "right_square_bracket", "right_square_bracket", "s", "1")
        await pilot.pause()
    project.close()
    assert texts(open_project(project_root)) == [(TRANSPARENCY, "Benefits/Transparency")]

    project = open_project(project_root, coder="coder1")
    app = QualtuiApp(project, color_depth="truecolor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert texts(project) == []
        assert view(app).segments == []
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert texts(project) == [(TRANSPARENCY, "Benefits/Transparency")]
        await pilot.press("ctrl+r")  # nothing left to redo: a notification, no crash
        await pilot.pause()
        assert any("nothing to redo" in n for n in notes(app))
    project.close()


async def test_search_with_n_and_N(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "the")
        await pilot.press("enter")
        await pilot.pause()
        v = view(app)
        first = offset_of(INTERVIEW, "the")
        assert v.cursor == first
        assert len(v.matches) == INTERVIEW.lower().count("the")
        await pilot.press("n", "n")
        assert v.cursor == v.matches[2][0]
        await pilot.press("N")
        assert v.cursor == v.matches[1][0]
        assert isinstance(app.focused, TranscriptView)


async def test_next_and_previous_segment(make_app, project) -> None:
    doc = project.documents.by_name("P99")
    a = offset_of(INTERVIEW, PEOPLE)
    b = offset_of(INTERVIEW, "Privacy worries me.")
    project.coding.apply(doc.id, a, a + len(PEOPLE), code_id(project, "Benefits/Transparency"))
    project.coding.apply(doc.id, b, b + 19, code_id(project, "Risks/Privacy"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        v = view(app)
        await pilot.press("right_square_bracket", "s")
        assert v.cursor == a
        await pilot.press("right_square_bracket", "s")
        assert v.cursor == b
        await pilot.press("left_square_bracket", "s")
        assert v.cursor == a
        await pilot.press("g", "g")
        assert v.cursor == 0
        # ]c follows the code under the tree's cursor
        screen(app).tree.select_code(code_id(project, "Risks/Privacy"))
        await pilot.pause()
        v.focus_codes = {code_id(project, "Risks/Privacy")}
        await pilot.press("right_square_bracket", "c")
        assert v.cursor == b
        await pilot.press("left_square_bracket", "c")
        assert any("no more segments" in n for n in notes(app))


async def test_memo_on_the_segment_at_the_cursor(make_app, project) -> None:
    doc = project.documents.by_name("P99")
    start = offset_of(INTERVIEW, TRANSPARENCY)
    seg = project.coding.apply(doc.id, start, start + len(TRANSPARENCY),
                               code_id(project, "Benefits/Transparency"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view(app).move_to(start)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MemoEditor)
        await type_text(pilot, "openness as a claim")
        await pilot.press("escape")  # the editor autosaves; Esc closes it
        assert await wait_for(pilot, lambda: not isinstance(app.screen, MemoEditor))
        assert "[m]" not in str(screen(app).tree.root.children[0].label)  # codes: no memo
    project.refresh()
    memos = project.memos.all(kind="segment", target_id=seg.id)
    assert [m.body for m in memos] == ["openness as a claim"]


async def test_codebook_tree_keys(make_app, project) -> None:
    doc = project.documents.by_name("P99")
    a = offset_of(INTERVIEW, PEOPLE)
    project.coding.apply(doc.id, a, a + len(PEOPLE), code_id(project, "Benefits/Transparency"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        coding = screen(app)
        await pilot.press("ctrl+k")
        assert app.focused is coding.tree
        coding.tree.select_code(code_id(project, "Benefits/Transparency"))
        await pilot.pause()
        await pilot.press("enter")  # filter the transcript to that code
        assert view(app).filtered
        assert coding.filter_code == code_id(project, "Benefits/Transparency")
        await pilot.press("space")  # toggle its highlight off
        assert code_id(project, "Benefits/Transparency") in view(app).hidden_codes
        await pilot.press("space")
        assert not view(app).hidden_codes
        await pilot.press("a")  # add a child code
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await type_text(pilot, "Open data")
        await pilot.press("enter")
        await pilot.pause()
        assert project.codebook.find("Benefits/Transparency/Open data") is not None
        coding.tree.select_code(code_id(project, "Risks/Security"))
        await pilot.pause()
        await pilot.press("r")  # rename
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "Hacking")
        await pilot.press("enter")
        await pilot.pause()
        assert project.codebook.find("Risks/Hacking") is not None
        await pilot.press("3")  # pin the code under the cursor to key 3
        assert coding.quick[3] == code_id(project, "Risks/Hacking")
    state = UIState.load(project.repo.get_meta("project_id"))
    assert state.pinned == {3: code_id(project, "Risks/Hacking")}


async def test_selection_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        v = view(app)
        await pilot.press("v", "w", "w")
        assert v.selection == (0, offset_of(INTERVIEW, "test") + 1)
        await pilot.press("escape")
        assert v.selection is None
        await pilot.press("V")
        assert v.selection == (0, INTERVIEW.index("\n"))
        await pilot.press("escape", "g", "g", "shift+right", "shift+right", "shift+right")
        assert v.selection == (0, 3)
        await pilot.press("l")  # a plain motion drops a shift selection
        assert v.selection is None
        await pilot.press("right_square_bracket", "right_square_bracket", "p")
        assert v.selection == (offset_of(INTERVIEW, "Interviewer"), INTERVIEW.index("?") + 1)
        await pilot.press("t", "t")
        end = offset_of(INTERVIEW, "alerts.") + len("alerts.")
        assert v.selection == (offset_of(INTERVIEW, "What are"), end)


async def test_mouse_drag_selects(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        v = view(app)
        gutter = v.gutter_width
        await pilot.mouse_down("#transcript", offset=(gutter + 10, 0))
        await pilot.hover("#transcript", offset=(gutter + 13, 0))
        await pilot.mouse_up("#transcript", offset=(gutter + 13, 0))
        assert v.selection == (10, 14)
        await pilot.click("#transcript", offset=(gutter + 2, 0))
        assert v.selection is None and v.cursor == 2


async def test_switch_document_and_remember_it(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await type_text(pilot, "P98")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: screen(app).doc.name == "P98")
        assert isinstance(app.focused, TranscriptView)
        await pilot.press("g", "d")
        await type_text(pilot, "P99")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: screen(app).doc.name == "P99")
        await pilot.press("ctrl+o")
        await type_text(pilot, "P98")
        await pilot.pause(0.3)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: screen(app).doc.name == "P98")
    app = QualtuiApp(project, color_depth="truecolor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert screen(app).doc.name == "P98"


async def test_panels_overlay_when_narrow_and_tab_cycles(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        coding = screen(app)
        assert coding.has_class("-narrow")
        docs = coding.query_one("#documents")
        assert not docs.display or not docs.region.width
        await pilot.press("ctrl+b")
        assert docs.has_class("-open") and app.focused is coding.doc_list
        await pilot.press("tab")  # to the transcript: the overlay closes
        assert isinstance(app.focused, TranscriptView) and not docs.has_class("-open")
        await pilot.press("tab")
        assert app.focused is coding.tree
        await pilot.press("escape")
        assert isinstance(app.focused, TranscriptView)
        await pilot.press("f2")
        assert app.focused is coding.tree
        await pilot.press("f2")
        assert isinstance(app.focused, TranscriptView)
        await pilot.press("ctrl+b")
        await type_text(pilot, "98")
        await pilot.press("enter")
        assert coding.doc.name == "P98" and isinstance(app.focused, TranscriptView)


async def test_side_panels_follow_the_first_frame(project: Project) -> None:
    """The transcript paints first; the documents list, codebook tree and search bar are
    mounted right after, and keys that need them meanwhile wait for them."""
    app = QualtuiApp(project, color_depth="truecolor")  # not the test app that waits
    async with app.run_test(size=(80, 24)) as pilot:
        coding = screen(app)
        assert view(app).render_count > 0  # the transcript has painted
        assert await wait_for(pilot, lambda: coding.panels_ready)
        assert [str(o.prompt).split()[0] for o in coding.doc_list._options] == ["*P99", "P98"]
        assert coding.query_one("#search").display is False
        # as if ctrl+k and / came before the panels existed: they run once they do
        coding._panels_ready = coding._panels_building = False
        for name in ("#doc-filter", "#doc-list", "#codebook-title", "#codebook-tree",
                     "#search"):
            await coding.query_one(name).remove()
        await pilot.press("ctrl+k")
        await pilot.press("slash")
        assert not coding.query("#codebook-tree")  # nothing to focus yet: the keys wait
        await coding._build_panels()
        await pilot.pause()
        assert coding.query_one("#codebook").has_class("-open")
        assert app.focused is coding.query_one("#search")


async def test_wide_panels_collapse(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        coding = screen(app)
        assert coding.has_class("-wide")
        width = view(app).size.width
        await pilot.press("ctrl+b")  # focus the visible panel
        assert app.focused is coding.doc_list
        await pilot.press("ctrl+b")  # collapse it
        await pilot.pause()
        assert view(app).size.width > width and isinstance(app.focused, TranscriptView)
        await pilot.press("ctrl+b")  # show and focus it again
        await pilot.pause()
        assert view(app).size.width == width and app.focused is coding.doc_list


async def test_help_lists_every_binding_by_group(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        groups = app.screen._groups
        for group in ("Global", "Panels", "Move", "Select", "Code", "Navigate", "History",
                      "Codebook tree", "Documents"):
            assert group in groups, group
        rows = {desc: keys for rows in groups.values() for keys, desc in rows}
        assert rows["Next coded segment"] == "]s"
        assert rows["Show or hide the codebook"] == "ctrl+k / F2"
        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)


async def test_keymap_remaps_keys_and_sequences(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_keymap({"move.down": "ctrl+n", "move.top": "q q"})
        v = view(app)
        await pilot.press("ctrl+n", "ctrl+n")
        assert v.layout.row_of(v.cursor) == 2
        await pilot.press("q", "q")
        assert v.cursor == 0


async def test_category_codes_refused_with_a_message(make_app, project) -> None:
    project.codebook.update(code_id(project, "Risks"), codable=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        screen(app).apply_code(code_id(project, "Risks"))
        await pilot.pause()
        assert any("category" in n for n in notes(app))
    assert texts(project) == []
