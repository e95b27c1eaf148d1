"""Issue 12, faults: the app keeps serving when its database connection dies, and a save that
committed is answered as saved even when the session write after it fails."""

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import close_old_connections, connection, transaction
from django.db.models.signals import post_save
from django.urls import reverse

from families.models import Child, Family
from tests.families.test_registration import _form

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's")


def _terminate(backend: int) -> None:
    """Terminate a server process from another connection, as a PostgreSQL restart does, and wait
    until it has gone (pg_terminate_backend only signals it)."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None, dbname=db["NAME"], autocommit=True
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s, 5000)", [backend]).fetchone()[0]


def _request(send):
    # What the WSGI handler does as each request starts (the test client leaves it out): here
    # the kept connection's health is checked again, CONN_HEALTH_CHECKS.
    close_old_connections()
    return send()


@postgresql
@pytest.mark.django_db(transaction=True)
def test_the_app_keeps_serving_when_its_database_connection_is_killed(world, login):
    assert connection.settings_dict["CONN_MAX_AGE"] == 60 and connection.settings_dict["CONN_HEALTH_CHECKS"]
    client = login(world["cadre_a"])
    form_page = reverse("families:create", args=[world["group_a"].pk])
    assert _request(lambda: client.get(form_page)).status_code == 200
    kept = connection.connection.info.backend_pid  # kept open between requests (CONN_MAX_AGE)

    _terminate(kept)
    assert _request(lambda: client.get(form_page)).status_code == 200
    assert connection.connection.info.backend_pid != kept

    _terminate(connection.connection.info.backend_pid)
    response = _request(lambda: client.post(form_page, _form()))
    close_old_connections()
    family = Family.objects.get(mother_name="Siti Aminah")
    assert response.status_code == 302 and response.url == reverse("families:detail", args=[family.pk])
    assert family.children.count() == 2


@pytest.fixture
def after_save():
    """after_save(Model, action): run `action(instance)` whenever a `Model` is saved (as another request,
    or the database, would act meanwhile)."""
    connected = []

    def connect(model, action):
        def receiver(sender, instance, **kwargs):
            action(instance)

        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"test_faults_{len(connected)}")
        connected.append(model)

    yield connect
    for number, model in enumerate(connected):
        post_save.disconnect(sender=model, dispatch_uid=f"test_faults_{number}")


@pytest.mark.django_db
def test_a_save_whose_session_was_logged_out_meanwhile_is_answered_as_saved(world, login, after_save):
    """The session's row goes (a logout in another tab) while the registration saves: the success
    message cannot be written to it, but the family is saved and the answer says so."""
    client = login(world["cadre_a"])
    after_save(Family, lambda family: Session.objects.all().delete())
    response = client.post(reverse("families:create", args=[world["group_a"].pk]), _form())
    family = Family.objects.get(mother_name="Siti Aminah")
    assert response.status_code == 302
    assert response.url == reverse("families:detail", args=[family.pk])


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_save_whose_session_write_fails_after_the_commit_is_answered_as_saved(world, login, after_save):
    """The connection dies right after the registration commits: the session (holding the success
    message) cannot be written, and the answer is still the saved family's page."""
    client = login(world["cadre_a"])
    killed = []

    def kill():
        # The connection this request uses now, terminated from another one.
        if connection.connection is None:
            return
        backend = connection.connection.info.backend_pid
        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            dbname=db["NAME"],
            autocommit=True,
        ) as other:
            # Waits until the backend has gone (pg_terminate_backend only signals it).
            assert other.execute("SELECT pg_terminate_backend(%s, 5000)", [backend]).fetchone()[0]
        killed.append(backend)

    # At each child's save, so that the last hook to run after the commit is one of these: the kept
    # figures' own hooks run then too, and one meeting a dead connection reconnects.
    after_save(Child, lambda child: transaction.on_commit(kill))
    response = client.post(reverse("families:create", args=[world["group_a"].pk]), _form())
    assert killed, "the family's transaction committed"
    close_old_connections()  # as the request handler does once the answer is sent: a dead one goes
    family = Family.objects.get(mother_name="Siti Aminah")
    assert response.status_code == 302
    assert response.url == reverse("families:detail", args=[family.pk])
    assert family.children.count() == 2
