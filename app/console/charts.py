"""Charts drawn on the server as inline SVG (no script, no asset from anywhere): bars of percentages."""
from __future__ import annotations

from dataclasses import dataclass

WIDTH, BAR, GAP, LABEL = 360, 18, 8, 110


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # a percentage; None when nothing was decided
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    """What the `bars.svg` macro draws: one horizontal bar a row, 0 to 100 %."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int

    @property
    def plot_width(self) -> int:
        return self.width - self.label_width - 50


def bar_chart(rows: list[tuple[str, float | None]]) -> BarChart:
    """Rows of (label, percentage) laid out as bars; a missing value is drawn as no bar, labelled '—'."""
    plot = WIDTH - LABEL - 50
    bars = tuple(Bar(label, value, i * (BAR + GAP), 0 if value is None else round(plot * max(0.0, min(value, 100.0)) / 100))
                 for i, (label, value) in enumerate(rows))
    return BarChart(bars, WIDTH, max(1, len(bars)) * (BAR + GAP), LABEL)
