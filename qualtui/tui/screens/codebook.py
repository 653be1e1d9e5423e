"""The codebook screen (F4): edit the code tree by keyboard and see how each code is used.

A table lists the codes in tree order with their letter tile, segments, documents, cases
(respondents) and coders; the panel below shows the highlighted code's colour, flags,
definition and criteria. Every edit is one operation of the project's log, so ``u`` undoes
it (merge and delete included: their dialogs say how much moves or goes first).

The small dialogs used here (confirm, report, code form, split) are also used by the
retrieval and cases screens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import SimpleCommand
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Checkbox,
    DataTable,
    Footer,
    Input,
    Label,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.selection_list import Selection

from qualtui.core import codebook_tools as tools
from qualtui.core.codebook_tools import PALETTE, CodeCounts
from qualtui.core.errors import QualtuiError
from qualtui.core.models import Code
from qualtui.tui.polling import pulled_newer
from qualtui.tui.screens.dialogs import ChoiceScreen, PromptScreen
from qualtui.tui.widgets.palette import Palette

if TYPE_CHECKING:
    from qualtui.core.project import Project

__all__ = ["CodeFormScreen", "CodebookScreen", "ConfirmScreen", "ReportScreen", "SplitScreen"]

T = TypeVar("T")
POLL_SECONDS = 0.5

_DIALOG_CSS = """
{name} {{ align: center middle; background: $background 60%; }}
{name} > Vertical {{
    width: 76; max-width: 96%; height: auto; max-height: 96%;
    border: round $primary; background: $surface; padding: 0 1;
}}
{name} .title {{ text-style: bold; margin-bottom: 1; width: 100%; }}
{name} .hint {{ color: $foreground-muted; margin-top: 1; width: 100%; }}
"""


# --------------------------------------------------------------------------- dialogs


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no: ``y`` or Enter confirms, ``n`` or Esc cancels."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ConfirmScreen") + """
    ConfirmScreen .message { width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n,escape", "answer(False)", "No", id="dialog.no"),
    ]

    def __init__(self, title: str, message: str, yes: str = "y / Enter: yes") -> None:
        super().__init__()
        self._title = title
        self._message = message
        self._yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            yield Static(self._message, classes="message")
            yield Label(f"{self._yes}   n / Esc: cancel", classes="hint")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ReportScreen(ModalScreen[bool]):
    """A scrollable report; with ``can_apply`` Enter/``y`` returns True, Esc False."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ReportScreen") + """
    ReportScreen VerticalScroll { height: auto; max-height: 16; }
    ReportScreen .line { width: 100%; }
    ReportScreen .problem { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "apply", "Apply", id="dialog.apply"),
        Binding("escape,n,q", "close", "Close", id="dialog.close"),
        Binding("j,down", "scroll(1)", "Scroll down", show=False, id="dialog.down"),
        Binding("k,up", "scroll(-1)", "Scroll up", show=False, id="dialog.up"),
    ]

    def __init__(self, title: str, lines: Sequence[str], can_apply: bool,
                 apply_label: str = "Enter / y: import") -> None:
        super().__init__()
        self._title = title
        self._lines = list(lines)
        self._can_apply = can_apply
        self._apply_label = apply_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="title")
            with VerticalScroll():
                for i, line in enumerate(self._lines):
                    problem = i > 0 and line.startswith("line ")
                    yield Static(Text(line), classes="line problem" if problem else "line")
            hint = (f"{self._apply_label}   Esc: cancel" if self._can_apply
                    else "Esc: close (fix the file and import again)")
            yield Label(hint, classes="hint")

    def action_apply(self) -> None:
        if self._can_apply:
            self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)

    def action_scroll(self, step: int) -> None:
        scroll = self.query_one(VerticalScroll)
        (scroll.scroll_down if step > 0 else scroll.scroll_up)(animate=False)


class CodeFormScreen(ModalScreen[dict[str, Any] | None]):
    """Edit a code's definition, criteria, example, colour, shortcut and category flag.

    ctrl+s (or Enter in a one-line field) saves and returns the fields; Esc cancels.
    """

    DEFAULT_CSS = _DIALOG_CSS.format(name="CodeFormScreen") + """
    CodeFormScreen .title { margin-bottom: 0; }
    CodeFormScreen TextArea { height: 4; }
    CodeFormScreen Horizontal { height: 1; margin-top: 1; }
    CodeFormScreen .label { width: 16; color: $foreground-muted; }
    CodeFormScreen Input { border: none; height: 1; padding: 0; width: 1fr; }
    CodeFormScreen Input:focus { border: none; background: $boost; }
    CodeFormScreen Checkbox { border: none; height: 1; padding: 0; margin-top: 1; }
    CodeFormScreen .field-label { color: $foreground-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]
    LINES = (("use_when", "Use when"), ("dont_use_when", "Do not use when"),
             ("example", "Example"), ("color", "Colour"), ("shortcut", "Shortcut 1-9"))

    def __init__(self, code: Code, path: str) -> None:
        super().__init__()
        self.code = code
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Edit {self.path}", classes="title")
            yield Label("Definition", classes="field-label")
            yield TextArea(self.code.definition, id="f-definition", soft_wrap=True,
                           show_line_numbers=False)
            for key, label in self.LINES:
                with Horizontal():
                    yield Label(label, classes="label")
                    yield Input(str(getattr(self.code, key)), id=f"f-{key}",
                                max_length=1 if key == "shortcut" else 0)
            yield Checkbox(self._category_label(not self.code.codable), not self.code.codable,
                           id="f-category")
            yield Label("ctrl+s or Enter saves · Tab next field · Esc cancels",
                        classes="hint")

    def on_mount(self) -> None:
        self.query_one("#f-definition", TextArea).focus()

    @staticmethod
    def _category_label(on: bool) -> str:
        """The state in words too: the checkbox's mark differs only by colour."""
        return f"Category only (not applied to text): {'yes' if on else 'no'}"

    @on(Checkbox.Changed, "#f-category")
    def _category_changed(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = self._category_label(event.value)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {"definition": self.query_one("#f-definition", TextArea).text}
        for key, _ in self.LINES:
            out[key] = self.query_one(f"#f-{key}", Input).value.strip()
        out["codable"] = not self.query_one("#f-category", Checkbox).value
        return out

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        self.dismiss(self.values())

    def action_cancel(self) -> None:
        self.dismiss(None)


class SplitScreen(ModalScreen[tuple[list[str], str] | None]):
    """Choose segments of a code (Space toggles, ``a`` all) and name the new code."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="SplitScreen") + """
    SplitScreen SelectionList { height: auto; max-height: 11; border: none; }
    SplitScreen Horizontal { height: 1; margin-top: 1; }
    SplitScreen .label { width: 16; color: $foreground-muted; }
    SplitScreen Input { border: none; height: 1; padding: 0; width: 1fr; }
    SplitScreen Input:focus { border: none; background: $boost; }
    SplitScreen #split-count { color: $foreground-muted; margin-top: 1; width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Split", id="split.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="split.cancel"),
        Binding("a", "toggle_all", "All/none", id="split.all"),
        Binding("j", "list_cursor(1)", "Down", show=False, id="split.down"),
        Binding("k", "list_cursor(-1)", "Up", show=False, id="split.up"),
    ]

    def __init__(self, path: str, items: Sequence[tuple[str, Text]]) -> None:
        super().__init__()
        self.path = path
        self.items = list(items)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Split {self.path}: choose the segments to move", classes="title")
            yield SelectionList[str](*[Selection(label, seg_id) for seg_id, label in self.items],
                                     id="split-list")
            yield Label(self._count_text([]), id="split-count")
            with Horizontal():
                yield Label("New code", classes="label")
                yield Input(placeholder="name (a sibling) or Full/Path", id="split-name")
            yield Label("Space chooses · a all/none · Tab to the name · Enter or ctrl+s"
                        " splits · Esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def _count_text(self, chosen: list[str]) -> str:
        """The choice in words: the list's check marks differ only by colour."""
        if not chosen:
            return f"none of {len(self.items)} chosen"
        order = [seg_id for seg_id, _ in self.items]
        numbers = ", ".join(str(order.index(c) + 1) for c in sorted(chosen, key=order.index))
        return f"{len(chosen)} of {len(self.items)} chosen: rows {numbers}"

    @on(SelectionList.SelectedChanged)
    def _chosen(self, event: SelectionList.SelectedChanged[str]) -> None:
        self.query_one("#split-count", Label).update(
            self._count_text(list(event.selection_list.selected)))

    def action_list_cursor(self, step: int) -> None:
        selections = self.query_one(SelectionList)
        if selections.has_focus:
            (selections.action_cursor_down if step > 0 else selections.action_cursor_up)()

    def action_toggle_all(self) -> None:
        selections = self.query_one(SelectionList)
        if len(selections.selected) == len(self.items):
            selections.deselect_all()
        else:
            selections.select_all()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        name = self.query_one("#split-name", Input).value.strip()
        if not chosen:
            self.notify("choose at least one segment (Space)", severity="warning")
            return
        if not name:
            self.notify("name the new code", severity="warning")
            self.query_one("#split-name", Input).focus()
            return
        self.dismiss((chosen, name))

    def action_cancel(self) -> None:
        self.dismiss(None)


def swatch_items(depth: str, current: str) -> list[Text]:
    """One line per palette colour (tile, name, hex) plus "custom" for the colour dialog."""
    palette = Palette(depth, [(f"swatch-{i}", s.hex) for i, s in enumerate(PALETTE)])
    items: list[Text] = []
    for i, swatch in enumerate(PALETTE):
        line = Text()
        line.append("    ", palette.swatch_style(f"swatch-{i}"))
        line.append(f" {swatch.name:<15} {swatch.hex}")
        if swatch.hex.upper() == current.upper():
            line.append("  (current)", Style(bold=True))
        items.append(line)
    items.append(Text(" Custom colour: type #RRGGBB..."))
    return items


# --------------------------------------------------------------------------- the screen


class CodebookScreen(Screen[None]):
    """The code tree with counts and details; full editing by keyboard."""

    DEFAULT_CSS = """
    CodebookScreen #cb-status { height: 1; padding: 0 1; background: $panel; }
    CodebookScreen #cb-table { height: 1fr; }
    CodebookScreen #cb-details {
        height: 8; padding: 0 1; border-top: hkey $panel-lighten-2; overflow: hidden;
    }
    CodebookScreen:nocolor #cb-status { text-style: reverse; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_child", "Add child", id="codes.add-child"),
        Binding("A", "add_sibling", "Add sibling", show=False, id="codes.add-sibling"),
        Binding("r", "rename", "Rename", id="codes.rename"),
        Binding("enter,e", "edit", "Edit", id="codes.edit"),
        Binding("c", "color", "Colour", show=False, id="codes.color"),
        Binding("x", "toggle_category", "Category on/off", show=False,
                id="codes.category"),
        Binding("m", "move", "Move", id="codes.move"),
        Binding("K,ctrl+up", "reorder(-1)", "Move up", show=False, id="codes.up"),
        Binding("J,ctrl+down", "reorder(1)", "Move down", show=False, id="codes.down"),
        Binding("greater_than_sign", "indent", "Indent (under previous)", show=False,
                key_display=">", id="codes.indent"),
        Binding("less_than_sign", "outdent", "Outdent (up a level)", show=False,
                key_display="<", id="codes.outdent"),
        Binding("M", "merge", "Merge", id="codes.merge"),
        Binding("s", "split", "Split", id="codes.split"),
        Binding("d,delete", "delete", "Delete", id="codes.delete"),
        Binding("P", "recolor", "Palette colours for all", show=False, id="codes.recolor"),
        Binding("o", "open_retrieval", "Its segments", show=False, id="codes.retrieve"),
        Binding("j", "cursor(1)", "Down", show=False, id="codes.cursor-down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="codes.cursor-up"),
        Binding("l,right", "expand(True)", "Expand", show=False, id="codes.expand"),
        Binding("h,left", "expand(False)", "Collapse", show=False, id="codes.collapse"),
        Binding("u", "undo", "Undo", id="history.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="history.redo"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[Code] = []
        self.by_id: dict[str, Code] = {}
        self.paths: dict[str, str] = {}
        self.depths: dict[str, int] = {}
        self.counts: dict[str, CodeCounts] = {}
        self.collapsed: set[str] = set()
        self.shown: list[str] = []
        self.palette = Palette("truecolor", [])
        self._width = 0

    # -- access ------------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self.app.project  # type: ignore[attr-defined,no-any-return]

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#cb-table", DataTable)

    @property
    def code_id(self) -> str | None:
        """The code under the cursor."""
        table = self.table
        if not self.shown or table.cursor_row < 0:
            return None
        return self.shown[min(table.cursor_row, len(self.shown) - 1)]

    @property
    def code(self) -> Code | None:
        code_id = self.code_id
        return self.by_id.get(code_id) if code_id else None

    # -- building ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="cb-status")
        yield DataTable(id="cb-table", cursor_type="row", zebra_stripes=False)
        yield Static(id="cb-details")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.table.focus()
        self.set_interval(POLL_SECONDS, self.poll_changes, name="codebook-refresh")

    def on_screen_resume(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self.call_after_refresh(self._render_table)

    def reload(self, select: str | None = None) -> None:
        """Read codes and counts again and redraw; keep (or move) the cursor."""
        keep = select or self.code_id
        project = self.project
        self.codes = project.codebook.all()
        self.by_id = {c.id: c for c in self.codes}
        self.paths = {}
        self.depths = {}
        for code in self.codes:
            parent = code.parent_id if code.parent_id in self.by_id else None
            self.depths[code.id] = self.depths[parent] + 1 if parent else 0
            self.paths[code.id] = (self.paths[parent] + "/" if parent else "") + code.name
        self.counts = tools.code_counts(project)
        self.collapsed &= set(self.by_id)
        depth = getattr(self.app, "color_depth", "truecolor")
        self.palette = Palette(depth, [(c.id, c.color) for c in self.codes])
        if select:
            self._reveal(select)
        self._render_table(keep)

    def _reveal(self, code_id: str) -> None:
        parent = self.by_id[code_id].parent_id if code_id in self.by_id else None
        while parent and parent in self.by_id:
            self.collapsed.discard(parent)
            parent = self.by_id[parent].parent_id

    def _hidden(self, code: Code) -> bool:
        parent = code.parent_id
        while parent and parent in self.by_id:
            if parent in self.collapsed:
                return True
            parent = self.by_id[parent].parent_id
        return False

    def _render_table(self, keep: str | None = None) -> None:
        keep = keep or self.code_id
        table = self.table
        self._width = self.size.width
        # fixed columns 26, cell padding 2 x 7 columns, scrollbar 2
        name_width = max(16, (self._width or 80) - 26 - 14 - 2)
        table.clear(columns=True)
        table.add_column(" ", key="tile", width=3)
        table.add_column("Code", key="code", width=name_width)
        for key, label, width in (("segs", "Segs", 5), ("docs", "Docs", 4),
                                  ("cases", "Cases", 5), ("coders", "Coders", 6),
                                  ("key", "Key", 3)):
            table.add_column(Text(label, justify="right"), key=key, width=width)
        parents = {c.parent_id for c in self.codes}
        self.shown = []
        for code in self.codes:
            if self._hidden(code):
                continue
            self.shown.append(code.id)
            table.add_row(*self._cells(code, code.id in parents, name_width), key=code.id)
        if keep:
            target = keep
            while target in self.by_id and target not in self.shown:
                target = self.by_id[target].parent_id or ""
            if target in self.shown:
                table.move_cursor(row=self.shown.index(target), animate=False)
        self._update_status()
        self._update_details()

    def _cells(self, code: Code, has_children: bool, width: int) -> list[Text]:
        tile = Text(f" {self.palette.letter(code.id)} ", self.palette.swatch_style(code.id))
        marker = ("+ " if code.id in self.collapsed else "- ") if has_children else "  "
        name = Text("  " * self.depths[code.id] + marker, Style(dim=True))
        name.append(code.name, Style(italic=True) if not code.codable else Style())
        if not code.codable:
            name.append(" (category)", Style(dim=True))
        name.truncate(width, overflow="ellipsis")
        n = self.counts.get(code.id, CodeCounts())
        if code.codable:
            numbers = [n.segments, n.documents, n.cases, n.coders]
            cells = [Text(str(v), justify="right") for v in numbers]
        else:
            numbers = [n.total_segments, n.total_documents, n.total_cases, n.total_coders]
            cells = [Text(str(v), Style(dim=True), justify="right") for v in numbers]
        return [tile, name, *cells, Text(code.shortcut, Style(bold=True), justify="right")]

    def _update_status(self) -> None:
        total = sum(c.segments for c in self.counts.values())
        cats = sum(1 for c in self.codes if not c.codable)
        text = Text(f"Codebook · {len(self.codes)} codes ({cats} categories) · {total} segments"
                    "   a add  r rename  Enter edit  m move  M merge  s split  d delete",
                    no_wrap=True, overflow="ellipsis")
        self.query_one("#cb-status", Static).update(text)

    def _update_details(self) -> None:
        details = self.query_one("#cb-details", Static)
        code = self.code
        if code is None:
            details.update(Text("No codes yet: press a to add one.", Style(italic=True)))
            return
        n = self.counts.get(code.id, CodeCounts())
        text = Text()
        text.append(f" {self.palette.letter(code.id)} ", self.palette.swatch_style(code.id))
        text.append(f" {self.paths[code.id]}", Style(bold=True))
        swatch = next((s.name for s in PALETTE if s.hex.upper() == code.color.upper()), "")
        facts = [f"{swatch} {code.color}".strip() or "no colour",
                 "category only" if not code.codable else "codable"]
        if code.shortcut:
            facts.append(f"key {code.shortcut}")
        facts.append(code.origin)
        text.append("  " + " · ".join(facts) + "\n", Style(dim=True))
        own = (f"{n.segments} segments in {n.documents} documents, {n.cases} cases,"
               f" {n.coders} coders")
        if n.total_segments != n.segments:
            own += f"; with sub-codes {n.total_segments} segments, {n.total_cases} cases"
        if n.coder_names:
            own += f" ({', '.join(n.coder_names)})"
        if n.memos:
            own += f"; {n.memos} memo{'s' if n.memos != 1 else ''}"
        text.append(own + "\n")
        for label, value in (("Definition", code.definition), ("Use when", code.use_when),
                             ("Do not use when", code.dont_use_when),
                             ("Example", code.example)):
            if value.strip():
                text.append(f"{label}: ", Style(bold=True))
                text.append(" ".join(value.split()) + "\n")
        if not any(v.strip() for v in (code.definition, code.use_when, code.dont_use_when,
                                       code.example)):
            text.append("No definition yet: Enter edits it.", Style(italic=True, dim=True))
        details.update(text)

    @on(DataTable.RowHighlighted, "#cb-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._update_details()

    @on(DataTable.RowSelected, "#cb-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    # -- writing -----------------------------------------------------------------------------
    def _write(self, fn: Callable[[], T], select: str | None = None,
               done: Callable[[T], str] | None = None) -> T | None:
        """Run one project write; errors become notifications; always redraw."""
        try:
            result = fn()
        except QualtuiError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            self.reload()
            return None
        self.reload(select)
        if done is not None:
            message = done(result)
            if message:
                self.notify(message, timeout=4)
        return result

    def _need_code(self) -> Code | None:
        code = self.code
        if code is None:
            self.notify("no code here: press a to add one", severity="warning")
        return code

    # -- actions: add, rename, edit ------------------------------------------------------------
    def _prompt_add(self, parent_id: str | None) -> None:
        parent = self.paths.get(parent_id or "", "")

        def added(name: str | None) -> None:
            if not name:
                return
            path = f"{parent}/{name}" if parent else name

            def add() -> Code:
                return self.project.codebook.add(path, origin="emergent")

            self._write(add, done=lambda c: f"added {self.project.codebook.path_of(c)}")
            code = self.project.codebook.find(path)
            if code is not None:
                self.reload(select=code.id)

        title = f"New code under {parent}" if parent else "New top-level code"
        self.app.push_screen(PromptScreen(title, placeholder="name (or Sub/Path)"), added)

    def action_add_child(self) -> None:
        self._prompt_add(self.code_id)

    def action_add_sibling(self) -> None:
        code = self.code
        self._prompt_add(code.parent_id if code else None)

    def action_rename(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def renamed(name: str | None) -> None:
            if name and name != code.name:
                self._write(lambda: self.project.codebook.rename(code.id, name), code.id,
                            lambda c: f"renamed to {self.project.codebook.path_of(c)}")

        self.app.push_screen(PromptScreen(f"Rename {self.paths[code.id]} to", code.name),
                             renamed)

    def action_edit(self) -> None:
        code = self._need_code()
        if code is None:
            return

        def saved(values: dict[str, Any] | None) -> None:
            if values is not None:
                self._write(lambda: tools.edit_code(self.project, code.id, **values), code.id,
                            lambda c: f"saved {self.paths.get(c.id, c.name)}")

        self.app.push_screen(CodeFormScreen(code, self.paths[code.id]), saved)

    def action_color(self) -> None:
        code = self._need_code()
        if code is None:
            return
        depth = getattr(self.app, "color_depth", "truecolor")

        def custom(value: str | None) -> None:
            if value:
                self._write(lambda: tools.edit_code(self.project, code.id, color=value),
                            code.id, lambda c: f"{c.name} is now {c.color}")

        def chosen(index: int | None) -> None:
            if index is None:
                return
            if index < len(PALETTE):
                color = PALETTE[index].hex
                self._write(lambda: tools.edit_code(self.project, code.id, color=color),
                            code.id, lambda c: f"{c.name} is now {PALETTE[index].name}")
            else:
                self.app.push_screen(PromptScreen(f"Colour of {code.name} (#RRGGBB)",
                                                  code.color), custom)

        self.app.push_screen(ChoiceScreen(f"Colour of {self.paths[code.id]}",
                                          swatch_items(depth, code.color)), chosen)

    def action_toggle_category(self) -> None:
        code = self._need_code()
        if code is None:
            return
        self._write(lambda: tools.edit_code(self.project, code.id, codable=not code.codable),
                    code.id, lambda c: f"{c.name} is {'codable' if c.codable else 'a category'}")

    # -- actions: tree -------------------------------------------------------------------------
    def _pick_code(self, placeholder: str, exclude: set[str], then: Callable[[str | None], None],
                   top_level: bool = False) -> None:
        commands: list[SimpleCommand] = []
        if top_level:
            commands.append(SimpleCommand("(top level)", partial(then, None),
                                          "no parent"))
        for code in self.codes:
            if code.id in exclude:
                continue
            n = self.counts.get(code.id, CodeCounts())
            commands.append(SimpleCommand(self.paths[code.id], partial(then, code.id),
                                          f"{n.segments} segments"
                                          + (" · category" if not code.codable else "")))
        if not commands:
            self.notify("no other code to choose", severity="warning")
            return
        self.app.search_commands(commands, placeholder=placeholder)

    def action_move(self) -> None:
        code = self._need_code()
        if code is None:
            return
        exclude = {code.id, *self.project.codebook.descendants(code.id)}

        def to(parent_id: str | None) -> None:
            self._write(lambda: self.project.codebook.move(code.id, parent_id, None), code.id,
                        lambda c: f"moved to {self.project.codebook.path_of(c)}")

        self._pick_code(f"Move {self.paths[code.id]} under...", exclude, to, top_level=True)

    def action_reorder(self, delta: int) -> None:
        code = self._need_code()
        if code is not None:
            self._write(lambda: tools.reorder(self.project, code.id, delta), code.id)

    def action_indent(self) -> None:
        code = self._need_code()
        if code is None:
            return
        siblings = [c.id for c in self.codes if c.parent_id == code.parent_id]
        if siblings.index(code.id) == 0:
            self.notify("no code above at this level to indent under", severity="warning",
                        timeout=3)
            return
        self._write(lambda: tools.indent(self.project, code.id), code.id,
                    lambda c: f"moved to {self.project.codebook.path_of(c)}" if c else "")

    def action_outdent(self) -> None:
        code = self._need_code()
        if code is None:
            return
        if code.parent_id is None:
            self.notify("already at the top level", severity="warning", timeout=3)
            return
        self._write(lambda: tools.outdent(self.project, code.id), code.id,
                    lambda c: f"moved to {self.project.codebook.path_of(c)}" if c else "")

    def action_cursor(self, step: int) -> None:
        table = self.table
        if self.shown:
            row = max(0, min(len(self.shown) - 1, table.cursor_row + step))
            table.move_cursor(row=row, animate=False)

    def action_expand(self, expand: bool) -> None:
        code = self.code
        if code is None:
            return
        has_children = any(c.parent_id == code.id for c in self.codes)
        if expand:
            if has_children and code.id in self.collapsed:
                self.collapsed.discard(code.id)
                self._render_table(code.id)
        elif has_children and code.id not in self.collapsed:
            self.collapsed.add(code.id)
            self._render_table(code.id)
        elif code.parent_id in self.by_id:
            self._render_table(code.parent_id)

    # -- actions: merge, split, delete -----------------------------------------------------------
    def action_merge(self) -> None:
        code = self._need_code()
        if code is None:
            return
        exclude = {code.id, *self.project.codebook.descendants(code.id)}

        def into(target_id: str | None) -> None:
            if target_id is None:
                return
            try:
                impact = tools.merge_impact(self.project, code.id, target_id)
            except QualtuiError as exc:
                self.notify(str(exc), severity="error")
                return

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._write(lambda: self.project.codebook.merge(code.id, target_id),
                                target_id, lambda n: f"merged {n} segments into"
                                f" {impact.target}; u undoes")

            self.app.push_screen(ConfirmScreen("Merge codes", impact.describe()), confirmed)

        self._pick_code(f"Merge {self.paths[code.id]} into...", exclude, into)

    def action_split(self) -> None:
        code = self._need_code()
        if code is None:
            return
        project = self.project
        segments = project.coding.segments(code_ids=[code.id])
        if not segments:
            self.notify(f"{code.name} has no segments to split off", severity="warning")
            return
        names = {d.id: d.name for d in project.documents.all()}
        order = {d.id: i for i, d in enumerate(project.documents.all())}
        segments.sort(key=lambda s: (order.get(s.document_id, 0), s.start))
        items: list[tuple[str, Text]] = []
        for seg in segments:
            snippet = " ".join(project.coding.text_of(seg).split())
            label = Text(f"{names.get(seg.document_id, '?'):<6} {seg.coder:<8} ")
            label.append(snippet[:48] + ("…" if len(snippet) > 48 else ""), Style(dim=True))
            items.append((seg.id, label))

        def chosen(result: tuple[list[str], str] | None) -> None:
            if result is None:
                return
            ids, name = result
            split = self._write(lambda: tools.split_code(project, code.id, ids, name))
            if split is not None:
                self.reload(select=split.code.id)
                made = "new code " if split.created else ""
                self.notify(f"moved {split.moved} segments to {made}{split.path}; u undoes",
                            timeout=4)

        self.app.push_screen(SplitScreen(self.paths[code.id], items), chosen)

    def action_delete(self) -> None:
        code = self._need_code()
        if code is None:
            return
        impact = tools.delete_impact(self.project, code.id)
        neighbour = self._neighbour(code.id)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._write(lambda: self.project.codebook.delete(code.id), neighbour,
                            lambda r: f"deleted {impact.path} and {r[1]} segments; u undoes")

        self.app.push_screen(ConfirmScreen("Delete code", impact.describe()), confirmed)

    def _neighbour(self, code_id: str) -> str | None:
        """Where the cursor goes when ``code_id`` disappears."""
        gone = {code_id, *self.project.codebook.descendants(code_id)}
        index = self.shown.index(code_id) if code_id in self.shown else 0
        for candidate in self.shown[index + 1:] + self.shown[:index][::-1]:
            if candidate not in gone:
                return candidate
        return None

    def action_recolor(self) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                self._write(lambda: tools.recolor(self.project), None,
                            lambda n: f"recoloured {n} codes; u restores the old colours")

        self.app.push_screen(ConfirmScreen(
            "Palette colours", "Give every code a colour from the colour-blind-safe palette"
            " (distinct at 256 and 16 colours), in codebook order?"), confirmed)

    async def action_open_retrieval(self) -> None:
        code = self._need_code()
        if code is None:
            return
        await self.app.switch_mode("retrieval")
        show = getattr(self.app.screen, "show_code", None)
        if callable(show):
            show(code.id)

    # -- history, help, live refresh -----------------------------------------------------------
    def action_undo(self) -> None:
        self._write(self.project.undo, done=lambda s: s)

    def action_redo(self) -> None:
        self._write(self.project.redo, done=lambda s: s)

    def action_help(self) -> None:
        from qualtui.tui.screens.help import HelpScreen, binding_groups

        keymap = getattr(self.app, "_keymap", {}) or {}
        groups = binding_groups([("Global", self.app.BINDINGS), ("Codebook", self.BINDINGS)],
                                keymap)
        self.app.push_screen(HelpScreen(groups, "qualtui keys - codebook"))

    def refresh_code_colors(self) -> None:
        """The theme changed how codes are painted (called by the app): redraw."""
        self.reload()

    def poll_changes(self) -> None:
        """Redraw when another process (a teammate, the CLI) changed the project."""
        if not self.is_current:
            return
        if not pulled_newer(self):
            return
        self.reload()
