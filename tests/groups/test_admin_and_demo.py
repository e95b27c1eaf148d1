import pytest
from django.core.management import call_command
from django.urls import reverse

from bkb.settings import database_from_url
from cadres.access import groups_visible_to
from cadres.models import Cadre
from families.models import Child, Family
from groups.models import Area, BkbGroup, User

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_kabupaten_with_six_months_of_history_once(capsys):
    from django.utils import timezone

    from bkb.lib.months import Month
    from families.kka import annotate_kka_status
    from families.models import Measurement
    from reports.models import MonthlyReport
    from sessions.models import Attendance, CoachingSession, HomeVisit

    call_command("seed_demo")
    counts = (Area.objects.count(), BkbGroup.objects.count(), Family.objects.count(), Child.objects.count())
    assert Area.objects.filter(level=Area.Level.KECAMATAN).count() == 2
    assert Area.objects.filter(level=Area.Level.DESA).count() == 4
    assert counts[1] == 6
    assert counts[2] == 150
    assert 170 <= counts[3] <= 200
    assert Cadre.objects.count() == 24
    assert set(User.objects.values_list("username", flat=True)) >= {"admin", "pkb", "kader1", "kader6"}

    # Six months up to last month: a session a month per group, not everyone comes.
    last = Month.of(timezone.localdate()).previous()
    assert CoachingSession.objects.count() == 36
    assert not CoachingSession.objects.filter(date__gt=last.last).exists()
    ratio = Attendance.objects.count() / (36 * 25)
    assert 0.5 < ratio < 0.85
    assert HomeVisit.objects.exists()
    statuses = list(
        annotate_kka_status(Child.objects.in_programme_on(last.last), last.last).values_list("kka_status", flat=True)
    )
    assert statuses.count("sesuai") > 0.8 * len(statuses)
    assert 3 <= statuses.count("terhutang") <= 20
    assert 1 <= statuses.count("perlu_rujukan") <= 2
    stunted = Measurement.objects.filter(haz__lt=-2).values("child").distinct().count()
    assert 2 <= stunted <= 25
    assert MonthlyReport.objects.filter(status="verified").exists()

    call_command("seed_demo")
    assert (Area.objects.count(), BkbGroup.objects.count(), Family.objects.count(), Child.objects.count()) == counts
    assert "kader1" in capsys.readouterr().out
    kader = User.objects.get(username="kader1")
    assert groups_visible_to(kader).count() == 1
    assert groups_visible_to(User.objects.get(username="pkb")).count() == 6
    # The demo's admin is a kabupaten admin like a real one, in the app and in the Django admin.
    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser and admin.role == User.Role.ADMIN
    assert list(admin.areas.values_list("level", flat=True)) == [Area.Level.KABUPATEN]
    assert groups_visible_to(admin).count() == 6


def test_django_admin_lists_every_model(admin_client):
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.app_label not in {"groups", "cadres", "families", "coaching", "reports"}:
            continue
        if hasattr(model, "instance_type"):
            continue  # a change-history table (simple-history): shown on the record's own page
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, model


def test_database_url_parsing():
    pg = database_from_url("postgres://bkb:s%40cret@db.example:5433/bkb?sslmode=require")
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "bkb",
        "bkb",
        "s@cret",
        "db.example",
        "5433",
    )
    # JIT is off unless the URL says otherwise (bkb/settings.py says why).
    assert pg["OPTIONS"] == {"options": "-c jit=off", "sslmode": "require"}
    assert database_from_url("postgres://x@h/db?options=-c%20jit%3Don")["OPTIONS"] == {"options": "-c jit=on"}
    assert database_from_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"
    with pytest.raises(Exception, match="not supported"):
        database_from_url("mysql://x/y")
