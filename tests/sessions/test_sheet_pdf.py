"""The printable session sheet: members by age group, tick boxes, the KKA tasks due."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from bkb.lib.ages import add_months
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


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_forty_children_of_every_age_fit_on_three_pages(world, login, day):
    """The shipped instrument (110 tasks), 40 children spread over 0-72 months, no task recorded yet."""
    group = world["group_a"]
    names = []
    for i in range(40):
        family = f.family(group, mother_name=f"Ibu Nomor {i:02d}")
        # 0..71 months in steps, so every age group and most KKA bands have a child.
        names.append(f.child(family, add_months(day, -(i * 71 // 39)), name=f"Anak Nomor {i:02d}").name)
    response = login(world["cadre_a"]).get(reverse("sessions:sheet_pdf", args=[group.pk]), {"tanggal": day})
    assert response.status_code == 200
    pages = _pages(response.content)
    assert len(pages) <= 3
    text = " ".join(pages)
    assert all(name in text for name in names)
    # Each task is listed once per age group, not once per child: the 0-3 months task
    # appears in the legend of the youngest group only, though several babies are due it.
    first_task = Milestone.objects.get(instrument__active=True, code="D0003-01").text_id
    assert text.count(first_task) == 1
    # The last page carries children with the signatures, not only a date.
    assert "Ketua kelompok" in pages[-1] and "Anak Nomor 39" in pages[-1]


def test_each_child_ticks_its_tasks_by_the_number_in_its_age_groups_legend(world, members, day):
    f.instrument_with_milestones(bands=((0, 3), (3, 6), (6, 9), (18, 24), (24, 36)))
    bands = selectors.sheet_bands(selectors.sheet_children(world["group_a"], on=day))
    babies = bands[0]  # Bayu (6 months, due 6-9) and Dodi (3 months, due 3-6)
    legend = [(task.number, task.milestone.text_id) for task in babies.legend]
    assert legend == [(1, "Tugas 3-6 bln"), (2, "Tugas 6-9 bln")]
    numbers = {row.child.name: [task.number for task in row.tasks] for row in babies.rows}
    assert numbers == {"Dodi": [1], "Bayu": [2]}
    # Numbering starts again in every age group.
    assert [(task.number, task.milestone.text_id) for task in bands[1].legend] == [(1, "Tugas 18-24 bln")]
