"""Small server-side SVG charts for reports and the dashboard (so PDF and page match)."""

from django.utils.html import escape


def _spoken(title: str, items, unit: str = "") -> str:
    """The chart's text alternative: its title and every value, for screen readers."""
    values = "; ".join(f"{label}: {'–' if value is None else f'{value:g}{unit}'}" for label, value in items)
    return escape(f"{title}. {values}" if title else values)


def bar_chart_svg(
    items: list[tuple[str, int]],
    *,
    width: int = 420,
    bar_height: int = 18,
    links: dict[int, tuple[str, str]] | None = None,
    title: str = "",
) -> str:
    """Horizontal bars, one per (label, value), scaled to the largest value.

    `links` maps an item's index to (figure key, href): its number then links
    to the rows behind it, like every other figure on the page.
    """
    links = links or {}
    top = max([value for _label, value in items] + [1])
    label_width, gap = 210, 6
    height = len(items) * (bar_height + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        # An image's parts are hidden from screen readers, so a chart whose
        # numbers are links is a labelled group instead, its links reachable.
        f'role="{"group" if links else "img"}" aria-label="{_spoken(title, items)}" '
        'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>" if title else "",
    ]
    for index, (label, value) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = (width - label_width - 40) * value / top
        parts.append(f'<text x="0" y="{y + bar_height - 5}">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="#198754"/>')
        number = f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 5}">{value}</text>'
        if index in links:
            key, href = links[index]
            number = f'<a href="{escape(href)}" class="fig" data-fig="{escape(key)}">{number}</a>'
        parts.append(number)
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(
    points: list[tuple[str, float | None]], *, width: int = 300, height: int = 90, unit: str = "", title: str = ""
) -> str:
    """A small line chart over months; None values leave a gap."""
    values = [value for _label, value in points if value is not None]
    top = max(values + [1.0])
    left, bottom, right, top_pad = 4, 16, 4, 12
    step = (width - left - right) / max(len(points) - 1, 1)

    def xy(index, value):
        return left + index * step, top_pad + (height - bottom - top_pad) * (1 - value / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_spoken(title, points, unit)}" font-family="DejaVu Sans, sans-serif" font-size="9">',
        f"<title>{escape(title)}</title>" if title else "",
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#999"/>',
    ]
    segment: list[str] = []
    for index, (label, value) in enumerate(points):
        if value is None:
            if len(segment) > 1:
                parts.append(f'<polyline fill="none" stroke="#198754" stroke-width="2" points="{" ".join(segment)}"/>')
            segment = []
            continue
        x, y = xy(index, value)
        segment.append(f"{x:.1f},{y:.1f}")
        tip = f"{escape(label)}: {value:g}{unit}"
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#198754"><title>{tip}</title></circle>')
    if len(segment) > 1:
        parts.append(f'<polyline fill="none" stroke="#198754" stroke-width="2" points="{" ".join(segment)}"/>')
    if points:
        parts.append(f'<text x="{left}" y="{height - 3}">{escape(points[0][0])}</text>')
        parts.append(f'<text x="{width - right}" y="{height - 3}" text-anchor="end">{escape(points[-1][0])}</text>')
        last = points[-1][1]
        if last is not None:
            parts.append(f'<text x="{width - right}" y="10" text-anchor="end" font-weight="bold">{last:g}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)
