"""Server-made SVG charts: a trend (lines over months) and a comparison (bars per office).
Pure: labels and numbers in, an SVG string out; imports nothing of ours.

The same SVG goes into the page and the PDF. A value of None is a hidden count: it is drawn as a
gap with a hollow marker, never guessed. The text uses CJK fonts that fontconfig resolves on the
server (Noto Sans CJK SC, WenQuanYi) and the browser's own on screen.
"""

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


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | None]]],
    width: int = 640,
    height: int = 300,
) -> str:
    """One line per series over the x labels (months)."""
    left, top, right = 48, 40, width - 32
    bottom = height - 60
    values = [v for _label, points in series for v in points if v is not None]
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

    every = max(1, count // 12)
    for i, label in enumerate(x_labels):
        if i % every == 0:
            parts.append(
                f'<text x="{x_of(i):.1f}" y="{bottom + 16}" text-anchor="middle" '
                f'fill="#4a5568">{escape(label)}</text>'
            )
    for index, (label, points) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        segments = _dots_and_segments(parts, points, colour, x_of, y_of, bottom)
        for points_text in segments:
            if len(points_text) > 1:
                parts.append(
                    f'<polyline points="{" ".join(points_text)}" fill="none" '
                    f'stroke="{colour}" stroke-width="2"/>'
                )
        legend_x = left + (index % 4) * ((right - left) / 4)
        legend_y = height - 26 + (index // 4) * 16
        parts.append(
            f'<rect x="{legend_x:.1f}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>'
        )
        parts.append(f'<text x="{legend_x + 14:.1f}" y="{legend_y}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _dots_and_segments(
    parts: list[str],
    points: Sequence[int | None],
    colour: str,
    x_of: Callable[[int], float],
    y_of: Callable[[int], float],
    bottom: int,
) -> list[list[str]]:
    """A dot per point (hollow on the axis where there is no value); the runs of points
    between gaps, to be joined by lines."""
    segment: list[str] = []
    segments = []
    for i, value in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            parts.append(
                f'<circle cx="{x_of(i):.1f}" cy="{bottom:.1f}" r="3" fill="#ffffff" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
            continue
        segment.append(f"{x_of(i):.1f},{y_of(value):.1f}")
        parts.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="3" fill="{colour}"/>')
    if segment:
        segments.append(segment)
    return segments


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, int | None]],
    width: int = 640,
    bar_height: int = 22,
) -> str:
    """Horizontal bars, one per label (offices), with the number at the end of the bar."""
    label_width, top = 150, 36
    height = top + len(bars) * (bar_height + 8) + 12
    right = width - 56
    top_value = _nice_max(max((v for _l, v in bars if v is not None), default=0))
    parts = _open(width, height, title)
    parts.append(f'<text x="8" y="22" font-size="14" font-weight="bold">{escape(title)}</text>')
    for i, (label, value) in enumerate(bars):
        y = top + i * (bar_height + 8)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        if value is None:
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{right - label_width}" '
                f'height="{bar_height}" fill="none" stroke="#a0aec0" stroke-dasharray="4 3"/>'
            )
            parts.append(
                f'<text x="{label_width + 8}" y="{y + bar_height * 0.7:.1f}" fill="#4a5568">'
                "×</text>"
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
