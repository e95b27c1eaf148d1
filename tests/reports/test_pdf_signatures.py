"""The monthly report PDF: the signature block is never alone on its page."""

import functools
import io

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from bkb.lib.months import Month
from bkb.lib.pdf import html_document
from reports import documents, rendering

pytestmark = pytest.mark.django_db


def test_signatures_stay_with_the_last_rows_of_the_attendance_list(october):
    """Lengthen the attendance list until the signatures need a further page, and look at that page."""
    data = documents.group_report_data(october["group"], Month.parse("2026-10"))

    @functools.cache
    def pages(rows: int) -> tuple[str, ...]:
        data["attendance"] = [
            {"date": "2026-10-10", "family": f"Ibu Daftar {i:02d}", "attendee": "Ibu", "child": "Anak"}
            for i in range(rows)
        ]
        pdf = html_document(render_to_string("reports/group_month_pdf.html", rendering.group_report_context(data)))
        return tuple(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.write_pdf())).pages)

    # The fewest rows that add a page: from there on the signatures are the first to move.
    low, high = 0, 120
    assert len(pages(high)) > len(pages(low))
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if len(pages(middle)) == len(pages(0)) else (low, middle)
    # A signature block is about five rows tall: check each way the rows can fall about it.
    for rows in range(high - 1, high + 6):
        text = pages(rows)
        signed = [i for i, page in enumerate(text) if "Mengetahui, PKB/PLKB" in page]
        assert signed == [len(text) - 1], rows  # once, on the last page
        assert f"Ibu Daftar {rows - 1:02d}" in text[-1], rows  # with the list's last row
