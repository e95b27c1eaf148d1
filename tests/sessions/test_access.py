"""Every session URL as every persona: out of scope is 404, read-only is 403."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def _urls(world, members, day):
    g = world["group_a"].pk
    session = f.coaching_session(world["group_a"], day)
    read = [
        reverse("sessions:list", args=[g]),
        reverse("sessions:detail", args=[session.pk]),
        reverse("sessions:home_visits", args=[g]),
        reverse("sessions:whatsapp", args=[session.pk]),
        reverse("sessions:sheet_pdf", args=[g]) + f"?tanggal={day}",
    ]
    write = [
        reverse("sessions:create", args=[g]),
        reverse("sessions:edit", args=[session.pk]),
        reverse("sessions:home_visit_create", args=[members["siti"].pk]),
        reverse("sessions:back_entry", args=[g]) + f"?tanggal={day}",
    ]
    return read, write


def test_cadre_of_the_group_and_admin_read_and_write(world, members, login, day):
    read, write = _urls(world, members, day)
    for person in ("cadre_a", "admin"):
        client = login(world[person])
        for url in read + write:
            assert client.get(url).status_code == 200, (person, url)


def test_cadre_of_another_group_and_outsider_get_404(world, members, login, day):
    read, write = _urls(world, members, day)
    for person in ("cadre_b", "outsider"):
        client = login(world[person])
        for url in read + write:
            assert client.get(url).status_code == 404, (person, url)
        assert client.post(write[0], {}).status_code == 404


def test_supervisor_reads_but_gets_403_on_write(world, members, login, day):
    read, write = _urls(world, members, day)
    client = login(world["supervisor"])
    for url in read:
        assert client.get(url).status_code == 200, url
    for url in write:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_anonymous_is_sent_to_login(world, members, client, day):
    read, write = _urls(world, members, day)
    for url in read + write:
        response = client.get(url)
        assert response.status_code == 302 and "/masuk/" in response.url
