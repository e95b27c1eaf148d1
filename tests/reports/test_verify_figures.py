"""verify_figures: the kept rows compared with a live computation, and said where they differ."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from families.measurements import measurement_record
from families.models import Child
from reports.models import GroupMonthFigures
from sessions.models import ChildStatus

pytestmark = pytest.mark.django_db
D = datetime.date


def in_programme(area) -> int:
    return (
        Child.objects.in_programme_on(timezone.localdate())
        .filter(family__group__desa__path__startswith=area.path)
        .count()
    )


def verify(area, month="2026-10", *extra) -> str:
    out = io.StringIO()
    call_command("verify_figures", "--area", str(area.pk), "--month", month, *extra, stdout=out)
    return out.getvalue()


def failing(area, month="2026-10", *extra) -> tuple[str, CommandError]:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_figures", "--area", str(area.pk), "--month", month, *extra, stdout=out)
    return out.getvalue(), raised.value


def test_a_clean_run_compares_every_group_and_child_and_passes(october, world):
    out = verify(world["kab"], "2026-10", "--refresh")
    # Melati, Mawar (kec_a) and Dahlia (kec_b); Garut is another kabupaten.
    assert "groups: 3" in out
    assert "month rows: 3 compared, 0 stale, 0 missing, 0 mismatches" in out
    assert in_programme(world["kab"]) >= 4  # Melati's children and Mawar's Dinda, less any who have turned six
    assert f"children: {in_programme(world['kab'])} compared, 0 groups stale, 0 mismatches" in out
    assert "kept figures equal live" in out
    # Without --refresh, it only reads: still equal.
    assert "kept figures equal live" in verify(world["kab"])


def test_month_rows_never_written_are_missing_and_fail(october, world):
    out, error = failing(world["kec_a"])
    assert error.returncode == 1
    assert "month rows: 0 compared, 0 stale, 2 missing" in out
    assert f"MISSING  BKB Melati (group {october['group'].pk}) 2026-10: no kept row" in out
    # The children's rows were never written either: the groups say so (stale), which is no fault.
    assert "2 groups stale" in out


def test_a_tampered_column_is_reported_with_its_key_and_exits_1(october, world):
    group = october["group"]
    verify(world["kec_a"], "2026-10", "--refresh")
    row = GroupMonthFigures.objects.get(group=group, month=D(2026, 10, 1))
    GroupMonthFigures.objects.filter(pk=row.pk).update(stunted=F("stunted") + 3)
    bima = october["children"]["bima"]
    live_status = ChildStatus.objects.get(child=bima).kka_status
    tampered = "sesuai" if live_status != "sesuai" else "terhutang"
    ChildStatus.objects.filter(child=bima).update(kka_status=tampered)

    out, error = failing(world["kec_a"])
    assert error.returncode == 1
    assert f"MISMATCH BKB Melati (group {group.pk}) 2026-10 stunted: kept {row.stunted + 3}, live {row.stunted}" in out
    assert "month rows: 2 compared, 0 stale, 0 missing, 1 mismatches" in out
    assert (
        f"MISMATCH BKB Melati (group {group.pk}) child {bima.pk} kka_status: kept {tampered}, live {live_status}" in out
    )
    assert f"children: {in_programme(world['kec_a'])} compared, 0 groups stale, 1 mismatches" in out
    # The untouched rows are not reported.
    assert f"child {october['children']['zahra'].pk}" not in out

    # manage.py exits with the error's returncode, its message on stderr.
    assert str(error) == "2 kept values differ from live, 0 month rows missing"

    # --refresh writes them again from the live computation.
    assert "kept figures equal live" in verify(world["kec_a"], "2026-10", "--refresh")


def test_a_stale_row_is_reported_as_stale_and_is_no_failure(october, world):
    verify(world["kec_a"], "2026-10", "--refresh")
    zahra = october["children"]["zahra"]
    # A measurement typed in for October; the worker has not run (no on_commit in this test).
    measurement_record(
        child=zahra, date=D(2026, 10, 28), weight_kg="8.0", height_cm="66.0", position="lying", confirmed=True
    )
    row = GroupMonthFigures.objects.get(group=october["group"], month=D(2026, 10, 1))
    assert row.stale

    out = verify(world["kec_a"])
    group = october["group"]
    assert "month rows: 2 compared, 1 stale, 0 missing, 0 mismatches" in out
    assert f"children: {in_programme(world['kec_a'])} compared, 1 groups stale, 0 mismatches" in out
    # Zahra was underweight and wasted on the 10th; the 28th's measurement is the month's latest now.
    assert f"STALE    BKB Melati (group {group.pk}) 2026-10 wasted: kept 1, live 0" in out
    assert f"STALE    BKB Melati (group {group.pk}) child {zahra.pk} latest_measured_on" in out
    assert "kept figures equal live" in out


def test_bad_area_or_month_is_a_clear_error(world):
    with pytest.raises(CommandError, match="no area with id 999999"):
        call_command("verify_figures", "--area", "999999", "--month", "2026-10")
    with pytest.raises(CommandError, match="must look like 2026-10, got '2026-13'"):
        call_command("verify_figures", "--area", str(world["kab"].pk), "--month", "2026-13")
    with pytest.raises(CommandError, match="invalid int value"):
        call_command("verify_figures", "--area", "kab", "--month", "2026-10")


def test_children_are_compared_for_today(october, world):
    verify(world["kec_a"], "2026-10", "--refresh")
    out = verify(world["kec_a"])
    assert f"children's status on {timezone.localdate()}" in out
