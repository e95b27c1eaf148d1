"""The dashboard reads the kept rows: a kabupaten summed per kecamatan, the trend in one query
over the typed columns, how current its figures are said on the page, and a query count that
does not grow with the number of groups."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bkb.lib.months import Month
from cadres.models import CadreRole
from groups.models import Area, BkbGroup
from reports import area, dashboard, figures, kept, shown, views
from reports.dashboard import INDICATOR_COUNTS, INDICATORS
from reports.models import GroupMonthFigures
from reports.services import report_submit
from sessions.models import Attendance, CoachingSession, Topic
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
OCT, NOV = Month(2026, 10), Month(2026, 11)
CADRE_KEYS = [key for key in INDICATOR_COUNTS if key.startswith("cadres_")]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _row(html: str, attribute: str) -> str:
    return html[html.index(attribute) :].split("</tr>")[0]


@pytest.fixture
def kabupaten(october, world):
    """Melati sent October, then a late attendance came in (the report stands, live moved on);
    Oom also serves Mawar, so she is one person in Jatinangor; Dahlia (Tanjungsari) met once."""
    report_submit(
        group=october["group"],
        month=OCT,
        user=world["cadre_a"],
        now=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC),
    )
    session = CoachingSession.objects.get(date=D(2026, 10, 10))
    Attendance.objects.create(session=session, family=october["children"]["raka"].family)
    CadreRole.objects.create(
        cadre=october["oom"], group=world["group_b"], role="bantu", age_group=3, started_on=D(2026, 6, 1)
    )
    dahlia = world["group_c"]
    f.cadre(dahlia, role="ketua", date_joined=D(2020, 1, 1))
    family = f.family(dahlia, joined_on=D(2025, 1, 1))
    f.child(family, D(2025, 3, 1))
    session = CoachingSession.objects.create(group=dahlia, date=D(2026, 10, 3), topic=Topic.objects.create(name="Gizi"))
    Attendance.objects.create(session=session, family=family)
    return BkbGroup.objects.in_area(world["kab"])


def test_kabupaten_rows_are_the_sums_of_their_groups(kabupaten, october, world, login):
    rows = dashboard.dashboard(kabupaten, world["kab"], OCT).rows
    assert [row.area.pk for row in rows] == [world["kec_a"].pk, world["kec_b"].pk]
    live = shown.live_group_months(kabupaten, [OCT])[OCT]
    for row in rows:
        groups = BkbGroup.objects.in_area(row.area)
        ids = set(groups.values_list("pk", flat=True))
        assert row.groups == len(ids)
        for key in INDICATOR_COUNTS:
            if key in CADRE_KEYS:
                # A cadre is one person in the kecamatan, as in the kecamatan's own total.
                expected = figures.distinct_cadre_counts(groups, [OCT])[OCT][key]
            else:
                expected = sum(live[group_id].counts[key] for group_id in ids)
            assert row.figures[key] == expected, (row.area.name, key)
        # The same rules mark a kecamatan lagging as a group.
        assert [cell["lags"] for cell in row.values] == [i.lags(i.value(row.figures)) for i in INDICATORS]
    jatinangor = rows[0].figures
    assert jatinangor["families_present"] == 2 + 0  # Melati's report (2), not the live 3; Mawar none
    # Imas and Oom at Melati, Oom again at Mawar: three group rows, two people.
    assert sum(live[g.pk].counts["cadres_active"] for g in BkbGroup.objects.in_area(world["kec_a"])) == 3
    assert (jatinangor["cadres_active"], jatinangor["cadres_trained"]) == (2, 1)

    client = login(world["admin"])
    page = client.get(reverse("reports:dashboard"), {"wilayah": world["kab"].pk, "bulan": str(OCT)}).content.decode()
    assert "data-group=" not in page and page.count("data-area=") == 2
    row = _row(page, f'data-area="{world["kec_a"].pk}"')
    assert f'href="?wilayah={world["kec_a"].pk}&amp;bulan=2026-10"' in row
    assert "1 menunggu verifikasi" in _text(row) and "1 belum masuk" in _text(row)
    assert "1 kelompok tanpa pertemuan" in _text(row)  # Mawar
    assert "2 dari 4" in _text(row)  # families present, of members

    # The kecamatan's row on the kabupaten is the total on the kecamatan's own dashboard.
    kecamatan = dashboard.dashboard(BkbGroup.objects.in_area(world["kec_a"]), world["kec_a"], OCT)
    assert [cell["value"] for cell in kecamatan.totals] == [cell["value"] for cell in rows[0].values]
    inner = client.get(reverse("reports:dashboard"), {"wilayah": world["kec_a"].pk, "bulan": str(OCT)}).content.decode()
    assert "data-area=" not in inner and inner.count("data-group=") == 2


def test_a_provinsi_is_summed_per_kecamatan_each_with_its_kabupaten(kabupaten, world, login):
    root = f.user("pusat", "admin", is_superuser=True)
    page = login(root).get(reverse("reports:dashboard"), {"wilayah": world["prov"].pk, "bulan": str(OCT)})
    html = page.content.decode()
    assert "<th>Kecamatan</th>" in html and "data-group=" not in html
    # By kabupaten, then kecamatan: Garut's Tarogong, then Sumedang's Jatinangor and Tanjungsari.
    tarogong = world["desa_x"].parent_id
    assert re.findall(r'data-area="(\d+)"', html) == [str(tarogong), str(world["kec_a"].pk), str(world["kec_b"].pk)]
    jatinangor = _text(_row(html, f'data-area="{world["kec_a"].pk}"'))
    assert "Kabupaten Sumedang · 2 kelompok" in jatinangor


def test_the_trend_is_the_live_computation_month_by_month(kabupaten, world):
    months = [Month(2026, 8), Month(2026, 9), OCT, NOV]
    live = shown.live_group_months(kabupaten, months)
    cadres = figures.distinct_cadre_counts(kabupaten, months)
    data = dashboard.dashboard(kabupaten, world["kab"], NOV, months=4)
    expected = {month: area.totals(live[month], cadres[month]) for month in months}
    for indicator, points in data.series:
        assert points == [(m.label, indicator.value(expected[m])) for m in months], indicator.key
    for month, totals in dashboard.area_totals(kabupaten, months).items():
        assert {key: totals[key] for key in INDICATOR_COUNTS} == {key: expected[month][key] for key in INDICATOR_COUNTS}
    # The selected month's totals are the trend's last point.
    assert [cell["value"] for cell in data.totals] == [i.value(expected[NOV]) for i in INDICATORS]


def test_a_page_says_when_its_figures_were_computed_and_which_wait(october, world, login, monkeypatch):
    client = login(world["supervisor"])
    url, query = reverse("reports:dashboard"), {"wilayah": world["kec_a"].pk, "bulan": str(OCT)}
    page = client.get(url, query).content.decode()
    assert 'data-stale="0"' in page and "Angka dihitung pukul" in _text(page)

    # A write marked every row of Jatinangor stale and the worker has not run; the page may
    # refresh only 2 itself, so it shows the rows it has and says so.
    rows = GroupMonthFigures.objects.filter(group__in=BkbGroup.objects.in_area(world["kec_a"]))
    assert rows.count() == 24  # 2 groups x 12 months
    computed = datetime.datetime(2026, 11, 20, 3, 42, tzinfo=datetime.UTC)  # 10.42 in Jakarta
    rows.update(stale=True, computed_at=computed)
    monkeypatch.setattr(kept, "INLINE_LIMIT", 2)
    page = client.get(url, query).content.decode()
    note = _text(page[page.index('id="freshness"') :].split("</p>")[0])
    assert "24 angka kelompok sedang dihitung ulang; yang tampil dihitung pukul 10.42, 20 Nov. 2026." in note
    assert page.count("sedang dihitung ulang") == 1 + 2  # the note, and a mark on each group's row
    assert rows.filter(stale=True).count() == 24  # nothing was refreshed behind the note's back

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _text(client.get(url, query).content.decode())
    assert "24 group figures are being recomputed; those shown were computed at" in english

    # Within the limit, the page refreshes them itself and has nothing to say about them.
    monkeypatch.setattr(kept, "INLINE_LIMIT", 60)
    page = login(world["supervisor"]).get(url, query).content.decode()
    assert 'data-stale="0"' in page and "sedang dihitung ulang" not in page
    assert rows.filter(stale=True).count() == 0


def test_groups_are_paged_in_their_sorted_order(october, world, login, monkeypatch):
    f.group(world["desa_a1"], "BKB Kenanga")  # no members: no attendance share, last either way
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 2)
    client = login(world["supervisor"])

    def names(**query):
        page = client.get(reverse("reports:dashboard"), {"wilayah": world["kec_a"].pk, "bulan": str(OCT), **query})
        html = page.content.decode()
        return re.findall(r'data-group="\d+">\s*<td><a [^>]*>([^<]+)</a>', html), html

    first, html = names(urut="-attendance_pct")
    assert first == ["BKB Melati", "BKB Mawar"]  # 66.7% then 0%
    assert "halaman 1 dari 2" in html and 'aria-current="page">1<' in html
    assert f"?wilayah={world['kec_a'].pk}&amp;bulan=2026-10&amp;urut=-attendance_pct&amp;halaman=2" in html
    assert names(urut="-attendance_pct", halaman="2")[0] == ["BKB Kenanga"]
    assert names(urut="attendance_pct")[0] == ["BKB Mawar", "BKB Melati"]
    assert names(urut="attendance_pct", halaman="2")[0] == ["BKB Kenanga"]
    assert names(halaman="99")[1].count("data-group=") == 1  # past the end: the last page
    assert client.get(reverse("reports:dashboard"), {"halaman": "dua"}).status_code == 400


def _count(client, area_id) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:dashboard"), {"wilayah": area_id, "bulan": str(OCT)})
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _add_groups(desas: list[Area], n: int, start: int) -> list[int]:
    made = BkbGroup.objects.bulk_create(
        [BkbGroup(name=f"BKB Uji {start + i:04d}", desa=desas[i % len(desas)], rw="01") for i in range(n)]
    )
    return [group.pk for group in made]


def _warm(group_ids) -> None:
    kept.refresh(group_ids, [OCT.back(back) for back in range(12)], children=False)


def test_kecamatan_and_kabupaten_dashboards_run_the_same_queries_for_5_and_1000_groups(world, login, monkeypatch):
    # The table and the trend alone: the completeness grid shows for 5 groups and not for 1,000
    # (GRID_MAX_GROUPS); its own queries are counted at 2 and 20 groups in test_completeness.
    monkeypatch.setattr(views, "GRID_MAX_GROUPS", 0)
    kab = f.area("Bandung", Area.Level.KABUPATEN, world["prov"])
    kec_1, kec_2 = f.area("Cileunyi", Area.Level.KECAMATAN, kab), f.area("Rancaekek", Area.Level.KECAMATAN, kab)
    desas = [f.area(f"Desa {i}", Area.Level.DESA, kec_1 if i < 4 else kec_2) for i in range(6)]
    admin = f.user("admin_bandung", "admin", areas=[kab])
    ids = _add_groups(desas[:1], 5, 0)
    for group in BkbGroup.objects.filter(pk__in=ids[:2]):  # families only in a few
        f.cadre(group, role="ketua", date_joined=D(2020, 1, 1))
        family = f.family(group, joined_on=D(2025, 1, 1))
        f.child(family, D(2025, 6, 1))
        session = CoachingSession.objects.create(group=group, date=D(2026, 10, 5), topic=f.topic())
        Attendance.objects.create(session=session, family=family)
    _warm(ids)
    client = login(admin)
    small = {"kecamatan": _count(client, kec_1.pk), "kabupaten": _count(client, kab.pk)}
    assert small["kecamatan"][1].count("data-group=") == 5 and 'id="pages"' not in small["kecamatan"][1]

    # 995 more: Cileunyi has 1,000 groups (ten pages), Bandung 1,000 and some in Rancaekek.
    more = _add_groups(desas[:4], 995, 5) + _add_groups(desas[4:], 40, 1000)
    _warm(more)
    large = {"kecamatan": _count(client, kec_1.pk), "kabupaten": _count(client, kab.pk)}
    assert large["kecamatan"][1].count("data-group=") == dashboard.PAGE_SIZE
    assert "halaman 1 dari 10" in large["kecamatan"][1]
    assert large["kabupaten"][1].count("data-area=") == 2 and "data-group=" not in large["kabupaten"][1]
    assert "1040 kelompok" in _text(large["kabupaten"][1])
    assert {key: count for key, (count, _html) in large.items()} == {
        key: count for key, (count, _html) in small.items()
    }
