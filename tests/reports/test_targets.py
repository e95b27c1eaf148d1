"""Issue 14: the group's month against its kabupaten's targets, under the cadre's task list.

Targets are set per kabupaten by its admin (reports.models.AreaTarget) and default to the
national figures (NATIONAL_TARGETS); the bars' numbers are the month's own figures.
"""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bkb.lib.ages import add_months
from bkb.lib.months import Month
from groups.models import BkbGroup
from reports import figures
from reports.models import NATIONAL_TARGETS, AreaTarget, Targets
from reports.targets import month_bars, targets_for
from sessions.models import Attendance
from tests import factories as f

pytestmark = pytest.mark.django_db


def _loaded(group) -> BkbGroup:
    return BkbGroup.objects.select_related("desa").get(pk=group.pk)


def test_the_national_figures_when_the_kabupaten_set_none(world):
    assert targets_for(_loaded(world["group_a"])) == NATIONAL_TARGETS
    assert NATIONAL_TARGETS == Targets(Decimal("64.3"), Decimal("64.3"), Decimal("80"))


def test_the_kabupatens_row_for_its_groups_only(world):
    AreaTarget.objects.create(
        area=world["kab"], families_present=Decimal("70"), kka_checked=Decimal("75.5"), measured=Decimal("90")
    )
    sumedang, garut = _loaded(world["group_c"]), _loaded(world["group_x"])
    with CaptureQueriesContext(connection) as queries:
        found = targets_for(sumedang)
    assert len(queries) == 1
    assert found == Targets(Decimal("70"), Decimal("75.5"), Decimal("90"))
    assert targets_for(garut) == NATIONAL_TARGETS


def test_a_target_is_a_percentage_of_a_kabupaten(world):
    with pytest.raises(ValidationError) as error:
        AreaTarget(area=world["kab"], measured=Decimal("100.1")).full_clean()
    assert "measured" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        AreaTarget(area=world["desa_a1"]).full_clean()
    assert "area" in error.value.message_dict
    AreaTarget(area=world["kab"], families_present=0, kka_checked=100).full_clean()


# --- the bars on the task page -----------------------------------------------------------------


@pytest.fixture
def small_month(world):
    """Three member families, two at the month's session; four children, two checked, one measured."""
    today = timezone.localdate()
    month = Month.of(today)
    f.kka_instrument([("A1", 48, 60, "motorik_kasar")])
    group = world["group_a"]
    euis, rina, siti = (f.family(group, mother_name=name) for name in ("Euis", "Rina", "Siti"))
    ani = f.child(euis, add_months(today, -20), name="Ani")
    budi = f.child(rina, add_months(today, -30), name="Budi")
    f.child(rina, add_months(today, -8), name="Citra")
    f.child(siti, add_months(today, -14), name="Dodi")
    f.kka_check(ani, month.first)
    f.kka_check(budi, month.first)
    f.measurement(budi, month.first)
    session = f.coaching_session(group, month.first)
    Attendance.objects.create(session=session, family=euis)
    Attendance.objects.create(session=session, family=rina)
    return month


def bar_text(html: str, key: str) -> str:
    pattern = rf'<div class="mb-2" data-target="{key}" data-met="(\d)">(.*?)</div>\s*</div>\s*</div>'
    found = re.search(pattern, html, re.S)
    assert found, key
    return found.group(0)


def test_the_bars_numbers_are_the_months_figures(world, small_month):
    AreaTarget.objects.create(area=world["kab"], families_present=Decimal("60"))
    bars = {bar.key: bar for bar in month_bars(_loaded(world["group_a"]), small_month)}
    live = figures.group_figures(world["group_a"], small_month)
    assert bars["families_present"].ratio == live.attendance_ratio
    assert bars["kka_checked"].ratio == live.kka_checked_ratio
    assert bars["measured"].ratio == live.ratio("measured", "children_total")
    assert (live["families_present"], live["families_members"]) == (2, 3)
    assert (live["kka_checked"], live["measured"], live["children_total"]) == (2, 1, 4)
    assert bars["families_present"].met  # 66,7% against the kabupaten's 60
    assert not bars["kka_checked"].met and not bars["measured"].met  # 50% and 25% against 64,3 and 80


def test_the_task_page_shows_the_three_bars_with_their_numbers(world, login, small_month):
    html = login(world["cadre_a"]).get(reverse("reports:tasks", args=[world["group_a"].pk])).content.decode()
    families = bar_text(html, "families_present")
    assert "2 dari 3 keluarga (66,7%) · target 64,3%" in families
    assert 'data-met="1"' in families and "bg-success" in families and "tercapai" in families
    assert 'role="progressbar"' in families and 'aria-valuenow="67"' in families and 'data-percent="67"' in families
    kka = bar_text(html, "kka_checked")
    assert "2 dari 4 anak (50,0%) · target 64,3%" in kka and 'data-met="0"' in kka and "belum tercapai" in kka
    assert "1 dari 4 anak (25,0%) · target 80,0%" in bar_text(html, "measured")
    assert "style=" not in html.split("data-targets", 1)[1]  # CSP: the width comes from data-percent


def test_an_empty_group_shows_no_share_and_no_error(world, login):
    html = login(world["cadre_a"]).get(reverse("reports:tasks", args=[world["group_a"].pk])).content.decode()
    assert "0 dari 0 keluarga (–) · target 64,3%" in bar_text(html, "families_present")


# --- the admin: a kabupaten's admin sets her kabupaten's row only --------------------------------


def _url(view: str, *args) -> str:
    return reverse(f"admin:reports_areatarget_{view}", args=args)


@pytest.fixture
def garut_admin(world):
    return f.user("admin_garut", "admin", areas=[world["other_kab"]], is_staff=True)


def _post(client, url, area, **values):
    data = {"area": area.pk, "families_present": "64.3", "kka_checked": "64.3", "measured": "80.0"}
    return client.post(url, {**data, **values})


def test_garuts_admin_neither_sees_nor_edits_sumedangs_row(world, login, garut_admin):
    sumedang = AreaTarget.objects.create(area=world["kab"], measured=Decimal("85"))
    client = login(garut_admin)
    response = client.get(_url("changelist"))
    assert response.status_code == 200 and list(response.context["cl"].queryset) == []
    assert client.get(_url("change", sumedang.pk)).status_code == 404
    assert _post(client, _url("change", sumedang.pk), world["kab"], measured="10").status_code == 404
    assert client.post(_url("delete", sumedang.pk), {"post": "yes"}).status_code == 404
    sumedang.refresh_from_db()
    assert sumedang.measured == Decimal("85")

    # She may create her own kabupaten's row, not Sumedang's (a second one) nor a desa's.
    form = client.get(_url("add")).context["adminform"].form
    assert list(form.fields["area"].queryset) == [world["other_kab"]]
    response = _post(client, _url("add"), world["kab"])
    assert response.status_code == 200 and response.context["adminform"].form.errors["area"]
    response = _post(client, _url("add"), world["desa_x"])
    assert response.status_code == 200 and response.context["adminform"].form.errors["area"]
    assert _post(client, _url("add"), world["other_kab"], measured="75").status_code == 302
    garut = AreaTarget.objects.get(area=world["other_kab"])
    assert garut.measured == Decimal("75")
    assert targets_for(_loaded(world["group_x"])).measured == Decimal("75")


def test_sumedangs_admin_edits_her_row_and_a_superuser_sees_all(world, login, garut_admin):
    sumedang = AreaTarget.objects.create(area=world["kab"])
    garut = AreaTarget.objects.create(area=world["other_kab"])
    client = login(world["admin"])
    assert set(client.get(_url("changelist")).context["cl"].queryset) == {sumedang}
    assert client.get(_url("change", garut.pk)).status_code == 404
    assert _post(client, _url("change", sumedang.pk), world["kab"], kka_checked="70").status_code == 302
    response = _post(client, _url("change", sumedang.pk), world["kab"], kka_checked="101")
    assert response.status_code == 200 and response.context["adminform"].form.errors["kka_checked"]
    sumedang.refresh_from_db()
    assert sumedang.kka_checked == Decimal("70")

    root = f.user("pusat", "admin", is_superuser=True, is_staff=True)
    assert set(login(root).get(_url("changelist")).context["cl"].queryset) == {sumedang, garut}


def test_the_bars_cost_four_queries_when_the_month_is_kept(world, small_month):
    from reports import kept

    kept.refresh([world["group_a"].pk], [small_month])
    group = _loaded(world["group_a"])
    with CaptureQueriesContext(connection) as queries:
        month_bars(group, small_month)
    assert len(queries) == 4  # is the kept row current (2), read it (1), the targets (1)
