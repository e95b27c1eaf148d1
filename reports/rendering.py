"""Layout of the report documents: data in (reports.documents), PDF out."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from bkb.lib.months import Month
from bkb.lib.pdf import html_document, render_pdf, shared_fonts
from groups.models import Area, BkbGroup, Office
from reports import documents, figures
from reports.area import Recap
from reports.charts import bar_chart_svg
from reports.models import MonthlyReport
from reports.selectors import current_report

GROWTH_CHART = ["children_total", "measured", "stunted", "underweight", "wasted"]


def growth_chart(data: dict, rows_url: str | None = None) -> str:
    counts = data["counts"]
    links = {index: (key, f"{rows_url}{key}/") for index, key in enumerate(GROWTH_CHART)} if rows_url else None
    items = [(figures.label(key), counts[key]) for key in GROWTH_CHART]
    return mark_safe(bar_chart_svg(items, links=links, title=_("Pertumbuhan anak bulan ini")))


def group_report_context(data: dict, *, report: MonthlyReport | None = None, rows_url: str | None = None) -> dict:
    month = Month.parse(data["month"])
    return {
        "data": data,
        "f": figures.MonthFigures(figures.frozen_counts(data["counts"])),
        "month": month,
        "title": documents.report_title(data),
        "growth_chart": growth_chart(data, rows_url),
        "report": report,
        "rows_url": rows_url,
    }


def group_report_data_for_print(group: BkbGroup, month: Month) -> tuple[dict, MonthlyReport | None]:
    """What goes on paper: the submitted figures if there are any, else today's."""
    report = current_report(group, month)
    return (report.snapshot, report) if report else (documents.group_report_data(group, month), None)


def group_report_html(group: BkbGroup, month: Month) -> str:
    data, report = group_report_data_for_print(group, month)
    return render_to_string("reports/group_month_pdf.html", group_report_context(data, report=report))


def group_report_document(group: BkbGroup, month: Month):
    return html_document(group_report_html(group, month))


def group_report_pdf(group: BkbGroup, month: Month) -> bytes:
    return group_report_document(group, month).write_pdf()


def group_report_filename(group: BkbGroup, month: Month) -> str:
    return f"laporan-{slugify(group.name)}-{group.pk}-{month}.pdf"


def combine(rendered) -> bytes:
    if not rendered:
        return render_pdf("reports/empty_pdf.html", {})
    pages = [page for document in rendered for page in document.pages]
    return rendered[0].copy(pages).write_pdf()


def area_recap_context(recap: Recap) -> dict:
    return {
        "recap": recap,
        "area": recap.area,
        "month": recap.month,
        "rows": recap.rows,
        "kecamatans": recap.kecamatans,
        "totals": recap.totals,
        "freshness": recap.freshness,
    }


def area_recap_pdf(recap: Recap, *, step=None) -> bytes:
    """The recap on paper. Above kecamatan level: the kecamatan summary, then each kecamatan's groups.

    Each part is laid out on its own and only the pages are kept, so no
    layout holds a kabupaten's thousand rows at once; the sections are taken
    out of `recap` as they are laid out, so their rows can go too. `step` is
    called after each part (the job's progress).
    """
    context = area_recap_context(recap)
    if not recap.by_kecamatan:
        return render_pdf("reports/area_recap_pdf.html", context)
    fonts = shared_fonts()
    documents = [html_document(render_to_string("reports/area_recap_pdf.html", context), fonts=fonts)]
    if step:
        step()
    while recap.sections:
        kecamatan, rows = recap.sections.pop(0)
        html = render_to_string(
            "reports/area_recap_section_pdf.html",
            {**context, "kecamatan": kecamatan, "rows": rows, "totals": kecamatan.figures},
        )
        documents.append(html_document(html, fonts=fonts))
        if step:
            step()
    return combine(documents)


def area_recap_filename(area: Area, month: Month) -> str:
    return f"rekap-{slugify(area.name)}-{area.pk}-{month}.pdf"


def certificate_pdf(*, cadre, group, issued_by, on, reason: str) -> bytes:
    """A full-page certificate from the kabupaten's office (its admin settings, or default wording)."""
    if group is not None:
        kabupaten = group.kabupaten
    else:
        area = issued_by.areas.order_by("level").first()
        kabupaten = area.ancestor(Area.Level.KABUPATEN) if area else None
    return render_pdf(
        "reports/certificate_pdf.html",
        {
            "cadre": cadre,
            "group": group,
            "office": Office.for_kabupaten(kabupaten),
            "issued_by": issued_by,
            "on": on,
            "reason": reason,
        },
    )
