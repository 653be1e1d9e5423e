"""The analysis screens in a minimal harness app, driven by Pilot; one heatmap snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from qualtui.analysis.saturation import saturation
from qualtui.core.project import Project
from qualtui.store.project import open_project
from qualtui.tui.screens.cooccurrence import (
    CooccurrenceScreen,
    Heatmap,
    JumpToPassage,
    PassagesScreen,
    shade_level,
)
from qualtui.tui.screens.matrix import MatrixScreen
from qualtui.tui.screens.saturation import SaturationScreen, bar_chart

from .corpus import A, B, populate
from .test_saturation import interviews


class Harness(App[None]):
    """The smallest app the analysis screens need: a project and a jump handler."""

    def __init__(self, project: Project, screen: type[Screen[None]],
                 **kwargs: object) -> None:
        super().__init__()
        self.project = project
        self.screen_class = screen
        self.screen_kwargs = kwargs
        self.jumps: list[JumpToPassage] = []
        self.notices: list[str] = []

    def notify(self, message: str, **kwargs: object) -> None:  # type: ignore[override]
        self.notices.append(str(message))
        super().notify(message, **kwargs)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.push_screen(self.screen_class(self.project, **self.screen_kwargs))

    def on_jump_to_passage(self, message: JumpToPassage) -> None:
        self.jumps.append(message)


@pytest.fixture
def study(project_dir: Path) -> Project:
    project = open_project(project_dir, coder="coder1")
    populate(project)
    yield project
    project.close()


async def settle(pilot: Pilot) -> None:
    """Wait for the screen's worker and the repaint after it."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def status(app: App, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def row_texts(heatmap: Heatmap) -> list[list[str]]:
    assert heatmap.grid is not None
    return heatmap.grid.texts


async def test_cooccurrence_screen_options(study: Project) -> None:
    app = Harness(study, CooccurrenceScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CooccurrenceScreen)
        heatmap = screen.heatmap
        assert heatmap.grid is not None
        assert heatmap.grid.row_labels == ["Transparency", "Efficiency", "Accountability",
                                           "Privacy"]
        # overlap, segment pairs (hand figures in test_cooccurrence.py)
        assert row_texts(heatmap) == [["", "2", "2", "·"],
                                      ["2", "", "1", "1"],
                                      ["2", "1", "", "·"],
                                      ["·", "1", "·", ""]]
        await pilot.press("n")  # documents
        await settle(pilot)
        assert row_texts(heatmap)[0] == ["", "1", "2", "·"]
        await pilot.press("m")  # jaccard (documents)
        await settle(pilot)
        assert row_texts(heatmap)[0] == ["", "0.33", "0.67", "·"]
        await pilot.press("n", "n", "m", "m", "p")  # segments, count, proximity turn
        await settle(pilot)
        assert "proximity turn" in status(app, "#cooc-status")
        assert row_texts(heatmap)[0] == ["", "6", "4", "1"]
        await pilot.press("s")  # by total: A 11, B 9, C 7, D 3 - unchanged order
        await settle(pilot)
        assert heatmap.grid.row_labels[0] == "Transparency"
        await pilot.press("v")  # level top
        await settle(pilot)
        assert heatmap.grid.row_labels == ["Benefits", "Risks"]
        await pilot.press("v", "c")  # back to leaf, coder coder1
        await settle(pilot)
        assert "coder coder1" in status(app, "#cooc-status")
        assert heatmap.grid.row_labels == ["Transparency", "Efficiency", "Accountability",
                                           "Privacy"]


async def test_cooccurrence_drill_down_and_jump(study: Project) -> None:
    app = Harness(study, CooccurrenceScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CooccurrenceScreen)
        await pilot.press("right")
        assert (screen.heatmap.cursor_row, screen.heatmap.cursor_col) == (0, 1)
        detail = status(app, "#cooc-detail")
        assert f"{A}  x  {B}" in detail and "n12 2 segments" in detail
        await pilot.press("enter")
        await pilot.pause()
        passages = app.screen
        assert isinstance(passages, PassagesScreen)
        assert len(passages.items) == 2
        assert {(i.document, i.start, i.end) for i in passages.items} == {("P01", 0, 60)}
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.jumps) == 1
        jump = app.jumps[0]
        p01 = study.documents.by_name("P01")
        assert (jump.document_id, jump.start, jump.end) == (p01.id, 0, 60)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("left", "enter")  # the diagonal: no passages, stays put
        await pilot.pause()
        assert app.screen is screen
        assert app.notices[-1] == "the diagonal has no passages: pick two different codes"


async def test_cooccurrence_callback_instead_of_message(study: Project) -> None:
    seen: list[JumpToPassage] = []

    app = Harness(study, CooccurrenceScreen, on_jump=seen.append)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("right", "right", "enter")  # A x C
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert len(seen) == 1 and app.jumps == []
        assert (seen[0].start, seen[0].end) == (10, 40)  # second passage: P02 t1 x t2


async def test_cooccurrence_attribute_filter(study: Project) -> None:
    app = Harness(study, CooccurrenceScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CooccurrenceScreen)
        await pilot.press("f")
        box = screen.query_one("#filter", Input)
        assert box.has_focus
        await pilot.press(*"rank=1", "enter")
        await pilot.pause()
        assert box.has_class("-open")  # refused: unknown attribute, the line stays open
        assert app.notices[-1].startswith("no attribute 'rank'")
        box.value = "role=webmaster"
        await pilot.press("enter")
        await settle(pilot)
        assert not box.has_class("-open") and screen.heatmap.has_focus
        assert screen.options.where == ["role=webmaster"]
        assert "2 docs" in status(app, "#cooc-status")
        assert row_texts(screen.heatmap)[0] == ["", "2", "1", "·"]


async def test_matrix_screen(study: Project) -> None:
    app = Harness(study, MatrixScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        heatmap = screen.heatmap
        assert heatmap.grid is not None
        assert heatmap.grid.col_labels == ["P01", "P02", "P03"]
        assert row_texts(heatmap) == [["3", "1", "1"], ["1", "1", "2"], ["1", "1", "·"],
                                      ["1", "1", "·"]]
        assert heatmap.grid.total_col == ["5", "4", "2", "2"]
        assert heatmap.grid.total_row == ["6", "4", "3"]
        assert heatmap.cell_text(4, 3) == "13"  # the corner: the grand total
        await pilot.press("p")  # % of the code's total
        await settle(pilot)
        assert row_texts(heatmap)[0] == ["60%", "20%", "20%"]
        await pilot.press("p", "p", "p", "u")  # back to none; presence
        await settle(pilot)
        assert row_texts(heatmap)[2] == ["1", "1", "·"]
        await pilot.press("g")  # cases
        await settle(pilot)
        assert heatmap.grid.col_labels == ["R1", "R2"]
        assert heatmap.grid.total_row == ["1", "1"]  # presence: each case is its own base
        await pilot.press("u", "g", "g")  # segments; attribute role, then years of service
        await settle(pilot)
        assert "attribute:years_of_service" in status(app, "#matrix-status")
        assert heatmap.grid.col_labels == ["5", "12", "20"]
        # drill-down on a cell and on a total, by document again
        await pilot.press("g", "g")  # interview_date, then round to documents
        await settle(pilot)
        assert heatmap.grid.col_labels == ["P01", "P02", "P03"]
        await settle(pilot)
        heatmap.move_to(0, 0)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        assert [(i.start, i.end) for i in app.screen.items] == [(0, 50), (0, 50), (110, 130)]
        await pilot.press("escape")
        await pilot.pause()
        heatmap.move_to(4, 2)  # the totals row under P03: every segment of P03
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        assert len(app.screen.items) == 3


async def test_matrix_frequencies_table(study: Project) -> None:
    app = Harness(study, MatrixScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        await pilot.press("t")
        table = screen.query_one("#frequencies", DataTable)
        assert table.has_focus and table.row_count == 4
        assert table.get_row_at(0) == [A, "5", "3 (100%)", "2 (100%)", "35"]
        await pilot.press("s", "s", "s", "s")  # segments, documents, cases, words
        assert screen.sort == "words"
        assert [table.get_row_at(i)[4] for i in range(4)] == ["35", "28", "18", "5"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        assert len(app.screen.items) == 5  # A's five segments


async def test_saturation_screen(study: Project) -> None:
    app = Harness(study, SaturationScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SaturationScreen)
        table = screen.table
        assert table.row_count == 3
        assert [table.get_row_at(i)[3] for i in range(3)] == ["4", "0", "0"]
        assert screen.view is not None and screen.view.result.point is None  # k = 3
        await pilot.press("minus")
        await settle(pilot)
        assert screen.k == 2 and screen.view.result.point == 1
        assert table.get_row_at(0)[4] == "4 <"
        assert "reached after interview 1 (P01)" in status(app, "#saturation-detail")
        await pilot.press("o")  # by interview_date
        await settle(pilot)
        assert [table.get_row_at(i)[1] for i in range(3)] == ["P02", "P01", "P03"]
        assert "order interview_date" in status(app, "#saturation-status")
        await pilot.press("enter")  # the passages of P02's new codes
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        assert len(app.screen.items) == 4


def test_shading_and_chart_without_colour() -> None:
    assert [shade_level(v, 8) for v in (None, 0, 1, 2, 3, 4, 5, 8)] == [0, 0, 1, 1, 2, 2, 3, 4]
    chart = bar_chart(saturation(interviews(), k=2), height=4, depth="mono").plain
    lines = chart.splitlines()
    assert len(lines) == 4 + 3  # bars, axis, labels, marks
    assert lines[0].startswith("4┤")
    assert "█" in chart and "▒" in chart and "saturation (k=2)" in lines[-1]
    # the mark sits under interview 4's bar: axis (2) + 3 bars of 3 cells before it
    assert lines[-1].index("^") == 2 + 3 * 3


def test_heatmap_snapshot(study: Project, snap_compare,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALTUI_COLORS", "truecolor")  # the same picture on every terminal

    async def ready(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("right", "down")

    app = Harness(study, CooccurrenceScreen)
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


async def test_failed_computation_is_a_notification(study: Project,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import qualtui.tui.screens.cooccurrence as module

    app = Harness(study, CooccurrenceScreen)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CooccurrenceScreen)
        before = row_texts(screen.heatmap)

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(module, "compute_cooccurrence", broken)
        await pilot.press("p")
        await settle(pilot)
        assert app.is_running and app.screen is screen
        assert "(failed)" in status(app, "#cooc-status")
        assert "analysis failed: RuntimeError: disk on fire" in app.notices
        assert row_texts(screen.heatmap) == before  # the last result stays on screen
