"""Code colours per depth: distinct at 256 and 16 colours, never the background, Okabe-Ito
first, and non-colour cues wherever colour is scarce."""

from __future__ import annotations

import random

import pytest
from rich.color import Color, ColorSystem, blend_rgb

from qualtui.core.colors import PALETTE
from qualtui.tui.widgets.palette import (
    Palette,
    cap_depth,
    detect_depth,
    distinct_ansi,
    distinct_cube,
)

RANDOM = [f"#{random.Random(7 + i).randrange(1 << 24):06x}" for i in range(40)]
CODES = [(f"c{i}", color) for i, color in enumerate(RANDOM)]
DARK = Color.parse("#1e1e1e")
LIGHT = Color.parse("#f7f7f7")


def test_rich_alone_collapses_tints() -> None:
    """Why the palette picks its own entries: the truecolor tints of 40 distinct colours,
    left to the terminal's downgrade, collapse to a handful of entries."""
    base = DARK.get_truecolor()
    tints = [Color.from_triplet(blend_rgb(base, Color.parse(c).get_truecolor(), 0.42))
             for c in RANDOM]
    assert len({t.downgrade(ColorSystem.EIGHT_BIT).number for t in tints}) <= 20
    assert len({t.downgrade(ColorSystem.STANDARD).number for t in tints}) <= 6


def test_256_colours_stay_distinct_after_downgrade() -> None:
    palette = Palette("256", CODES)
    shown = [palette.color(cid) for cid, _ in CODES]
    numbers = [c.downgrade(ColorSystem.EIGHT_BIT).number for c in shown]
    assert len(set(numbers)) == len(CODES)  # what the terminal gets: 40 different entries
    assert distinct_cube([Color.parse(c) for c in RANDOM]) == numbers
    for background in (DARK, LIGHT):
        bg = background.downgrade(ColorSystem.EIGHT_BIT).number
        tints = [palette.text_style(frozenset({cid}), background).bgcolor for cid, _ in CODES]
        entries = [t.downgrade(ColorSystem.EIGHT_BIT).number for t in tints if t]
        assert len(set(entries)) == len(CODES) and bg not in entries
    overlap = palette.text_style(frozenset({"c0", "c1"}), DARK)
    assert overlap.underline and overlap.bgcolor is not None


def test_16_colours_first_twelve_distinct_and_usable() -> None:
    numbers = distinct_ansi([Color.parse(c) for c in RANDOM])
    assert len(set(numbers[:12])) == 12
    assert not {0, 7, 8, 15} & set(numbers)
    palette = Palette("16", CODES)
    assert [palette.color(cid).number for cid, _ in CODES] == numbers


def test_colour_blind_safe_palette_survives_every_depth() -> None:
    colors = [s.hex for s in PALETTE]
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442"}
    assert okabe_ito <= set(colors[:7])
    assert len(set(distinct_ansi([Color.parse(c) for c in colors])[:12])) == 12
    assert len(set(distinct_cube([Color.parse(c) for c in colors]))) == len(colors)


@pytest.mark.parametrize("depth", ["16", "mono"])
def test_non_colour_cues(depth: str) -> None:
    palette = Palette(depth, CODES[:3])
    single = palette.text_style(frozenset({"c0"}), DARK)
    both = palette.text_style(frozenset({"c0", "c1"}), DARK)
    assert single.underline and not single.bold and both.underline and both.bold
    assert single.bgcolor is None
    assert [palette.gutter_cell(f"c{i}", i == 0)[0] for i in range(3)] == ["A", "B", "C"]
    assert palette.swatch_style("c2").reverse
    if depth == "mono":
        assert single.color is None and palette.gutter_cell("c1", True)[1].color is None


def test_depth_from_terminal_theme_and_config(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cap_depth("truecolor", "auto") == "truecolor"
    assert cap_depth("256", "ansi") == "16"
    assert cap_depth("256", "none") == "mono"
    assert cap_depth("mono", "ansi") == "mono"
    assert detect_depth("truecolor", False, "256") == "256"  # colors: in config.yaml
    assert detect_depth("256", True, "truecolor") == "mono"  # NO_COLOR wins
    monkeypatch.setenv("QUALTUI_COLORS", "16")
    assert detect_depth("truecolor", False, "256") == "16"  # the environment wins
