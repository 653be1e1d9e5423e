"""The codebook tree: codes with their letter tile, segment counts here/everywhere, and keys
to filter the transcript, toggle a code's highlight, add a child code, rename and pin."""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from qualtui.core.models import Code
from qualtui.tui.widgets.palette import Palette

__all__ = ["CodebookTree"]



class CodebookTree(Tree[str]):
    """The project's codes as a tree; node data is the code id."""

    ICON_NODE = "+ "
    ICON_NODE_EXPANDED = "- "
    DEFAULT_CSS = """
    CodebookTree { background: $surface; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "filter", "Filter", key_display="Enter", id="codebook.filter",
                tooltip="Show only this code's segments in the transcript (again: all)"),
        Binding("space", "toggle_highlight", "Highlight", key_display="Space",
                id="codebook.toggle-highlight",
                tooltip="Toggle this code's highlight in the transcript and stripes"),
        Binding("a", "add_child", "Add child", id="codebook.add-child",
                tooltip="Add a code under this one"),
        Binding("r", "rename", "Rename", id="codebook.rename", tooltip="Rename this code"),
        Binding("l,right", "expand", "Expand", show=False, id="codebook.expand"),
        Binding("h,left", "collapse", "Collapse", show=False, id="codebook.collapse"),
        Binding("j", "cursor_down", "Down", show=False, id="codebook.down"),
        Binding("k", "cursor_up", "Up", show=False, id="codebook.up"),
        *[Binding(str(n), f"pin({n})", f"Pin to key {n}", show=False,
                  id=f"codebook.pin-{n}") for n in range(1, 10)],
    ]

    class CodeAction(Message):
        """The user asked for something on a code (``action``: filter, highlight, add, rename,
        pin)."""

        def __init__(self, action: str, code_id: str | None, key: int = 0) -> None:
            super().__init__()
            self.action = action
            self.code_id = code_id
            self.key = key

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Codebook", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = False
        self._collapsed: set[str] = set()

    @property
    def code_id(self) -> str | None:
        """The code under the tree's cursor."""
        node = self.cursor_node
        return node.data if node is not None else None

    def populate(self, codes: list[Code], palette: Palette, here: Mapping[str, int],
                 total: Mapping[str, int], hidden: set[str], keys: Mapping[str, int],
                 filtered: str | None, memos: Container[str] = ()) -> None:
        """Rebuild the tree, keeping the cursor and which nodes are collapsed. Codes whose
        id is in ``memos`` carry a memo marker."""
        current = self.code_id
        for node in self._all_nodes():
            if node.data and node.allow_expand and not node.is_expanded:
                self._collapsed.add(node.data)
            elif node.data:
                self._collapsed.discard(node.data)
        self.clear()
        nodes: dict[str | None, TreeNode[str]] = {None: self.root}
        children = {c.parent_id for c in codes}
        cursor_node: TreeNode[str] | None = None
        for code in codes:
            parent = nodes.get(code.parent_id, self.root)
            label = self._label(code, palette, here.get(code.id, 0), total.get(code.id, 0),
                                code.id in hidden, keys.get(code.id), code.id == filtered,
                                code.id in memos)
            if code.id in children:
                node = parent.add(label, data=code.id, expand=code.id not in self._collapsed)
            else:
                node = parent.add_leaf(label, data=code.id)
            nodes[code.id] = node
            if code.id == current:
                cursor_node = node
        self.root.expand()
        if cursor_node is None and self.root.children:
            cursor_node = self.root.children[0]
        if cursor_node is not None:
            self.call_after_refresh(self.move_cursor, cursor_node)

    def _all_nodes(self) -> list[TreeNode[str]]:
        out: list[TreeNode[str]] = []
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(node.children)
        return out

    @staticmethod
    def _label(code: Code, palette: Palette, here: int, total: int, hidden: bool,
               key: int | None, filtered: bool, has_memo: bool = False) -> Text:
        label = Text()
        label.append(f" {palette.letter(code.id)} ", palette.swatch_style(code.id))
        name_style = Style(dim=True, strike=True) if hidden else (
            Style(italic=True) if not code.codable else Style())
        if filtered:
            name_style += Style(bold=True, underline=True)
        label.append(" " + code.name, name_style)
        if key is not None:
            label.append(f" [{key}]", Style(bold=True))
        counts = f" {here}/{total}" if total else ""
        label.append(counts, Style(dim=True))
        if has_memo:
            label.append(" [m]", Style(bold=True))
        return label

    def select_code(self, code_id: str) -> None:
        for node in self._all_nodes():
            if node.data == code_id:
                parent = node.parent
                while parent is not None:
                    parent.expand()
                    parent = parent.parent
                self.call_after_refresh(self.move_cursor, node)
                return

    # -- actions ----------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.post_message(self.CodeAction("filter", self.code_id))

    def action_toggle_highlight(self) -> None:
        self.post_message(self.CodeAction("highlight", self.code_id))

    def action_add_child(self) -> None:
        self.post_message(self.CodeAction("add", self.code_id))

    def action_rename(self) -> None:
        self.post_message(self.CodeAction("rename", self.code_id))

    def action_pin(self, key: int) -> None:
        self.post_message(self.CodeAction("pin", self.code_id, key))

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
