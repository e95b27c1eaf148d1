"""Issue 14, *Tugas bulan ini* as a page: the cadre's home, her group's tasks grouped and
counted, one tap to each screen, a WhatsApp reminder where the family has something to
do, and the same number of queries at 10 children as at 200."""

import datetime
import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bkb.lib.ages import add_months
from bkb.lib.months import Month
from families.models import Family, Referral
from reports import kept
from sessions import whatsapp
from sessions.models import Attendance
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def month(today):
    return Month.of(today)


@pytest.fixture
def instrument(world):
    # Owed from 54 months: the young children below are "sesuai" once checked, nobody to refer.
    return f.kka_instrument([("A1", 48, 60, "motorik_kasar")])


@pytest.fixture
def tasks_url(world):
    return reverse("reports:tasks", args=[world["group_a"].pk])


@pytest.fixture
def month_of_work(world, instrument, today, month):
    """One family with a bit of everything: a child never checked, an old open referral, a missed meeting."""
    group = world["group_a"]
    euis = f.family(group, mother_name="Euis", phone="0812-3456-7890", address="Jl. Mawar 3", rt="02")
    ani = f.child(euis, add_months(today, -20), name="Ani")
    budi = f.child(euis, add_months(today, -30), name="Budi")
    f.kka_check(budi, month.first)
    referral = Referral.objects.create(child=budi, date=today - 40 * DAY, referred_to="Puskesmas Jatinangor")
    came = f.family(group, mother_name="Rina")
    f.kka_check(f.child(came, add_months(today, -10), name="Citra"), month.first)
    session = f.coaching_session(group, month.first)
    Attendance.objects.create(session=session, family=came)
    return {"euis": euis, "ani": ani, "budi": budi, "referral": referral, "rina": came}


def section(html: str, key: str) -> str:
    found = re.search(rf'<section class="task-group" data-tasks="{key}">(.*?)</section>', html, re.S)
    return found.group(1) if found else ""


def count_of(html: str, key: str) -> int | None:
    found = re.search(r"<span[^>]*data-count>(\d+)</span>", section(html, key))
    return int(found.group(1)) if found else None


def test_the_page_shows_each_task_list_with_its_count(world, login, tasks_url, month_of_work):
    html = login(world["cadre_a"]).get(tasks_url).content.decode()
    assert "Tugas bulan ini · BKB Melati" in html
    assert count_of(html, "kka_due") == 1  # Ani; Budi and Citra were checked on the 1st
    assert count_of(html, "referrals_to_follow") == 1
    assert count_of(html, "absent_not_visited") == 1  # Euis missed the meeting, Rina came
    assert count_of(html, "not_measured") == 3
    assert count_of(html, "report") == 1  # the chair's: last month's report not sent
    assert "Belum diperiksa KKA bulan ini" in html and "Tidak hadir, belum dikunjungi" in html
    # Nothing to do there: no heading at all.
    assert 'data-tasks="to_refer"' not in html and 'data-tasks="watch_ending"' not in html
    # Each row is one tap to the screen that does it.
    assert f'href="{reverse("sessions:child_kka", args=[month_of_work["ani"].pk])}"' in section(html, "kka_due")
    assert f'href="{reverse("families:referral_close", args=[month_of_work["referral"].pk])}"' in html
    visit = reverse("sessions:home_visit_create", args=[month_of_work["euis"].pk])
    assert f'href="{visit}?bulan={Month.of(timezone.localdate())}"' in section(html, "absent_not_visited")
    # The roster stays one tap away.
    assert f'href="{reverse("sessions:roster", args=[world["group_a"].pk])}"' in html


def test_the_unassessed_come_first_in_the_kka_list(world, login, tasks_url, month_of_work, today):
    old = f.child(month_of_work["rina"], add_months(today, -40), name="Aa Lama")
    f.kka_check(old, add_months(today, -2))
    html = section(login(world["cadre_a"]).get(tasks_url).content.decode(), "kka_due")
    assert html.index("Ani") < html.index("Aa Lama")  # Ani never assessed: first, whatever the alphabet
    assert html.count("belum dinilai") == 1


def test_all_done_is_one_line(world, login, tasks_url, instrument):
    html = login(world["cadre_a"]).get(tasks_url).content.decode()
    # An empty group: only last month's report is left for the chair.
    assert count_of(html, "report") == 1 and "Semua beres" not in html
    member = f.user("kader_inti", "cadre")
    f.cadre(world["group_a"], user=member, role="inti", name="Nining")
    html = login(member).get(tasks_url).content.decode()
    assert 'data-tasks="report"' not in html  # the report is the chair's, not hers
    assert 'data-tasks="done"' in html and "Semua beres" in html


def test_another_groups_cadre_gets_404_the_supervisor_reads(world, login, tasks_url, month_of_work):
    assert login(world["cadre_b"]).get(tasks_url).status_code == 404
    assert login(world["outsider"]).get(tasks_url).status_code == 404
    response = login(world["supervisor"]).get(tasks_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert count_of(html, "kka_due") == 1
    assert 'data-tasks="report"' not in html  # she reviews reports, she does not send them


def test_home_sends_a_one_group_cadre_to_her_tasks(world, login, tasks_url):
    assert login(world["cadre_a"]).get("/").url == tasks_url
    assert login(world["supervisor"]).get("/").url == reverse("reports:dashboard")


def wa_links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="(https://wa\.me/[^"]+)"', html)]


def test_whatsapp_reminders_go_to_the_normalised_number_with_the_text(world, login, tasks_url, month_of_work):
    html = login(world["cadre_a"]).get(tasks_url).content.decode()
    group, euis = world["group_a"], month_of_work["euis"]

    def link(text: str) -> str:
        return "https://wa.me/6281234567890?text=" + quote(f"Ibu Euis,\n{text}", safe="")

    kka = link(whatsapp.kka_due_text(child=month_of_work["ani"], group=group))
    referral = link(whatsapp.referral_follow_up_text(referral=month_of_work["referral"], group=group))
    visit = link(whatsapp.visit_text(family=euis, group=group))
    assert wa_links(section(html, "kka_due")) == [kka]
    assert wa_links(section(html, "referrals_to_follow")) == [referral]
    assert wa_links(section(html, "absent_not_visited")) == [visit]
    assert "Ani%20belum%20diperiksa" in kka and "Puskesmas%20Jatinangor" in referral
    # Measuring and the report are the cadre's own work: nothing to send.
    assert wa_links(section(html, "not_measured")) == [] and wa_links(section(html, "report")) == []


def test_whatsapp_text_in_the_familys_language_and_none_without_a_number(world, login, tasks_url, month_of_work):
    Family.objects.filter(pk=month_of_work["euis"].pk).update(language="en", phone="", whatsapp="+62 813 1111 2222")
    html = login(world["cadre_a"]).get(tasks_url).content.decode()
    [link] = wa_links(section(html, "kka_due"))
    assert link.startswith("https://wa.me/6281311112222?text=")
    assert quote("Ani has not had a development check (KKA) this month.", safe="") in link
    assert "Tugas bulan ini" in html  # the page itself stays in the cadre's language

    Family.objects.filter(pk=month_of_work["euis"].pk).update(whatsapp="")
    html = login(world["cadre_a"]).get(tasks_url).content.decode()
    assert wa_links(html) == []


# --- a fixed number of queries ----------------------------------------------------------------


def populate(group, children: int, instrument, today, month) -> None:
    f.month_in_bulk(
        group,
        children,
        instrument=instrument,
        today=today,
        checked_on=month.first,
        session_on=month.first,
        phone="081234567890",
    )


def test_the_same_queries_at_10_children_as_at_200(
    world, login, tasks_url, instrument, today, month, django_assert_max_num_queries
):
    client = login(world["cadre_a"])
    populate(world["group_a"], 10, instrument, today, month)
    client.get(tasks_url)  # the session's first request may do more
    with CaptureQueriesContext(connection) as few:
        html = client.get(tasks_url).content.decode()
    assert count_of(html, "kka_due") and count_of(html, "absent_not_visited") and count_of(html, "referrals_to_follow")

    populate(world["group_a"], 190, instrument, today, month)
    # What the refresh queued on commit does (reports.kept): the month's kept row, read by the
    # bars against the targets, is current again, as it was for the first count.
    kept.refresh([world["group_a"].pk])
    with django_assert_max_num_queries(len(few)):
        html = client.get(tasks_url).content.decode()
    assert count_of(html, "not_measured") == 100
    assert len(wa_links(html)) > 100
    # The month against its targets (reports.targets): the same bars, counted over the 200 children.
    assert re.search(r'data-target="measured".*?\d+ dari 200 anak', html, re.S)
