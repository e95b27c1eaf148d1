"""The area recap at kabupaten scale: kecamatan rows summed in the database, the PDF on the worker,
and how current the figures are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from bkb.lib.months import Month
from cadres.models import Cadre, CadreRole
from groups.models import Area, BkbGroup
from reports import area, figures, kept, shown
from reports.models import BatchPrint, GroupMonthFigures
from reports.services import report_submit
from reports.tasks import recap_pdf_run
from tests import factories as f
from tests import pdfs

pytestmark = pytest.mark.django_db
D = datetime.date
OCT = Month(2026, 10)
SUMMED = [key for key in area.RECAP_COUNTS if key not in area.CADRE_KEYS]


def _recap_url(place, month=OCT):
    return reverse("reports:area_recap", args=[place.pk, str(month)])


def _pdf_url(place, month=OCT):
    return reverse("reports:area_recap_pdf", args=[place.pk, str(month)])


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def kabupaten(october, world):
    """October's data, plus: Melati sent its report; two groups in Tanjungsari with families and
    cadres; Oom also serves Dahlia, in the other kecamatan (one person in the kabupaten)."""
    report_submit(
        group=october["group"],
        month=OCT,
        user=world["cadre_a"],
        now=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC),
    )
    for group, families in ((world["group_c"], 2), (f.group(world["desa_b1"], "BKB Kenanga"), 1)):
        f.cadre(group, role="ketua", date_joined=D(2021, 1, 1))
        for _ in range(families):
            f.child(f.family(group, is_pus=True, kb_method="pil"), D(2025, 3, 1))
    CadreRole.objects.create(
        cadre=october["oom"], group=world["group_c"], role="bantu", age_group=2, started_on=D(2026, 6, 1)
    )
    return BkbGroup.objects.in_area(world["kab"])


def test_kabupaten_rows_are_the_sums_of_their_groups_and_the_live_count(kabupaten, world, login):
    recap = area.recap(world["kab"], kabupaten, OCT, sections=True)
    live = shown.live_group_months(kabupaten, [OCT])[OCT]
    assert recap.rows == [] and [row.area for row in recap.kecamatans] == [world["kec_a"], world["kec_b"]]
    assert [kecamatan for kecamatan, _rows in recap.sections] == recap.kecamatans

    for kecamatan, rows in recap.sections:
        groups = BkbGroup.objects.in_area(kecamatan.area)
        assert {row.group.pk for row in rows} == set(groups.values_list("pk", flat=True))
        assert kecamatan.groups == len(rows)
        assert kecamatan.reported == sum(row.source == shown.REPORT for row in rows)
        for key in SUMMED:
            assert kecamatan.figures[key] == sum(row.figures[key] for row in rows), key
            assert kecamatan.figures[key] == sum(live[row.group.pk].counts[key] for row in rows), key
        # The cadres: each person once within the kecamatan.
        once = figures.distinct_cadre_counts(groups, [OCT])[OCT]
        assert {key: kecamatan.figures[key] for key in area.CADRE_KEYS} == once
        # Every group row is what the live computation says, the frozen report included.
        for row in rows:
            assert {key: row.figures[key] for key in area.RECAP_COUNTS} == {
                key: live[row.group.pk].counts[key] for key in area.RECAP_COUNTS
            }

    for key in SUMMED:
        assert recap.totals[key] == sum(row.figures[key] for row in recap.kecamatans), key
        assert recap.totals[key] == sum(found.counts[key] for found in live.values()), key
    # Oom serves a group in each kecamatan: once in each row, once in the kabupaten.
    jatinangor, tanjungsari = recap.kecamatans
    assert (jatinangor.figures["cadres_active"], tanjungsari.figures["cadres_active"]) == (2, 3)
    assert recap.totals["cadres_active"] == 4
    assert (recap.groups, jatinangor.reported, tanjungsari.reported) == (4, 1, 0)
    assert recap.totals["families_members"] == 3 + 1 + 2 + 1 and recap.totals["sessions_held"] == 1

    # On the page: a row per kecamatan linking to its own recap, no group rows.
    html = login(world["admin"]).get(_recap_url(world["kab"])).content.decode()
    assert html.count("<tr data-kecamatan=") == 2 and "data-group=" not in html
    row = html[html.index(f'data-kecamatan="{world["kec_a"].pk}"') :].split("</tr>")[0]
    assert f'href="{_recap_url(world["kec_a"])}"' in row
    assert "1 laporan, 1 langsung" in row


def test_a_kecamatan_recap_keeps_a_row_per_group(kabupaten, world, login):
    html = login(world["supervisor"]).get(_recap_url(world["kec_a"])).content.decode()
    assert html.count("<tr data-group=") == 2 and "data-kecamatan=" not in html
    assert 'id="recap-freshness"' in html


def _thousand_groups(world, n):
    """`n` groups spread over five kecamatans of the kabupaten, each with a cadre, in a few inserts."""
    kecamatans = [f.area(f"Uji {k}", Area.Level.KECAMATAN, world["kab"]) for k in range(5)]
    # Desa by desa across the kecamatans: even five groups reach all five.
    desas = [f.area(f"Desa uji {k}-{d}", Area.Level.DESA, kec) for d in range(2) for k, kec in enumerate(kecamatans)]
    groups = BkbGroup.objects.bulk_create(
        BkbGroup(name=f"BKB Uji {i}", desa=desas[i % len(desas)], rw="01") for i in range(n)
    )
    cadres = Cadre.objects.bulk_create(Cadre(name=f"Kader uji {i}", date_joined=D(2020, 1, 1)) for i in range(n))
    CadreRole.objects.bulk_create(
        CadreRole(cadre=cadre, group=group, role="ketua", started_on=D(2020, 1, 1))
        for cadre, group in zip(cadres, groups, strict=True)
    )
    return groups


@pytest.mark.parametrize("n", [5, 1000])
def test_recap_pages_run_the_same_queries_for_5_and_1000_groups(world, login, n):
    _thousand_groups(world, n)
    kept.refresh(BkbGroup.objects.values_list("pk", flat=True), [OCT], children=False)
    client = login(world["admin"])
    counted = {}
    for place in ("kab", "kec_a"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_recap_url(world[place]))
        assert response.status_code == 200
        counted[place] = len(queries)
    # session, user, the admin's areas (twice), the area: 5; ensure: 2; the totals and the area's
    # cadres: 2; then per kecamatan its sums, its cadres and the kecamatans, and the last PDF job: 4;
    # or per group the rows and the groups: 2. For an admin, the kabupaten's DHIS2 mapping: 1.
    assert counted == {"kab": 14, "kec_a": 12}
    html = response.content.decode()
    assert html.count("<tr data-group=") == 2  # Jatinangor's own two
    html = client.get(_recap_url(world["kab"])).content.decode()
    assert html.count("<tr data-kecamatan=") == 7 and "data-group=" not in html


def test_kabupaten_pdf_is_made_on_the_worker_a_part_at_a_time(
    kabupaten, world, login, django_capture_on_commit_callbacks
):
    client = login(world["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_pdf_url(world["kab"]))
    job = BatchPrint.objects.recaps().get()
    assert response.status_code == 302 and response.url == reverse("reports:recap_job", args=[job.pk])
    status = client.get(response.url, headers={"Accept": "application/json"}).json()
    # The summary, then Jatinangor and Tanjungsari.
    assert (status["status"], status["done"], status["total"], status["percent"]) == ("done", 3, 3, 100)
    assert status["pdf"] == reverse("reports:recap_job_download", args=[job.pk]) and status["zip"] is None
    page = client.get(response.url).content.decode()
    assert 'id="batch-pdf"' in page and "3/3" in page

    content = client.get(status["pdf"]).content
    assert all(pdfs.pdf_fonts(content).values())  # the parts' fonts, embedded once put together
    pages = [_squash(text) for text in pdfs.pdf_pages(content)]
    summary = next(text for text in pages if text.startswith("Rekapitulasi bulanan"))
    # Jatinangor: 2 groups, Melati's report and Mawar's live count; families 3 + 1, children 4 + 1.
    assert "Kecamatan Jatinangor 2 1 laporan, 1 langsung 2* 1 dari 2 (50,0%)* 4 5 1" in summary
    assert "Jumlah (2 kecamatan) 4" in summary and "Angka dihitung pada" in summary
    jatinangor = next(text for text in pages if text.startswith("Kecamatan Jatinangor · Kabupaten Sumedang"))
    assert "BKB Melati Cikeruh laporan v1 terkirim 2 1 dari 2 (50,0%) 3 4 1" in jatinangor
    assert "Jumlah (2 kelompok) 2* 1 dari 2 (50,0%)* 4 5 1" in jatinangor and "BKB Dahlia" not in jatinangor
    tanjungsari = next(text for text in pages if text.startswith("Kecamatan Tanjungsari"))
    assert "BKB Dahlia Gudang" in tanjungsari and "BKB Kenanga Gudang" in tanjungsari
    assert "Jumlah (2 kelompok) 3* 1 dari 3 (33,3%)*" in tanjungsari

    # The recap page leads to the finished PDF.
    html = client.get(_recap_url(world["kab"])).content.decode()
    assert f'href="{response.url}"' in html


def test_a_second_request_follows_the_job_on_its_way(kabupaten, world, login, django_capture_on_commit_callbacks):
    admin = login(world["admin"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = admin.post(_pdf_url(world["kab"]))
        # A colleague over the same kabupaten asks too: the same job, not a second one.
        colleague = f.user("pkb_kab", "supervisor", areas=[world["kab"]])
        second = login(colleague).post(_pdf_url(world["kab"]))
        again = admin.post(_pdf_url(world["kab"]))
    assert first.url == second.url == again.url
    assert BatchPrint.objects.recaps().count() == 1 and len(queued) == 1
    # Another month is another job.
    admin.post(_pdf_url(world["kab"], Month(2026, 9)))
    assert BatchPrint.objects.recaps().count() == 2

    # A job whose worker stopped (no step for STALL_AFTER) is taken as lost: asking again starts
    # a new one, and the lost one's late task does not run as well. A job still moving is followed.
    lost = BatchPrint.objects.recaps().get(month=OCT.first)
    BatchPrint.objects.filter(pk=lost.pk).update(
        status=BatchPrint.Status.RUNNING,
        updated_at=timezone.now() - BatchPrint.STALL_AFTER + datetime.timedelta(minutes=1),
    )
    assert admin.post(_pdf_url(world["kab"])).url == first.url
    BatchPrint.objects.filter(pk=lost.pk).update(updated_at=timezone.now() - BatchPrint.STALL_AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        renewed = admin.post(_pdf_url(world["kab"]))
    assert renewed.url != first.url
    lost.refresh_from_db()
    assert lost.status == BatchPrint.Status.FAILED and lost.error == "Gagal: pencetakan berhenti"
    assert recap_pdf_run.call(lost.pk) == 0
    assert BatchPrint.objects.recaps().get(pk=lost.pk).status == BatchPrint.Status.FAILED


def test_a_link_to_the_kabupaten_pdf_leads_to_the_recap_page(kabupaten, world, login):
    response = login(world["admin"]).get(_pdf_url(world["kab"]))
    assert response.status_code == 302 and response.url == _recap_url(world["kab"])
    assert not BatchPrint.objects.exists()


def test_recap_scope(kabupaten, world, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_url = login(world["admin"]).post(_pdf_url(world["kab"])).url
    job = BatchPrint.objects.recaps().get()
    download = reverse("reports:recap_job_download", args=[job.pk])
    elsewhere = login(f.user("pkb_garut", "supervisor", areas=[world["other_kab"]]))
    for url in (_recap_url(world["kab"]), _recap_url(world["kec_a"]), job_url, download):
        assert elsewhere.get(url).status_code == 404, url
    assert elsewhere.post(_pdf_url(world["kab"])).status_code == 404
    # Jatinangor's supervisor does not see the kabupaten either.
    supervisor = login(world["supervisor"])
    assert [supervisor.get(url).status_code for url in (_recap_url(world["kab"]), job_url, download)] == [404] * 3
    assert login(world["cadre_a"]).get(job_url).status_code == 403
    # A supervisor over the kabupaten follows the admin's job.
    over = login(f.user("pkb_kab", "supervisor", areas=[world["kab"]]))
    assert over.get(download).content.startswith(b"%PDF")
    assert BatchPrint.objects.count() == 1


def test_recap_says_when_its_figures_were_counted_and_which_wait(world, login, settings):
    groups = BkbGroup.objects.bulk_create(
        BkbGroup(name=f"BKB Uji {i}", desa=world["desa_a1"], rw="01") for i in range(kept.INLINE_LIMIT + 1)
    )
    in_kecamatan = BkbGroup.objects.in_area(world["kec_a"])
    kept.refresh(in_kecamatan.values_list("pk", flat=True), [OCT], children=False)
    oldest = timezone.now() - datetime.timedelta(hours=3)
    GroupMonthFigures.objects.filter(group=groups[0]).update(computed_at=oldest)
    client = login(world["supervisor"])

    page = client.get(_recap_url(world["kec_a"])).content.decode()
    when = date_format(timezone.localtime(oldest), "j F Y H:i")
    assert f"Angka dihitung pada {when} atau sesudahnya." in page
    assert "menunggu dihitung ulang" not in page

    # More rows went stale than a page refreshes itself: it shows them, and says so.
    GroupMonthFigures.objects.filter(group__in=in_kecamatan).update(stale=True)
    total = in_kecamatan.count()
    page = client.get(_recap_url(world["kec_a"])).content.decode()
    assert f"Kelompok yang menunggu dihitung ulang: {total} dari {total}" in page
    assert page.count('data-stale="1"') == total
    text = _squash(pdfs.pdf_text(client.get(_pdf_url(world["kec_a"])).content))
    assert f"Angka dihitung pada {when} atau sesudahnya." in text
    assert f"Kelompok yang menunggu dihitung ulang: {total} dari {total}" in text
    # The kabupaten's summary says which kecamatan's figures wait.
    admin = login(world["admin"])
    page = admin.get(_recap_url(world["kab"])).content.decode()
    row = page[page.index(f'data-kecamatan="{world["kec_a"].pk}"') :].split("</tr>")[0]
    assert f'data-stale="{total}"' in row and f"({total} menunggu dihitung ulang)" in row
    assert f"Kelompok yang menunggu dihitung ulang: {total} dari {total + 1}" in page  # and Dahlia, current

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(_recap_url(world["kec_a"])).content.decode()
    assert "Figures computed at" in page and f"Groups waiting to be recomputed: {total} of {total}" in page
