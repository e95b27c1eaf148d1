"""The admin extends the topic list and can correct sessions."""

import pytest
from django.urls import reverse

from sessions.models import Attendance, CoachingSession, HomeVisit, SessionCadre, Topic
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(world, login):
    # Not pytest-django's admin_client: the world already has a user called "admin".
    return login(f.user("root", "admin", is_staff=True, is_superuser=True))


def test_every_session_model_has_an_admin_page(superuser_client, world, day):
    admin_client = superuser_client
    session = f.coaching_session(world["group_a"], day)
    for model in (Topic, CoachingSession, SessionCadre, Attendance, HomeVisit):
        url = reverse(f"admin:coaching_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, model
    response = admin_client.get(reverse("admin:coaching_coachingsession_change", args=[session.pk]))
    assert response.status_code == 200
    assert "session_cadres-TOTAL_FORMS" in response.text and "attendances-TOTAL_FORMS" in response.text


def test_admin_adds_a_topic_that_the_session_screen_offers(superuser_client, world, login):
    admin_client = superuser_client
    response = admin_client.post(
        reverse("admin:coaching_topic_add"),
        {"name": "Bermain di luar rumah", "name_en": "Outdoor play", "active": "on", "order": 5},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(name="Bermain di luar rumah")
    assert topic.active
    form = login(world["cadre_a"]).get(reverse("sessions:create", args=[world["group_a"].pk])).context["form"]
    assert topic in form.fields["topic"].queryset
