"""The pseudonyms screen, driven from the keyboard in a small harness app."""

from __future__ import annotations

from textual.app import App
from textual.widgets import DataTable, Input, Static

from qualtui.core.privacy import PrivacyService
from qualtui.core.project import Project
from qualtui.tui.screens.pseudonyms import PseudonymsScreen


class Harness(App[None]):
    """Opens the screen over an empty base screen, as the app would push it."""

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project

    def on_mount(self) -> None:
        self.push_screen(PseudonymsScreen(self.project))


async def test_add_edit_and_delete_pseudonyms(coded_project: Project) -> None:
    service = PrivacyService(coded_project.repo, coded_project.log)
    app = Harness(coded_project)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert isinstance(screen, PseudonymsScreen)
        screen.query_one("#real", Input).focus()
        await pilot.press(*"P99", "tab", *"Person 1", "enter")
        await pilot.pause()
        assert [(p.real, p.pseudonym, p.kind) for p in service.pseudonyms()] == [
            ("P99", "Person 1", "person")]
        table = screen.query_one("#pseudonym-table", DataTable)
        assert table.row_count == 1
        assert "saved: P99 -> Person 1" in str(screen.query_one("#status", Static).render())
        table.focus()
        await pilot.press("e")
        assert screen.query_one("#pseudonym", Input).value == "Person 1"
        screen.query_one("#pseudonym", Input).value = "Participant 99"
        await pilot.press("enter")
        await pilot.pause()
        assert [p.pseudonym for p in service.pseudonyms()] == ["Participant 99"]
        table.focus()
        await pilot.pause()
        preview = str(screen.query_one("#preview", Static).render())
        assert "'P99' occurs 3 times in 1 document(s)" in preview
        await pilot.press("d")
        await pilot.pause()
        assert service.pseudonyms() == [] and table.row_count == 0


async def test_add_and_remove_redactions_with_errors_shown(coded_project: Project) -> None:
    service = PrivacyService(coded_project.repo, coded_project.log)
    doc = coded_project.documents.all()[0]
    app = Harness(coded_project)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        screen.query_one("#red-doc", Input).value = doc.name
        screen.query_one("#red-start", Input).value = "5"
        screen.query_one("#red-end", Input).value = "99999"
        screen.query_one("#red-end", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        status = screen.query_one("#status", Static)
        assert status.has_class("error") and "outside document" in str(status.render())
        assert service.redactions() == []
        screen.query_one("#red-end", Input).value = "13"
        await pilot.press("enter")
        await pilot.pause()
        [red] = service.redactions()
        assert (red.document_id, red.start, red.end) == (doc.id, 5, 13)
        assert not status.has_class("error")
        table = screen.query_one("#redaction-table", DataTable)
        assert table.row_count == 1
        table.focus()
        await pilot.pause()
        assert "[REDACTED]" in str(screen.query_one("#preview", Static).render())
        await pilot.press("delete")
        await pilot.pause()
        assert service.redactions() == [] and table.row_count == 0
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PseudonymsScreen)
