"""The guideline drafting screen: sections and guidelines, the guideline, its evidence.

Layout: the sections/guidelines tree on the left; the selected guideline (statement,
rationale, what it addresses, linked codes, support) in the centre; the evidence panel on
the right (below the guideline on terminals narrower than 120 columns) listing candidate
passages of the linked codes with respondent, role and quote. ``c`` swaps the evidence panel
for the coverage panel: codes backed by at least ``k`` respondents that no guideline
addresses, and guidelines supported by fewer than ``k`` (``+``/``-`` change ``k``).

Everything is a key; every change is one logged operation through
:class:`~qualtui.core.guidelines.GuidelineService`, so ``u`` undoes it like in the coding
screen. The report (``o``) is written by a worker thread on its own project handle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static, Tree

from qualtui.core.errors import QualtuiError
from qualtui.core.guidelines import (
    ADDRESS_KINDS,
    DEFAULT_K,
    PRIORITIES,
    STATUSES,
    Address,
    Coverage,
    EvidenceIndex,
    Guideline,
    GuidelineService,
    Section,
    Support,
)
from qualtui.tui.polling import pull_changes
from qualtui.tui.screens.dialogs import ChoiceScreen, MemoScreen, PromptScreen
from qualtui.tui.screens.pickers import CodePicker, PickerEntry, open_code_picker
from qualtui.tui.widgets.guideline_panels import (
    CoverageList,
    EvidenceList,
    GuidelineTree,
    GuidelineView,
    node_key,
)

if TYPE_CHECKING:
    from qualtui.core.project import Project
    from qualtui.tui.app import QualtuiApp

__all__ = ["GuidelinesScreen", "parse_addresses"]

T = TypeVar("T")
POLL_SECONDS = 0.5
_ADDRESS = re.compile(r"^\s*(benefit|risk)\s*:\s*(.+?)\s*(?:\[([^\]]+)\])?\s*$", re.IGNORECASE)


def parse_addresses(text: str, paths: dict[str, str]) -> list[Address]:
    """Lines ``risk: text [Code/Path]`` or ``benefit: text`` (the code is optional).

    ``paths`` maps lower-cased code paths to code ids. Raises QualtuiError naming the line.
    """
    out: list[Address] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ADDRESS.match(line)
        if match is None:
            raise QualtuiError(f"line {number}: write 'risk: text' or 'benefit: text',"
                               " optionally ending with [Code/Path]")
        kind, words, path = match.group(1).lower(), match.group(2), match.group(3)
        code_id = None
        if path:
            code_id = paths.get(path.strip().strip("/").lower())
            if code_id is None:
                raise QualtuiError(f"line {number}: no code '{path.strip()}'")
        out.append(Address(kind, words, code_id))
    return out


def _count(items: Sized, word: str) -> str:
    return f"{len(items)} {word}{'' if len(items) == 1 else 's'}"


class GuidelinesScreen(Screen[None]):
    """Draft guidelines backed by coded evidence."""

    _seen_version = 0  # the project version last shown (see qualtui.tui.polling)

    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (120, "-wide")]
    DEFAULT_CSS = """
    GuidelinesScreen #gl-status { height: 1; padding: 0 1; background: $panel; }
    GuidelinesScreen #gl-body { height: 1fr; }
    GuidelinesScreen #gl-tree {
        width: 38; height: 1fr; border-right: vkey $panel-lighten-2;
    }
    GuidelinesScreen.-narrow #gl-tree { width: 28; }
    GuidelinesScreen #gl-main { width: 1fr; height: 1fr; layout: vertical; }
    GuidelinesScreen.-wide #gl-main { layout: horizontal; }
    GuidelinesScreen #gl-view { height: 1fr; }
    GuidelinesScreen.-narrow #gl-view { height: 45%; border-bottom: hkey $panel-lighten-2; }
    GuidelinesScreen.-wide #gl-view { width: 1fr; border-right: vkey $panel-lighten-2; }
    GuidelinesScreen .gl-side { height: 1fr; }
    GuidelinesScreen.-wide .gl-side { width: 1fr; }
    GuidelinesScreen .gl-title { height: 1; padding: 0 1; color: $foreground-muted;
                                 text-style: bold; }
    GuidelinesScreen .gl-side:focus-within .gl-title { color: $accent; }
    GuidelinesScreen #gl-coverage-panel { display: none; }
    GuidelinesScreen.-coverage #gl-coverage-panel { display: block; }
    GuidelinesScreen.-coverage #gl-evidence-panel { display: none; }
    """
    HELP_WIDGETS: ClassVar[tuple[tuple[str, type[Widget]], ...]] = (
        ("Evidence panel", EvidenceList), ("Coverage panel", CoverageList),
        ("Guideline tree", GuidelineTree))

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_guideline", "New", id="guideline.new",
                tooltip="New guideline in the current section (asks for its title)"),
        Binding("N", "new_section", "New section", show=False, id="guideline.new-section",
                tooltip="New section after the current one"),
        Binding("T", "template", "Template", show=False, id="guideline.template",
                tooltip="Add the public-sector template's sections that are missing"),
        Binding("t", "title", "Title", show=False, id="guideline.title",
                tooltip="Edit the guideline's title (or rename the section)"),
        Binding("e", "statement", "Edit", id="guideline.statement",
                tooltip="Edit the statement, Markdown (a section's description)"),
        Binding("r", "rationale", "Rationale", show=False, id="guideline.rationale",
                tooltip="Edit the rationale (Markdown)"),
        Binding("a", "addresses", "Addresses", show=False, id="guideline.addresses",
                tooltip="Edit what it addresses: 'risk: text [Code/Path]' per line"),
        Binding("l", "link_code", "Link code", id="guideline.link",
                tooltip="Link a code: its segments become candidate evidence"),
        Binding("L", "unlink_code", "Unlink", show=False, id="guideline.unlink",
                tooltip="Unlink one of the guideline's codes"),
        Binding("p", "cycle('priority')", "Priority", show=False, id="guideline.priority",
                tooltip="Cycle the priority: high, medium, low"),
        Binding("s", "cycle('status')", "Status", show=False, id="guideline.status",
                tooltip="Cycle the status: draft, reviewed, final"),
        Binding("J", "shift(1)", "Move down", show=False, id="guideline.move-down",
                tooltip="Move the guideline (or section) down"),
        Binding("K", "shift(-1)", "Move up", show=False, id="guideline.move-up",
                tooltip="Move the guideline (or section) up"),
        Binding("d", "delete", "Delete", show=False, id="guideline.delete",
                tooltip="Delete the guideline or the section (asks first; u undoes)"),
        Binding("c", "toggle_coverage", "Coverage", id="guideline.coverage",
                tooltip="Show the coverage panel (gaps and weak guidelines) or the evidence"),
        Binding("plus,equals_sign", "change_k(1)", "k+1", show=False, key_display="+",
                id="guideline.k-up", tooltip="Raise k, the respondents a theme needs"),
        Binding("minus", "change_k(-1)", "k-1", show=False, key_display="-",
                id="guideline.k-down", tooltip="Lower k"),
        Binding("o", "report", "Report", id="guideline.report",
                tooltip="Write the report (.html, .md or .docx) in the background"),
        Binding("u", "undo", "Undo", id="history.undo",
                tooltip="Undo your last change (kept in the project, across restarts)"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="history.redo",
                tooltip="Redo the change you last undid"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help",
                tooltip="This list of keys"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.service: GuidelineService
        self.index: EvidenceIndex | None = None
        self.sections: list[Section] = []
        self.guidelines: list[Guideline] = []
        self.support: dict[str, Support] = {}
        self.coverage: Coverage | None = None
        self.k = DEFAULT_K
        self.selected: str | None = None
        self.last_report = ""
        self._resumed = False

    # -- properties ---------------------------------------------------------------------
    @property
    def qapp(self) -> QualtuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def project(self) -> Project:
        return self.qapp.project

    @property
    def tree(self) -> GuidelineTree:
        return self.query_one("#gl-tree", GuidelineTree)

    @property
    def view(self) -> GuidelineView:
        return self.query_one("#gl-view", GuidelineView)

    @property
    def evidence(self) -> EvidenceList:
        return self.query_one("#gl-evidence", EvidenceList)

    @property
    def coverage_list(self) -> CoverageList:
        return self.query_one("#gl-coverage", CoverageList)

    @property
    def guideline(self) -> Guideline | None:
        if self.selected and self.selected.startswith("g:"):
            gid = self.selected[2:]
            return next((g for g in self.guidelines if g.id == gid), None)
        return None

    @property
    def section(self) -> Section | None:
        """The selected section, or the section of the selected guideline."""
        if self.selected is None:
            return None
        kind, _, item_id = self.selected.partition(":")
        if kind == "g":
            guideline = self.guideline
            item_id = guideline.section_id if guideline else ""
        return next((s for s in self.sections if s.id == item_id), None)

    # -- building ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="gl-status")
        with Horizontal(id="gl-body"):
            yield GuidelineTree(id="gl-tree")
            with Vertical(id="gl-main"):
                yield GuidelineView(id="gl-view")
                with Vertical(id="gl-evidence-panel", classes="gl-side"):
                    yield Static(id="gl-evidence-title", classes="gl-title")
                    yield EvidenceList(id="gl-evidence")
                with Vertical(id="gl-coverage-panel", classes="gl-side"):
                    yield Static(id="gl-coverage-title", classes="gl-title")
                    yield CoverageList(id="gl-coverage")
        footer = Footer(id="gl-footer")
        footer.combine_groups = False
        yield footer

    def on_mount(self) -> None:
        self.service = GuidelineService(self.project)
        self.reload_data()
        self.tree.focus()
        self.set_interval(POLL_SECONDS, self.poll_changes, name="guidelines-refresh")

    def on_screen_resume(self) -> None:
        """Coding elsewhere changes the candidates and support: read again on return."""
        if self._resumed:
            self.reload_data()
        self._resumed = True

    # -- data ---------------------------------------------------------------------------
    def reload_data(self, select: str | None = None) -> None:
        """Read sections, guidelines and the evidence index; refresh every panel."""
        self.index = self.service.index()
        self.sections = self.service.sections()
        self.guidelines = self.service.guidelines()
        self.support = {g.id: self.index.support(g) for g in self.guidelines}
        self.coverage = self.index.coverage(self.guidelines, self.k)
        keys = {node_key("s", s.id) for s in self.sections} | {
            node_key("g", g.id) for g in self.guidelines}
        if select is not None:
            self.selected = select
        if self.selected not in keys:
            self.selected = next(iter(sorted(keys, key=self._order)), None) if keys else None
        self.tree.populate(self.sections, self.guidelines, self.support, self.k,
                           select=self.selected)
        self.coverage_list.show(self.coverage)
        self._show_selected()

    def _order(self, key: str) -> tuple[int, int]:
        kind, _, item_id = key.partition(":")
        if kind == "s":
            return next((i for i, s in enumerate(self.sections) if s.id == item_id), 0), -1
        position = next((i for i, g in enumerate(self.guidelines) if g.id == item_id), 0)
        section = next((i for i, s in enumerate(self.sections)
                        if s.id == self.guidelines[position].section_id), 0)
        return section, position

    def _show_selected(self) -> None:
        guideline = self.guideline
        index = self.index
        assert index is not None
        if guideline is not None:
            self.view.show_guideline(guideline, self.support[guideline.id], index.paths, self.k)
            candidates = index.candidates(guideline)
            self.evidence.show(candidates)
            support = self.support[guideline.id]
            chosen = sum(1 for c in candidates if c.chosen)
            title = (f"Evidence {guideline.number}: {chosen} chosen of {len(candidates)}"
                     f" · {support.evidence}/{support.total} resp.")
            if self.evidence.chosen_only:
                title += " · chosen only (v)"
        else:
            section = self.section
            if section is not None:
                number = next(i for i, s in enumerate(self.sections, 1) if s.id == section.id)
                count = sum(1 for g in self.guidelines if g.section_id == section.id)
                self.view.show_section(number, section, count)
            else:
                self.view.show_empty()
            self.evidence.show([])
            title = "Evidence: select a guideline"
        self.query_one("#gl-evidence-title", Static).update(Text(title, no_wrap=True,
                                                                 overflow="ellipsis"))
        cov = self.coverage
        if cov is not None:
            self.query_one("#gl-coverage-title", Static).update(Text(
                f"Coverage k={self.k} (+/-): {_count(cov.gaps, 'gap')},"
                f" {len(cov.weak)} weak",
                no_wrap=True, overflow="ellipsis"))
        self._update_status()

    def _update_status(self) -> None:
        cov = self.coverage
        left = (f"Guidelines {len(self.guidelines)} in {len(self.sections)} sections"
                + (f" | k={self.k}: {_count(cov.gaps, 'gap')}, {len(cov.weak)} weak"
                   if cov else "")
                + (f" | {self.last_report}" if self.last_report else ""))
        right = self.project.coder
        status = self.query_one("#gl-status", Static)
        width = max(10, status.size.width or 80)
        text = Text(left, no_wrap=True, overflow="ellipsis")
        pad = width - len(left) - len(right) - 2
        if pad > 0:
            text.append(" " * pad)
            text.append(right, "bold")
        text.truncate(max(1, width - 2), overflow="ellipsis")
        status.update(text)

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_status)

    @on(Tree.NodeHighlighted, "#gl-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        key = event.node.data
        if key and key != self.selected:
            self.selected = key
            self._show_selected()

    @on(Tree.NodeSelected, "#gl-tree")
    def _selected(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data and event.node.data.startswith("g:"):
            self.evidence.focus()

    # -- writing -------------------------------------------------------------------------
    def _write(self, fn: Callable[[], T], select: str | None = None) -> T | None:
        """Run one project write; a QualtuiError becomes a notification."""
        try:
            result = fn()
        except QualtuiError as exc:
            self.notify(str(exc), severity="error", timeout=6)
            self.reload_data()
            return None
        self.reload_data(select=select)
        return result

    def _need_guideline(self) -> Guideline | None:
        guideline = self.guideline
        if guideline is None:
            self.notify("select a guideline first (n adds one)", severity="warning", timeout=3)
        return guideline

    def action_new_guideline(self) -> None:
        section = self.section
        if section is None:
            self.notify("add a section first: N (or T for the template)", severity="warning")
            return
        self._prompt_new_guideline(section, [])

    def _prompt_new_guideline(self, section: Section, code_ids: list[str]) -> None:
        def added(title: str | None) -> None:
            if not title:
                return
            created = self._write(lambda: self.service.add(section.id, title,
                                                           code_ids=code_ids))
            if created is not None:
                self.reload_data(select=node_key("g", created.id))
                self.notify(f"added {created.number}; e writes the statement, l links codes",
                            timeout=4)

        self.app.push_screen(PromptScreen(f"New guideline in {section.title}",
                                          placeholder="title: the recommendation in brief"),
                             added)

    def action_new_section(self) -> None:
        current = self.section
        position = (next(i for i, s in enumerate(self.sections, 1) if s.id == current.id) + 1
                    if current else None)

        def added(title: str | None) -> None:
            if title:
                created = self._write(lambda: self.service.add_section(title,
                                                                       position=position))
                if created is not None:
                    self.reload_data(select=node_key("s", created.id))

        self.app.push_screen(PromptScreen("New section", placeholder="title"), added)

    def action_template(self) -> None:
        added = self._write(self.service.add_template)
        if added is not None:
            self.notify(f"added {len(added)} template sections" if added else
                        "every template section is already there", timeout=3)

    def action_title(self) -> None:
        guideline = self.guideline
        if guideline is not None:
            def retitled(title: str | None) -> None:
                if title and title != guideline.title:
                    self._write(lambda: self.service.update(guideline.id, title=title))

            self.app.push_screen(PromptScreen(f"Title of {guideline.number}", guideline.title),
                                 retitled)
            return
        section = self.section
        if section is None:
            return

        def renamed(title: str | None) -> None:
            if title and title != section.title:
                self._write(lambda: self.service.update_section(section.id, title=title))

        self.app.push_screen(PromptScreen("Rename section", section.title), renamed)

    def _edit_text(self, field: str) -> None:
        guideline = self.guideline
        if guideline is None:
            section = self.section
            if section is None or field != "statement":
                self._need_guideline()
                return

            def described(text: str | None) -> None:
                if text is not None and text.strip() != section.description:
                    self._write(lambda: self.service.update_section(section.id,
                                                                    description=text))

            self.app.push_screen(MemoScreen(f"Description of {section.title}", "",
                                            section.description), described)
            return
        current = getattr(guideline, field)

        def saved(text: str | None) -> None:
            if text is not None and text.strip("\n") != current:
                self._write(lambda: self.service.update(guideline.id, **{field: text}))

        self.app.push_screen(MemoScreen(f"{field.capitalize()} of {guideline.number}"
                                        " (Markdown)", guideline.title, current), saved)

    def action_statement(self) -> None:
        self._edit_text("statement")

    def action_rationale(self) -> None:
        self._edit_text("rationale")

    def action_addresses(self) -> None:
        guideline = self._need_guideline()
        index = self.index
        if guideline is None or index is None:
            return
        lines = [f"{a.kind}: {a.text}" + (f" [{index.paths[a.code_id]}]"
                                          if a.code_id in index.paths else "")
                 for a in guideline.addresses]
        body = "\n".join(lines) if lines else ""
        paths = {p.lower(): cid for cid, p in index.paths.items()}

        def saved(text: str | None) -> None:
            if text is None:
                return
            try:
                addresses = parse_addresses(text, paths)
            except QualtuiError as exc:
                self.notify(str(exc), severity="error", timeout=6)
                return
            if addresses != guideline.addresses:
                self._write(lambda: self.service.update(guideline.id, addresses=addresses))

        self.app.push_screen(MemoScreen(
            f"What {guideline.number} addresses", "One per line: 'risk: text [Code/Path]' or"
            f" 'benefit: text' ({' / '.join(ADDRESS_KINDS)}; the code is optional)", body),
            saved)

    def action_link_code(self) -> None:
        guideline = self._need_guideline()
        index = self.index
        if guideline is None or index is None:
            return
        counts = {cid: len({index.respondent(s) for s in index.segments_of([cid])})
                  for cid in index.code_order}
        entries = [PickerEntry(cid, index.paths[cid],
                               f"{counts[cid]} of {index.total} respondents")
                   for cid in index.code_order if cid not in guideline.code_ids]

        def link(code_id: str) -> None:
            self._write(lambda: self.service.link_code(guideline.id, code_id))

        def create(path: str) -> None:
            self.notify(f"no code '{path}': add codes in the coding screen (F3)",
                        severity="warning", timeout=4)

        open_code_picker(self, CodePicker(entries, link, create,
                                          {p.lower() for p in index.paths.values()}))

    def action_unlink_code(self) -> None:
        guideline = self._need_guideline()
        index = self.index
        if guideline is None or index is None:
            return
        if not guideline.code_ids:
            self.notify("no linked codes", severity="warning")
            return
        codes = list(guideline.code_ids)

        def chosen(choice: int | None) -> None:
            if choice is not None:
                self._write(lambda: self.service.unlink_code(guideline.id, codes[choice]))

        self.app.push_screen(ChoiceScreen(f"Unlink which code from {guideline.number}?",
                                          [index.paths.get(c, "?") for c in codes]), chosen)

    def action_cycle(self, field: str) -> None:
        guideline = self._need_guideline()
        if guideline is None:
            return
        values = PRIORITIES if field == "priority" else STATUSES
        current = getattr(guideline, field)
        value = values[(values.index(current) + 1) % len(values)] if current in values \
            else values[0]
        if self._write(lambda: self.service.update(guideline.id, **{field: value})):
            self.notify(f"{guideline.number} {field}: {value}", timeout=2)

    def action_shift(self, delta: int) -> None:
        guideline = self.guideline
        if guideline is not None:
            self._write(lambda: self.service.shift(guideline.id, delta),
                        select=node_key("g", guideline.id))
            return
        section = self.section
        if section is not None:
            self._write(lambda: self.service.shift_section(section.id, delta),
                        select=node_key("s", section.id))

    def action_delete(self) -> None:
        guideline = self.guideline
        if guideline is not None:
            def confirmed(choice: int | None) -> None:
                if choice == 0 and self._write(lambda: self.service.delete(guideline.id)):
                    self.notify(f"deleted {guideline.number} (u undoes)", timeout=3)

            self.app.push_screen(ChoiceScreen(f"Delete {guideline.number}"
                                              f" '{guideline.title[:40]}'?",
                                              ["Delete it", "Keep it"]), confirmed)
            return
        section = self.section
        if section is None:
            return
        inside = sum(1 for g in self.guidelines if g.section_id == section.id)

        def confirmed_section(choice: int | None) -> None:
            if choice == 0 and self._write(
                    lambda: self.service.delete_section(section.id, force=True)) is not None:
                self.notify(f"deleted section {section.title} (u undoes)", timeout=3)

        what = f" and its {inside} guideline(s)" if inside else ""
        self.app.push_screen(ChoiceScreen(f"Delete section {section.title}{what}?",
                                          ["Delete", "Keep"]), confirmed_section)

    # -- evidence and coverage -------------------------------------------------------------
    @on(EvidenceList.Act)
    def _evidence_act(self, event: EvidenceList.Act) -> None:
        if event.action == "view":
            self._show_selected()
            return
        guideline = self._need_guideline()
        if guideline is None:
            return
        gid, segment_id = guideline.id, event.segment_id
        if event.action == "toggle":
            added = self._write(lambda: self.service.toggle_evidence(gid, segment_id))
            if added is not None:
                self.notify("added as evidence" if added else "removed from the evidence",
                            timeout=2)
        elif event.action == "counter":
            counter = self._write(lambda: self.service.toggle_counter(gid, segment_id))
            if counter is not None:
                self.notify("marked as counter-evidence" if counter else
                            "marked as supporting evidence", timeout=2)
        elif event.action == "quote":
            quote = self._write(lambda: self.service.toggle_quote(gid, segment_id))
            if quote is not None:
                self.notify("quoted in the report" if quote else "no longer quoted",
                            timeout=2)

    def action_toggle_coverage(self) -> None:
        showing = self.has_class("-coverage")
        self.set_class(not showing, "-coverage")
        target: Widget = self.evidence if showing else self.coverage_list
        self.call_after_refresh(target.focus)

    def action_change_k(self, delta: int) -> None:
        k = max(1, self.k + delta)
        if k != self.k:
            self.k = k
            self.reload_data()
        if not self.has_class("-coverage"):
            self.notify(f"k = {self.k}: c shows the coverage", timeout=2)

    @on(CoverageList.Open)
    def _coverage_open(self, event: CoverageList.Open) -> None:
        if event.kind == "weak":
            self.reload_data(select=node_key("g", event.item_id))
            self.tree.select_key(node_key("g", event.item_id))
            self.set_class(False, "-coverage")
            self.call_after_refresh(self.evidence.focus)
            return
        section = self.section
        if section is None:
            self.notify("add a section first: N (or T for the template)", severity="warning")
            return
        self._prompt_new_guideline(section, [event.item_id])

    # -- history, report, help ------------------------------------------------------------
    def action_undo(self) -> None:
        summary = self._write(self.project.undo)
        if summary is not None:
            self.notify(summary, title="History", timeout=3)

    def action_redo(self) -> None:
        summary = self._write(self.project.redo)
        if summary is not None:
            self.notify(summary, title="History", timeout=3)

    def action_report(self) -> None:
        if not self.guidelines:
            self.notify("no guidelines to report yet", severity="warning")
            return
        default = str(self.project.root / "report.html")

        def chosen(value: str | None) -> None:
            if not value:
                return
            path = Path(value).expanduser()
            if not path.is_absolute():
                path = self.project.root / path
            try:
                from qualtui.analysis.report import format_for

                fmt = format_for(path, None)
            except QualtuiError as exc:
                self.notify(str(exc), severity="error", timeout=6)
                return
            self.last_report = f"writing {path.name}..."
            self._update_status()
            self.write_report(path, fmt)

        self.app.push_screen(PromptScreen("Write the report to (.html, .md or .docx)",
                                          default), chosen)

    @work(thread=True, exclusive=True, group="report")
    def write_report(self, path: Path, fmt: str) -> None:
        """Collect and write the report on a separate project handle (a worker thread)."""
        from qualtui.analysis.report import write_report
        from qualtui.store.project import open_project

        project = None
        try:
            project = open_project(self.project.root, coder=self.project.coder)
            result = write_report(project, path, fmt)
        except (QualtuiError, OSError) as exc:
            self.app.call_from_thread(self._report_done, f"report failed: {exc}", "error")
            return
        finally:
            if project is not None:
                project.close()
        self.app.call_from_thread(self._report_done,
                                  f"wrote {path} ({len(result.guidelines)} guidelines)",
                                  "information")

    def _report_done(self, message: str, severity: str) -> None:
        self.last_report = message
        self.notify(message, severity=severity, timeout=6)  # type: ignore[arg-type]
        self._update_status()

    def action_help(self) -> None:
        from qualtui.tui.screens.help import HelpScreen, binding_groups

        sources: list[tuple[str, Any]] = [("Global", self.app.BINDINGS),
                                          ("Guidelines", self.BINDINGS)]
        sources.extend((name, cls.BINDINGS) for name, cls in self.HELP_WIDGETS)
        keymap = getattr(self.app, "_keymap", {}) or {}
        groups = binding_groups(sources, keymap)
        groups.setdefault("Global", []).append(("ctrl+p", "Command palette (themes, keys...)"))
        self.app.push_screen(HelpScreen(groups, "qualtui keys - guidelines screen"))

    # -- live refresh ------------------------------------------------------------------------
    def poll_changes(self) -> None:
        """Reload when another process (or the coding screen's coder) committed."""
        version = pull_changes(self)
        if version is None or version == self._seen_version:
            return
        self._seen_version = version
        self.reload_data()

