"""A month of known data for group_a (October 2026), counted by hand in the tests."""

import datetime

import pytest

from cadres.models import Cadre, CadreRole
from families.models import Instrument, Measurement, Milestone, MilestoneRecord, Referral
from sessions.models import Attendance, CoachingSession, HomeVisit, Topic
from tests import factories as f

D = datetime.date


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def october(world):
    group = world["group_a"]
    Cadre.objects.filter(user=world["cadre_a"]).update(date_joined=D(2020, 1, 1))  # Imas, ketua
    CadreRole.objects.filter(cadre__user=world["cadre_a"]).update(started_on=D(2020, 1, 1))
    oom = f.cadre(group, name="Oom", role="inti", age_group=1, date_joined=D(2026, 3, 1))
    f.training(oom, D(2025, 5, 1))
    f.cadre(group, name="Berhenti", role="bantu", age_group=2, date_joined=D(2019, 1, 1), active=False)

    f1 = f.family(group, mother_name="Euis", joined_on=D(2025, 1, 1), is_pus=True, kb_method="suntik")
    f2 = f.family(group, mother_name="Rina", joined_on=D(2026, 10, 5), is_pus=True, kb_method="")
    f3 = f.family(group, mother_name="Pindah", joined_on=D(2024, 1, 1), left_on=D(2026, 10, 20))
    f4 = f.family(group, mother_name="Tati", joined_on=D(2024, 5, 1), is_pus=False, is_pkh=True)
    c1 = f.child(f1, D(2025, 6, 10), name="Bima")  # 16 months on 31 Oct: age group 1-2
    c5 = f.child(f1, D(2026, 3, 15), name="Alya")  # 7 months: 0-1
    c2 = f.child(f2, D(2026, 2, 1), name="Zahra")  # 8 months: 0-1
    f.child(f3, D(2025, 1, 1), name="Pergi")  # family left: not counted
    c4 = f.child(f4, D(2021, 1, 15), name="Raka")  # 69 months: 5-6

    Instrument.objects.update(active=False)
    kka = Instrument.objects.create(name="Uji", active=True)
    m1 = Milestone.objects.create(
        instrument=kka,
        code="A",
        band_start_month=0,
        band_end_month=3,
        aspect="motorik_kasar",
        text_id="Mengangkat kepala",
    )
    m2 = Milestone.objects.create(
        instrument=kka, code="B", band_start_month=6, band_end_month=9, aspect="kecerdasan", text_id="Mencari benda"
    )
    m3 = Milestone.objects.create(
        instrument=kka,
        code="C",
        band_start_month=12,
        band_end_month=18,
        aspect="komunikasi_aktif",
        text_id="Berkata dua kata",
    )
    MilestoneRecord.objects.create(child=c2, milestone=m1, achieved_on=D(2026, 10, 10))  # checked in October
    MilestoneRecord.objects.create(child=c1, milestone=m1, achieved_on=D(2026, 4, 1))  # B still owed: refer
    for milestone in (m1, m2, m3):
        MilestoneRecord.objects.create(child=c4, milestone=milestone, achieved_on=D(2023, 1, 1))
    # Alya (7 months) has not lifted her head: owed, not yet refer.
    # Checks: only Zahra's is in October; the others were assessed before.
    f.kka_check(c2, D(2026, 10, 10))
    f.kka_check(c1, D(2026, 4, 1))
    f.kka_check(c5, D(2026, 6, 15))
    f.kka_check(c4, D(2023, 1, 1))
    # Dated in October but typed in without a check: not "checked this month".
    MilestoneRecord.objects.create(child=c5, milestone=m2, achieved_on=D(2026, 10, 5))
    Referral.objects.create(child=c1, date=D(2026, 10, 15), referred_to="Puskesmas Jatinangor")

    topic = Topic.objects.create(name="Uji stimulasi")
    s1 = CoachingSession.objects.create(
        group=group, date=D(2026, 10, 10), topic=topic, age_groups=[0, 1], ape_used="Balok susun"
    )
    Attendance.objects.create(session=s1, family=f1, child=c1, attendee="ibu")
    Attendance.objects.create(session=s1, family=f2, child=c2, attendee="ayah")
    november = CoachingSession.objects.create(group=group, date=D(2026, 11, 7), topic=topic, age_groups=[5])
    Attendance.objects.create(session=november, family=f4, child=c4)
    HomeVisit.objects.create(family=f4, date=D(2026, 10, 22), met="ibu")

    def measure(child, day, haz, waz, whz):
        Measurement.objects.create(
            child=child, date=day, weight_kg=9, height_cm=75, position="lying", haz=haz, waz=waz, whz=whz
        )

    measure(c1, D(2026, 10, 3), -1.0, -1.0, 0.0)
    measure(c1, D(2026, 10, 25), -2.5, -1.0, 0.0)  # the latest in the month counts: stunted
    measure(c2, D(2026, 10, 10), -1.0, -2.2, -2.1)  # underweight and wasted
    measure(c4, D(2026, 9, 20), -3.0, -3.0, -3.0)  # September: not this month
    measure(c4, D(2026, 10, 12), None, None, None)  # 69 months: past WHO's tables, no z-score

    other = f.family(world["group_b"], mother_name="Lilis", joined_on=D(2025, 1, 1), is_pus=True, kb_method="pil")
    f.child(other, D(2024, 10, 1), name="Dinda")
    return {"group": group, "oom": oom, "children": {"bima": c1, "alya": c5, "zahra": c2, "raka": c4}}
