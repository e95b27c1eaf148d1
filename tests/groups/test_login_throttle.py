"""Login throttling (django-axes, enabled here) and the login history pages."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pw-test-123"  # tests/factories.py


def _post(client, username, password, url=None, **meta):
    return client.post(url or reverse("login"), {"username": username, "password": password}, **meta)


def test_five_wrong_passwords_lock_the_account_with_the_reason_in_the_form(world):
    client = Client()
    for _ in range(4):
        assert _post(client, "kader_a", "salah-salah").status_code == 200
    # The fifth failure already answers with the lock.
    assert _post(client, "kader_a", "salah-salah").status_code == 429
    response = _post(client, "kader_a", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Terlalu banyak percobaan masuk yang gagal" in html and "30 menit" in html
    assert 'name="password"' in html  # the login form, not a bare error page
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_for_the_account_from_another_client(world):
    for n in range(5):
        _post(Client(), "kader_a", "salah-salah", REMOTE_ADDR=f"10.0.0.{n + 1}")
    assert _post(Client(), "kader_a", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429
    # Another account from a fresh client is not touched.
    assert _post(Client(), "kader_b", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_five_failures_from_one_client_lock_that_client_for_every_account(world):
    for n in range(5):
        _post(Client(), f"tebak{n}", "salah-salah", REMOTE_ADDR="10.0.0.7")
    assert _post(Client(), "kader_b", PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 429
    assert _post(Client(), "kader_b", PASSWORD, REMOTE_ADDR="10.0.0.8").status_code == 302


def test_x_forwarded_for_is_ignored_unless_a_proxy_is_configured(world):
    # Without BKB_PROXY_COUNT a client cannot spread its attempts over made-up addresses.
    for n in range(5):
        _post(Client(), f"tebak{n}", "salah-salah", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}")
    assert _post(Client(), "kader_b", PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 429


def test_behind_a_proxy_the_address_it_saw_counts(world, settings):
    # What BKB_PROXY_COUNT=1 sets (bkb/settings.py): the right-most X-Forwarded-For entry.
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_ORDER = "right-most"
    settings.AXES_IPWARE_PROXY_COUNT = 1
    for n in range(5):
        _post(Client(), f"tebak{n}", "salah", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 1.2.3.4")
    assert AccessFailureLog.objects.filter(ip_address="1.2.3.4").count() == 5
    assert (
        _post(Client(), "kader_b", PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="5.5.5.5").status_code == 302
    )


def test_a_success_resets_the_count(world):
    client = Client()
    for _ in range(4):
        _post(client, "kader_a", "salah-salah")
    assert _post(client, "kader_a", PASSWORD).status_code == 302
    client = Client()
    for _ in range(4):
        _post(client, "kader_a", "salah-salah")
    assert _post(client, "kader_a", PASSWORD).status_code == 302


def test_the_admin_login_locks_too_with_the_message_in_its_form(world):
    boss = f.user("boss", "admin", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(5):
        _post(Client(), boss.username, "salah-salah", url=url)
    response = _post(Client(), boss.username, PASSWORD, url=url)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Terlalu banyak percobaan masuk yang gagal" in html and 'name="password"' in html


def test_history_records_success_and_failure_with_address_and_device(world):
    _post(Client(), "kader_a", "salah-salah", REMOTE_ADDR="10.1.1.1", HTTP_USER_AGENT="HP murah")
    _post(Client(), "kader_a", PASSWORD, REMOTE_ADDR="10.1.1.2", HTTP_USER_AGENT="HP murah")
    failure = AccessFailureLog.objects.get(username="kader_a")
    assert (failure.ip_address, failure.user_agent) == ("10.1.1.1", "HP murah")
    assert AccessLog.objects.get(username="kader_a").ip_address == "10.1.1.2"


def _history(client):
    response = client.get(reverse("login_history"))
    assert response.status_code == 200
    return response.content.decode()


def test_riwayat_masuk_lists_only_the_admins_people(world, login):
    kader_x = f.user("kader_x", "cadre")
    f.cadre(world["group_x"], user=kader_x, role="inti", name="Ujang")
    f.user("pkb_garut", "supervisor", areas=[world["other_kab"]])
    for username in ("kader_a", "pkb", "kader_x", "pkb_garut", "tidak_ada"):
        _post(Client(), username, "salah-salah", REMOTE_ADDR="10.2.2.2")
    _post(Client(), "kader_b", PASSWORD, REMOTE_ADDR="10.3.3.3")
    html = _history(login(world["admin"]))
    assert "kader_a" in html and "pkb" in html and "kader_b" in html and "10.3.3.3" in html
    assert "berhasil" in html and "gagal" in html
    assert "kader_x" not in html and "pkb_garut" not in html and "tidak_ada" not in html


def test_riwayat_masuk_is_the_admins(world, login):
    assert login(world["supervisor"]).get(reverse("login_history")).status_code == 403
    assert login(world["cadre_a"]).get(reverse("login_history")).status_code == 403


def test_riwayat_masuk_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world["admin"])
    for n in range(60):
        _post(Client(), "kader_a", "salah-salah", REMOTE_ADDR=f"10.4.{n}.1")
        AccessAttempt.objects.all().delete()  # keep the lock out of the way
    with django_assert_max_num_queries(8):
        html = _history(client)
    assert html.count("text-bg-danger") == 50  # one page
    assert "?halaman=2" in html


def test_axes_admin_pages_are_for_superusers_only(world):
    _post(Client(), "kader_a", "salah-salah")
    admin = world["admin"]
    admin.is_staff = True
    admin.save()
    staff = Client()
    staff.force_login(admin)
    for model in ("accessattempt", "accesslog", "accessfailurelog"):
        assert staff.get(reverse(f"admin:axes_{model}_changelist")).status_code == 403
    boss = Client()
    boss.force_login(f.user("boss", "admin", is_staff=True, is_superuser=True))
    for model in ("accessattempt", "accesslog", "accessfailurelog"):
        assert boss.get(reverse(f"admin:axes_{model}_changelist")).status_code == 200


def test_the_kabupaten_admin_unlocks_an_account_of_hers_only(world, login):
    for n in range(5):
        _post(Client(), "kader_a", "salah-salah", REMOTE_ADDR=f"10.0.1.{n + 1}")
    garut = f.user("admin_garut", "admin", areas=[world["other_kab"]], is_staff=True)
    unlock = reverse("login_unlock")
    assert "kader_a" in login(world["admin"]).get(reverse("login_history")).context["locked"]
    assert login(garut).post(unlock, {"username": "kader_a"}).status_code == 404
    assert _post(Client(), "kader_a", PASSWORD, REMOTE_ADDR="10.0.2.1").status_code == 429
    assert login(world["admin"]).post(unlock, {"username": "kader_a"}).status_code == 302
    assert _post(Client(), "kader_a", PASSWORD, REMOTE_ADDR="10.0.2.1").status_code == 302
    assert login(world["admin"]).post(unlock, {"username": "no-such"}).status_code == 404
