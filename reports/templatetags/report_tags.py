import datetime

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reports.selectors import reports_to_correct

register = template.Library()


def _figure(context, key, value):
    base = context.get("rows_url")
    if base:
        return format_html('<a href="{}{}/" class="fig" data-fig="{}">{}</a>', base, key, key, value)
    return format_html("{}", value)


@register.simple_tag(takes_context=True)
def fig(context, key):
    """A figure from the report's counts; on the preview page, a link to the rows behind it."""
    return _figure(context, key, context["f"].counts[key])


@register.simple_tag(takes_context=True)
def ratio(context, share):
    """A share with its denominator: "2 dari 18 (11,1%)"; each number a link where figures link."""
    return format_html(
        '{} {} {} <span class="pct">({})</span>',
        _figure(context, share.part_key, share.part),
        _("dari"),
        _figure(context, share.whole_key, share.whole),
        pct(share.pct),
    )


@register.simple_tag(takes_context=True)
def indicator_value(context, cell):
    """A dashboard cell (dashboard.Indicator.cell): a share with its denominator, a count, or "–".

    A tag, not an included template: a kecamatan's page has hundreds of cells.
    """
    if cell["ratio"]:
        return ratio(context, cell["ratio"])
    return "–" if cell["value"] is None else format_html("{}", cell["value"])


@register.filter
def pct(value):
    return "–" if value is None else f"{value:.1f}%".replace(".", ",")


@register.filter
def isodate(value, fmt="j M Y"):
    """Dates in a frozen report are ISO strings; show them like any other date."""
    try:
        return date_format(datetime.date.fromisoformat(value), fmt)
    except (TypeError, ValueError):
        return value


@register.inclusion_tag("reports/_returned_reports.html", takes_context=True)
def returned_reports(context, group):
    """A report sent back to the group's chair, with the reviewer's comment: on the pages she starts from."""
    return {"group": group, "reports": reports_to_correct(context["request"].user, group)}
