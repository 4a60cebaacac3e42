"""Charts drawn on the server as plain SVG (no outside script, readable without colour)."""

from __future__ import annotations

from html import escape
from typing import Optional, Sequence

WIDTH = 720
BAR_HEIGHT = 22
BAR_GAP = 6
LABEL_WIDTH = 210
PLOT_HEIGHT = 200
MARGIN = 36
BAR_COLOUR = "#1f5fa8"
LINE_COLOUR = "#b03a2e"
AXIS_COLOUR = "#555555"
TEXT_COLOUR = "#222222"
FONT = 'font-family="sans-serif" font-size="12"'
NO_DATA = "Aucune donnée pour cette période."


def _svg(height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _empty(title: str) -> str:
    return _svg(
        60,
        title,
        [f'<text x="10" y="35" {FONT} fill="{TEXT_COLOUR}">{NO_DATA}</text>'],
    )


def horizontal_bars(
    title: str,
    items: Sequence[tuple[str, float]],
    unit: str = "",
    links: Optional[Sequence[str]] = None,
) -> str:
    """One bar per (label, value), longest first as given; the value is written at the end.

    With `links` (one address per bar), each bar and its label lead to that address.
    """
    if not items:
        return _empty(title)
    top = max(value for _, value in items) or 1
    usable = WIDTH - LABEL_WIDTH - 80
    height = len(items) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    body = []
    for row, (label, value) in enumerate(items):
        y = BAR_GAP + row * (BAR_HEIGHT + BAR_GAP)
        length = max(1.0, usable * value / top)
        shown = f"{value:g}{unit}"
        bar = (
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" {FONT}'
            f' fill="{TEXT_COLOUR}">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}"'
            f' fill="{BAR_COLOUR}"><title>{escape(label)} : {escape(shown)}</title></rect>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 15}" {FONT}'
            f' fill="{TEXT_COLOUR}">{escape(shown)}</text>'
        )
        if links:
            bar = f'<a href="{escape(links[row])}">{bar}</a>'
        body.append(bar)
    return _svg(height, title, body)


def _axes(top: float, unit: str) -> list[str]:
    bottom = MARGIN + PLOT_HEIGHT
    return [
        f'<line x1="{MARGIN + 24}" y1="{MARGIN}" x2="{MARGIN + 24}" y2="{bottom}"'
        f' stroke="{AXIS_COLOUR}"/>',
        f'<line x1="{MARGIN + 24}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}"'
        f' stroke="{AXIS_COLOUR}"/>',
        f'<text x="{MARGIN + 18}" y="{MARGIN + 4}" text-anchor="end" {FONT}'
        f' fill="{TEXT_COLOUR}">{top:g}{escape(unit)}</text>',
        f'<text x="{MARGIN + 18}" y="{bottom}" text-anchor="end" {FONT}'
        f' fill="{TEXT_COLOUR}">0</text>',
    ]


def _x_labels(labels: Sequence[str], xs: list[float]) -> list[str]:
    step = max(1, len(labels) // 8)
    bottom = MARGIN + PLOT_HEIGHT
    return [
        f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" {FONT}'
        f' fill="{TEXT_COLOUR}">{escape(label[5:])}</text>'
        for index, (label, x) in enumerate(zip(labels, xs, strict=True))
        if index % step == 0
    ]


def vertical_bars(title: str, items: Sequence[tuple[str, float]]) -> str:
    """Bars over days (labels YYYY-MM-DD, shown as MM-DD)."""
    if not items:
        return _empty(title)
    top = max(value for _, value in items) or 1
    left, right = MARGIN + 28, WIDTH - 10
    slot = (right - left) / len(items)
    body = _axes(top, "")
    xs = []
    for index, (label, value) in enumerate(items):
        height = PLOT_HEIGHT * value / top
        x = left + index * slot
        xs.append(x + slot / 2)
        body.append(
            f'<rect x="{x + slot * 0.1:.1f}" y="{MARGIN + PLOT_HEIGHT - height:.1f}"'
            f' width="{max(1.0, slot * 0.8):.1f}" height="{height:.1f}" fill="{BAR_COLOUR}">'
            f"<title>{escape(label)} : {value:g}</title></rect>"
        )
    body += _x_labels([label for label, _ in items], xs)
    return _svg(MARGIN + PLOT_HEIGHT + 30, title, body)


def line(title: str, items: Sequence[tuple[str, float]], unit: str = "") -> str:
    """A line over days with a dot per day (labels YYYY-MM-DD)."""
    if not items:
        return _empty(title)
    top = max(value for _, value in items) or 1
    left, right = MARGIN + 34, WIDTH - 16
    step = (right - left) / max(1, len(items) - 1)
    points = []
    body = _axes(top, unit)
    for index, (label, value) in enumerate(items):
        x = left + index * step
        y = MARGIN + PLOT_HEIGHT - PLOT_HEIGHT * value / top
        points.append((x, y))
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{LINE_COLOUR}">'
            f"<title>{escape(label)} : {value:g}{escape(unit)}</title></circle>"
        )
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    body.insert(
        0, f'<polyline points="{path}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>'
    )
    body += _x_labels([label for label, _ in items], [x for x, _ in points])
    return _svg(MARGIN + PLOT_HEIGHT + 30, title, body)
