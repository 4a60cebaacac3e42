"""Server-drawn SVG charts: well-formed, escaped, one mark per value."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from console import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_horizontal_bars_escape_labels_and_draw_one_bar_each() -> None:
    svg = charts.horizontal_bars("Sujets", [("<script>", 5), ("greet", 2)])
    tree = ET.fromstring(svg)
    assert len(tree.findall(f"{SVG}rect")) == 2
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_daily_charts() -> None:
    days = [("2026-11-01", 3), ("2026-11-02", 0), ("2026-11-03", 7)]
    bars = ET.fromstring(charts.vertical_bars("Par jour", days))
    assert len(bars.findall(f"{SVG}rect")) == 3
    line = ET.fromstring(charts.line("Taux", [("2026-11-01", 12.5), ("2026-11-02", 40.0)], " %"))
    assert len(line.findall(f"{SVG}circle")) == 2


def test_empty_chart_says_so() -> None:
    assert "Aucune donnée pour cette période." in charts.line("Taux", [])
