"""How codes look: colours per colour depth, letters, and styles for coded text and stripes.

Codes must stay distinguishable on every terminal, so colour is never the only cue:

* ``truecolor``/``256``: coded text gets a tint of its code's colour; overlaps get the mixed
  colour, stronger, and an underline; the gutter draws a coloured bar per segment.
* ``16``: the code colour is mapped to the nearest ANSI colour and used for the text, which
  is also underlined (bold as well where codes overlap); the gutter shows the code's letter.
* ``mono`` (``NO_COLOR``): underline, bold for overlaps, letters in the gutter.

Every code gets a letter (``A``-``Z``, ``a``-``z``, ``0``-``9`` in codebook order) that the
gutter, the codebook tree and the inspector all show.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rich.color import Color, ColorSystem, blend_rgb
from rich.style import Style

__all__ = ["COLOR_ENV", "DEPTHS", "CodeLook", "Palette", "assign_letters", "detect_depth"]

DEPTHS = ("truecolor", "256", "16", "mono")
COLOR_ENV = "QUALTUI_COLORS"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
FALLBACK_COLOR = "#888888"
# Standard ANSI numbers too close to the terminal's own text or background to carry meaning.
_UNUSABLE_ANSI = {0, 7, 8, 15}


def detect_depth(color_system: str | None, no_color: bool) -> str:
    """The palette depth for a console: ``QUALTUI_COLORS`` wins, then NO_COLOR, then Rich's
    detected colour system (``standard``/``windows`` -> ``16``)."""
    forced = os.environ.get(COLOR_ENV, "").strip().lower()
    if forced in DEPTHS:
        return forced
    if forced in ("none", "no", "0", "nocolor"):
        return "mono"
    if no_color or color_system is None:
        return "mono"
    if color_system == "truecolor":
        return "truecolor"
    if color_system == "256":
        return "256"
    return "16"


def assign_letters(code_ids: Iterable[str]) -> dict[str, str]:
    """One letter per code, in the given (codebook) order; ``*`` once the letters run out."""
    return {cid: (LETTERS[i] if i < len(LETTERS) else "*") for i, cid in enumerate(code_ids)}


def _parse(color: str) -> Color:
    try:
        return Color.parse(color or FALLBACK_COLOR)
    except Exception:  # noqa: BLE001 - a hand-edited codebook may hold anything
        return Color.parse(FALLBACK_COLOR)


@lru_cache(maxsize=256)
def _ansi(color: Color) -> Color | None:
    """The nearest standard ANSI colour, or None when it would be unreadable."""
    standard = color.downgrade(ColorSystem.STANDARD)
    number = standard.number
    if number is None or number in _UNUSABLE_ANSI:
        return None
    return Color.from_ansi(number)


def _contrast(color: Color) -> Color:
    r, g, b = color.get_truecolor()
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return Color.from_rgb(0, 0, 0) if luminance > 140 else Color.from_rgb(255, 255, 255)


@dataclass(frozen=True)
class CodeLook:
    """What one code looks like: its letter and colour."""

    code_id: str
    letter: str
    color: Color


class Palette:
    """Styles for the codes of one project at one colour depth."""

    def __init__(self, depth: str, codes: Sequence[tuple[str, str]]) -> None:
        """``codes`` is ``(code_id, "#rrggbb")`` in codebook order."""
        if depth not in DEPTHS:
            raise ValueError(f"unknown colour depth {depth!r}")
        self.depth = depth
        letters = assign_letters(cid for cid, _ in codes)
        self.looks: dict[str, CodeLook] = {
            cid: CodeLook(cid, letters[cid], _parse(color)) for cid, color in codes}
        self._text_cache: dict[tuple[frozenset[str], Color | None], Style] = {}
        self._gutter_cache: dict[tuple[str, bool], Style] = {}

    @property
    def colorful(self) -> bool:
        """True at 256 colours and above, where tints and bars are used."""
        return self.depth in ("truecolor", "256")

    def letter(self, code_id: str) -> str:
        look = self.looks.get(code_id)
        return look.letter if look else "?"

    def color(self, code_id: str) -> Color:
        look = self.looks.get(code_id)
        return look.color if look else _parse(FALLBACK_COLOR)

    def _ordered(self, codes: frozenset[str]) -> list[str]:
        order = {cid: i for i, cid in enumerate(self.looks)}
        return sorted(codes, key=lambda c: order.get(c, len(order)))

    def text_style(self, codes: frozenset[str], background: Color | None) -> Style:
        """The style of text covered by exactly ``codes`` on ``background``."""
        key = (codes, background)
        style = self._text_cache.get(key)
        if style is not None:
            return style
        ordered = self._ordered(codes)
        overlap = len(ordered) > 1
        if self.colorful:
            colors = [self.color(c).get_truecolor() for c in ordered]
            mixed = colors[0]
            for i, other in enumerate(colors[1:], start=2):
                mixed = blend_rgb(mixed, other, 1 / i)
            base = background.get_truecolor() if background is not None else None
            tint = blend_rgb(base, mixed, 0.6 if overlap else 0.42) if base else mixed
            style = Style(bgcolor=Color.from_triplet(tint), underline=overlap)
        elif self.depth == "16":
            ansi = _ansi(self.color(ordered[0])) if ordered else None
            style = Style(color=ansi, underline=True, bold=overlap)
        else:
            style = Style(underline=True, bold=overlap)
        self._text_cache[key] = style
        return style

    def gutter_cell(self, code_id: str, first: bool) -> tuple[str, Style]:
        """The gutter character and style for a segment of ``code_id`` on one row.

        ``first`` is the segment's first row, which always shows the code's letter.
        """
        key = (code_id, first)
        cached = self._gutter_cache.get(key)
        letter = self.letter(code_id)
        if self.colorful:
            color = self.color(code_id)
            if cached is None:
                cached = (Style(color=_contrast(color), bgcolor=color, bold=True) if first
                          else Style(color=color))
                self._gutter_cache[key] = cached
            return (letter if first else "\u258c"), cached
        if cached is None:
            ansi = _ansi(self.color(code_id)) if self.depth == "16" else None
            cached = Style(color=ansi, bold=first, reverse=first)
            self._gutter_cache[key] = cached
        return letter, cached

    def swatch_style(self, code_id: str) -> Style:
        """The style of a code's letter tile in the codebook tree and the inspector."""
        if self.colorful:
            color = self.color(code_id)
            return Style(color=_contrast(color), bgcolor=color, bold=True)
        ansi = _ansi(self.color(code_id)) if self.depth == "16" else None
        return Style(color=ansi, bold=True, reverse=True)
