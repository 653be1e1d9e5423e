"""The transcript view in a running app: exact offsets with wide characters, motions and
counts, filters, colour depths, passages, and binding ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from tui_helpers import INTERVIEW, build_project, code_id, offset_of, wait_for

from qualtui.store.project import open_project
from qualtui.tui.app import QualtuiApp
from qualtui.tui.screens.coding import CodingScreen
from qualtui.tui.screens.dialogs import ChoiceScreen, MemoScreen, PromptScreen
from qualtui.tui.screens.help import HelpScreen
from qualtui.tui.widgets.codebook import CodebookTree
from qualtui.tui.widgets.documents import DocumentList
from qualtui.tui.widgets.transcript import SEQUENCES, TranscriptView

UNICODE = (
    "Interviewer: 你觉得社交媒体怎么样？\n\n"
    "P12: 很有用。我们每天都发帖子。\n\n"
    "Interviewer: Et le café\u0301 ?\n\n"
    "P12: Très bien \U0001f44d\U0001f3fd. On poste chaque jour \U0001f468\u200d\U0001f469"
    "\u200d\U0001f467 !\n"
)


@pytest.fixture
def unicode_root(tmp_path: Path) -> Path:
    return build_project(tmp_path / "uni", docs=(("P12", UNICODE),))


async def test_wide_characters_keep_offsets_exact(unicode_root: Path) -> None:
    project = open_project(unicode_root, coder="coder1")
    app = QualtuiApp(project, color_depth="truecolor")
    async with app.run_test(size=(60, 20)) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view = screen.view
        # second turn: a Chinese sentence, selected by "s" and coded by the pin on key 1
        await pilot.press("right_square_bracket", "right_square_bracket",
                          "right_square_bracket", "right_square_bracket", "s")
        start = offset_of(UNICODE, "很有用")
        assert view.selection == (start, start + len("很有用。"))
        screen.apply_code(code_id(project, "Benefits/Efficiency"))
        # the cursor steps over a combining accent and an emoji with its skin tone
        accent = UNICODE.index("\u0301")
        view.move_to(accent - 1)
        await pilot.press("l")
        assert view.cursor == accent + 1
        thumb = UNICODE.index("\U0001f44d")
        view.move_to(thumb)
        await pilot.press("l")
        assert view.cursor == thumb + 2
        family = UNICODE.index("\U0001f468")
        await pilot.press("v", "e")  # "." ends a word; e stops before the emoji
        view.move_to(family)
        view.select(family, view.layout.grapheme_end(family))
        screen.apply_code(code_id(project, "Risks/Privacy"))
        await pilot.pause()
    project.refresh()
    texts = sorted(project.coding.text_of(s) for s in project.coding.segments())
    assert texts == sorted(["很有用。", "\U0001f468\u200d\U0001f469\u200d\U0001f467"])
    project.close()


async def test_motions_and_counts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.screen.view
        await pilot.press("2", "w")
        assert view.cursor == offset_of(INTERVIEW, "test")
        await pilot.press("e")
        assert view.cursor == offset_of(INTERVIEW, "test") + 3
        await pilot.press("b", "b")
        assert view.cursor == offset_of(INTERVIEW, "P99")
        await pilot.press("right_curly_bracket")
        assert view.cursor == offset_of(INTERVIEW, "Interviewer")
        await pilot.press("G")
        assert view.layout.row_of(view.cursor) == view.layout.row_of(len(INTERVIEW) - 1)
        await pilot.press("left_parenthesis")  # inside a sentence: to its start
        start = view.units.sentence_at(view.units.sentences[-2][0])
        assert start is not None and view.cursor == start[0]
        await pilot.press("left_curly_bracket")
        assert INTERVIEW[view.cursor:].startswith("P99: Privacy")
        await pilot.press("g", "g", "2", "j")
        assert view.layout.row_of(view.cursor) == 2
        await pilot.press("dollar_sign")
        assert INTERVIEW[view.cursor] == "\n"
        await pilot.press("circumflex_accent", "ctrl+d")
        half = view.scrollable_content_region.height // 2
        low = view.layout.row_of(view.cursor)
        assert low == min(2 + half, view.layout.row_of(len(INTERVIEW) - 1))
        await pilot.press("ctrl+u")
        assert view.layout.row_of(view.cursor) == max(0, low - half)
        await pilot.press("g", "x")  # an unknown sequence: a hint, no crash
        assert any("no key gx" in n.message for n in app._notifications)


async def test_filter_shows_only_coded_rows(make_app, project) -> None:
    doc = project.documents.by_name("P99")
    a = offset_of(INTERVIEW, "Privacy worries me.")
    project.coding.apply(doc.id, a, a + 19, code_id(project, "Risks/Privacy"))
    b = offset_of(INTERVIEW, "Transparency is")
    project.coding.apply(doc.id, b, b + 12, code_id(project, "Risks/Security"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        screen.set_filter(code_id(project, "Risks"))  # a category: its sub-codes count
        view = screen.view
        assert view.filtered
        rows = view._rows
        assert rows is not None and -1 in rows  # two groups with a separator between
        assert view.layout.row_of(view.cursor) in rows
        await pilot.press("j", "j")
        assert INTERVIEW[view.cursor:].startswith("P99: Privacy")
        await pilot.press("escape")  # no selection: Esc clears the filter
        await pilot.pause()
        assert not view.filtered and screen.filter_code is None


async def test_escape_clears_selection_then_search(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.screen.view
        view.set_search("the")
        await pilot.press("s")
        assert view.selection is not None
        await pilot.press("escape")
        assert view.selection is None and view.matches
        await pilot.press("escape")
        assert not view.matches


async def test_no_color_runs_in_monochrome(make_app, project,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    doc = project.documents.by_name("P99")
    a = offset_of(INTERVIEW, "Privacy worries me.")
    project.coding.apply(doc.id, a, a + 19, code_id(project, "Risks/Privacy"))
    from textual.filter import Monochrome, NoColor

    app = QualtuiApp(project)
    assert app.color_depth == "mono" and app.theme == "qualtui-dark"
    assert any(isinstance(f, Monochrome) for f in app._filters)
    ansi = QualtuiApp(project, theme="qualtui-ansi")  # default colours must not turn black
    assert any(isinstance(f, NoColor) for f in ansi._filters)
    assert not any(isinstance(f, Monochrome) for f in ansi._filters)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.screen.view
        row = view.layout.row_of(a)
        strip = view.render_line(row)
        styles = [seg.style for seg in strip if seg.text.strip() and seg.style]
        assert any(style.underline for style in styles)  # coded text: underlined
        assert strip.text.startswith("E")  # the code's letter in the gutter
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_sixteen_colours_from_the_environment(project,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALTUI_COLORS", "16")
    app = QualtuiApp(project)
    assert app.color_depth == "16" and app.theme == "qualtui-ansi"
    app = QualtuiApp(project, theme="nord")
    assert app.theme == "nord"
    app = QualtuiApp(project, theme="no-such-theme")
    assert app.theme_warning and "no-such-theme" in app.theme_warning


class JumpToPassage(Message):
    """Shaped like the analysis screens' drill-down message."""

    def __init__(self, document_id: str, start: int, end: int) -> None:
        super().__init__()
        self.document_id = document_id
        self.start = start
        self.end = end


async def test_other_screens_can_open_a_passage(make_app, project) -> None:
    app = make_app()
    doc = project.documents.by_name("P98")
    text = project.documents.text(doc.id)
    start = offset_of(text, "The minister")
    async with app.run_test(size=(80, 24)) as pilot:
        other = Screen()
        await app.push_screen(other)
        other.post_message(JumpToPassage(doc.id, start, start + 12))
        assert await wait_for(pilot, lambda: isinstance(app.screen, CodingScreen))
        screen = app.screen
        assert screen.doc.name == "P98"
        assert screen.view.selection == (start, start + 12)
        assert screen.view.cursor == start


def test_every_binding_has_a_unique_id() -> None:
    classes = [QualtuiApp, CodingScreen, TranscriptView, CodebookTree, DocumentList,
               HelpScreen, PromptScreen, ChoiceScreen, MemoScreen]
    ids: dict[str, str] = {}
    for cls in classes:
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding), (cls, binding)
            assert binding.id, f"{cls.__name__}: {binding.key} has no id"
            if cls in (QualtuiApp, CodingScreen, TranscriptView, CodebookTree, DocumentList):
                assert binding.id not in ids, f"{binding.id} in {cls.__name__} and"\
                                              f" {ids[binding.id]}"
            ids[binding.id] = cls.__name__
    for seq in SEQUENCES:
        assert seq.id not in ids
        ids[seq.id] = "sequence"


async def test_an_empty_project_opens_and_keys_do_no_harm(tmp_path: Path) -> None:
    from qualtui.store.project import init_project

    root = init_project(tmp_path / "empty", title="empty")
    project = open_project(root, coder="coder1")
    app = QualtuiApp(project, color_depth="truecolor")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "w", "s", "v", "c", "1", "x", "m", "u", "right_square_bracket",
                          "s", "slash", "escape", "ctrl+o")
        await pilot.pause()
        assert app.is_running
        assert any("nothing to undo" in n.message for n in app._notifications)
    project.close()


async def test_a_document_deleted_elsewhere_is_replaced(make_app, project_root: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.doc.name == "P99"
        other = open_project(project_root, coder="coder2")
        other.documents.delete(other.documents.by_name("P99").id)
        other.close()
        assert await wait_for(pilot, lambda: screen.doc is not None
                              and screen.doc.name == "P98", timeout=5)
        assert screen.view.text.startswith("Interview P98")


async def test_palettes_show_no_emoji(make_app) -> None:
    from textual.command import SearchIcon

    from qualtui.tui.screens.pickers import Palette

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("ctrl+p", "ctrl+g"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, Palette)
            assert app.screen.query_one(SearchIcon).icon == ">"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, CodingScreen)


async def test_search_escape_restores_the_previous_search(make_app) -> None:
    from tui_helpers import type_text

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.screen.view
        await pilot.press("slash")
        await type_text(pilot, "risks")
        await pilot.press("enter", "slash")
        await type_text(pilot, "zzz")
        assert view.query == "zzz" and not view.matches
        await pilot.press("escape")
        await pilot.pause()
        assert view.query == "risks" and len(view.matches) == 1
        assert isinstance(app.focused, TranscriptView)
        assert not app.screen.query_one("#search").display
