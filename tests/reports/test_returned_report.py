"""Issue 9: a returned report reaches the chair's home page; the month that cannot be
sent yet says when it can; a correction is confirmed before it is sent."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bkb.lib.months import Month
from reports import services
from reports.models import MonthlyReport
from tests import factories as f
from tests.reports.test_workflow import OCT, ON_TIME

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(october, world):
    report = services.report_submit(group=october["group"], month=OCT, user=world["cadre_a"], now=ON_TIME)
    world["supervisor"].first_name = "Pak Dedi"
    world["supervisor"].save()
    return services.report_return(report=report, user=world["supervisor"], comment="Daftar hadir 10 Okt kurang satu")


def test_chair_finds_the_returned_report_on_her_home_page(returned, world, login):
    chair = login(world["cadre_a"])
    home = chair.get("/", follow=True)
    html = home.content.decode()
    assert home.redirect_chain[-1][0] == reverse("reports:tasks", args=[world["group_a"].pk])
    assert "Laporan Oktober 2026 dikembalikan untuk diperbaiki." in html
    assert "Daftar hadir 10 Okt kurang satu" in html and "Pak Dedi" in html
    assert reverse("reports:group_month", args=[world["group_a"].pk, "2026-10"]) in html
    assert "Perbaiki dan kirim ulang" in html


def test_other_cadres_and_a_verified_report_show_nothing(returned, world, login):
    member = f.user("kader_inti", "cadre")
    f.cadre(world["group_a"], user=member, role="inti", name="Nining")
    roster = reverse("sessions:roster", args=[world["group_a"].pk])
    assert "dikembalikan untuk diperbaiki" not in login(member).get(roster).content.decode()
    # Corrected and verified: the notice is gone for the chair too.
    corrected = services.report_submit(
        group=world["group_a"], month=OCT, user=world["cadre_a"], correction_confirmed=True
    )
    services.report_verify(report=corrected, user=world["supervisor"])
    assert "dikembalikan untuk diperbaiki" not in login(world["cadre_a"]).get(roster).content.decode()


def test_month_not_over_says_from_when_it_can_be_sent(world, login):
    this_month = Month.of(timezone.localdate())
    url = reverse("reports:group_month", args=[world["group_a"].pk, str(this_month)])
    html = login(world["cadre_a"]).get(url).content.decode()
    opens = this_month.last.strftime("%d-%m-%Y")
    if timezone.localdate() < this_month.last:
        assert f"Laporan {this_month.label} baru bisa dikirim mulai {opens}." in html
        assert 'disabled aria-describedby="submit-not-yet"' in html
    # The same sentence comes from the server if the button is pressed anyway.
    response = login(world["cadre_a"]).post(reverse("reports:submit", args=[world["group_a"].pk, str(this_month)]))
    if timezone.localdate() < this_month.last:
        assert response.status_code == 400
        assert f"baru bisa dikirim mulai {opens}" in response.content.decode()
        assert not MonthlyReport.objects.exists()


def test_a_month_sends_from_its_last_day():
    assert services.submit_not_yet(Month(2026, 11), Month(2026, 11).last) is None
    reason = services.submit_not_yet(Month(2026, 11), Month(2026, 11).last.replace(day=29))
    assert reason == "Laporan November 2026 baru bisa dikirim mulai 30-11-2026."


def test_correction_needs_the_confirmation_ticked(returned, world, login):
    chair = login(world["cadre_a"])
    url = reverse("reports:submit", args=[world["group_a"].pk, "2026-10"])
    page = chair.get(reverse("reports:group_month", args=[world["group_a"].pk, "2026-10"])).content.decode()
    assert 'name="konfirmasi"' in page and "versi 2 menggantikan versi 1" in page

    response = chair.post(url)  # not ticked (or JavaScript bypassed): refused by the server
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="submit-error"' in html and "Centang konfirmasi untuk mengirim koreksi" in html
    assert MonthlyReport.objects.get().version == 1

    response = chair.post(url, {"konfirmasi": "1"})
    assert response.status_code == 302
    current = MonthlyReport.objects.current().get()
    assert (current.version, current.status) == (2, MonthlyReport.Status.SUBMITTED)


def test_first_submission_needs_no_confirmation(october, world, login):
    response = login(world["cadre_a"]).post(reverse("reports:submit", args=[world["group_a"].pk, "2026-10"]))
    assert response.status_code == 302
    assert MonthlyReport.objects.get().version == 1
