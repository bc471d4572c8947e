"""The charts of a bulletin as PNG images (matplotlib's Agg backend, no display), labelled in the
Noto Sans SC face the documents embed, so a chart reads the same on any machine."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

from shoulian.bulletins.stats import Figures
from shoulian.documents.fonts import sans_font_path

# Official documents print in black and red; the levels keep their colours.
BAR = "#9b1c1c"
LEVEL_COLOURS = {"red": "#c81e1e", "orange": "#e07b00", "yellow": "#e3b600"}
DPI = 150


@cache
def _font() -> Any:
    from matplotlib.font_manager import FontProperties

    return FontProperties(fname=str(sans_font_path()), size=10)


def _figure(height: float) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.2, height), dpi=DPI)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(fig: Any) -> bytes:
    out = io.BytesIO()
    fig.tight_layout()
    # No creation software or time in the file: the same figures give the same bytes.
    fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _label_ticks(ax: Any, labels: list[str]) -> None:
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels, fontproperties=_font())
    ax.invert_yaxis()
    for tick in ax.get_xticklabels():
        tick.set_fontproperties(_font())


def alerts_by_unit(figures: Figures, limit: int = 12) -> bytes | None:
    """Horizontal bars: alerts per handling unit, largest first."""
    rows = list(figures.by_unit)[:limit]
    if not rows:
        return None
    fig, ax = _figure(0.45 * len(rows) + 1.0)
    counts = [r.count for r in rows]
    bars = ax.barh(range(len(rows)), counts, color=BAR, height=0.6)
    ax.bar_label(bars, labels=[str(n) for n in counts], padding=3, fontproperties=_font())
    _label_ticks(ax, [r.label for r in rows])
    ax.set_xlabel("警情数（件）", fontproperties=_font())
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def findings_by_rule(figures: Figures) -> bytes | None:
    """Stacked horizontal bars: findings opened per rule, red, orange and yellow."""
    rows = [r for r in figures.by_rule if r.total]
    if not rows:
        return None
    fig, ax = _figure(0.45 * len(rows) + 1.3)
    left = [0] * len(rows)
    for level, label in (("red", "红色"), ("orange", "橙色"), ("yellow", "黄色")):
        values = [getattr(r, level) for r in rows]
        ax.barh(
            range(len(rows)), values, left=left, color=LEVEL_COLOURS[level], height=0.6, label=label
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    for y, total in enumerate(left):
        ax.text(total, y, f" {total}", va="center", fontproperties=_font())
    _label_ticks(ax, [r.name for r in rows])
    ax.set_xlabel("巡查发现（个）", fontproperties=_font())
    ax.xaxis.get_major_locator().set_params(integer=True)
    # Above the bars, in one row: inside the axes it would cover the longest bar.
    ax.legend(prop=_font(), loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    return _png(fig)
