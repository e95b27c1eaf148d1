"""Server-side SVG growth charts (WHO SD curves plus one child's measurements).

The chart is a plain string of inline SVG with presentation attributes only:
no external CSS, fonts or JavaScript, so the same markup works in a page and
in a WeasyPrint PDF. Callers mark it safe where they embed it.
"""

import math

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext

from families import growth

# WHO chart convention: the ±3 lines warn, ±2 mark the cut-offs, 0 is the median.
CURVE_COLOURS = {-3: "#d62728", -2: "#ff7f0e", 0: "#2ca02c", 2: "#ff7f0e", 3: "#d62728"}
UNITS = {"hfa": "cm", "wfa": "kg", "bfa": "kg/m²"}
DAYS_PER_MONTH = 30.4375
MONTHS = 60

MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 28, 28, 36


def _age_axis_label() -> str:
    # Translating needs configured settings; without them (scripts,
    # settings-free tests) the Indonesian source string is the right text.
    if not settings.configured:
        return "Umur (bulan)"
    return gettext("Umur (bulan)")


def _nice_step(span: float) -> float:
    """A 1-2-5 gridline step giving roughly 5 to 10 lines over `span`."""
    for step in (0.5, 1, 2, 5, 10, 20, 50):
        if span / step <= 10:
            return step
    return 100


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def growth_chart_svg(indicator, sex, points, *, title="", width=640, height=400) -> str:
    """Inline SVG chart of an age-based indicator ("hfa", "wfa" or "bfa") for one child.

    points is a list of (age_days, value); values that are None and ages
    beyond 60 months (outside the WHO tables) are left out.
    """
    sd_lines = growth.curves(indicator, sex, sds=tuple(CURVE_COLOURS))
    last_day = growth.max_age_days()
    points = sorted((day, value) for day, value in points if value is not None and 0 <= day <= last_day)

    values = [value for line in sd_lines.values() for _day, value in line]
    values += [value for _day, value in points]
    step = _nice_step(max(values) - min(values))
    y_min = math.floor(min(values) / step) * step
    y_max = math.ceil(max(values) / step) * step

    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM

    def x(day):
        return MARGIN_LEFT + day / last_day * plot_w

    def y(value):
        return MARGIN_TOP + (y_max - value) / (y_max - y_min) * plot_h

    def xy(day, value):
        return f"{x(day):.1f},{y(value):.1f}"

    title = escape(title)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{title}" '
            'font-family="sans-serif" font-size="11" fill="#333">'
        ),
        f"<title>{title}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]
    if title:
        parts.append(f'<text x="{width / 2:.1f}" y="18" text-anchor="middle" font-size="13">{title}</text>')

    # Horizontal gridlines with value labels.
    for i in range(round((y_max - y_min) / step) + 1):
        value = y_min + i * step
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{y(value):.1f}" x2="{width - MARGIN_RIGHT}" '
            f'y2="{y(value):.1f}" stroke="#e5e5e5"/>'
        )
        parts.append(f'<text x="{MARGIN_LEFT - 4}" y="{y(value) + 4:.1f}" text-anchor="end">{_fmt(value)}</text>')

    # Month ticks: a short tick every month, a gridline and label every 6.
    bottom = MARGIN_TOP + plot_h
    for month in range(MONTHS + 1):
        px = x(min(month * DAYS_PER_MONTH, last_day))
        if month % 6 == 0:
            parts.append(f'<line x1="{px:.1f}" y1="{MARGIN_TOP}" x2="{px:.1f}" y2="{bottom}" stroke="#e5e5e5"/>')
            parts.append(f'<text x="{px:.1f}" y="{bottom + 14}" text-anchor="middle">{month}</text>')
        parts.append(f'<line x1="{px:.1f}" y1="{bottom}" x2="{px:.1f}" y2="{bottom + 4}" stroke="#999"/>')

    # Axes: left and bottom edges of the plot area.
    parts.append(
        f'<polyline points="{MARGIN_LEFT},{MARGIN_TOP} {MARGIN_LEFT},{bottom} '
        f'{width - MARGIN_RIGHT},{bottom}" fill="none" stroke="#999"/>'
    )
    parts.append(
        f'<text x="{MARGIN_LEFT + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">'
        f"{escape(_age_axis_label())}</text>"
    )
    parts.append(f'<text x="{MARGIN_LEFT - 4}" y="{MARGIN_TOP - 8}" text-anchor="end">{UNITS[indicator]}</text>')

    # WHO curves, each labelled with its SD at the right-hand end.
    for sd, line in sd_lines.items():
        d = "M" + " L".join(xy(day, value) for day, value in line)
        parts.append(
            f'<path class="who-curve" data-sd="{sd}" d="{d}" fill="none" '
            f'stroke="{CURVE_COLOURS[sd]}" stroke-width="1.5"/>'
        )
        end_day, end_value = line[-1]
        label = f"{sd:+d}" if sd else "0"
        parts.append(
            f'<text x="{x(end_day) + 4:.1f}" y="{y(end_value) + 4:.1f}" fill="{CURVE_COLOURS[sd]}">{label}</text>'
        )

    # The child: dots joined by a line, in measurement order.
    if len(points) > 1:
        joined = " ".join(xy(day, value) for day, value in points)
        parts.append(f'<polyline points="{joined}" fill="none" stroke="#1f3b73" stroke-width="1.5"/>')
    for day, value in points:
        parts.append(f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="3" fill="#1f3b73"/>')

    parts.append("</svg>")
    return "\n".join(parts)
