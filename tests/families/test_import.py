"""Issue 15: a group's families imported from a spreadsheet, checked by the registration form's rules."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from bkb.lib import sheets
from devdata.demo import seed_demo
from families import imports, spreadsheet
from families.models import Child, Family, FamilyImport
from groups.models import Area, BkbGroup, User
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HEADERS = {field.name: field.header for field in spreadsheet.FIELDS} | {
    "confirm_not_duplicate": "Anak berbeda (konfirmasi)"
}


@pytest.fixture
def world():
    kab = f.area("Sumedang", Area.Level.KABUPATEN)
    kec = f.area("Jatinangor", Area.Level.KECAMATAN, kab)
    desa = f.area("Cikeruh", Area.Level.DESA, kec)
    group = f.group(desa, "BKB Melati")
    other = f.group(desa, "BKB Mawar")
    cadre_user = f.user("kader", User.Role.CADRE)
    f.cadre(group, user=cadre_user, role="ketua")
    other_user = f.user("kader_lain", User.Role.CADRE)
    f.cadre(other, user=other_user, role="ketua")
    admin = f.user("admin", User.Role.ADMIN, areas=[kab])
    supervisor = f.user("pkb", User.Role.SUPERVISOR, areas=[kec])
    return {"group": group, "other": other, "cadre": cadre_user, "other_cadre": other_user, "admin": admin,
            "supervisor": supervisor, "desa": desa}  # fmt: skip


def _born(months: int) -> str:
    day = TODAY - datetime.timedelta(days=int(months * 30.5))
    return day.strftime("%d-%m-%Y")


def row(**values) -> dict:
    """A file row by field name, with a valid family and child unless said otherwise."""
    base = {
        "mother_name": "Siti Aminah",
        "caregiver": "Ibu",
        "address": "Kp. Cikuda",
        "rt": "3",
        "rw": "7",
        "is_pus": "Ya",
        "kb_method": "Suntik",
        "joined_on": (TODAY - datetime.timedelta(days=40)).strftime("%d-%m-%Y"),
        "name": "Rizky",
        "sex": "Laki-laki",
        "birth_date": _born(14),
    }
    return {**base, **values}


def csv_file(rows: list[dict], delimiter: str = ",") -> bytes:
    names = [field.name for field in spreadsheet.FIELDS] + ["confirm_not_duplicate"]
    lines = [delimiter.join(HEADERS[name] for name in names)]
    for values in rows:
        lines.append(delimiter.join(str(values.get(name, "")) for name in names))
    return ("\n".join(lines) + "\n").encode()


def plan_of(group, user, content: bytes, name: str = "keluarga.csv") -> imports.Plan:
    return imports.plan(group, user, sheets.read_table(content, name))


def upload(client, group, content: bytes, name: str = "keluarga.csv"):
    response = client.post(reverse("groups:import", args=[group.pk]), {"file": _named(content, name)}, follow=False)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def register(group) -> list[list]:
    return list(spreadsheet.register_rows(group, TODAY))


# --- The round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])  # the .csv with semicolons
def test_the_demo_group_exported_imports_into_an_empty_group_unchanged(client, fmt):
    seed_demo(today=TODAY)
    source = BkbGroup.objects.filter(families__isnull=False).order_by("pk").first()
    before = register(source)
    assert len(before) >= 20
    content = client_download(client, source, fmt)
    # The numbers are the country's: the demo families must go before the same people register elsewhere.
    Family.objects.filter(group=source).delete()
    target = f.group(source.desa, "BKB Baru")
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    preview = upload(client, target, content, f"register.{fmt}")
    page = client.get(preview)
    assert page.status_code == 200
    assert page.context["plan"].problems == []
    assert page.context["plan"].count("new") == len({tuple(r[:18]) for r in before})
    done = client.post(preview)
    assert done.status_code == 302
    assert register(target) == before


def client_download(client, group, fmt: str) -> bytes:
    """The register as the group page downloads it; a .csv as Excel in Indonesian saves it again:
    semicolons, no byte-order mark."""
    client.force_login(User.objects.get(username="admin"))
    response = client.get(reverse("groups:export", args=[group.pk, "keluarga", fmt]))
    assert response.status_code == 200
    if fmt == "xlsx":
        return response.content
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return out.getvalue().encode()


def test_the_template_has_the_form_headers_drop_downs_and_text_number_columns(client, world):
    client.force_login(world["cadre"])
    response = client.get(reverse("groups:import_template", args=[world["group"].pk, "xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[: len(spreadsheet.FIELDS)] == [field.header for field in spreadsheet.FIELDS]
    assert "Nama ibu/pengasuh utama" in headers and "Tanggal lahir" in headers
    assert sheet.freeze_panes == "A2"
    lists = {
        str(validation.sqref).split(":")[0]: validation.formula1 for validation in sheet.data_validations.dataValidation
    }
    sex_column = headers.index(HEADERS["sex"]) + 1
    from openpyxl.utils import get_column_letter

    assert lists[f"{get_column_letter(sex_column)}2"] == '"Laki-laki,Perempuan"'
    kb = lists[f"{get_column_letter(headers.index(HEADERS['kb_method']) + 1)}2"]
    assert "Suntik" in kb or kb.startswith("daftar!")
    nik_column = get_column_letter(headers.index(HEADERS["nik"]) + 1)
    assert sheet[f"{nik_column}2"].number_format == "@"
    # An empty template reads back as no rows, not as errors.
    assert sheets.read_table(response.content, "templat.xlsx").rows == []


# --- Every rule, at its row and column ------------------------------------------------------------


def _registered_elsewhere(world):
    family = f.family(
        world["other"], mother_name="Ibu Lain", mother_nik="3211000000000001", kk_number="3211000000000002"
    )
    f.child(family, datetime.date.today() - datetime.timedelta(days=400), name="Dewi", nik="3211000000000003")


RULES = [
    # (rows, the bad row's index, field, words of the message)
    ([row(mother_nik="32110000000001")], 0, "mother_nik", "16"),
    ([row(kk_number="3211O00000000002")], 0, "kk_number", "Bukan angka"),
    ([row(nik="32110000000000x3")], 0, "nik", "Bukan angka"),
    ([row(mother_nik="3211000000000001")], 0, "mother_nik", "sudah terdaftar"),
    ([row(kk_number="3211000000000002")], 0, "kk_number", "sudah terdaftar"),
    ([row(nik="3211000000000003")], 0, "nik", "sudah terdaftar"),
    ([row(birth_date=(TODAY + datetime.timedelta(days=3)).strftime("%d-%m-%Y"))], 0, "birth_date", "masa depan"),
    ([row(birth_date=_born(75))], 0, "birth_date", "72 bulan"),
    ([row(birth_date="31-02-2025")], 0, "birth_date", "Tulis tanggal"),
    ([row(birth_date="12-05-0025")], 0, "birth_date", "Tahun 0025 tidak mungkin"),
    ([row(joined_on=(TODAY + datetime.timedelta(days=3)).strftime("%d-%m-%Y"))], 0, "joined_on", "masa depan"),
    ([row(sex="X")], 0, "sex", "tidak ada di daftar"),
    ([row(kb_method="Susuk KB")], 0, "kb_method", "tidak ada di daftar"),
    ([row(is_pus="Mungkin")], 0, "is_pus", "Ya atau Tidak"),
    ([row(is_pus="Tidak", kb_method="Pil")], 0, "kb_method", "hanya diisi untuk PUS"),
    ([row(phone="12345")], 0, "phone", "08"),
    ([row(rt="abc")], 0, "rt", "angka"),
    ([row(birth_weight_kg="9,5")], 0, "birth_weight_kg", "tidak wajar"),
    ([row(name="")], 0, "name", "tidak boleh kosong"),
    ([row(mother_name="", kk_number="3211000000000099")], 0, "mother_name", "tidak boleh kosong"),
    # Within the file: the same NIK for two people, a family's columns that disagree.
    ([row(nik="3211000000000050"), row(mother_name="Ani", nik="3211000000000050")], 1, "nik", "baris 2"),
    ([row(mother_nik="3211000000000060"), row(mother_name="Ani", kk_number="3211000000000061",
                                              nik="3211000000000060", name="Budi")], 1, "nik", "baris 2"),
    # A row that repeats a family's mother's NIK is that family: its other columns must agree.
    ([row(mother_nik="3211000000000062"), row(mother_name="Ani", mother_nik="3211000000000062", name="Budi")], 1,
     "mother_name", "Berbeda dengan baris 2"),
    ([row(kk_number="3211000000000070"), row(kk_number="3211000000000070", mother_name="Ani", name="Budi")], 1,
     "mother_name", "Berbeda dengan baris 2"),
    # Against the register: the same child already in another group of the kabupaten.
    ([row(mother_name="Ibu Lain", name="Dewi", birth_date=(datetime.date.today()
                                                           - datetime.timedelta(days=400)).strftime("%d-%m-%Y"))],
     0, "name", "Anak berbeda (konfirmasi)"),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "bad", "field", "words"), RULES)
def test_every_rule_says_its_row_and_column(world, rows, bad, field, words):
    _registered_elsewhere(world)
    found = plan_of(world["group"], world["cadre"], csv_file(rows))
    said = [str(problem) for problem in found.problems]
    expected_start = f"Baris {bad + 2}, kolom {HEADERS[field]}:"
    assert any(text.startswith(expected_start) and words in text for text in said), said
    assert not found.ok


def test_a_nik_excel_turned_into_a_number_is_refused_not_guessed(world):
    book = Workbook()
    sheet = book.active
    names = [field.name for field in spreadsheet.FIELDS]
    sheet.append([HEADERS[name] for name in names])
    values = row(mother_nik=3211000000000120)
    sheet.append([values.get(name) for name in names])
    out = io.BytesIO()
    book.save(out)
    found = plan_of(world["group"], world["cadre"], out.getvalue(), "x.xlsx")
    assert len(found.problems) == 1, [str(p) for p in found.problems]
    assert str(found.problems[0]).startswith(f"Baris 2, kolom {HEADERS['mother_nik']}: ")
    assert "15 digit" in found.problems[0].message


def test_a_missing_required_column_is_named(world):
    content = b"Nama ibu/pengasuh utama,Nama anak\nSiti,Rizky\n"
    found = plan_of(world["group"], world["cadre"], content)
    said = [str(problem) for problem in found.problems]
    assert f"Baris 1, kolom {HEADERS['sex']}: Kolom ini tidak ada di berkas." in said
    assert f"Baris 1, kolom {HEADERS['birth_date']}: Kolom ini tidak ada di berkas." in said


def test_a_likely_duplicate_confirmed_in_its_column_imports(world):
    _registered_elsewhere(world)
    born = (datetime.date.today() - datetime.timedelta(days=400)).strftime("%d-%m-%Y")
    content = csv_file([row(mother_name="Ibu Lain", name="Dewi", birth_date=born, confirm_not_duplicate="Ya")])
    found = plan_of(world["group"], world["cadre"], content)
    assert found.ok, [str(p) for p in found.problems]


# --- All or nothing, once -----------------------------------------------------------------------


def test_one_bad_row_imports_nothing(client, world):
    rows = [row(mother_name=f"Ibu {n}", kk_number=f"32110000000002{n:02d}", name=f"Anak {n}") for n in range(4)]
    rows.append(row(mother_name="Ibu Salah", name="Anak Salah", birth_date="kemarin"))
    client.force_login(world["cadre"])
    preview = upload(client, world["group"], csv_file(rows))
    page = client.get(preview)
    assert [str(p) for p in page.context["plan"].problems] == [
        f"Baris 6, kolom {HEADERS['birth_date']}: Tulis tanggal yang lengkap, misalnya 17-08-2025."
    ]
    assert "Impor sekarang" not in page.content.decode()
    refused = client.post(preview)
    assert refused.status_code == 400
    assert Family.objects.filter(group=world["group"]).count() == 0
    assert FamilyImport.objects.get().imported_at is None


def test_importing_the_same_file_again_changes_nothing(client, world):
    rows = [
        row(mother_name="Ibu Satu", kk_number="3211000000000301", mother_nik="3211000000000302", name="Ana",
            nik="3211000000000303", phone="0812 3456 7890", birth_weight_kg="3,2"),
        row(mother_name="Ibu Satu", kk_number="3211000000000301", name="Adik", birth_date=_born(3)),
        row(mother_name="Ibu Dua", name="Bima", father_name="Pak Dua"),
    ]  # fmt: skip
    content = csv_file(rows, ";")
    client.force_login(world["cadre"])
    assert client.post(upload(client, world["group"], content)).status_code == 302
    assert Family.objects.filter(group=world["group"]).count() == 2
    assert Child.objects.filter(family__group=world["group"]).count() == 3
    histories = (Family.history.count(), Child.history.count())
    again = upload(client, world["group"], content)
    page = client.get(again)
    assert page.context["plan"].nothing_to_do
    assert page.context["plan"].count("same") == 2
    assert client.post(again).status_code == 302
    assert (Family.history.count(), Child.history.count()) == histories


def test_a_corrected_file_updates_the_family_it_matches_by_kk(client, world):
    first = [row(mother_name="Ibu Satu", kk_number="3211000000000401", name="Ana", phone="081234567890")]
    client.force_login(world["cadre"])
    client.post(upload(client, world["group"], csv_file(first)))
    family = Family.objects.get(group=world["group"])
    corrected = [
        row(mother_name="Ibu Satu Aminah", kk_number="3211000000000401", name="Ana", phone="081299990000",
            mother_nik="3211000000000402"),
        row(mother_name="Ibu Satu Aminah", kk_number="3211000000000401", name="Ani", sex="Perempuan",
            birth_date=_born(2)),
    ]  # fmt: skip
    preview = upload(client, world["group"], csv_file(corrected))
    plan = client.get(preview).context["plan"]
    assert plan.count("changed") == 1 and plan.count("new") == 0
    assert set(plan.families[0].changed) == {HEADERS["mother_name"], HEADERS["mother_nik"], HEADERS["phone"]}
    client.post(preview)
    family.refresh_from_db()
    assert (family.mother_name, family.phone, family.mother_nik) == (
        "Ibu Satu Aminah",
        "081299990000",
        "3211000000000402",
    )
    assert sorted(family.children.values_list("name", flat=True)) == ["Ana", "Ani"]
    assert Family.objects.filter(group=world["group"]).count() == 1


def test_a_blank_number_cell_keeps_the_number_on_record(client, world):
    client.force_login(world["cadre"])
    client.post(upload(client, world["group"], csv_file([row(kk_number="3211000000000501", nik="3211000000000502")])))
    plan = plan_of(world["group"], world["cadre"], csv_file([row()]))
    assert plan.ok and plan.count("same") == 1


def test_a_second_confirm_writes_nothing_more(client, world):
    client.force_login(world["cadre"])
    preview = upload(client, world["group"], csv_file([row(), row(mother_name="Ibu Dua", name="Bima")]))
    assert client.post(preview).status_code == 302
    assert client.post(preview).status_code == 302  # sent to the roster: already imported
    assert Family.objects.filter(group=world["group"]).count() == 2


def test_a_second_child_under_its_mother_joins_her_family(world):
    content = csv_file(
        [row(), {"mother_name": "Siti Aminah", "name": "Adik", "sex": "Perempuan", "birth_date": _born(2)}]
    )
    found = plan_of(world["group"], world["cadre"], content)
    assert found.ok, [str(p) for p in found.problems]
    assert len(found.families) == 1 and found.new_children == 2


def test_unreadable_files_are_said_beside_the_field(client, world):
    client.force_login(world["cadre"])
    for content, name in ((b"PK\x03\x04garbage", "rusak.xlsx"), (b"", "kosong.csv"), (b"%PDF-1.4", "a.pdf")):
        response = client.post(reverse("groups:import", args=[world["group"].pk]), {"file": _named(content, name)})
        assert response.status_code == 400
        assert response.context["form"].errors["file"], name
    assert FamilyImport.objects.count() == 0


# --- Who may -------------------------------------------------------------------------------------


def test_a_cadre_cannot_import_into_or_preview_another_group(client, world):
    client.force_login(world["cadre"])
    preview = upload(client, world["group"], csv_file([row()]))
    client.force_login(world["other_cadre"])
    assert client.get(reverse("groups:import", args=[world["group"].pk])).status_code == 404
    assert client.get(preview).status_code == 404
    assert client.post(preview).status_code == 404
    # Her own group's address with another group's upload: not found either.
    upload_id = FamilyImport.objects.get().pk
    assert client.get(reverse("groups:import_preview", args=[world["other"].pk, upload_id])).status_code == 404
    client.force_login(world["supervisor"])
    assert client.get(reverse("groups:import", args=[world["group"].pk])).status_code == 403
    assert Family.objects.count() == 0


def test_the_preview_queries_are_bounded_per_family(client, world, django_assert_max_num_queries):
    """The preview checks every family through the form: its queries grow with the file, by a bounded amount each."""
    client.force_login(world["cadre"])
    rows = [row(mother_name=f"Ibu {n}", kk_number=f"32110000000006{n:02d}", name=f"Anak {n}") for n in range(10)]
    client.post(upload(client, world["group"], csv_file(rows)))
    preview = upload(client, world["group"], csv_file(rows))
    with django_assert_max_num_queries(12 + 10 * 15):
        assert client.get(preview).context["plan"].nothing_to_do


def test_an_import_tells_the_kept_figures_once(client, world):
    """The roster and the month's figures are kept tables: an import marks them, as a form's save does."""
    from reports import kept
    from sessions.selectors import roster

    client.force_login(world["cadre"])
    assert sum(len(band.children) for band in roster(world["group"], on=TODAY).bands) == 0
    rows = [row(), row(mother_name="Ibu Dua", name="Bima", birth_date=_born(40))]
    client.post(upload(client, world["group"], csv_file(rows)))
    assert sum(len(band.children) for band in roster(world["group"], on=TODAY).bands) == 2
    from bkb.lib.months import Month

    assert (
        kept.live_counts(BkbGroup.objects.filter(pk=world["group"].pk), Month.of(TODAY))[world["group"].pk][
            "children_total"
        ]
        == 2
    )


# --- What a review found (issue 15): blanks, grouping, matching, odd files ------------------------


def _imported(client, world, rows):
    client.force_login(world["cadre"])
    assert client.post(upload(client, world["group"], csv_file(rows))).status_code == 302


def test_a_blank_cell_keeps_the_record_and_a_new_family_gets_the_form_defaults(client, world):
    _imported(client, world, [row(kk_number="3211000000000701", father_name="Budi", phone="081234567890",
                                  is_pkh="Ya", kb_method="Suntik")])  # fmt: skip
    family = Family.objects.get(group=world["group"])
    blanks = row(kk_number="3211000000000701", father_name="", phone="", is_pus="", is_pkh="", kb_method="")
    assert plan_of(world["group"], world["cadre"], csv_file([blanks])).nothing_to_do
    found = plan_of(
        world["group"],
        world["cadre"],
        csv_file([row(mother_name="Ibu Baru", name="Tono", is_pus="", kb_method="", caregiver="", joined_on="")]),
    )
    assert found.ok, [str(p) for p in found.problems]
    form = found.families[0].form
    assert (form.instance.is_pus, form.instance.caregiver, form.instance.joined_on) == (True, "ibu", TODAY)
    family.refresh_from_db()
    assert (family.father_name, family.phone, family.is_pkh, family.kb_method) == (
        "Budi",
        "081234567890",
        True,
        "suntik",
    )


def test_the_groups_own_export_with_line_breaks_imports_as_nothing_to_do(client, world):
    _imported(client, world, [row(kk_number="3211000000000711")])
    Family.objects.filter(group=world["group"]).update(notes="Baris satu\nBaris dua", address="Kp.  Cikuda")
    content = sheets.xlsx_bytes([spreadsheet.register_sheet(world["group"], TODAY)])
    assert plan_of(world["group"], world["cadre"], content, "x.xlsx").nothing_to_do


def test_a_kk_on_the_first_row_only_is_still_one_family(world):
    first = row(kk_number="3211000000000721", phone="081234567891")
    second = {**row(phone="081234567891", name="Dewi", sex="Perempuan", birth_date=_born(3)), "kk_number": ""}
    found = plan_of(world["group"], world["cadre"], csv_file([first, second]))
    assert found.ok, [str(p) for p in found.problems]
    assert len(found.families) == 1 and found.new_children == 2


def test_the_same_child_twice_in_the_file_is_said(world):
    found = plan_of(
        world["group"],
        world["cadre"],
        csv_file([row(), {"mother_name": "Siti Aminah", "name": "Rizky", "sex": "Laki-laki", "birth_date": _born(14)}]),
    )
    assert [str(p) for p in found.problems] == [
        f"Baris 3, kolom {HEADERS['name']}: Anak ini sama dengan baris 2 (nama mirip, tanggal lahir sama). Hapus salah "
        "satu, atau isi Ya di kolom 'Anak berbeda (konfirmasi)' bila memang anak yang berbeda."
    ]


def test_a_mother_of_the_same_name_with_another_husband_is_another_family(client, world):
    _imported(client, world, [row(father_name="Budi", name="Ani", sex="Perempuan")])
    found = plan_of(
        world["group"],
        world["cadre"],
        csv_file([row(father_name="Joko", name="Rina", sex="Perempuan", birth_date=_born(30))]),
    )
    assert found.ok and found.count("new") == 1 and found.count("changed") == 0


def test_a_child_of_the_same_name_with_another_nik_is_another_child(client, world):
    _imported(client, world, [row(kk_number="3211000000000731", name="Muhammad Rizky", nik="3211000000001001",
                                  birth_date=_born(60))])  # fmt: skip
    found = plan_of(
        world["group"],
        world["cadre"],
        csv_file(
            [row(kk_number="3211000000000731", name="Muhammad Rizky", nik="3211000000001002", birth_date=_born(3))]
        ),
    )
    assert found.ok and found.new_children == 1 and found.changed_children == 0


def test_a_corrected_spelling_born_the_same_day_updates_the_child(client, world):
    _imported(client, world, [row(kk_number="3211000000000741", name="Rizki")])
    preview = upload(client, world["group"], csv_file([row(kk_number="3211000000000741", name="Rizky")]))
    plan = client.get(preview).context["plan"]
    assert plan.ok and plan.changed_children == 1 and plan.new_children == 0
    client.post(preview)
    assert list(Child.objects.filter(family__group=world["group"]).values_list("name", flat=True)) == ["Rizky"]


def test_a_column_given_twice_is_refused_not_guessed(world):
    content = csv_file([row()]).replace(b"Nama anak", b"Nama anak,Nama anak", 1).replace(b"Rizky", b"Rizky,Salah", 1)
    found = plan_of(world["group"], world["cadre"], content)
    assert "Baris 1, kolom Nama anak: Kolom ini ada dua kali: hapus salah satu." in [str(p) for p in found.problems]


def test_a_stray_cell_far_away_does_not_make_a_huge_sheet(world):
    book = Workbook()
    sheet = book.active
    sheet.append([HEADERS["mother_name"], HEADERS["name"], HEADERS["sex"], HEADERS["birth_date"]])
    sheet.append(["Siti", "Rizky", "Laki-laki", _born(14)])
    sheet["ZZ100000"] = "x"
    out = io.BytesIO()
    book.save(out)
    table = sheets.read_table(out.getvalue(), "x.xlsx")
    assert [cells[HEADERS["name"]] for _n, cells in table.rows] == ["Rizky"]


def test_a_damaged_xlsx_or_a_csv_starting_with_pk_is_answered_in_the_form(client, world):
    import zipfile

    good = io.BytesIO()
    Workbook().save(good)
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good.getvalue())) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    client.force_login(world["cadre"])
    response = client.post(
        reverse("groups:import", args=[world["group"].pk]), {"file": _named(damaged.getvalue(), "a.xlsx")}
    )
    assert response.status_code == 400 and response.context["form"].errors["file"]
    table = sheets.read_table(b"PKH,Nama anak\nYa,Rizky\n", "a.csv")
    assert table.headers == ["PKH", "Nama anak"]


def test_coded_cells_read_in_either_language_whatever_the_page_language(world):
    from django.utils import translation

    content = csv_file([row(sex="Perempuan", kb_method="Pill", caregiver="Mother")])
    with translation.override("en"):
        found = plan_of(world["group"], world["cadre"], content)
    assert found.ok, [str(p) for p in found.problems]
    assert found.families[0].form.instance.kb_method == "pil"
