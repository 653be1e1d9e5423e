"""Every registered screen (and the help screen) at 80x24, on the sample project, in the
default theme and the 16-colour ANSI theme: SVG snapshots (update with
``pytest tests/ui --snapshot-update``), a scan of their text for glyphs terminals lack, and a
NO_COLOR run through every screen.

The project is a private copy of ``sample_project/``, the coder, time zone, config and state
directories are fixed (``conftest.py``), and no screen shows a clock, so the SVGs are stable.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from qualtui.core.project import Project
from qualtui.tui.app import QualtuiApp
from qualtui.tui.screens import SCREENS

SNAPSHOTS = Path(__file__).resolve().parents[1] / "__snapshots__" / Path(__file__).name[:-3]
MODES = [spec.mode for spec in SCREENS]
THEMES = {"qualtui-dark": "truecolor", "qualtui-ansi": "16"}


def test_every_screen_is_covered() -> None:
    expected = {"coding", "codebook", "retrieval", "memos", "cooccurrence", "matrix",
                "saturation", "guidelines", "agreement", "log", "cases", "pseudonyms"}
    assert expected <= set(MODES)


async def _settle(pilot: Pilot[None]) -> None:
    # A screen may start its worker only after its first refresh: wait, let it start, and
    # wait again, a few times, so a snapshot never catches a half-computed screen.
    for _ in range(100):  # at most ~5 s
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        screen = pilot.app.screen
        busy = any(w.loading for w in screen.query("*")) or any(
            "computing" in str(w.render()) for w in screen.query("Static"))
        if not busy and not pilot.app.workers:
            break
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def _visit(mode: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        await _settle(pilot)
        if mode == "help":
            await pilot.press("question_mark")
        elif mode != "coding":
            await pilot.app.switch_mode(mode)
        await _settle(pilot)
        # A screen's footer shows the keys of the focused widget: wait until the screen has
        # given focus back to its main widget after its worker's loading overlay (the
        # co-occurrence heatmap takes it back in the worker's result handler).
        main = getattr(pilot.app.screen, "heatmap", None)
        for _ in range(100):
            if main is None or pilot.app.focused is main:
                break
            await pilot.pause(0.05)
        await pilot.pause()

    return run_before


SNAPSHOT_MODES = MODES


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("mode", [*SNAPSHOT_MODES, "help"])
def test_screen_at_80x24(snap_compare, sample: Project, mode: str, theme: str) -> None:
    app = QualtuiApp(sample, theme=theme, color_depth=THEMES[theme])
    assert snap_compare(app, run_before=_visit(mode), terminal_size=(80, 24))


# Characters a terminal font can be expected to have: ASCII, Latin-1, Latin Extended-A,
# Greek and Cyrillic, the punctuation, arrows and shapes of WGL4 (the glyph set every common
# terminal font covers), and the box-drawing and block-element ranges Textual draws its
# borders, scrollbars and sparklines with. Not allowed: emoji, dingbats, symbols such as
# the return or backspace signs, braille, private-use glyphs (Nerd Font icons).
ALLOWED_RANGES = ((0x20, 0x7E), (0xA0, 0x17F), (0x370, 0x3FF), (0x400, 0x45F),
                  (0x2500, 0x259F))
ALLOWED_EXTRA = frozenset(
    "\u2013\u2014\u2015\u2017\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u2020\u2021\u2022"
    "\u2026\u2030\u2032\u2033\u2039\u203a\u203c\u2044\u20ac\u2122"
    "\u2190\u2191\u2192\u2193\u2194\u2195"
    "\u2212\u2219\u221a\u221e\u2248\u2260\u2264\u2265"
    "\u25a0\u25a1\u25aa\u25ab\u25ac\u25b2\u25ba\u25bc\u25c4\u25ca\u25cb\u25cf\u25e6")
_TEXT = re.compile(r"<text [^>]*>(.*?)</text>", re.S)


def allowed(char: str) -> bool:
    code = ord(char)
    return char in ALLOWED_EXTRA or any(lo <= code <= hi for lo, hi in ALLOWED_RANGES)


def test_allowed_set_rejects_rare_glyphs() -> None:
    for rare in ("\u23ce", "\u232b", "\u2713", "\U0001f50e", "\u2800", "\ue0b0", "\u26a0"):
        assert not allowed(rare), unicodedata.name(rare, hex(ord(rare)))
    for common in "a\u00e9\u2500\u256d\u2588\u2594\u00b7\u2026\u25bc\u03ba":
        assert allowed(common)


def test_snapshots_use_common_glyphs_only() -> None:
    svgs = sorted(SNAPSHOTS.glob("*.svg"))
    assert len(svgs) >= 2 * (len(SNAPSHOT_MODES) + 1), "run the snapshot tests first"
    bad: dict[str, set[str]] = {}
    for svg in svgs:
        for match in _TEXT.finditer(svg.read_text(encoding="utf-8")):
            for char in html.unescape(match.group(1)):
                if not char.isspace() and not allowed(char):
                    name = unicodedata.name(char, f"U+{ord(char):04X}")
                    bad.setdefault(name, set()).add(svg.name)
    assert not bad, bad


_FILL = re.compile(r"fill: #([0-9a-f]{6})")


def _spread(hex6: str) -> int:
    channels = [int(hex6[i:i + 2], 16) for i in (0, 2, 4)]
    return max(channels) - min(channels)


async def test_no_color_every_screen(sample: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under NO_COLOR every screen renders, in greys only, and codes keep their letters."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = QualtuiApp(sample)
    assert app.color_depth == "mono"
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        for mode in [*MODES, "help"]:
            await _visit(mode)(pilot)
            if mode != "help":
                assert app.current_mode == mode
            svg = app.export_screenshot()
            fills = set(_FILL.findall(svg))
            # the SVG's own window frame is #c5c8c6: allow a spread of a few steps
            colored = {f for f in fills if _spread(f) > 8}
            assert not colored, (mode, colored)
            assert len(_TEXT.findall(svg)) > 10, mode
            if mode == "help":
                await pilot.press("escape")
