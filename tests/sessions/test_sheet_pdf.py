"""The printable session sheet: members by age group, tick boxes, the KKA tasks due."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from families.models import Milestone, MilestoneRecord
from sessions import selectors
from tests import factories as f

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_sheet_lists_group_members_and_due_tasks(world, members, login, day):
    f.instrument_with_milestones()
    done = Milestone.objects.get(instrument__active=True, band_start_month=3)
    # Rina's baby (3 months) already does the 3-6 task: it is not due any more.
    MilestoneRecord.objects.create(child=members["rina_baby"], milestone=done, achieved_on=day)
    response = login(world["cadre_a"]).get(reverse("sessions:sheet_pdf", args=[world["group_a"].pk]), {"tanggal": day})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response)
    assert "BKB Melati" in text and "Siti" in text and "Cici" in text
    assert "Tugas 24-36 bln" in text  # Euis, 30 months
    assert "Tugas 3-6 bln" not in text
    assert "BB (kg)" in text


def test_due_tasks_follow_band_and_records(world, members, day):
    f.instrument_with_milestones(bands=((0, 3), (3, 6), (6, 9), (18, 24), (24, 36)))
    done = Milestone.objects.get(instrument__active=True, band_start_month=3)
    MilestoneRecord.objects.create(child=members["rina_baby"], milestone=done, achieved_on=day)
    rows = {row.child.name: row for row in selectors.sheet_children(world["group_a"], on=day)}
    due = {name: [m.text_id for m in row.due] for name, row in rows.items()}
    assert due == {
        "Bayu": ["Tugas 6-9 bln"],
        "Cici": ["Tugas 18-24 bln"],
        "Dodi": [],  # 3 months: band 3-6, already recorded
        "Euis": ["Tugas 24-36 bln"],
    }
    assert rows["Bayu"].lying_by_default and not rows["Euis"].lying_by_default


def test_inactive_instrument_tasks_are_not_listed(world, members, day):
    f.instrument_with_milestones(bands=((6, 9),), name="Lama")
    f.instrument_with_milestones(bands=((0, 3),), name="Baru")
    rows = {row.child.name: row for row in selectors.sheet_children(world["group_a"], on=day)}
    assert rows["Bayu"].due == []
