"""Issue 12, backups that restore: `manage.py backup` restored into a new database holds the same rows
and the same figures for a month, and the media tar brings the batch PDFs back."""

import datetime
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, connections, transaction

from bkb.lib import backup
from bkb.lib.months import Month
from families.models import Instrument
from reports import services
from reports.models import BatchPrint, GroupMonthFigures
from sessions.models import Attendance
from tests import factories as f

D = datetime.date
OCT = Month(2026, 10)
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _immediate(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def _server(**extra):
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        **extra,
    )


@pytest.fixture
def new_database():
    """An empty database on the same server, as the alias `restored`; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:6]}"
    with _server() as server:
        server.execute(f'CREATE DATABASE "{name}"')
    # Registered as a connection only, not in settings: the test case then takes it for a
    # connection made at runtime, which it allows.
    restored = {**connection.settings_dict, "NAME": name, "CONN_MAX_AGE": 0}
    connections["restored"] = type(connections["default"])(restored, alias="restored")
    try:
        yield restored
    finally:
        connections["restored"].close()
        del connections["restored"]
        with _server() as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _a_month_of_data(world, reference_data):
    group = world["group_a"]
    Instrument.objects.update(active=False)
    instrument = f.instrument_with_milestones(name="Uji cadangan")
    one = f.family(group, mother_name="Euis", joined_on=D(2025, 1, 1))
    two = f.family(group, mother_name="Rina", joined_on=D(2025, 3, 1))
    bima = f.child(one, D(2025, 6, 10), name="Bima")
    zahra = f.child(two, D(2026, 2, 1), name="Zahra", sex="F")
    f.child(f.family(world["group_b"]), D(2024, 5, 5), name="Dinda")
    f.measurement(bima, D(2026, 10, 10), weight_kg="8.1", height_cm="74.0", haz=-2.4, waz=-1.9, whz=-0.8)
    f.measurement(zahra, D(2026, 10, 10), weight_kg="7.0", height_cm="66.0", haz=-0.5, waz=-0.2, whz=0.1)
    f.milestone_record(zahra, instrument.milestones.order_by("band_start_month").first(), D(2026, 10, 10))
    f.kka_check(zahra, D(2026, 10, 10))
    session = f.coaching_session(group, D(2026, 10, 10), age_groups=[0, 1])
    Attendance.objects.create(session=session, family=one, child=bima, attendee="ibu")
    Attendance.objects.create(session=session, family=two, child=zahra, attendee="ayah")
    with transaction.atomic():
        report = services.report_submit(group=group, month=OCT, user=world["cadre_a"])
    batch = BatchPrint.objects.create(area=world["kec_a"], month=OCT.first, created_by=world["admin"], status="done")
    batch.pdf.save("laporan-uji.pdf", ContentFile(b"%PDF-1.4 uji"), save=True)
    # The kept rows of every group for the month, checked against the live count.
    call_command(
        "verify_figures", "--area", str(world["kab"].pk), "--month", str(OCT), "--refresh", stdout=io.StringIO()
    )
    return report, batch


def _counts(alias: str) -> dict[str, int]:
    return {model._meta.label: model._base_manager.using(alias).count() for model in apps.get_models()}


def _figures(alias: str) -> list[dict]:
    return list(GroupMonthFigures.objects.using(alias).filter(month=OCT.first).order_by("group_id").values())


def test_a_backup_restored_into_a_new_database_has_the_same_rows_and_figures(
    world, reference_data, new_database, tmp_path, settings
):
    report, batch = _a_month_of_data(world, reference_data)
    made = backup.backup(tmp_path / "backups")
    assert made.database.name.startswith("bkb-") and made.database.suffix == ".dump"
    assert made.media.name == made.database.name.replace(".dump", "-media.tar.gz")

    backup.restore_postgres(made.database, new_database)

    before, after = _counts("default"), _counts("restored")
    assert after == before
    for label in ("families.Child", "families.Measurement", "reports.MonthlyReport", "reports.GroupMonthFigures"):
        assert before[label] > 0, label  # the comparison compares something
    assert _figures("restored") == _figures("default")
    kept = {row["group_id"]: row for row in _figures("restored")}
    assert kept[world["group_a"].pk]["source"] == "report" and kept[world["group_a"].pk]["report_id"] == report.pk

    # The restored database's own live count agrees with its kept rows: the figures of the month
    # are the same computed there as here.
    restored_url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**new_database)
    check = subprocess.run(
        [sys.executable, "manage.py", "verify_figures", "--area", str(world["kab"].pk), "--month", str(OCT)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": restored_url},
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "groups: 3" in check.stdout and "kept figures equal live" in check.stdout

    # The media tar brings the batch's PDF back into an empty media folder.
    settings.MEDIA_ROOT = tmp_path / "media-restored"
    assert backup.restore_media(made.media) == 1
    restored = BatchPrint.objects.using("restored").get(pk=batch.pk)
    assert Path(settings.MEDIA_ROOT, restored.pdf.name).read_bytes() == b"%PDF-1.4 uji"


def test_a_pg_dump_older_than_the_server_is_refused_with_the_reason(tmp_path, monkeypatch):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    (fake / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    with pytest.raises(backup.BackupError, match="cannot dump a PostgreSQL"):
        backup.backup(tmp_path / "out")
    assert not list((tmp_path / "out").glob("*.dump"))
