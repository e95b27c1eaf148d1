"""A monthly report's submit, review and correction are recorded and shown on the group's month page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bkb.lib.months import Month
from reports import services
from reports.models import MonthlyReport

pytestmark = pytest.mark.django_db
OCT = Month(2026, 10)
ON_TIME = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def test_submit_return_and_correction_record_who_before_and_after(october, world):
    report = services.report_submit(group=october["group"], month=OCT, user=world["cadre_a"], now=ON_TIME)
    created = MonthlyReport.history.get(id=report.pk)
    assert created.history_type == "+" and created.history_user == world["cadre_a"] and created.status == "submitted"

    services.report_return(report=report, user=world["supervisor"], comment="Periksa KB", now=ON_TIME)
    returned = MonthlyReport.history.filter(id=report.pk).latest()
    changes = {c.field: (c.old, c.new) for c in returned.diff_against(returned.prev_record).changes}
    assert changes["status"] == ("submitted", "returned") and changes["review_comment"] == ("", "Periksa KB")

    second = services.report_submit(
        group=october["group"], month=OCT, user=world["cadre_a"], now=ON_TIME, correction_confirmed=True
    )
    superseded = MonthlyReport.history.filter(id=report.pk).latest()
    assert (superseded.prev_record.is_current, superseded.is_current) == (True, False)
    assert MonthlyReport.history.get(id=second.pk).version == 2

    pk = second.pk
    second.delete()
    assert MonthlyReport.history.filter(id=pk).latest().history_type == "-"


def test_group_month_page_shows_the_history_to_the_group_and_404_to_others(october, world, login):
    report = services.report_submit(group=october["group"], month=OCT, user=world["cadre_a"], now=ON_TIME)
    services.report_return(report=report, user=world["supervisor"], comment="Periksa KB", now=ON_TIME)
    url = reverse("reports:group_month", args=[october["group"].pk, str(OCT)])
    text = login(world["cadre_a"]).get(url).content.decode()
    assert "Riwayat perubahan" in text and "Periksa KB" in text and 'data-history-type="~"' in text
    assert login(world["cadre_b"]).get(url).status_code == 404


def test_group_month_history_in_a_fixed_number_of_queries(october, world, login):
    report = services.report_submit(group=october["group"], month=OCT, user=world["cadre_a"], now=ON_TIME)
    report.review_comment = "catatan"
    report.save()
    url = reverse("reports:group_month", args=[october["group"].pk, str(OCT)])
    client = login(world["cadre_a"])
    counts = []
    for rows in (2, 20):
        for n in range(rows - report_rows()):
            report.review_comment = f"catatan {n}"
            report.save()
        client.get(url)  # the kept figures, marked stale by the saves, settle on this visit
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.content.decode().count("data-history-type=") == rows
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def report_rows() -> int:
    return MonthlyReport.history.count()
