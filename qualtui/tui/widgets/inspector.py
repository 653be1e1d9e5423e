"""The inspector: the codings and memos at the cursor, and what keys 1-9 apply."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from qualtui.core.session import CodingAt
from qualtui.tui.widgets.palette import Palette

__all__ = ["Inspector"]


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Inspector(Static):
    """Lists the segments covering the cursor (code, coder, range, memo) and the quick codes.

    Its height is fixed (CSS), so updates on every cursor move never cost a relayout.
    """

    _shown: tuple[str, ...] = ()

    DEFAULT_CSS = """
    Inspector {
        height: 6;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """

    def show(self, codings: Sequence[CodingAt], palette: Palette, hidden: set[str],
             quick: Mapping[int, str], names: Mapping[str, str], rows: int,
             selection: tuple[int, int] | None) -> None:
        """Render ``codings`` in at most ``rows - 1`` lines, then the quick-code line."""
        lines: list[Text] = []
        room = max(1, rows - 1)
        if not codings:
            hint = Text("No codes at the cursor.", Style(dim=True), no_wrap=True,
                        overflow="ellipsis")
            if selection:
                hint = Text(f"{selection[1] - selection[0]} characters selected: c code,"
                            " 1-9 quick code, i in vivo", Style(dim=True), no_wrap=True,
                            overflow="ellipsis")
            lines.append(hint)
        shown = codings if len(codings) <= room else codings[: room - 1]
        for item in shown:
            seg = item.segment
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f" {palette.letter(seg.code_id)} ", palette.swatch_style(seg.code_id))
            line.append(" " + item.path, Style(dim=seg.code_id in hidden))
            line.append(f"  {seg.coder} {seg.start}-{seg.end}", Style(dim=True))
            if item.memo is not None:
                line.append("  memo: ", Style(bold=True))
                line.append(_one_line(item.memo.body or item.memo.title))
            lines.append(line)
        if len(shown) < len(codings):
            lines.append(Text(f"  and {len(codings) - len(shown)} more (x lists them all)",
                              Style(dim=True), no_wrap=True, overflow="ellipsis"))
        quick_line = Text(no_wrap=True, overflow="ellipsis")
        if quick:
            for key, code_id in quick.items():
                quick_line.append(f"{key}", Style(bold=True, reverse=True))
                quick_line.append(f" {names.get(code_id, '?')}  ")
        else:
            quick_line.append("Keys 1-9 will hold your recent codes (pin one: 1-9 in the"
                              " codebook tree).", Style(dim=True))
        lines.append(quick_line)
        key = tuple(line.plain for line in lines)
        if key != self._shown:  # fixed height: refresh without a relayout
            self._shown = key
            self.update(Group(*lines), layout=False)
