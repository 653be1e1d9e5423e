"""The cases screen: respondents, their documents and typed attributes, edited in place.

One row per case (a document with no case gets a row of its own), one column per
attribute with its type. Enter edits the value under the cursor (checked against the type;
a category offers its known values), ``n`` adds an attribute, ``t`` changes a type
(refused, with the cases named, when a value does not fit), ``D`` deletes an attribute,
``i`` imports an attributes CSV after showing its validation report, ``x`` exports CSV.
Every change is one operation: ``u`` undoes it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from qualtui.core import attributes_tools as attrs
from qualtui.core.cases import TYPES
from qualtui.core.errors import QualtuiError
from qualtui.tui.polling import pulled_newer
from qualtui.tui.screens.codebook import ConfirmScreen, ReportScreen
from qualtui.tui.screens.dialogs import ChoiceScreen, PromptScreen

if TYPE_CHECKING:
    from qualtui.core.models import AttributeDef
    from qualtui.core.project import Project

__all__ = ["CasesScreen", "ValueScreen"]

T = TypeVar("T")
POLL_SECONDS = 0.5
TYPE_MARK = {"text": "txt", "number": "num", "date": "date", "category": "cat"}


class ValueScreen(ModalScreen[str | None]):
    """Edit one value: Enter returns the text (empty clears the value), Esc returns None."""

    DEFAULT_CSS = """
    ValueScreen { align: center middle; background: $background 60%; }
    ValueScreen > Vertical {
        width: 64; max-width: 95%; height: auto; border: round $primary;
        background: $surface; padding: 0 1;
    }
    ValueScreen .title { text-style: bold; margin-bottom: 1; width: 100%; }
    ValueScreen .hint { color: $foreground-muted; margin-top: 1; width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, value: str, hint: str) -> None:
        super().__init__()
        self._title = title
        self._value = value
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            yield Input(self._value, id="value-input")
            yield Label(f"{self._hint} · Enter saves (empty clears) · Esc cancels",
                        classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class CasesScreen(Screen[None]):
    """Cases and their attributes."""

    DEFAULT_CSS = """
    CasesScreen #cs-status { height: 1; padding: 0 1; background: $panel; }
    CasesScreen #cs-table { height: 1fr; }
    CasesScreen #cs-info {
        height: 3; padding: 0 1; border-top: hkey $panel-lighten-2; color: $foreground-muted;
    }
    CasesScreen:nocolor #cs-status { text-style: reverse; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit value", id="cases.edit"),
        Binding("n", "new_attribute", "New attribute", id="cases.new"),
        Binding("t", "set_type", "Type", id="cases.type"),
        Binding("D", "delete_attribute", "Delete attribute", show=False, id="cases.delete"),
        Binding("i", "import_csv", "Import CSV", id="cases.import"),
        Binding("x", "export_csv", "Export CSV", id="cases.export"),
        Binding("j", "move(0, 1)", "Down", show=False, id="cases.down"),
        Binding("k", "move(0, -1)", "Up", show=False, id="cases.up"),
        Binding("l", "move(1, 0)", "Right", show=False, id="cases.right"),
        Binding("h", "move(-1, 0)", "Left", show=False, id="cases.left"),
        Binding("u", "undo", "Undo", id="history.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="history.redo"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[attrs.CaseRow] = []
        self.defs: list[AttributeDef] = []
        self.names: list[str] = []
        self.types: dict[str, str] = {}

    @property
    def project(self) -> Project:
        return self.app.project  # type: ignore[attr-defined,no-any-return]

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#cs-table", DataTable)

    def compose(self) -> ComposeResult:
        yield Static(id="cs-status")
        yield DataTable(id="cs-table", cursor_type="cell", zebra_stripes=True)
        yield Static(id="cs-info")
        yield Footer()

    def on_mount(self) -> None:
        self.table.fixed_columns = 1
        self.reload()
        self.table.focus()
        self.set_interval(POLL_SECONDS, self.poll_changes, name="cases-refresh")

    def on_screen_resume(self) -> None:
        self.reload()

    # -- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        table = self.table
        keep = table.cursor_coordinate
        self.rows = attrs.case_rows(self.project)
        self.defs = self.project.cases.attribute_defs()
        known = {d.name for d in self.defs}
        extra = sorted({k for r in self.rows for k in r.values if k not in known})
        self.names = [d.name for d in self.defs] + extra
        self.types = {d.name: d.type for d in self.defs} | {k: "text" for k in extra}
        table.clear(columns=True)

        def width(header: str, values: list[str], cap: int = 28) -> int:
            return min(cap, max([len(header), *(len(v) for v in values)]))

        table.add_column("Case", key="case", width=width("Case", [r.name for r in self.rows]))
        table.add_column("Docs", key="docs",
                         width=width("Docs", [", ".join(r.documents) for r in self.rows], 16))
        for name in self.names:
            header = f"{name} ({TYPE_MARK.get(self.types[name], '?')})"
            values = [attrs.format_value(r.values.get(name)) for r in self.rows]
            table.add_column(Text(header), key=f"attr:{name}", width=width(header, values))
        for i, row in enumerate(self.rows):
            cells: list[Text] = [Text(row.name, Style(bold=True)),
                                 Text(", ".join(row.documents), no_wrap=True,
                                      overflow="ellipsis")]
            for name in self.names:
                value = row.values.get(name)
                justify = "right" if self.types[name] == "number" else "left"
                cells.append(Text(attrs.format_value(value), justify=justify)
                             if value is not None else Text("-", Style(dim=True)))
            table.add_row(*cells, key=str(i))
        if self.rows:
            table.move_cursor(row=min(keep.row, len(self.rows) - 1),
                              column=min(keep.column, len(self.names) + 1), animate=False)
        self._update_status()

    def _attribute(self) -> str | None:
        column = self.table.cursor_coordinate.column
        return self.names[column - 2] if column >= 2 and column - 2 < len(self.names) else None

    def _row(self) -> attrs.CaseRow | None:
        row = self.table.cursor_coordinate.row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _update_status(self) -> None:
        cases = sum(1 for r in self.rows if r.case_id)
        status = Text(f"Cases · {cases} cases, {sum(len(r.documents) for r in self.rows)}"
                      f" documents, {len(self.names)} attributes", no_wrap=True,
                      overflow="ellipsis")
        self.query_one("#cs-status", Static).update(status)
        info = Text()
        row, name = self._row(), self._attribute()
        if row is not None:
            info.append(row.name, Style(bold=True))
            info.append(f" · documents: {', '.join(row.documents) or 'none'}")
            if row.case_id is None:
                info.append(" · no case yet (editing a value creates one)", Style(italic=True))
        if name is not None:
            kind = self.types[name]
            info.append(f"\n{name}: {kind}")
            definition = next((d for d in self.defs if d.name == name), None)
            if kind == "category" and definition and definition.values:
                info.append(f" ({', '.join(definition.values)})", Style(dim=True))
        info.append("\nEnter edit · n new · t type · D delete attribute · i import CSV ·"
                    " x export CSV · u undo", Style(dim=True))
        self.query_one("#cs-info", Static).update(info)

    @on(DataTable.CellHighlighted, "#cs-table")
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._update_status()

    @on(DataTable.CellSelected, "#cs-table")
    def _selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_edit()

    def _write(self, fn: Callable[[], T], done: Callable[[T], str] | None = None) -> T | None:
        try:
            result = fn()
        except QualtuiError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            self.reload()
            return None
        self.reload()
        if done is not None:
            self.notify(done(result), timeout=4)
        return result

    # -- actions ----------------------------------------------------------------------------
    def action_move(self, dx: int, dy: int) -> None:
        table = self.table
        coordinate = table.cursor_coordinate
        table.move_cursor(row=max(0, coordinate.row + dy),
                          column=max(0, coordinate.column + dx), animate=False)

    def action_edit(self) -> None:
        row, name = self._row(), self._attribute()
        if row is None:
            return
        if name is None:
            self.notify("move to an attribute column (l / Right) to edit a value",
                        severity="warning", timeout=3)
            return
        if name not in {d.name for d in self.defs}:
            self.notify(f"{name} has no type yet: press t to give it one", severity="warning")
            return
        kind = self.types[name]
        current = attrs.format_value(row.values.get(name))

        def save(value: str | None) -> None:
            if value is None:
                return
            self._write(lambda: attrs.set_value(self.project, row, name, value),
                        lambda v: f"{row.name}: {name} = {attrs.format_value(v) or '(empty)'}")

        definition = next(d for d in self.defs if d.name == name)
        if kind == "category" and definition.values:
            options = list(definition.values)

            def picked(index: int | None) -> None:
                if index is None:
                    return
                if index < len(options):
                    save(options[index])
                elif index == len(options):
                    self.app.push_screen(ValueScreen(f"{name} of {row.name} (new category)",
                                                     current, "a new category"), save)
                else:
                    save("")

            self.app.push_screen(ChoiceScreen(f"{name} of {row.name}",
                                              [*options, "Another value...", "(empty)"]),
                                 picked)
            return
        hint = {"number": "a number, e.g. 12 or 3.5", "date": "a date as YYYY-MM-DD",
                "text": "any text"}.get(kind, "")
        self.app.push_screen(ValueScreen(f"{name} of {row.name} ({kind})", current, hint),
                             save)

    def action_new_attribute(self) -> None:
        def named(name: str | None) -> None:
            if not name:
                return

            def typed(index: int | None) -> None:
                if index is not None:
                    self._write(lambda: attrs.add_attribute(self.project, name, TYPES[index]),
                                lambda d: f"added {d.name} ({d.type})")

            self.app.push_screen(ChoiceScreen(f"Type of {name}", list(TYPES)), typed)

        self.app.push_screen(PromptScreen("New attribute name", placeholder="e.g. department"),
                             named)

    def action_set_type(self) -> None:
        name = self._attribute()
        if name is None:
            self.notify("move to an attribute column first", severity="warning", timeout=3)
            return

        def chosen(index: int | None) -> None:
            if index is None:
                return
            kind = TYPES[index]
            if name in {d.name for d in self.defs}:
                self._write(lambda: attrs.set_attribute_type(self.project, name, kind),
                            lambda d: f"{d.name} is now a {d.type}")
            else:
                self._write(lambda: attrs.add_attribute(self.project, name, kind),
                            lambda d: f"{d.name} is now a {d.type}")

        self.app.push_screen(ChoiceScreen(f"Type of {name} (now {self.types[name]})",
                                          list(TYPES)), chosen)

    def action_delete_attribute(self) -> None:
        name = self._attribute()
        if name is None or name not in {d.name for d in self.defs}:
            self.notify("move to an attribute column first", severity="warning", timeout=3)
            return
        count = sum(1 for r in self.rows if r.values.get(name) is not None)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._write(lambda: attrs.delete_attribute(self.project, name),
                            lambda n: f"deleted {name} from {n} documents; u undoes")

        self.app.push_screen(ConfirmScreen("Delete attribute", f"Delete {name} and its"
                                           f" values in {count} cases? u undoes it."),
                             confirmed)

    def action_import_csv(self) -> None:
        default = Path(self.project.root) / "attributes.csv"

        def chosen(value: str | None) -> None:
            if value:
                self.import_csv(Path(value).expanduser())

        self.app.push_screen(PromptScreen("Import attributes from CSV",
                                          str(default) if default.is_file() else "",
                                          "path/to/attributes.csv"), chosen)

    def import_csv(self, path: Path) -> None:
        """Check ``path`` and show the report; the import runs when the user confirms."""
        from qualtui.io.tables import parse_attribute_csv

        if not path.is_absolute():
            path = Path(self.project.root) / path
        try:
            table = parse_attribute_csv(path)
            check = attrs.check_table(self.project, table)
        except (QualtuiError, OSError) as exc:
            self.notify(f"{path.name}: {exc}", severity="error", timeout=8)
            return
        only_unknown = not check.errors and bool(check.unknown_documents)
        can_apply = check.ok or only_unknown
        lines = check.report_lines()
        label = ("Enter / y: import the known documents" if only_unknown
                 else "Enter / y: import")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._write(lambda: attrs.import_table(self.project, table,
                                                       skip_unknown=only_unknown),
                            lambda r: f"imported: {r.documents_updated} documents updated,"
                                      f" {r.cases_added} cases added; u undoes")

        self.app.push_screen(ReportScreen(f"Attributes from {path.name}", lines, can_apply,
                                          label), confirmed)

    def action_export_csv(self) -> None:
        default = Path(self.project.root) / "exports" / "attributes.csv"

        def chosen(value: str | None) -> None:
            if value:
                self.export_csv(Path(value).expanduser())

        self.app.push_screen(PromptScreen("Export attributes to CSV", str(default)), chosen)

    def export_csv(self, path: Path) -> None:
        from qualtui.store.storage import atomic_write_bytes

        if not path.is_absolute():
            path = Path(self.project.root) / path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, attrs.export_csv(self.project).encode("utf-8"), 0o644)
        except OSError as exc:
            self.notify(f"cannot write {path}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"wrote {path}", timeout=4)

    # -- history, help, live refresh -------------------------------------------------------------
    def action_undo(self) -> None:
        self._write(self.project.undo, lambda s: s)

    def action_redo(self) -> None:
        self._write(self.project.redo, lambda s: s)

    def action_help(self) -> None:
        from qualtui.tui.screens.help import HelpScreen, binding_groups

        keymap = getattr(self.app, "_keymap", {}) or {}
        groups = binding_groups([("Global", self.app.BINDINGS), ("Cases", self.BINDINGS)],
                                keymap)
        groups.setdefault("Cases", []).insert(0, ("Enter", "Edit the value"))
        self.app.push_screen(HelpScreen(groups, "qualtui keys - cases and attributes"))

    def poll_changes(self) -> None:
        if not self.is_current:
            return
        if not pulled_newer(self):
            return
        self.reload()
