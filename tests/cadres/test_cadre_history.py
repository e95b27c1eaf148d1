"""A cadre's and her roles' changes are recorded and shown on the cadre page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cadres import services
from cadres.models import Cadre, CadreRole
from tests import factories as f
from tests.cadres.test_role_history import cadre_edit_form

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_cadre_edit_and_leaving_record_who_and_before_after_of_cadre_and_roles(world, login):
    oom = f.cadre(world["group_a"], name="Oom", role="inti", age_group=1, date_joined=datetime.date(2025, 1, 1))
    role = oom.roles.get()
    client = login(world["cadre_a"])
    url = reverse("cadres:edit", args=[world["group_a"].pk, oom.pk])
    assert client.post(url, cadre_edit_form(oom, role, name="Oom Komariah", phone="081234567890")).status_code == 302
    renamed = Cadre.history.filter(id=oom.pk).latest()
    assert renamed.history_user == world["cadre_a"] and renamed.request_path == url
    assert (renamed.prev_record.name, renamed.name) == ("Oom", "Oom Komariah")

    oom.refresh_from_db()
    # She stops serving: her role ends (a bulk update) and the history says so.
    assert client.post(url, cadre_edit_form(oom, role, active=None)).status_code == 302
    ended = CadreRole.history.filter(id=role.pk).latest()
    assert ended.history_type == "~" and ended.history_user == world["cadre_a"]
    assert (ended.prev_record.ended_on, ended.ended_on) == (None, TODAY)
    assert ended.request_path == url


def test_role_end_service_and_delete(world):
    oom = f.cadre(world["group_a"], name="Oom", role="piket", age_group=0, date_joined=datetime.date(2025, 1, 1))
    assert services.cadre_roles_end(cadre=oom, on=TODAY) == 1
    role = oom.roles.get()
    assert CadreRole.history.filter(id=role.pk).latest().ended_on == TODAY
    pk = oom.pk
    oom.delete()
    assert Cadre.history.filter(id=pk).latest().history_type == "-"
    assert CadreRole.history.filter(id=role.pk).latest().history_type == "-"


def test_cadre_page_shows_history_to_the_group_and_404_to_another_group(world, login):
    oom = f.cadre(world["group_a"], name="Oom", role="inti", age_group=1)
    oom.phone = "081234567890"
    oom.save()
    page = login(world["cadre_a"]).get(reverse("cadres:detail", args=[oom.pk]))
    assert "Riwayat perubahan" in page.content.decode() and "– → 081234567890" in page.content.decode()
    assert login(world["cadre_b"]).get(reverse("cadres:detail", args=[oom.pk])).status_code == 404


@pytest.mark.parametrize("rows", [2, 20])
def test_cadre_page_history_in_a_fixed_number_of_queries(world, login, django_assert_max_num_queries, rows):
    oom = f.cadre(world["group_a"], name="Oom", role="inti", age_group=1)
    for n in range(rows - 2):
        oom.name = f"Oom {n}"
        oom.save()
    client = login(world["cadre_a"])
    with django_assert_max_num_queries(14):
        page = client.get(reverse("cadres:detail", args=[oom.pk]))
    assert page.content.decode().count("data-history-type=") == rows


def test_cadre_page_history_leaves_out_roles_in_groups_the_reader_does_not_see(world, login):
    oom = f.cadre(world["group_a"], name="Oom", role="inti", age_group=1)
    CadreRole.objects.create(cadre=oom, group=world["group_c"], role="piket", age_group=2)
    supervisor_page = login(world["supervisor"]).get(reverse("cadres:detail", args=[oom.pk])).content.decode()
    admin_page = login(world["admin"]).get(reverse("cadres:detail", args=[oom.pk])).content.decode()
    assert "BKB Dahlia" not in supervisor_page and "BKB Dahlia" in admin_page
