"""The coding screen with the rest of the app: coder filter and blind mode, coming back
from another screen, jumps from other screens, memo markers, the journal key."""

from __future__ import annotations

from tui_helpers import INTERVIEW, code_id, notes, offset_of, wait_for

from qualtui.tui.app import QualtuiApp
from qualtui.tui.messages import JumpToCode, JumpToPassage
from qualtui.tui.screens.coding import CodingScreen

TRANSPARENCY = "Transparency is the main one."
PRIVACY = "Privacy worries me."


def coding(app: QualtuiApp) -> CodingScreen:
    return next(s for s in app.screen_stack if isinstance(s, CodingScreen))


def _code_both(project) -> tuple[str, str]:
    doc = project.documents.by_name("P99")
    a = offset_of(INTERVIEW, TRANSPARENCY)
    b = offset_of(INTERVIEW, PRIVACY)
    mine = project.coding.apply(doc.id, a, a + len(TRANSPARENCY),
                                code_id(project, "Benefits/Transparency"))
    theirs = project.coding.apply(doc.id, b, b + len(PRIVACY),
                                  code_id(project, "Risks/Privacy"), coder="coder2")
    return mine.id, theirs.id


async def test_coder_filter_cycles_to_blind_mode(make_app, project) -> None:
    mine, theirs = _code_both(project)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = coding(app)
        assert {s.id for s in screen.doc_segments} == {mine, theirs}
        seen = []
        for _ in range(4):  # all -> mine -> coder2 only -> blind
            await pilot.press("f")
            await pilot.pause()
            seen.append((app.coder_filter.mode, {s.id for s in screen.doc_segments}))
        assert seen == [("mine", {mine}), ("other", {theirs}), ("blind", {mine}),
                        ("all", {mine, theirs})]
        await pilot.press("f", "f", "f")
        assert app.coder_filter.mode == "blind"
        assert "BLIND" in str(screen.query_one("#status").render())


async def test_changes_made_on_another_screen_show_when_coming_back(make_app,
                                                                    project) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = coding(app)
        assert screen.doc_segments == []
        await app.switch_mode("memos")
        await pilot.pause()
        doc = project.documents.by_name("P99")  # same process: not "changed on disk"
        a = offset_of(INTERVIEW, PRIVACY)
        project.coding.apply(doc.id, a, a + len(PRIVACY), code_id(project, "Risks/Privacy"))
        await app.switch_mode("coding")
        assert await wait_for(pilot, lambda: len(screen.doc_segments) == 1)


async def test_jump_messages_open_the_passage_and_the_code(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.switch_mode("retrieval")
        await pilot.pause()
        doc = project.documents.by_name("P98")
        app.post_message(JumpToPassage(doc.id, 30, 45))
        assert await wait_for(pilot, lambda: app.current_mode == "coding"
                              and coding(app).doc is not None
                              and coding(app).doc.name == "P98")
        assert coding(app).view.selection == (30, 45)
        target = code_id(project, "Risks/Security")
        app.post_message(JumpToCode(target))
        assert await wait_for(pilot, lambda: coding(app).tree.code_id == target)


async def test_memo_markers_and_journal_key(make_app, project) -> None:
    doc = project.documents.by_name("P99")
    project.memos.create("document", doc.id, "About P99", "Dense interview.")
    project.memos.create("code", code_id(project, "Risks/Privacy"), "Privacy", "Two senses.")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = coding(app)
        # the side panels are filled right after the transcript's first frame
        assert await wait_for(pilot, lambda: screen.panels_ready)
        labels = [str(o.prompt) for o in screen.doc_list._options]
        assert any(label.startswith("*P99") and label.endswith(" m") for label in labels)
        privacy = next(n for n in screen.tree._all_nodes()
                       if n.data == code_id(project, "Risks/Privacy"))
        assert str(privacy.label).endswith("[m]")
        await pilot.press("J")
        assert await wait_for(pilot, lambda: app.current_mode == "memos")


async def test_segment_memo_marker_in_the_gutter(make_app, project) -> None:
    doc = project.documents.by_name("P99")
    a = offset_of(INTERVIEW, PRIVACY)
    seg = project.coding.apply(doc.id, a, a + len(PRIVACY), code_id(project, "Risks/Privacy"))
    project.memos.create("segment", seg.id, "IC numbers", "Citizens post IC numbers.")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = coding(app).view
        row = view.layout.row_of(a)
        gutter = view.render_line(row - int(view.scroll_offset.y)).text[:view.gutter_width]
        assert gutter.rstrip().endswith("m")
        other = view.render_line(0).text[:view.gutter_width]
        assert "m" not in other


async def test_open_notices_are_shown(make_app, project) -> None:
    """What open_project has to say (e.g. modes it made private) is a notification."""
    project.notices.append("/x: 3 files and folders were readable by others; made private")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert await wait_for(pilot, lambda: any("made private" in n for n in notes(app)))
