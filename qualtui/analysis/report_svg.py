"""Inline SVG pictures for the HTML report: a co-occurrence heatmap and a saturation curve.

Plain strings, no dependencies: each function returns one ``<svg>`` element with a
``viewBox`` (it scales to the page and prints crisply), a ``<title>`` and a ``<desc>`` for
screen readers, and colours that survive greyscale printing (a single-hue blue ramp, values
written in the cells). Input is plain numbers, so the same pictures can be drawn from any
analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

__all__ = ["HeatmapData", "SaturationData", "heatmap_svg", "saturation_svg"]

FONT = "font-family=\"Helvetica, Arial, sans-serif\""
# ColorBrewer "Blues" (9 classes), light to dark.
BLUES = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5",
         "#08519c", "#08306b")
INK = "#1b1b1b"
MUTED = "#6b6b6b"


@dataclass(frozen=True)
class HeatmapData:
    """A square matrix: ``labels[i]`` names row and column ``i``; ``values[i][i]`` is None."""

    labels: list[str]
    values: list[list[float | None]]
    title: str
    caption: str = ""


@dataclass(frozen=True)
class SaturationData:
    """Interviews in order: their labels, new codes in each, and the cumulative count.

    ``point`` is the 1-based interview after which saturation was reached, or None.
    """

    labels: list[str]
    new: list[int]
    cumulative: list[int]
    point: int | None
    title: str
    caption: str = ""


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _shade(value: float, top: float) -> str:
    if top <= 0 or value <= 0:
        return BLUES[0]
    index = 1 + round((len(BLUES) - 2) * min(1.0, value / top))
    return BLUES[index]


def _text_width(text: str, size: float) -> float:
    """A generous estimate of a label's width in px for a sans-serif font."""
    return len(text) * size * 0.56


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def heatmap_svg(data: HeatmapData, cell: int = 26) -> str:
    """A heatmap with numbered rows ("3 Privacy") and numbered columns (3)."""
    n = len(data.labels)
    if n == 0:
        return ""
    size = 11.0
    row_labels = [f"{i + 1}  {label}" for i, label in enumerate(data.labels)]
    left = 8 + max(_text_width(label, size) for label in row_labels)
    top = 28.0
    width = left + n * cell + 12
    legend_y = top + n * cell + 18
    height = legend_y + 30
    present = [v for row in data.values for v in row if v is not None]
    peak = max(present, default=0.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="figure heatmap" role="img"'
        f' viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}"'
        f' aria-labelledby="hm-title hm-desc" {FONT} font-size="{size:g}">',
        f'<title id="hm-title">{escape(data.title)}</title>',
        f'<desc id="hm-desc">{escape(data.caption)}</desc>',
    ]
    for j in range(n):
        x = left + j * cell + cell / 2
        parts.append(f'<text x="{x:.1f}" y="{top - 8:.1f}" text-anchor="middle"'
                     f' fill="{MUTED}">{j + 1}</text>')
    for i, label in enumerate(row_labels):
        y = top + i * cell
        parts.append(f'<text x="{left - 8:.1f}" y="{y + cell / 2 + size / 3:.1f}"'
                     f' text-anchor="end" fill="{INK}">{escape(label)}</text>')
        for j in range(n):
            x = left + j * cell
            value = data.values[i][j]
            if value is None:
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell}" height="{cell}"'
                             f' fill="#e6e6e6" stroke="#ffffff"/>')
                continue
            fill = _shade(value, peak)
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell}" height="{cell}"'
                         f' fill="{fill}" stroke="#ffffff">'
                         f'<title>{escape(data.labels[i])} × {escape(data.labels[j])}:'
                         f' {_number(value)}</title></rect>')
            if value:
                dark = BLUES.index(fill) >= 5
                parts.append(f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + size / 3:.1f}"'
                             f' text-anchor="middle" fill="{"#ffffff" if dark else INK}">'
                             f'{_number(value)}</text>')
    # legend: the ramp from 0 to the peak
    step = 22
    for k, colour in enumerate(BLUES):
        parts.append(f'<rect x="{left + k * step:.1f}" y="{legend_y:.1f}" width="{step}"'
                     f' height="10" fill="{colour}" stroke="#cccccc" stroke-width="0.5"/>')
    parts.append(f'<text x="{left - 8:.1f}" y="{legend_y + 9:.1f}" text-anchor="end"'
                 f' fill="{MUTED}">0</text>')
    parts.append(f'<text x="{left + len(BLUES) * step + 6:.1f}" y="{legend_y + 9:.1f}"'
                 f' fill="{MUTED}">{_number(peak)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _ticks(top: int) -> list[int]:
    if top <= 5:
        return list(range(0, max(top, 1) + 1))
    step = next(s for s in (2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if top / s <= 6)
    return list(range(0, top + step, step))


def saturation_svg(data: SaturationData) -> str:
    """Cumulative codes (line) and new codes per interview (bars), with the saturation point."""
    n = len(data.labels)
    if n == 0:
        return ""
    size = 11.0
    left, right, top, bottom = 44.0, 16.0, 34.0, 70.0
    plot_w = max(240.0, n * 40.0)
    plot_h = 200.0
    width, height = left + plot_w + right, top + plot_h + bottom
    peak = max(max(data.cumulative, default=0), 1)
    ticks = _ticks(peak)
    y_top = ticks[-1] or 1
    step = plot_w / n

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / y_top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="figure saturation" role="img"'
        f' viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}"'
        f' aria-labelledby="sat-title sat-desc" {FONT} font-size="{size:g}">',
        f'<title id="sat-title">{escape(data.title)}</title>',
        f'<desc id="sat-desc">{escape(data.caption)}</desc>',
    ]
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{left:.1f}" x2="{left + plot_w:.1f}" y1="{y:.1f}"'
                     f' y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 6:.1f}" y="{y + size / 3:.1f}" text-anchor="end"'
                     f' fill="{MUTED}">{tick}</text>')
    if data.point is not None and 1 <= data.point <= n:
        x = left + (data.point - 0.5) * step
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}"'
                     f' y2="{top + plot_h:.1f}" stroke="{BLUES[7]}" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{x + 4:.1f}" y="{top + 12:.1f}" fill="{BLUES[7]}">'
                     'saturation</text>')
    bar_w = step * 0.5
    for i, (label, new) in enumerate(zip(data.labels, data.new, strict=True)):
        centre = left + (i + 0.5) * step
        if new:
            y = y_of(new)
            parts.append(f'<rect x="{centre - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}"'
                         f' height="{top + plot_h - y:.1f}" fill="{BLUES[3]}">'
                         f'<title>{escape(label)}: {new} new</title></rect>')
        parts.append(f'<text x="{centre:.1f}" y="{top + plot_h + 14:.1f}"'
                     f' text-anchor="end" fill="{INK}"'
                     f' transform="rotate(-40 {centre:.1f} {top + plot_h + 14:.1f})">'
                     f'{escape(label)}</text>')
    points = " ".join(f"{left + (i + 0.5) * step:.1f},{y_of(v):.1f}"
                      for i, v in enumerate(data.cumulative))
    parts.append(f'<polyline points="{points}" fill="none" stroke="{BLUES[8]}"'
                 ' stroke-width="2"/>')
    for i, value in enumerate(data.cumulative):
        x, y = left + (i + 0.5) * step, y_of(value)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BLUES[8]}">'
                     f'<title>{escape(data.labels[i])}: {value} codes so far</title></circle>')
    parts.append(f'<line x1="{left:.1f}" x2="{left + plot_w:.1f}" y1="{top + plot_h:.1f}"'
                 f' y2="{top + plot_h:.1f}" stroke="{INK}"/>')
    legend_y = 14.0
    parts.append(f'<line x1="{left:.1f}" x2="{left + 18:.1f}" y1="{legend_y - 4:.1f}"'
                 f' y2="{legend_y - 4:.1f}" stroke="{BLUES[8]}" stroke-width="2"/>')
    parts.append(f'<text x="{left + 22:.1f}" y="{legend_y:.1f}" fill="{INK}">'
                 'codes found so far</text>')
    parts.append(f'<rect x="{left + 140:.1f}" y="{legend_y - 9:.1f}" width="12" height="10"'
                 f' fill="{BLUES[3]}"/>')
    parts.append(f'<text x="{left + 156:.1f}" y="{legend_y:.1f}" fill="{INK}">'
                 'new codes in the interview</text>')
    parts.append("</svg>")
    return "\n".join(parts)

