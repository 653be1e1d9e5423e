"""Widgets of the guideline drafting screen: the sections/guidelines tree, the guideline view,
the evidence list and the coverage list.

They only display what the screen gives them and post messages for what the user asks; all
project access stays in :mod:`qualtui.tui.screens.guidelines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static, Tree
from textual.widgets.option_list import Option
from textual.widgets.tree import TreeNode

from qualtui.core.guidelines import Candidate, Coverage, Guideline, Section, Support

__all__ = ["CoverageList", "EvidenceList", "GuidelineTree", "GuidelineView", "node_key"]

ADDRESS_LABELS = {"benefit": "benefit to pursue", "risk": "risk to mitigate"}


def node_key(kind: str, item_id: str) -> str:
    """Tree node data: ``"s:<section id>"`` or ``"g:<guideline id>"``."""
    return f"{kind}:{item_id}"


class GuidelineTree(Tree[str]):
    """Sections (expandable) and their guidelines, with each guideline's support."""

    ICON_NODE = "+ "
    ICON_NODE_EXPANDED = "- "
    DEFAULT_CSS = """
    GuidelineTree { background: $surface; overflow-x: hidden; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="guideline.tree-down"),
        Binding("k", "cursor_up", "Up", show=False, id="guideline.tree-up"),
        Binding("right", "expand", "Expand", show=False, id="guideline.tree-expand"),
        Binding("left", "collapse", "Collapse", show=False, id="guideline.tree-collapse"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Guidelines", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = False
        self._collapsed: set[str] = set()

    @property
    def key(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def populate(self, sections: Sequence[Section], guidelines: Sequence[Guideline],
                 support: dict[str, Support], k: int, select: str | None = None) -> None:
        """Rebuild, keeping collapsed sections and the cursor (or moving it to ``select``)."""
        wanted = select or self.key
        for node in self.root.children:
            if node.data and not node.is_expanded:
                self._collapsed.add(node.data)
            elif node.data:
                self._collapsed.discard(node.data)
        self.clear()
        target: TreeNode[str] | None = None
        for number, section in enumerate(sections, start=1):
            inside = [g for g in guidelines if g.section_id == section.id]
            label = Text(f"{number} {section.title}", Style(bold=True))
            label.append(f" ({len(inside)})", Style(dim=True))
            key = node_key("s", section.id)
            node = self.root.add(label, data=key, expand=key not in self._collapsed)
            if key == wanted:
                target = node
            for g in inside:
                g_key = node_key("g", g.id)
                leaf = node.add_leaf(self._label(g, support.get(g.id), k), data=g_key)
                if g_key == wanted:
                    target = leaf
        self.root.expand()
        if target is not None:
            parent = target.parent
            if parent is not None and parent is not self.root:
                parent.expand()
            self.call_after_refresh(self.move_cursor, target)

    @staticmethod
    def _label(g: Guideline, support: Support | None, k: int) -> Text:
        label = Text(no_wrap=True, overflow="ellipsis")
        label.append(f"{g.number} ")
        if support is not None:
            weak = support.evidence < k
            label.append(f"{support.evidence:>2}", Style(color="yellow" if weak else "green",
                                                         bold=weak))
            label.append(" ")
        style = Style(dim=True) if g.status == "final" else Style()
        if g.priority == "high":
            style += Style(bold=True)
        label.append(g.title, style)
        return label

    def select_key(self, key: str) -> None:
        for section in self.root.children:
            for node in (section, *section.children):
                if node.data == key:
                    if node is not section:
                        section.expand()
                    self.call_after_refresh(self.move_cursor, node)
                    return

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()

    def action_collapse(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)


def _heading(text: str, keys: str = "") -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(text, Style(bold=True, color="cyan"))
    if keys:
        line.append(f"  {keys}", Style(dim=True))
    return line


class GuidelineView(VerticalScroll, can_focus=True):
    """The selected guideline (or section), read-only; the screen's keys edit it."""

    DEFAULT_CSS = """
    GuidelineView { background: $surface; padding: 0 1; }
    GuidelineView > Static { width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="guideline.view-down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="guideline.view-up"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="gl-view-body")

    @property
    def body(self) -> Static:
        return self.query_one("#gl-view-body", Static)

    def show_empty(self) -> None:
        self.body.update(Group(
            _heading("No guideline sections yet"),
            Text("N adds a section; T adds the public-sector template's ten sections"
                 " (purpose and scope, governance, accounts, content, engagement, records,"
                 " privacy, security, training, monitoring)."),
        ))

    def show_section(self, number: int, section: Section, count: int) -> None:
        parts: list[RenderableType] = [
            Text(f"{number} {section.title}", Style(bold=True)),
            Text(f"{count} guideline(s)", Style(dim=True)),
            Text(""), _heading("Description", "e edit"),
            Text(section.description or "(none)", Style(dim=not section.description)),
            Text(""),
            Text("n new guideline here · t rename · J/K move · d delete", Style(dim=True)),
        ]
        self.body.update(Group(*parts))
        self.scroll_home(animate=False)

    def show_guideline(self, g: Guideline, support: Support, paths: dict[str, str],
                       k: int) -> None:
        weak = support.evidence < k
        meta = Text(no_wrap=False)
        meta.append(f"{g.priority}", Style(bold=g.priority == "high"))
        meta.append(" · ")
        meta.append(g.status)
        meta.append(f" · {g.author or '-'}")
        if support.counter:
            meta.append(f" · counter-evidence from {support.counter}", Style(color="red"))
        support_line = Text()
        support_line.append("Support ")
        support_line.append(support.label(), Style(color="yellow" if weak else "green",
                                                   bold=True))
        support_line.append(f" · codes {support.codes}/{support.total}", Style(dim=True))
        parts: list[RenderableType] = [
            Text(f"{g.number} {g.title}", Style(bold=True)), meta, support_line,
            _heading("Statement", "e"),
            Markdown(g.statement) if g.statement.strip() else Text("(none yet)",
                                                                   Style(dim=True)),
            _heading("Rationale", "r"),
            Markdown(g.rationale) if g.rationale.strip() else Text("(none yet)",
                                                                   Style(dim=True)),
            _heading("Addresses", "a"),
        ]
        if g.addresses:
            for address in g.addresses:
                line = Text(f"{ADDRESS_LABELS.get(address.kind, address.kind)}: ",
                            Style(dim=True))
                line.append(address.text)
                if address.code_id:
                    line.append(f" [{paths.get(address.code_id, '?')}]", Style(dim=True))
                parts.append(line)
        else:
            parts.append(Text("(nothing yet)", Style(dim=True)))
        parts.append(_heading("Codes", "l link · L unlink"))
        if g.code_ids:
            parts.extend(Text(paths.get(c, "?")) for c in g.code_ids)
        else:
            parts.append(Text("(none: link codes to see candidate evidence)", Style(dim=True)))
        if g.history:
            last = g.history[-1]
            parts.append(_heading("History"))
            parts.append(Text(f"{len(g.history)} change(s); last by {last.coder}:"
                              f" {last.change}", Style(dim=True)))
        self.body.update(Group(*parts))


class EvidenceList(OptionList):
    """Candidate passages of the linked codes; marks show evidence, counter and quotes."""

    DEFAULT_CSS = """
    EvidenceList, EvidenceList:focus { background: $surface; border: none; height: 1fr;
                                       padding: 0 0 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,enter", "toggle", "Evidence", id="evidence.toggle",
                tooltip="Add the passage as evidence, or remove it"),
        Binding("x", "counter", "Counter", id="evidence.counter",
                tooltip="Mark as counter-evidence (or back to supporting)"),
        Binding("q", "quote", "Quote", id="evidence.quote",
                tooltip="Show as one of the (at most 3) quotes in the report"),
        Binding("v", "view", "Chosen only", id="evidence.view",
                tooltip="Show only the chosen evidence, or every candidate"),
        Binding("j", "cursor_down", "Down", show=False, id="evidence.down"),
        Binding("k", "cursor_up", "Up", show=False, id="evidence.up"),
    ]

    class Act(Message):
        """The user asked for ``action`` (toggle, counter, quote) on a segment."""

        def __init__(self, action: str, segment_id: str) -> None:
            super().__init__()
            self.action = action
            self.segment_id = segment_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.candidates: list[Candidate] = []
        self.chosen_only = False

    @property
    def segment_id(self) -> str | None:
        index = self.highlighted
        if index is None or not 0 <= index < self.option_count:
            return None
        return self.get_option_at_index(index).id

    def show(self, candidates: Sequence[Candidate]) -> None:
        """Replace the list, keeping the highlighted passage when it is still there."""
        current = self.segment_id
        self.candidates = list(candidates)
        shown = [c for c in self.candidates if c.chosen or not self.chosen_only]
        self.clear_options()
        width = max(20, (self.size.width or 60) - 4)
        self.add_options([Option(self._prompt(c, width), id=c.segment_id) for c in shown])
        if not shown:
            return
        ids = [c.segment_id for c in shown]
        self.highlighted = ids.index(current) if current in ids else 0

    @staticmethod
    def _prompt(c: Candidate, width: int) -> Group:
        prompt = Text(no_wrap=True, overflow="ellipsis")
        if c.counter:
            prompt.append("− ", Style(color="red", bold=True))
        elif c.quote:
            prompt.append("★ ", Style(color="yellow", bold=True))
        elif c.chosen:
            prompt.append("+ ", Style(color="green", bold=True))
        else:
            prompt.append("· ", Style(dim=True))
        prompt.append(c.respondent, Style(bold=True))
        if c.role:
            prompt.append(f" {c.role}", Style(italic=True))
        prompt.append("  " + "; ".join(p.rsplit("/", 1)[-1] for p in c.codes), Style(dim=True))
        prompt.truncate(width, overflow="ellipsis")
        quote = " ".join(c.text.split())
        room = max(10, (width - 2) * 2 - 6)
        if len(quote) > room:
            quote = quote[: room - 1].rstrip() + "…"
        return Group(prompt, Padding(Text(f"“{quote}”", Style(dim=not c.chosen)),
                                     (0, 0, 0, 2)))

    def on_resize(self) -> None:
        if self.candidates:
            self.show(self.candidates)

    def _act(self, action: str) -> None:
        segment_id = self.segment_id
        if segment_id is not None:
            self.post_message(self.Act(action, segment_id))

    def action_toggle(self) -> None:
        self._act("toggle")

    def action_counter(self) -> None:
        self._act("counter")

    def action_quote(self) -> None:
        self._act("quote")

    def action_view(self) -> None:
        self.chosen_only = not self.chosen_only
        self.show(self.candidates)
        self.post_message(self.Act("view", ""))


class CoverageList(OptionList):
    """Gaps (codes backed by >= k respondents that no guideline addresses) and weak
    guidelines; Enter writes a guideline for a gap or goes to a weak one."""

    DEFAULT_CSS = """
    CoverageList, CoverageList:focus { background: $surface; border: none; height: 1fr;
                                       padding: 0 0 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Write / go to", id="coverage.open",
                tooltip="On a gap: draft a guideline linked to the code; on a weak"
                        " guideline: go to it"),
        Binding("j", "cursor_down", "Down", show=False, id="coverage.down"),
        Binding("k", "cursor_up", "Up", show=False, id="coverage.up"),
    ]

    class Open(Message):
        """``kind`` is ``gap`` (``item_id`` a code id) or ``weak`` (a guideline id)."""

        def __init__(self, kind: str, item_id: str) -> None:
            super().__init__()
            self.kind = kind
            self.item_id = item_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.coverage: Coverage | None = None

    def show(self, coverage: Coverage) -> None:
        """Replace the list, keeping the highlighted item when it is still there."""
        self.coverage = coverage
        current = None
        if self.highlighted is not None and 0 <= self.highlighted < self.option_count:
            current = self.get_option_at_index(self.highlighted).id
        width = max(20, (self.size.width or 60) - 2)

        def fit(text: Text) -> Text:
            text.truncate(width, overflow="ellipsis")
            return text

        self.clear_options()
        options: list[Option] = [Option(fit(Text(f"Codes from ≥ {coverage.k} respondents"
                                                 " that no guideline addresses",
                                                 Style(bold=True))), disabled=True)]
        if not coverage.gaps:
            options.append(Option(Text("  none", Style(dim=True)), disabled=True))
        for gap in coverage.gaps:
            line = Text(f"{gap.respondents:>3} ", Style(color="yellow", bold=True))
            line.append(gap.path)
            line.append(f"  {gap.segments} seg.", Style(dim=True))
            options.append(Option(fit(line), id=f"gap:{gap.code_id}"))
        options.append(Option(fit(Text(f"Guidelines with support < {coverage.k}"
                                       " respondents", Style(bold=True))), disabled=True))
        if not coverage.weak:
            options.append(Option(Text("  none", Style(dim=True)), disabled=True))
        for weak in coverage.weak:
            line = Text(f"{weak.support.evidence:>3} ", Style(color="yellow", bold=True))
            line.append(f"{weak.number} {weak.title}")
            options.append(Option(fit(line), id=f"weak:{weak.guideline_id}"))
        self.add_options(options)
        ids = [o.id for o in options]
        if current is not None and current in ids:
            self.highlighted = ids.index(current)
        else:
            first = next((i for i, o in enumerate(options) if not o.disabled), None)
            if first is not None:
                self.highlighted = first

    def on_resize(self) -> None:
        if self.coverage is not None:
            self.show(self.coverage)

    def action_open(self) -> None:
        index = self.highlighted
        if index is None or not 0 <= index < self.option_count:
            return
        option = self.get_option_at_index(index)
        if option.id and not option.disabled:
            kind, _, item_id = option.id.partition(":")
            self.post_message(self.Open(kind, item_id))
