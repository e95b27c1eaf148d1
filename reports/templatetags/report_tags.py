from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def fig(context, key):
    """A figure from the report's counts; on the preview page, a link to the rows behind it."""
    value = context["data"]["counts"].get(key, 0)
    base = context.get("rows_url")
    if base:
        return format_html('<a href="{}{}/" class="fig" data-fig="{}">{}</a>', base, key, key, value)
    return value


@register.filter
def pct(value):
    return "–" if value is None else f"{value:.1f}%".replace(".", ",")


@register.filter
def isodate(value, fmt="j M Y"):
    """Dates in a frozen report are ISO strings; show them like any other date."""
    import datetime

    from django.utils.dateformat import format as date_format

    try:
        return date_format(datetime.date.fromisoformat(value), fmt)
    except (TypeError, ValueError):
        return value
