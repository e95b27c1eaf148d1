"""Password rules and the first-login change."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from devdata.demo import DEMO_PASSWORD
from groups.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "password",
        "bkb-demo",
        "bkb123",
        "Kader123",
        "posyandu",
        "bismillah1",
        "sayang",
        "rahasia",
        "Indonesia2026",
        "qwerty123!",
        "asdfgh12",
        "pendek",
    ],
)
def test_guessable_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_the_local_words_are_refused_in_indonesian():
    with pytest.raises(ValidationError) as refused:
        validate_password("bkb-demo")
    assert "mudah ditebak" in " ".join(refused.value.messages)


def test_a_password_like_the_username_is_refused(world):
    with pytest.raises(ValidationError):
        validate_password("kader_a_1", world["cadre_a"])


def test_the_demo_password_passes():
    validate_password(DEMO_PASSWORD, User(username="kader1", first_name="Imas"))


def _admin_client():
    client = Client()
    client.force_login(f.user("boss", "admin", is_staff=True, is_superuser=True))
    return client


def test_a_user_the_admin_adds_must_change_the_password(world):
    response = _admin_client().post(
        reverse("admin:groups_user_add"),
        {
            "username": "kader_baru",
            "password1": "Melati-Putih-77",
            "password2": "Melati-Putih-77",
            "usable_password": "true",
            "role": "cadre",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="kader_baru").must_change_password


def test_the_admin_add_form_refuses_a_common_password(world):
    response = _admin_client().post(
        reverse("admin:groups_user_add"),
        {"username": "kader_baru", "password1": "bkb12345", "password2": "bkb12345", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="kader_baru").exists()


def test_a_flagged_user_is_sent_to_the_change_page_until_changed(world):
    user = f.user("kader_baru", "cadre", must_change_password=True)
    client = Client()
    response = client.post(reverse("login"), {"username": "kader_baru", "password": "pw-test-123"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change")
    assert "Ganti kata sandi" in response.content.decode()
    for url in (reverse("home"), reverse("groups:list"), "/admin/"):
        assert client.get(url)["Location"] == reverse("password_change")
    data = {"old_password": "pw-test-123", "new_password1": "kader123", "new_password2": "kader123"}
    assert client.post(reverse("password_change"), data).status_code == 200  # refused: too common
    data.update(new_password1="Sepeda-Biru-48", new_password2="Sepeda-Biru-48")
    assert client.post(reverse("password_change"), data)["Location"] == reverse("home")
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Sepeda-Biru-48")
    assert client.get(reverse("groups:list")).status_code == 200


def test_a_kabupaten_admin_adds_a_user_or_sets_a_password_and_its_owner_changes_it(world, login):
    admin = login(world["admin"])
    response = admin.post(
        reverse("admin:groups_user_add"),
        {
            "username": "pkb_baru",
            "password1": "Melati-Putih-77",
            "password2": "Melati-Putih-77",
            "usable_password": "true",
            "role": "supervisor",
            "areas": [world["kec_b"].pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="pkb_baru").must_change_password

    supervisor = world["supervisor"]
    url = reverse("admin:auth_user_password_change", args=[supervisor.pk])
    data = {"password1": "Jambu-Merah-31", "password2": "Jambu-Merah-31", "usable_password": "true"}
    assert admin.post(url, data).status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.must_change_password and supervisor.check_password("Jambu-Merah-31")
