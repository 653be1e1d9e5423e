"""The colours new codes get: colour-blind-safe first, distinct at 256 and 16 colours.

:data:`PALETTE` starts with the Okabe–Ito colours, then Paul Tol's; the first twelve stay
distinct after a terminal downgrades them to 16 colours (the code letters tell the rest
apart). :func:`next_color` picks the least-used one, in palette order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Swatch:
    """A palette colour with a name people can say."""

    name: str
    hex: str


PALETTE: tuple[Swatch, ...] = (
    # Okabe–Ito (blue, vermillion and reddish purple nudged for distinct ANSI colours)
    Swatch("orange", "#E69F00"),
    Swatch("sky blue", "#56B4E9"),
    Swatch("bluish green", "#009E73"),
    Swatch("yellow", "#F0E442"),
    Swatch("blue", "#0A58C4"),
    Swatch("vermillion", "#EC5814"),
    Swatch("reddish purple", "#DC68B0"),
    # Paul Tol's muted/bright schemes
    Swatch("wine", "#8C1A50"),
    Swatch("green", "#0C7430"),
    Swatch("indigo", "#332288"),
    Swatch("purple", "#AA4499"),
    Swatch("light green", "#58CC8C"),
    # beyond twelve, 16-colour terminals repeat hues; the code letters tell them apart
    Swatch("rose", "#CC6677"),
    Swatch("teal", "#44AA99"),
    Swatch("olive", "#999933"),
    Swatch("sand", "#DDCC77"),
    Swatch("cyan", "#88CCEE"),
    Swatch("pale grey", "#BBBBBB"),
)


def next_color(used: Iterable[str]) -> str:
    """The palette colour used least often among ``used`` (ties: palette order)."""
    counts = Counter(c.upper() for c in used)
    return min((s.hex for s in PALETTE), key=lambda h: counts[h])
