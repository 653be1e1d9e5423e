"""Pilot tests of the agreement screen, the disagreement review and the audit log screen.

Every adjudication is checked in the database (consensus segments), then undone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from team_helpers import (
    FASTER,
    INTERVIEW,
    PEOPLE,
    TRANSPARENCY,
    build,
    code_id,
    double_code,
    span,
)
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from qualtui.analysis.team import agreement_inputs, run_agreement
from qualtui.core.project import Project
from qualtui.core.team import CONSENSUS, FilterChoice
from qualtui.store.project import open_project
from qualtui.tui.app import QualtuiApp
from qualtui.tui.screens.agreement import AgreementScreen, ReviewScreen
from qualtui.tui.screens.audit import AuditLogScreen
from qualtui.tui.screens.dialogs import PromptScreen


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return double_code(build(tmp_path / "proj"))


@pytest.fixture
def project(root: Path) -> Project:
    proj = open_project(root, coder="coder1")
    yield proj
    proj.close()


@pytest.fixture
def make_app(project: Project) -> Callable[[], QualtuiApp]:
    return lambda: QualtuiApp(project, color_depth="truecolor")


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool],
                   timeout: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if predicate():
            return True
        await pilot.pause(0.05)
    return predicate()


def agreement(app: QualtuiApp) -> AgreementScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, AgreementScreen)
    return screen


def consensus(project: Project) -> list[str]:
    """The text of every consensus segment, in text order."""
    project.refresh()
    return [project.coding.text_of(s) for s in project.coding.segments(coder=CONSENSUS)]


async def open_agreement(app: QualtuiApp, pilot: Pilot[None]) -> AgreementScreen:
    await pilot.press("f9")
    assert await wait_for(pilot, lambda: isinstance(app.screen_stack[0], AgreementScreen)
                          and agreement(app).run is not None)
    return agreement(app)


async def test_table_shows_the_core_figures(make_app, project) -> None:
    expected = run_agreement(agreement_inputs(project, ["coder1", "coder2"], "char")).result
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_agreement(app, pilot)
        table = screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[0] for r in rows] == ["Benefits/Transparency", "Benefits/Efficiency",
                                        "Risks/Privacy", "Risks/Security"]
        privacy = next(c for c in expected.codes if c.label == "Risks/Privacy")
        assert rows[2][1:] == [str(privacy.figures.coded["coder1"]),
                               str(privacy.figures.coded["coder2"]), "100.0%", "1.00", "1.00",
                               "0"]
        transparency = expected.codes[0].figures
        assert rows[0][4] == f"{transparency.kappa:.2f}" and rows[0][6] == "1"
        assert str(screen.query_one("#agreement-describe", Static).render()) == \
            expected.describe()
        await pilot.press("u", "x")  # sentences, uncoded text left out
        assert await wait_for(pilot, lambda: screen.run is not None
                              and screen.run.result.unit == "sentence"
                              and screen.run.result.exclude_uncoded)
        assert "sentence" in str(screen.query_one("#agreement-describe", Static).render())
        assert "uncoded text excluded" in str(
            screen.query_one("#agreement-describe", Static).render())


async def test_review_accept_each_version_then_undo(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agreement(app, pilot)
        await pilot.press("enter")  # Benefits/Transparency: one passage
        assert await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen) and len(review.items) == 1
        await pilot.press("1")
        assert consensus(project) == [TRANSPARENCY + " " + PEOPLE]
        await pilot.press("2")  # a second decision replaces the first
        assert consensus(project) == [PEOPLE + " " + FASTER]
        await pilot.press("u")
        assert consensus(project) == [TRANSPARENCY + " " + PEOPLE]
        await pilot.press("u")
        assert consensus(project) == []
        await pilot.press("ctrl+r")
        assert consensus(project) == [TRANSPARENCY + " " + PEOPLE]
        assert "coder1's version" in str(review.query_one("#review-consensus", Static).render())
    entries = project.log.entries(coder="coder1")
    assert [e.op for e in entries[-5:]] == ["adjudicate", "adjudicate", "undo", "undo", "redo"]


async def test_review_keep_both_and_neither(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agreement(app, pilot)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("b")
        assert consensus(project) == [TRANSPARENCY + " " + PEOPLE + " " + FASTER]
        assert "both versions" in str(app.screen.query_one("#review-consensus",
                                                           Static).render())
        await pilot.press("n")
        assert consensus(project) == []
        await pilot.press("u")
        assert consensus(project) == [TRANSPARENCY + " " + PEOPLE + " " + FASTER]


async def test_review_edit_the_range(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agreement(app, pilot)
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("e")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        prompt = app.screen.query_one(Input)
        assert prompt.value == INTERVIEW[slice(*span(INTERVIEW, TRANSPARENCY + " " + PEOPLE
                                                     + " " + FASTER))]
        prompt.value = PEOPLE
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: consensus(project) == [PEOPLE])
        assert "edited" in str(app.screen.query_one("#review-consensus", Static).render())
        start, end = span(INTERVIEW, TRANSPARENCY)
        await pilot.press("e")
        assert await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = f"{start}-{end}"
        await pilot.press("enter")
        assert await wait_for(pilot, lambda: consensus(project) == [TRANSPARENCY])
        await pilot.press("u")
        assert consensus(project) == [PEOPLE]


async def test_review_all_walks_every_disagreement(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_agreement(app, pilot)
        await pilot.press("r")
        assert await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen)
        labels = [review.labels[p.code] for p in review.items]
        assert labels == ["Benefits/Transparency", "Benefits/Efficiency", "Risks/Security"]
        await pilot.press("j", "1")  # Efficiency: coder1 did not code it -> nothing agreed
        assert consensus(project) == []
        assert review.index == 2
        await pilot.press("2")  # Security: coder2 did not code it
        assert consensus(project) == []
        await pilot.press("k", "2")
        assert consensus(project) == [FASTER]
        await pilot.press("escape")
        assert await wait_for(pilot, lambda: isinstance(app.screen, AgreementScreen))


async def test_blind_mode_hides_agreement(make_app) -> None:
    app = make_app()
    app.coder_filter = FilterChoice("blind", None, "BLIND")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        assert await wait_for(pilot, lambda: isinstance(app.screen_stack[0], AgreementScreen))
        screen = agreement(app)
        await pilot.pause()
        assert screen.run is None and screen.query_one(DataTable).row_count == 0
        assert "Blind mode" in str(screen.query_one("#agreement-describe", Static).render())


async def test_audit_log_lists_filters_and_follows_other_processes(
        make_app, project, root) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.switch_mode("log")
        assert await wait_for(pilot, lambda: isinstance(app.screen_stack[0], AuditLogScreen)
                              and bool(app.screen_stack[0].query(DataTable)))
        screen = app.screen_stack[0]
        assert isinstance(screen, AuditLogScreen)
        table = screen.query_one(DataTable)
        total = len(project.log.entries())
        assert table.row_count == total
        assert str(table.get_row_at(0)[3]).startswith("coded P99")  # newest first
        detail = str(screen.query_one("#log-detail", Static).render())
        assert "+ segment P99" in detail and "Benefits/Efficiency (coder2)" in detail
        await pilot.press("c")  # everyone -> coder1
        assert screen.coder_filter == "coder1"
        assert table.row_count == len(project.log.entries(coder="coder1"))
        await pilot.press("slash")
        await pilot.press(*"renamed")
        assert table.row_count == 0
        await pilot.press("escape")
        assert table.row_count == total and screen.coder_filter is None
        other = open_project(root, coder="coder2")  # another process, as far as the store knows
        try:
            other.codebook.rename(code_id(other, "Risks/Security"), "Cyber security")
        finally:
            other.close()
        assert await wait_for(pilot, lambda: table.row_count == total + 1, timeout=3)
        assert str(table.get_row_at(0)[3]).startswith("renamed code Risks/Security")
        detail = str(screen.query_one("#log-detail", Static).render())
        assert "name 'Security' → 'Cyber security'" in detail


def test_agreement_screen_snapshot(snap_compare, root: Path) -> None:
    project = open_project(root, coder="coder1")
    app = QualtuiApp(project, color_depth="truecolor")

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen_stack[0], AgreementScreen)
                       and agreement(app).run is not None)
        await pilot.press("j")
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
    finally:
        project.close()
