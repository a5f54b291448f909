"""Server-made SVG charts: a trend (lines over months) and a comparison (bars per office).
Pure: labels and numbers in, an SVG string out; imports nothing of ours.

The same SVG goes into the page and the PDF. A hidden count is given as its text ("<5", "×"):
the line is broken there and the gap carries that text; nothing is drawn on the zero line. X
labels are thinned so that none overlaps the next. The text uses CJK fonts that fontconfig
resolves on the server (Noto Sans CJK SC, WenQuanYi) and the browser's own on screen.
"""

import math
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

FONT = "Noto Sans CJK SC, Noto Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, sans-serif"
COLOURS = ("#1f5f8b", "#c0392b", "#27865c", "#b7791f", "#6b4c9a", "#4a5568")


def _attr(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def _nice_max(value: float) -> int:
    """A top for the axis at or above `value` that four gridlines divide into round steps
    (1, 2 or 5 times a power of ten)."""
    power = 1
    while True:
        for factor in (1, 2, 5):
            if 4 * factor * power >= value:
                return 4 * factor * power
        power *= 10


def _open(width: int, height: int, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_attr(title)}" '
        f'font-family="{FONT}" font-size="12" class="tx-chart">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _axis(parts: list[str], left: int, top: int, right: int, bottom: int, top_value: int) -> None:
    for i in range(5):
        value = top_value * i / 4
        y = bottom - (bottom - top) * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
            f'stroke="#d9dee3" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4a5568">'
            f"{int(value)}</text>"
        )


def text_width(text: str, size: float = 12) -> float:
    """A safe estimate of a label's width: CJK characters are a full em, others about 0.62."""
    return sum(size if ord(ch) > 0x2E7F else 0.62 * size for ch in text)


def label_step(labels: Sequence[str], spacing: float, size: float = 12, gap: float = 8) -> int:
    """Show every n-th x label so that none overlaps its neighbour."""
    if not labels or spacing <= 0:
        return 1
    widest = max(text_width(label, size) for label in labels)
    return max(1, math.ceil((widest + gap) / spacing))


Point = int | str | None  # a count, the text of a hidden count ("<5", "×"), or nothing


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Point]]],
    width: int = 640,
    height: int = 300,
) -> str:
    """One line per series over the x labels (months). A hidden count breaks the line: its
    month is a shaded gap carrying the hidden count's text (e.g. "<5"), never a point."""
    left, top, right = 48, 40, width - 32
    bottom = height - 60
    values = [v for _label, points in series for v in points if isinstance(v, int)]
    top_value = _nice_max(max(values, default=0))
    parts = _open(width, height, title)
    parts.append(
        f'<text x="{left}" y="22" font-size="14" font-weight="bold">{escape(title)}</text>'
    )
    _axis(parts, left, top, right, bottom, top_value)
    count = max(len(x_labels), 1)
    step = (right - left) / max(count - 1, 1)

    def x_of(i: int) -> float:
        return left + (step * i if count > 1 else (right - left) / 2)

    def y_of(v: int) -> float:
        return bottom - (bottom - top) * v / top_value

    band = max(min(step * 0.7, 28.0), 12.0)
    _hidden_gaps(parts, series, x_of, band, top, bottom)
    every = label_step(x_labels, step if count > 1 else right - left)
    for i, label in enumerate(x_labels):
        if (count - 1 - i) % every == 0:
            parts.append(
                f'<text class="tx-x-label" x="{x_of(i):.1f}" y="{bottom + 16}" '
                f'text-anchor="middle" fill="#4a5568">{escape(label)}</text>'
            )
    for index, (label, points) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        _series_line(parts, points, colour, x_of, y_of)
        legend_x = left + (index % 4) * ((right - left) / 4)
        legend_y = height - 26 + (index // 4) * 16
        parts.append(
            f'<rect x="{legend_x:.1f}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>'
        )
        parts.append(f'<text x="{legend_x + 14:.1f}" y="{legend_y}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _hidden_gaps(
    parts: list[str],
    series: Sequence[tuple[str, Sequence[Point]]],
    x_of: Callable[[int], float],
    band: float,
    top: int,
    bottom: int,
) -> None:
    """A shaded band over each month with a hidden count, carrying each series' hidden text."""
    hidden: dict[int, list[tuple[str, str]]] = {}
    for index, (_label, points) in enumerate(series):
        for i, value in enumerate(points):
            if isinstance(value, str):
                hidden.setdefault(i, []).append((COLOURS[index % len(COLOURS)], value))
    for i, markers in sorted(hidden.items()):
        parts.append(
            f'<rect class="tx-gap" x="{x_of(i) - band / 2:.1f}" y="{top}" width="{band:.1f}" '
            f'height="{bottom - top}" fill="#eef1f4"/>'
        )
        for row, (colour, text) in enumerate(markers):
            parts.append(
                f'<text class="tx-gap-label" x="{x_of(i):.1f}" y="{top + 12 + row * 13}" '
                f'text-anchor="middle" font-size="10" fill="{colour}">{escape(text)}</text>'
            )


def _series_line(
    parts: list[str],
    points: Sequence[object],
    colour: str,
    x_of: Callable[[int], float],
    y_of: Callable[[int], float],
) -> None:
    """The series' dots, and a line through each run of them between gaps."""
    for points_text in _dots_and_segments(parts, points, colour, x_of, y_of):
        if len(points_text) > 1:
            parts.append(
                f'<polyline points="{" ".join(points_text)}" fill="none" '
                f'stroke="{colour}" stroke-width="2"/>'
            )


def _dots_and_segments(
    parts: list[str],
    points: Sequence[object],
    colour: str,
    x_of: Callable[[int], float],
    y_of: Callable[[int], float],
) -> list[list[str]]:
    """A dot per value; a hidden or missing value draws nothing (never a dot on the zero line,
    which would read as zero) and breaks the line. Returns the runs of points between gaps,
    to be joined by lines."""
    segment: list[str] = []
    segments = []
    for i, value in enumerate(points):
        if not isinstance(value, int):
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x_of(i):.1f},{y_of(value):.1f}")
        parts.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="3" fill="{colour}"/>')
    if segment:
        segments.append(segment)
    return segments


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, Point]],
    width: int = 640,
    bar_height: int = 22,
) -> str:
    """Horizontal bars, one per label (offices), with the number at the end of the bar."""
    label_width, top = 150, 36
    height = top + len(bars) * (bar_height + 8) + 12
    right = width - 56
    top_value = _nice_max(max((v for _l, v in bars if isinstance(v, int)), default=0))
    parts = _open(width, height, title)
    parts.append(f'<text x="8" y="22" font-size="14" font-weight="bold">{escape(title)}</text>')
    for i, (label, value) in enumerate(bars):
        y = top + i * (bar_height + 8)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        if not isinstance(value, int):
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{right - label_width}" '
                f'height="{bar_height}" fill="none" stroke="#a0aec0" stroke-dasharray="4 3"/>'
            )
            parts.append(
                f'<text x="{label_width + 8}" y="{y + bar_height * 0.7:.1f}" fill="#4a5568">'
                f"{escape(value or '×')}</text>"
            )
            continue
        length = (right - label_width) * value / top_value
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{COLOURS[0]}"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.7:.1f}">'
            f"{value}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
