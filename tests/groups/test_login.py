import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_indonesian_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="id"' in html
    assert "Masuk" in html


def test_language_switch_to_english_works_before_login(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    html = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in html
    assert "Username" in html  # Django's own catalogue; ours is checked in test_i18n


def test_wrong_password_is_answered_in_indonesian(client, world):
    response = client.post(reverse("login"), {"username": "kader_a", "password": "salah"})
    assert response.status_code == 200
    assert "Masukkan nama pengguna" in response.content.decode()


def test_indonesian_even_when_the_phone_asks_for_english(client):
    html = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert 'lang="id"' in html and "Masuk" in html
