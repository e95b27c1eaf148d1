"""Issue 9: 400/403/404/500 answer with the app's layout, in Indonesian."""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.test import Client, RequestFactory
from django.urls import include, path
from django.views import defaults

from tests import factories as f

pytestmark = pytest.mark.django_db


def assert_app_page(html: str) -> None:
    assert '<html lang="id">' in html
    assert 'class="navbar' in html and 'id="main"' in html  # base.html's layout
    assert "Kembali ke halaman utama" in html
    assert "Forbidden" not in html and "Not Found" not in html and "Server Error" not in html


def test_404_is_the_apps_page_in_indonesian(world, login):
    response = login(world["cadre_a"]).get("/keluarga/999999/")
    assert response.status_code == 404
    html = response.text
    assert_app_page(html)
    assert "Halaman tidak ditemukan" in html
    assert "Keluar" in html  # the logged-in layout: the person can still log out


def test_404_for_another_groups_family_says_the_same(world, login):
    other = f.family(world["group_c"], mother_name="Orang lain")
    response = login(world["cadre_a"]).get(f"/keluarga/{other.pk}/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.text and "Orang lain" not in response.text


def test_403_is_the_apps_page_in_indonesian(world, login):
    response = login(world["cadre_a"]).get("/kelompok/baru/")  # admins only
    assert response.status_code == 403
    assert_app_page(response.text)
    assert "Anda tidak punya akses ke halaman ini" in response.text


def test_400_is_the_apps_page_in_indonesian(db):
    response = Client(HTTP_HOST="not-ours.example").get("/masuk/")  # DisallowedHost
    assert response.status_code == 400
    assert_app_page(response.text)
    assert "Permintaan tidak bisa dibaca" in response.text


def test_400_view_renders_for_a_suspicious_request(db):
    response = defaults.bad_request(RequestFactory().get("/"), SuspiciousOperation("x"))
    assert response.status_code == 400
    assert "Permintaan tidak bisa dibaca" in response.content.decode()


def test_500_renders_without_request_context_or_database(django_assert_num_queries):
    # Django renders 500.html with an empty context: no request, no user, no context processors.
    with django_assert_num_queries(0):
        response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert_app_page(html)
    assert "Maaf, terjadi kesalahan di server" in html
    assert "Keluar" not in html  # no user in the context


def _broken(request):
    raise RuntimeError("boom")


@login_not_required  # no session lookup: the database is gone
def _database_gone(request):
    from django.db import OperationalError

    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [path("rusak/", _broken), path("basis-data/", _database_gone), path("", include("bkb.urls"))]


@pytest.mark.urls(__name__)
def test_500_of_a_failing_view_is_the_apps_page(world, client):
    client.raise_request_exception = False
    client.force_login(world["cadre_a"])
    response = client.get("/rusak/")
    assert response.status_code == 500
    assert_app_page(response.content.decode())
    assert "Maaf, terjadi kesalahan di server" in response.content.decode()


@pytest.mark.urls(__name__)
def test_500_with_debug_off_stands_alone_in_indonesian(client, settings, django_assert_num_queries):
    # Issue 12: production (DEBUG off) when the database itself is what failed.
    settings.DEBUG = False
    client.raise_request_exception = False
    with django_assert_num_queries(0):
        response = client.get("/basis-data/")
    assert response.status_code == 500
    html = response.content.decode()
    assert_app_page(html)
    assert "Maaf, terjadi kesalahan di server" in html and "OperationalError" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_404_follows_the_chosen_language(world, login):
    from django.conf import settings

    client = login(world["cadre_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/keluarga/999999/")
    assert response.status_code == 404
    assert '<html lang="en">' in response.text and "Page not found" in response.text
