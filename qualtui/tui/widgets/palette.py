"""How codes look: colours per colour depth, letters, and styles for coded text and stripes.

Codes must stay distinguishable on every terminal, so colour is never the only cue:

* ``truecolor``: coded text gets a tint of its code's colour; overlaps get the mixed
  colour, stronger, and an underline; the gutter draws a coloured bar per segment.
* ``256``: the same, but every code gets its *own* entry of the 6x6x6 colour cube (the
  nearest one not taken by an earlier code) and its own tint entry (never the background's),
  so codes that differ in truecolor still differ after the terminal's downgrade (left to
  Rich, 40 arbitrary colours collapse to 11).
* ``16``: every code gets a usable ANSI colour (1-6, 9-14; the nearest one not yet taken,
  so the first twelve codes differ) for its text, which is also underlined (bold as well
  where codes overlap); the gutter shows the code's letter.
* ``mono`` (``NO_COLOR``, the monochrome theme): underline, bold for overlaps, letters in the
  gutter.

The depth is the terminal's (:func:`detect_depth`) capped by the theme's ``qt-code-colors``
variable (see :mod:`qualtui.tui.themes`): the ANSI theme paints codes with ANSI colours, the
monochrome theme with no colour. The tint strength comes from the theme's ``qt-code-tint``
(:func:`set_tint`).

Every code gets a letter (``A``-``Z``, ``a``-``z``, ``0``-``9`` in codebook order) that the
gutter, the codebook tree and the inspector all show.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rich._palettes import EIGHT_BIT_PALETTE, STANDARD_PALETTE
from rich.color import Color, ColorSystem, blend_rgb
from rich.color_triplet import ColorTriplet
from rich.style import Style

__all__ = ["COLOR_ENV", "CODE_COLOR_MODES", "DEPTHS", "CodeLook", "Palette", "assign_letters",
           "cap_depth", "detect_depth", "distinct_ansi", "distinct_cube", "set_tint"]

DEPTHS = ("truecolor", "256", "16", "mono")
COLOR_ENV = "QUALTUI_COLORS"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
FALLBACK_COLOR = "#888888"
# Standard ANSI numbers too close to the terminal's own text or background to carry meaning.
_UNUSABLE_ANSI = {0, 7, 8, 15}
_USABLE_ANSI = tuple(n for n in range(16) if n not in _UNUSABLE_ANSI)
# Entries of the 256-colour cube with a hue (the cube's greys do not survive Rich's downgrade
# and carry no hue anyway).
_CUBE = tuple(n for n in range(16, 232)
              if len(set(EIGHT_BIT_PALETTE[n])) > 1)
CODE_COLOR_MODES = ("auto", "ansi", "none")
"""Values of a theme's ``qt-code-colors``: the terminal's depth, ANSI colours, no colour."""
DEFAULT_TINT = 0.42
_tint = DEFAULT_TINT


def set_tint(strength: float) -> None:
    """How strongly a single code tints its text (0-1, blended into the background); the app
    sets it from the theme's ``qt-code-tint``. Overlaps are always a little stronger."""
    global _tint
    _tint = min(0.9, max(0.1, float(strength)))


def cap_depth(depth: str, code_colors: str) -> str:
    """The terminal's ``depth`` limited by a theme's ``qt-code-colors``."""
    if code_colors == "none" or depth == "mono":
        return "mono"
    if code_colors == "ansi":
        return "16"
    return depth


def _distance(a: Sequence[int], b: Sequence[int]) -> float:
    """A cheap perceptual distance, squared ("redmean" weighted RGB; only compared)."""
    rmean = (a[0] + b[0]) / 2
    dr, dg, db = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return (2 + rmean / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rmean) / 256) * db * db


def _nearest_free(target: tuple[int, int, int], candidates: Sequence[int],
                  table: Sequence[Sequence[int]], taken: set[int]) -> int:
    """The candidate nearest ``target``, preferring ones not ``taken``."""
    def rgb(n: int) -> tuple[int, int, int]:
        r, g, b = table[n]
        return (r, g, b)

    free = [n for n in candidates if n not in taken] or list(candidates)
    return min(free, key=lambda n: _distance(target, rgb(n)))


_LEVELS = (0, 95, 135, 175, 215, 255)  # the cube's channel values


def _level(value: int) -> int:
    return min(range(6), key=lambda i: abs(_LEVELS[i] - value))


@lru_cache(maxsize=256)
def _order_from_cell(r: int, g: int, b: int) -> tuple[int, ...]:
    """The cube's hue entries, nearest first, seen from the centre of cell ``(r, g, b)``."""
    centre = (_LEVELS[r], _LEVELS[g], _LEVELS[b])
    return tuple(sorted(_CUBE, key=lambda n: (_distance(centre, EIGHT_BIT_PALETTE[n]), n)))


def _cube_nearest_free(target: tuple[int, int, int], taken: set[int]) -> int:
    """The cube hue entry nearest ``target`` (as seen from its own cell) that is not
    ``taken``; the nearest one when every hue is taken. The orders per cell are cached, so
    assigning 300 codes costs a few milliseconds, not 300 x 210 distance checks."""
    order = _order_from_cell(*(_level(c) for c in target))
    return next((n for n in order if n not in taken), order[0])


@lru_cache(maxsize=16)
def _cube_assignment(targets: tuple[tuple[int, int, int], ...],
                     reserved: tuple[int, ...] = ()) -> tuple[int, ...]:
    taken = set(reserved)
    out = []
    for target in targets:
        n = _cube_nearest_free(target, taken)
        taken.add(n)
        out.append(n)
    return tuple(out)


def distinct_cube(colors: Sequence[Color]) -> list[int]:
    """One 256-colour cube entry per colour, in order: the nearest entry no earlier colour
    took (entries repeat only past the cube's 210 hues). Cached: a palette rebuilt for the
    same codebook costs nothing."""
    return list(_cube_assignment(tuple(tuple(c.get_truecolor()) for c in colors)))


def distinct_ansi(colors: Sequence[Color]) -> list[int]:
    """One usable ANSI number (1-6, 9-14) per colour, in order: the nearest one no earlier
    colour took, so the first twelve differ; after that they repeat (letters tell apart)."""
    taken: set[int] = set()
    out: list[int] = []
    for color in colors:
        if len(taken) == len(_USABLE_ANSI):
            taken = set()
        n = _nearest_free(tuple(color.get_truecolor()), _USABLE_ANSI, STANDARD_PALETTE, taken)
        taken.add(n)
        out.append(n)
    return out


def _cube_color(n: int) -> Color:
    return Color.from_triplet(ColorTriplet(*EIGHT_BIT_PALETTE[n]))


def detect_depth(color_system: str | None, no_color: bool,
                 preferred: str | None = None) -> str:
    """The palette depth for a console: ``QUALTUI_COLORS`` wins, then NO_COLOR, then
    ``preferred`` (``colors:`` in the user's config.yaml), then Rich's detected colour system
    (``standard``/``windows`` -> ``16``)."""
    forced = os.environ.get(COLOR_ENV, "").strip().lower()
    if forced in DEPTHS:
        return forced
    if forced in ("none", "no", "0", "nocolor"):
        return "mono"
    if no_color or color_system is None:
        return "mono"
    if preferred in DEPTHS:
        return preferred
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


def _contrast(color: Color) -> Color:
    r, g, b = color.get_truecolor()
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return Color.from_rgb(0, 0, 0) if luminance > 140 else Color.from_rgb(255, 255, 255)


@dataclass(frozen=True)
class CodeLook:
    """What one code looks like: its letter and colour (as shown at this depth)."""

    code_id: str
    letter: str
    color: Color


class Palette:
    """Styles for the codes of one project at one colour depth."""

    def __init__(self, depth: str, codes: Sequence[tuple[str, str]], *,
                 tint: float | None = None) -> None:
        """``codes`` is ``(code_id, "#rrggbb")`` in codebook order; ``tint`` overrides the
        theme's tint strength (:func:`set_tint`)."""
        if depth not in DEPTHS:
            raise ValueError(f"unknown colour depth {depth!r}")
        self.depth = depth
        self.tint = _tint if tint is None else tint
        letters = assign_letters(cid for cid, _ in codes)
        colors = [_parse(color) for _, color in codes]
        # the colour each code is drawn with at this depth, distinct where the depth allows
        if depth == "256":
            shown = [_cube_color(n) for n in distinct_cube(colors)]
        elif depth == "16":
            shown = [Color.from_ansi(n) for n in distinct_ansi(colors)]
        else:
            shown = colors
        self.looks: dict[str, CodeLook] = {
            cid: CodeLook(cid, letters[cid], color)
            for (cid, _), color in zip(codes, shown, strict=True)}
        self._order = {cid: i for i, cid in enumerate(self.looks)}
        self._text_cache: dict[tuple[frozenset[str], Color | None], Style] = {}
        self._gutter_cache: dict[tuple[str, bool], Style] = {}
        self._tints: dict[Color | None, dict[str, Color]] = {}

    @property
    def colorful(self) -> bool:
        """True at 256 colours and above, where tints and bars are used."""
        return self.depth in ("truecolor", "256")

    def letter(self, code_id: str) -> str:
        look = self.looks.get(code_id)
        return look.letter if look else "?"

    def color(self, code_id: str) -> Color:
        """The code's colour as drawn at this depth (a cube entry at 256, ANSI at 16)."""
        look = self.looks.get(code_id)
        return look.color if look else _parse(FALLBACK_COLOR)

    def _ordered(self, codes: frozenset[str]) -> list[str]:
        order = self._order
        return sorted(codes, key=lambda c: order.get(c, len(order)))

    def _single_tints(self, background: Color | None) -> dict[str, Color]:
        """At 256 colours: one tint entry per code on ``background``, distinct from each
        other and from the background's own entry (text must never lose its tint)."""
        tints = self._tints.get(background)
        if tints is not None:
            return tints
        base = background.get_truecolor() if background is not None else None
        reserved: tuple[int, ...] = ()
        if base is not None:
            reserved = (Color.from_triplet(base).downgrade(ColorSystem.EIGHT_BIT).number or 0,)
        targets = tuple(
            tuple(blend_rgb(base, look.color.get_truecolor(), self.tint) if base
                  else look.color.get_truecolor())
            for look in self.looks.values())
        numbers = _cube_assignment(targets, reserved)  # type: ignore[arg-type]
        tints = {cid: _cube_color(n) for cid, n in zip(self.looks, numbers, strict=True)}
        self._tints[background] = tints
        return tints

    def text_style(self, codes: frozenset[str], background: Color | None) -> Style:
        """The style of text covered by exactly ``codes`` on ``background``."""
        key = (codes, background)
        style = self._text_cache.get(key)
        if style is not None:
            return style
        ordered = self._ordered(codes)
        overlap = len(ordered) > 1
        if self.depth == "256" and not overlap and ordered and ordered[0] in self.looks:
            style = Style(bgcolor=self._single_tints(background)[ordered[0]])
        elif self.colorful:
            colors = [self.color(c).get_truecolor() for c in ordered]
            mixed = colors[0]
            for i, other in enumerate(colors[1:], start=2):
                mixed = blend_rgb(mixed, other, 1 / i)
            base = background.get_truecolor() if background is not None else None
            strength = min(0.9, self.tint + 0.18) if overlap else self.tint
            tint = blend_rgb(base, mixed, strength) if base else mixed
            if self.depth == "256":
                taken = set()
                if base is not None:
                    taken.add(Color.from_triplet(base).downgrade(ColorSystem.EIGHT_BIT).number)
                n = _cube_nearest_free(tuple(tint), taken)  # type: ignore[arg-type]
                style = Style(bgcolor=_cube_color(n), underline=overlap)
            else:
                style = Style(bgcolor=Color.from_triplet(tint), underline=overlap)
        elif self.depth == "16":
            ansi = self.color(ordered[0]) if ordered and ordered[0] in self.looks else None
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
            ansi = self._ansi(code_id)
            cached = Style(color=ansi, bold=first, reverse=first)
            self._gutter_cache[key] = cached
        return letter, cached

    def _ansi(self, code_id: str) -> Color | None:
        return self.color(code_id) if self.depth == "16" and code_id in self.looks else None

    def swatch_style(self, code_id: str) -> Style:
        """The style of a code's letter tile in the codebook tree and the inspector."""
        if self.colorful:
            color = self.color(code_id)
            return Style(color=_contrast(color), bgcolor=color, bold=True)
        return Style(color=self._ansi(code_id), bold=True, reverse=True)
