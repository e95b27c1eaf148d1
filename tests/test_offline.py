"""Offline, the server's side: a replayed save is accepted once and answered so the outbox can
read it; the working set is the group's pages, in scope and in a fixed number of queries; the
service worker and the manifest point at files that exist."""

import datetime
import json
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bkb.lib.ages import add_months
from families.models import Measurement
from sessions.models import HomeVisit
from sessions.offline import offline_paths, working_set
from tests import factories as f

pytestmark = pytest.mark.django_db

REPLAY = {"HTTP_X_BKB_OUTBOX": "1"}


@pytest.fixture
def child(world):
    born = add_months(timezone.localdate(), -30)
    return f.child(f.family(world["group_a"], mother_name="Neng"), born, name="Siti")


def measurement_post(weight="10,5", height="82,0", key=None):
    return {
        "date": timezone.localdate().isoformat(),
        "weight_kg": weight,
        "height_cm": height,
        "position": "standing",
        "once": key or uuid.uuid4().hex,
    }


def replayer(user) -> tuple[Client, str]:
    """A client as the outbox is: CSRF enforced, the token from the status answer in a header."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    status = client.get(reverse("offline_status")).json()
    assert status["user"] == user.pk
    return client, status["csrf"]


def test_a_replayed_key_is_accepted_once(world, child):
    client, csrf = replayer(world["cadre_a"])
    url = reverse("families:measurement_add", args=[child.pk])
    body = measurement_post()
    answers = [client.post(url, body, HTTP_X_CSRFTOKEN=csrf, **REPLAY) for _ in range(2)]
    assert Measurement.objects.filter(child=child).count() == 1
    for answer in answers:
        assert (answer.status_code, answer["X-Bkb-Outbox"]) == (200, "saved")
        assert answer.json()["url"] == reverse("families:child_detail", args=[child.pk])


def test_a_home_visit_replayed_twice_is_one_visit(world, child, login):
    client = login(world["cadre_a"])
    url = reverse("sessions:home_visit_create", args=[child.family_id])
    body = {
        "date": timezone.localdate().isoformat(),
        "met": HomeVisit.Met.MOTHER,
        "note": "Ibu sehat",
        "once": uuid.uuid4().hex,
    }
    for _ in range(2):
        assert client.post(url, body, **REPLAY)["X-Bkb-Outbox"] == "saved"
    assert HomeVisit.objects.filter(family=child.family).count() == 1


def test_a_refused_replay_answers_the_form_with_its_message(world, child, login):
    client = login(world["cadre_a"])
    key = uuid.uuid4().hex
    answer = client.post(
        reverse("families:measurement_add", args=[child.pk]), measurement_post(weight="45", key=key), **REPLAY
    )
    assert (answer.status_code, answer["X-Bkb-Outbox"]) == (400, "refused")
    page = answer.content.decode()
    # The unsent page shows this form: her values, the message beside the field, the same key.
    assert "data-outbox=" in page
    assert 'id="error_1_id_weight_kg"' in page and 'value="45"' in page
    assert f'value="{key}"' in page
    assert not Measurement.objects.exists()


def test_a_replay_when_logged_out_waits(child):
    answer = Client().post(reverse("families:measurement_add", args=[child.pk]), measurement_post(), **REPLAY)
    assert (answer.status_code, answer["X-Bkb-Outbox"]) == (409, "retry")
    assert not Measurement.objects.exists()


def test_a_replay_out_of_reach_is_refused_not_retried(world, child, login):
    answer = login(world["cadre_b"]).post(
        reverse("families:measurement_add", args=[child.pk]), measurement_post(), **REPLAY
    )
    assert (answer.status_code, answer["X-Bkb-Outbox"]) == (404, "refused")


def test_an_ordinary_save_is_answered_as_before(world, child, login):
    answer = login(world["cadre_a"]).post(reverse("families:measurement_add", args=[child.pk]), measurement_post())
    assert answer.status_code == 302 and "X-Bkb-Outbox" not in answer


def make_group(group, families: int, children_per_family: int = 1):
    today = timezone.localdate()
    for n in range(families):
        family = f.family(group)
        for k in range(children_per_family):
            # Spread over the six years, a few days past the month so the age holds all day.
            f.child(family, add_months(today, -((6 + 7 * n + 3 * k) % 66) - 1) - datetime.timedelta(days=3))


def test_the_working_set_is_the_groups_pages_and_each_opens(world, login):
    group = world["group_a"]
    make_group(group, 3, 2)
    f.family(group, left_on=timezone.localdate().replace(day=1), joined_on=add_months(timezone.localdate(), -20))
    session = f.coaching_session(group, timezone.localdate())
    client = login(world["cadre_a"])
    pages = dict(client.get(reverse("sessions:offline_set", args=[group.pk])).json()["pages"])
    # 6 group pages, 3 families x 2, 6 children x 3, this month's session x 2, the unsent page and the fallback:
    # every one answered 200 to her (a page that does not is left out of the set).
    assert len(pages) == 6 + 3 * 2 + 6 * 3 + 2 + 2
    assert reverse("sessions:edit", args=[session.pk]) in pages
    paths = [re.compile(path) for path in offline_paths()]
    for url, html in pages.items():
        assert any(path.match(url.split("?")[0]) for path in paths), f"{url} would not be kept by the service worker"
        # The page as she gets it opened by itself, in the app's layout and logged in as her.
        assert f'data-user="{world["cadre_a"].pk}"' in html, url
    child = group.families.first().children.first()
    assert child.name in pages[reverse("families:child_detail", args=[child.pk])]
    assert "Kader" in pages[reverse("groups:detail", args=[group.pk])]


def test_the_working_set_is_in_scope(world, login):
    assert login(world["cadre_b"]).get(reverse("sessions:offline_set", args=[world["group_a"].pk])).status_code == 404


@pytest.mark.parametrize("families", [5, 30])
def test_the_working_set_takes_a_fixed_number_of_queries(world, families, django_assert_max_num_queries):
    make_group(world["group_a"], families, 2)
    with django_assert_max_num_queries(3):
        urls = working_set(world["group_a"], today=timezone.localdate())
    assert len(urls) > families * 2


def test_the_service_worker_and_manifest_name_files_that_exist():
    client = Client()
    worker = client.get(reverse("service_worker"))
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Cache-Control"] == "no-cache"
    script = worker.content.decode()
    imported = re.findall(r'"(/static/[^"?]+)(?:\?v=\w+)?"', script)
    assert any("workbox-strategies" in url for url in imported) and any("outbox.js" in url for url in imported)
    manifest = client.get(reverse("manifest"))
    data = json.loads(manifest.content)
    assert (data["lang"], data["short_name"], data["display"]) == ("id", "BKB", "standalone")
    icons = [icon["src"].split("?")[0] for icon in data["icons"]]
    for url in {*imported, *icons}:
        assert finders.find(url.removeprefix("/static/")), url


@pytest.mark.parametrize(
    ("days_back", "replayed", "checked_days_back"),
    [(1, True, 1), (31, True, 31), (32, True, 0), (-1, True, 0), (1, False, 0)],
)
def test_an_offline_kka_check_keeps_the_day_it_was_made(
    world, child, login, reference_data, days_back, replayed, checked_days_back
):
    from families.models import KkaCheck

    today = timezone.localdate()
    made = today - datetime.timedelta(days=days_back)
    body = {"once": uuid.uuid4().hex, "dibuat": made.isoformat()}
    answer = login(world["cadre_a"]).post(
        reverse("sessions:child_kka", args=[child.pk]), body, **(REPLAY if replayed else {})
    )
    assert answer.status_code in (200, 302), answer.status_code
    # A day over a month back, in the future, or sent without the outbox's header: today.
    assert KkaCheck.objects.get(child=child).date == today - datetime.timedelta(days=checked_days_back)


def test_a_newborns_offline_check_is_not_dated_before_birth(world, login, reference_data):
    from families.models import KkaCheck

    today = timezone.localdate()
    born = today - datetime.timedelta(days=5)
    baby = f.child(f.family(world["group_a"]), born, name="Bayi")
    body = {"once": uuid.uuid4().hex, "dibuat": (today - datetime.timedelta(days=20)).isoformat()}
    login(world["cadre_a"]).post(reverse("sessions:child_kka", args=[baby.pk]), body, **REPLAY)
    assert KkaCheck.objects.get(child=baby).date == born


def test_a_stale_csrf_token_waits_instead_of_being_refused(world, child):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["cadre_a"])
    answer = client.post(reverse("families:measurement_add", args=[child.pk]), measurement_post(), **REPLAY)
    assert (answer.status_code, answer["X-Bkb-Outbox"]) == (403, "retry")
    assert not Measurement.objects.exists()


def test_a_redirect_that_is_not_the_save_waits(world, child):
    """A password to change first: the view never ran, so the entry must not count as saved."""
    cadre = world["cadre_a"]
    cadre.must_change_password = True
    cadre.save()
    client = Client()
    client.force_login(cadre)
    answer = client.post(reverse("families:measurement_add", args=[child.pk]), measurement_post(), **REPLAY)
    assert (answer.status_code, answer["X-Bkb-Outbox"]) == (409, "retry")
    assert not Measurement.objects.exists()


def test_getting_ready_leaves_her_messages_for_her_next_page(world, child, login):
    client = login(world["cadre_a"])
    client.post(reverse("families:measurement_add", args=[child.pk]), measurement_post())
    pages = client.get(reverse("sessions:offline_set", args=[world["group_a"].pk])).json()["pages"]
    saved = f"Pengukuran {timezone.localdate():%d-%m-%Y} tersimpan"
    assert pages and not [url for url, html in pages if saved in html]
    # Her next real page says it, once.
    page = reverse("families:child_detail", args=[child.pk])
    assert saved in client.get(page).content.decode()
    assert saved not in client.get(page).content.decode()


def test_a_page_fetched_to_be_kept_leaves_her_messages(world, child, login):
    """The service worker refreshes a kept form after a save; that fetch must not take the save's message."""
    client = login(world["cadre_a"])
    client.post(reverse("families:measurement_add", args=[child.pk]), measurement_post())
    saved = f"Pengukuran {timezone.localdate():%d-%m-%Y} tersimpan"
    page = reverse("families:child_detail", args=[child.pk])
    assert saved not in client.get(page, HTTP_X_BKB_KEEPING="1").content.decode()
    assert saved in client.get(page).content.decode()
