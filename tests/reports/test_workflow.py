"""Submit, verify, return, correct: who may do what, and what is kept."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bkb.lib.months import Month
from cadres.models import Cadre
from reports import services
from reports.models import MonthlyReport
from tests import factories as f

pytestmark = pytest.mark.django_db
OCT = Month(2026, 10)
JAKARTA_NOV_3 = datetime.datetime(2026, 11, 3, 20, 0, tzinfo=datetime.UTC)  # 4 Nov 03:00 in Jakarta
ON_TIME = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def test_chair_submits_and_figures_are_frozen(october, world):
    report = services.report_submit(group=october["group"], month=OCT, user=world["cadre_a"], now=ON_TIME)
    assert (report.version, report.status, report.is_late, report.is_current) == (1, "submitted", False, True)
    assert report.snapshot["counts"]["families_present"] == 2
    assert report.snapshot["chair"] == "Imas"
    # Later entries do not change what was submitted.
    f.family(october["group"], joined_on=datetime.date(2026, 10, 30))
    report.refresh_from_db()
    assert report.snapshot["counts"]["families_members"] == 3


def test_submitting_after_the_third_is_late_in_jakarta_time(october, world):
    report = services.report_submit(group=october["group"], month=OCT, user=world["cadre_a"], now=JAKARTA_NOV_3)
    assert report.is_late


def test_only_the_chair_or_an_admin_submits(october, world):
    oom_user = f.user("oom", "cadre")
    Cadre.objects.filter(pk=october["oom"].pk).update(user=oom_user)
    with pytest.raises(PermissionDenied):
        services.report_submit(group=october["group"], month=OCT, user=oom_user, now=ON_TIME)
    with pytest.raises(PermissionDenied):
        services.report_submit(group=october["group"], month=OCT, user=world["supervisor"], now=ON_TIME)
    assert services.report_submit(group=october["group"], month=OCT, user=world["admin"], now=ON_TIME).version == 1


def test_a_month_cannot_be_submitted_before_it_ends(october, world):
    with pytest.raises(ValidationError, match="Laporan Oktober 2026 baru bisa dikirim mulai 31-10-2026"):
        services.report_submit(
            group=october["group"],
            month=OCT,
            user=world["cadre_a"],
            now=datetime.datetime(2026, 10, 20, tzinfo=datetime.UTC),
        )


def test_supervisor_verifies_or_returns_with_a_comment(october, world):
    report = services.report_submit(group=october["group"], month=OCT, user=world["cadre_a"], now=ON_TIME)
    with pytest.raises(PermissionDenied):
        services.report_verify(report=report, user=world["cadre_a"])
    with pytest.raises(ValidationError, match="Tulis apa yang perlu diperbaiki"):
        services.report_return(report=report, user=world["supervisor"], comment="  ")
    returned = services.report_return(report=report, user=world["supervisor"], comment="Daftar hadir kurang")
    assert returned.status == "returned"
    with pytest.raises(ValidationError, match="sudah diperiksa"):
        services.report_verify(report=returned, user=world["supervisor"])


def test_correction_makes_a_new_version_and_keeps_the_old(october, world):
    first = services.report_submit(group=october["group"], month=OCT, user=world["cadre_a"], now=ON_TIME)
    services.report_verify(report=first, user=world["supervisor"])
    with pytest.raises(ValidationError, match="Centang konfirmasi untuk mengirim koreksi: versi 2"):
        services.report_submit(group=october["group"], month=OCT, user=world["cadre_a"], now=JAKARTA_NOV_3)
    second = services.report_submit(
        group=october["group"], month=OCT, user=world["cadre_a"], now=JAKARTA_NOV_3, correction_confirmed=True
    )
    first.refresh_from_db()
    assert (first.is_current, first.status, second.version, second.replaces) == (False, "verified", 2, first)
    assert MonthlyReport.objects.filter(group=october["group"]).count() == 2
    with pytest.raises(ValidationError, match="sudah diganti"):
        services.report_verify(report=first, user=world["supervisor"])
    assert services.report_verify(report=second, user=world["supervisor"]).status == "verified"


def test_workflow_through_the_pages(october, world, login):
    group = october["group"]
    chair = login(world["cadre_a"])
    response = chair.post(reverse("reports:submit", args=[group.pk, "2026-10"]))
    assert response.status_code == 302
    report = MonthlyReport.objects.get()
    assert (
        login(world["cadre_b"]).post(reverse("reports:review", args=[report.pk]), {"action": "verify"}).status_code
        == 404
    )
    assert chair.post(reverse("reports:review", args=[report.pk]), {"action": "verify"}).status_code == 403
    supervisor = login(world["supervisor"])
    supervisor.post(reverse("reports:review", args=[report.pk]), {"action": "return", "comment": "Cek KKA"})
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("returned", "Cek KKA")
    page = chair.get(reverse("reports:group_month", args=[group.pk, "2026-10"])).content.decode()
    assert "Dikembalikan untuk diperbaiki" in page and "Cek KKA" in page and "Kirim koreksi (versi baru)" in page
