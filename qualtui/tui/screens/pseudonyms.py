"""The pseudonyms screen: edit the real name → pseudonym mapping and the redactions.

Both are applied only by exports with ``--pseudonymize``; the stored texts never change.
Every change goes through :class:`~qualtui.core.privacy.PrivacyService` (logged, undoable).

Keys: Enter in the name fields saves a pseudonym (adds it or changes the one with the same
real name); Enter in the redaction fields adds a redaction; ``e`` on a pseudonym row copies
it into the fields for editing; ``d`` or Delete removes the highlighted row; Tab moves
between the tables and fields; Esc closes the screen.

Build it with the project (``PseudonymsScreen(project)``) or without, in which case it uses
``self.app.project`` (the convention of the screen registry).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Select, Static

from qualtui.core.errors import QualtuiError
from qualtui.core.privacy import KINDS, PrivacyService

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = ["PseudonymsScreen"]

_EXCERPT = 70


def _flat(text: str) -> str:
    return " ".join(text.split())


class PseudonymsScreen(Screen[None]):
    """Edit pseudonyms and redactions of the project."""

    DEFAULT_CSS = """
    PseudonymsScreen { layout: vertical; }
    PseudonymsScreen #pseudonyms-intro { padding: 0 1; color: $foreground-muted; height: auto; }
    PseudonymsScreen #panes { height: 1fr; }
    PseudonymsScreen .pane { width: 1fr; padding: 0 1; }
    PseudonymsScreen .pane-title { text-style: bold; margin-top: 1; }
    PseudonymsScreen DataTable { height: 1fr; }
    PseudonymsScreen .fields { height: auto; }
    PseudonymsScreen .fields Input { width: 1fr; }
    PseudonymsScreen #kind { width: 16; }
    PseudonymsScreen #red-start, PseudonymsScreen #red-end { width: 12; }
    PseudonymsScreen #preview { height: 3; padding: 0 1; color: $foreground-muted; }
    PseudonymsScreen #status { height: 1; padding: 0 1; }
    PseudonymsScreen #status.error { color: $error; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="pseudonyms.close"),
        Binding("d,delete", "delete_row", "Delete row", id="pseudonyms.delete"),
        Binding("e", "edit_row", "Edit pseudonym", id="pseudonyms.edit"),
    ]

    def __init__(self, project: Project | None = None) -> None:
        super().__init__()
        self._project = project
        self._service: PrivacyService | None = None

    # -- data ----------------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        if self._project is None:
            self._project = self.app.project  # type: ignore[attr-defined]
        assert self._project is not None
        return self._project

    @property
    def service(self) -> PrivacyService:
        if self._service is None:
            self._service = PrivacyService(self.project.repo, self.project.log)
        return self._service

    # -- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Text("Pseudonyms and redactions are applied by exports with"
                          " --pseudonymize; the stored texts never change."),
                     id="pseudonyms-intro")
        with Horizontal(id="panes"):
            with Vertical(classes="pane"):
                yield Label("Pseudonyms (real name -> pseudonym)", classes="pane-title")
                yield DataTable(id="pseudonym-table", cursor_type="row", zebra_stripes=True)
                with Horizontal(classes="fields"):
                    yield Input(placeholder="Real name", id="real")
                    yield Input(placeholder="Pseudonym", id="pseudonym")
                    yield Select([(k, k) for k in KINDS], value="person", allow_blank=False,
                                 id="kind")
            with Vertical(classes="pane"):
                yield Label(Text("Redactions (replaced by [REDACTED])"), classes="pane-title")
                yield DataTable(id="redaction-table", cursor_type="row", zebra_stripes=True)
                with Horizontal(classes="fields"):
                    yield Input(placeholder="Document", id="red-doc")
                    yield Input(placeholder="Start", id="red-start", type="integer")
                    yield Input(placeholder="End", id="red-end", type="integer")
                    yield Input(placeholder="Reason", id="red-reason")
        yield Static("", id="preview")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        pseudonym_table = self.query_one("#pseudonym-table", DataTable)
        pseudonym_table.add_columns("Kind", "Real name", "Pseudonym")
        redaction_table = self.query_one("#redaction-table", DataTable)
        redaction_table.add_columns("Document", "Range", "Text", "Reason")
        self.refresh_tables()
        pseudonym_table.focus()

    def refresh_tables(self) -> None:
        """Reload both tables from the store."""
        pseudonym_table = self.query_one("#pseudonym-table", DataTable)
        pseudonym_table.clear()
        for entry in self.service.pseudonyms():
            pseudonym_table.add_row(entry.kind, Text(entry.real), Text(entry.pseudonym),
                                    key=entry.id)
        redaction_table = self.query_one("#redaction-table", DataTable)
        redaction_table.clear()
        names = {d.id: d.name for d in self.project.documents.all()}
        for red in self.service.redactions():
            excerpt = _flat(self.project.documents.text(red.document_id)[red.start:red.end])
            if len(excerpt) > _EXCERPT:
                excerpt = excerpt[: _EXCERPT - 1] + "…"
            redaction_table.add_row(Text(names.get(red.document_id, "?")),
                                    f"{red.start}-{red.end}", Text(excerpt), Text(red.reason),
                                    key=red.id)

    # -- feedback ----------------------------------------------------------------------------------
    def _status(self, message: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(message))
        status.set_class(error, "error")

    def _selected_key(self, table: DataTable) -> str | None:
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value) if row_key.value is not None else None

    @on(DataTable.RowHighlighted, "#pseudonym-table")
    def _pseudonym_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        entry = next((e for e in self.service.pseudonyms() if e.id == key), None)
        if entry is None:
            return
        pattern = re.compile(r"(?<!\w)" + re.escape(entry.real) + r"(?!\w)", re.IGNORECASE)
        hits = docs = 0
        for doc in self.project.documents.all():
            found = len(pattern.findall(self.project.documents.text(doc.id)))
            hits += found
            docs += 1 if found else 0
        self.query_one("#preview", Static).update(Text(
            f"'{entry.real}' occurs {hits} times in {docs} document(s); exports show"
            f" '{entry.pseudonym}'."))

    @on(DataTable.RowHighlighted, "#redaction-table")
    def _redaction_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        red = next((r for r in self.service.redactions() if r.id == key), None)
        if red is None:
            return
        text = self.project.documents.text(red.document_id)
        before = _flat(text[max(0, red.start - 30):red.start])
        after = _flat(text[red.end:red.end + 30])
        preview = Text()
        preview.append(f"…{before} ")
        preview.append(_flat(text[red.start:red.end])[:_EXCERPT], style="reverse")
        preview.append(f" {after}…")
        preview.append("  exported as ")
        preview.append(f"{before} [REDACTED] {after}", style="bold")
        self.query_one("#preview", Static).update(preview)

    # -- editing -------------------------------------------------------------------------
    @on(Input.Submitted, "#real, #pseudonym")
    def save_pseudonym(self) -> None:
        real = self.query_one("#real", Input).value
        pseudonym = self.query_one("#pseudonym", Input).value
        kind = str(self.query_one("#kind", Select).value)
        try:
            entry = self.service.set(real, pseudonym, kind)
        except QualtuiError as exc:
            self._status(str(exc), error=True)
            return
        self.query_one("#real", Input).value = ""
        self.query_one("#pseudonym", Input).value = ""
        self.refresh_tables()
        self._status(f"saved: {entry.real} -> {entry.pseudonym} ({entry.kind})")
        self.query_one("#real", Input).focus()

    @on(Input.Submitted, "#red-doc, #red-start, #red-end, #red-reason")
    def add_redaction(self) -> None:
        doc_name = self.query_one("#red-doc", Input).value.strip()
        try:
            start = int(self.query_one("#red-start", Input).value)
            end = int(self.query_one("#red-end", Input).value)
        except ValueError:
            self._status("start and end must be whole numbers (code points, end exclusive)",
                         error=True)
            return
        reason = self.query_one("#red-reason", Input).value
        try:
            doc = self.project.documents.by_name(doc_name)
            red = self.service.redact(doc.id, start, end, reason)
        except QualtuiError as exc:
            self._status(str(exc), error=True)
            return
        for field_id in ("#red-start", "#red-end", "#red-reason"):
            self.query_one(field_id, Input).value = ""
        self.refresh_tables()
        self._status(f"redacted {doc.name} {red.start}-{red.end}")

    def action_edit_row(self) -> None:
        table = self.query_one("#pseudonym-table", DataTable)
        if self.focused is not table:
            return
        key = self._selected_key(table)
        entry = next((e for e in self.service.pseudonyms() if e.id == key), None)
        if entry is None:
            return
        self.query_one("#real", Input).value = entry.real
        self.query_one("#pseudonym", Input).value = entry.pseudonym
        self.query_one("#kind", Select).value = entry.kind
        self.query_one("#pseudonym", Input).focus()
        self._status(f"editing '{entry.real}': change the pseudonym and press Enter")

    def action_delete_row(self) -> None:
        focused = self.focused
        if not isinstance(focused, DataTable):
            return
        key = self._selected_key(focused)
        if key is None:
            return
        try:
            if focused.id == "pseudonym-table":
                entry = next(e for e in self.service.pseudonyms() if e.id == key)
                self.service.remove(entry.real)
                message = f"removed pseudonym for '{entry.real}'"
            else:
                red = self.service.unredact(key)
                message = f"removed redaction {red.start}-{red.end}"
        except (QualtuiError, StopIteration) as exc:
            self._status(str(exc) or "that row is gone", error=True)
            self.refresh_tables()
            return
        self.refresh_tables()
        self._status(message)

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
