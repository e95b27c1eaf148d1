"""An area's month for DHIS2: the admin's uploaded mapping, checked row by row, and the dataValueSets JSON."""

import datetime
import json

import jsonschema
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bkb.lib import sheets
from bkb.lib.months import Month
from cadres.access import groups_visible_to
from reports import area as area_views
from reports import dhis2, figures
from reports.models import Dhis2Mapping
from tests import factories as f

pytestmark = pytest.mark.django_db

OCT = Month(2026, 10)
UID = r"^[A-Za-z][A-Za-z0-9]{10}$"
# DHIS2's documented dataValueSets JSON (Web API, "Sending data values"): a data value set with
# its dataValues; each value names its data element, period and org unit and carries a string.
DATA_VALUE_SET_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["dataValues"],
    "properties": {
        "dataSet": {"type": "string", "pattern": UID},
        "completeDate": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "period": {"type": "string", "pattern": r"^\d{6}$"},
        "orgUnit": {"type": "string", "pattern": UID},
        "attributeOptionCombo": {"type": "string", "pattern": UID},
        "dataValues": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["dataElement", "period", "orgUnit", "value"],
                "properties": {
                    "dataElement": {"type": "string", "pattern": UID},
                    "period": {"type": "string", "pattern": r"^\d{6}$"},
                    "orgUnit": {"type": "string", "pattern": UID},
                    "categoryOptionCombo": {"type": "string", "pattern": UID},
                    "attributeOptionCombo": {"type": "string", "pattern": UID},
                    "value": {"type": "string"},
                    "comment": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
VALIDATOR = jsonschema.Draft202012Validator(DATA_VALUE_SET_SCHEMA)

# (figure key, data element, category option combo): some the recap prints, some it does not.
MAPPED = [
    ("families_members", "FamMember01", ""),
    ("families_present", "FamPresent1", ""),
    ("children_total", "ChildTotal1", ""),
    ("measured", "Measured001", "CocDefault1"),
    ("stunted", "Stunted0001", "CocDefault1"),
    ("underweight", "Underweight", ""),
    ("wasted", "Wasted00001", ""),
    ("kka_checked", "KkaChecked1", ""),
    ("cadres_active", "CadreActive", ""),
    ("sessions_held", "SessionHeld", ""),
    # Not on the recap's table: summed all the same.
    ("families_joined", "FamJoined01", ""),
    ("sessions_with_ape", "SessionsApe", ""),
    ("referrals_made", "ReferralNew", ""),
]


def _csv(rows, sep=";") -> bytes:
    lines = [sep.join(row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def _upload(client, rows, *, data_set="", kabupaten=None, name="pemetaan.csv", content=None, sep=";"):
    url = reverse("reports:dhis2") + (f"?wilayah={kabupaten.pk}" if kabupaten else "")
    upload = SimpleUploadedFile(name, content if content is not None else _csv(rows, sep))
    return client.post(url, {"file": upload, "data_set": data_set})


def _mapping_rows(world):
    rows = [["jenis", "kode", "dhis2", "coc"]]
    rows += [["indikator", key, element, coc] for key, element, coc in MAPPED]
    rows += [
        ["wilayah", "32.11.01", "OrgKecA0001", ""],  # kec_a by its kode wilayah
        ["wilayah", "Hegarmanah", "OrgDesaA002", ""],  # desa_a2 by name
        ["wilayah", "Kabupaten Sumedang", "OrgKabSmd01", ""],  # by its label
    ]
    return rows


@pytest.fixture
def coded(world):
    world["kec_a"].code = "32.11.01"
    world["kec_a"].save()
    return world


@pytest.fixture
def mapped(coded, login):
    client = login(coded["admin"])
    response = _upload(client, _mapping_rows(coded), data_set="DataSetBkb1")
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def _export(client, area, month=OCT):
    return client.get(reverse("reports:dhis2_export", args=[area.pk, str(month)]))


def test_the_json_is_a_data_value_set_and_its_values_are_the_recaps(october, mapped, world):
    response = _export(mapped, world["kec_a"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert 'attachment; filename="dhis2-jatinangor-2026-10.json"' == response["Content-Disposition"]
    document = json.loads(response.content)
    VALIDATOR.validate(document)
    assert document["period"] == "202610"
    assert document["orgUnit"] == "OrgKecA0001"
    assert document["dataSet"] == "DataSetBkb1"
    datetime.date.fromisoformat(document["completeDate"])
    values = {value["dataElement"]: value for value in document["dataValues"]}
    assert len(values) == len(MAPPED)
    assert all(value["period"] == "202610" and value["orgUnit"] == "OrgKecA0001" for value in values.values())
    assert values["Measured001"]["categoryOptionCombo"] == "CocDefault1"
    assert "categoryOptionCombo" not in values["FamMember01"]

    # What the recap page prints, figure by figure.
    page = mapped.get(reverse("reports:area_recap", args=[world["kec_a"].pk, str(OCT)]))
    printed = page.context["totals"].counts
    on_the_recap = [key for key, _e, _c in MAPPED if key in area_views.RECAP_COUNTS or key == "cadres_active"]
    assert len(on_the_recap) == 10
    for key, element, _coc in MAPPED:
        if key in on_the_recap:
            assert values[element]["value"] == str(printed[key]), key
    # The month has something to send (the october fixture): not all zeros.
    assert {values[e]["value"] for _k, e, _c in MAPPED} - {"0"}
    assert values["Stunted0001"]["value"] == "1" and values["Underweight"]["value"] == "1"

    # The figures the recap does not print: the groups' live counts summed.
    groups = groups_visible_to(world["admin"]).in_area(world["kec_a"])
    live = figures.counts(groups, OCT)
    for key, element in (("families_joined", "FamJoined01"), ("sessions_with_ape", "SessionsApe")):
        assert values[element]["value"] == str(sum(counts.get(key, 0) for counts in live.values())), key
    assert values["FamJoined01"]["value"] == "1" and values["SessionsApe"]["value"] == "1"
    assert values["ReferralNew"]["value"] == "1"


def test_the_schema_check_can_fail(october, mapped, world):
    """The checker above rejects what DHIS2 would: a number for a value, a period that is not a month."""
    document = json.loads(_export(mapped, world["kec_a"]).content)
    document["dataValues"][0]["value"] = int(document["dataValues"][0]["value"])
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(document)
    document = json.loads(_export(mapped, world["kec_a"]).content)
    document["dataValues"][0]["period"] = "2026-10"
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(document)


def test_data_value_set_is_built_from_the_recap_alone(october, world):
    """The pure function: every mapped key of the recap's totals, the rest listed as unmapped."""
    groups = groups_visible_to(world["admin"]).in_area(world["desa_a1"])
    recap = area_views.recap(world["desa_a1"], groups, OCT, every_figure=True)
    mapping = Dhis2Mapping(
        area=world["kab"],
        figures={"children_total": {"dataElement": "ChildTotal1"}, "families_kb": {"dataElement": "FamiliesKb1"}},
        org_units={str(world["desa_a1"].pk): "OrgDesaA001"},
    )
    document, unmapped = dhis2.data_value_set(recap, mapping, complete_date=datetime.date(2026, 11, 3))
    VALIDATOR.validate(document)
    assert "dataSet" not in document
    assert document["completeDate"] == "2026-11-03"
    expected = {
        "children_total": {"dataElement": "ChildTotal1", "value": str(recap.totals["children_total"])},
        "families_kb": {"dataElement": "FamiliesKb1", "value": str(recap.totals["families_kb"])},
    }
    in_order = sorted(expected, key=figures.FIGURE_KEYS.index)
    assert document["dataValues"] == [
        {
            "dataElement": expected[key]["dataElement"],
            "period": "202610",
            "orgUnit": "OrgDesaA001",
            "value": expected[key]["value"],
        }
        for key in in_order
    ]
    assert recap.totals["children_total"] == 4 and recap.totals["families_kb"] == 1
    assert [key for key, _label in unmapped] == [
        key for key in figures.FIGURE_KEYS if key not in ("children_total", "families_kb")
    ]
    assert all(label == figures.label(key) for key, label in unmapped)
    with pytest.raises(dhis2.NoOrgUnit):
        dhis2.data_value_set(area_views.recap(world["kec_a"], groups, OCT), mapping)


def test_the_unmapped_figures_are_listed_before_download(october, mapped, world):
    mapped_keys = {key for key, _e, _c in MAPPED}
    missing = [key for key in figures.FIGURE_KEYS if key not in mapped_keys]
    assert missing
    for url in (
        reverse("reports:area_recap", args=[world["kec_a"].pk, str(OCT)]),
        reverse("reports:dhis2"),
    ):
        html = mapped.get(url).content.decode()
        for key in missing:
            assert f"<code>{key}</code> {figures.label(key)}" in html, (url, key)
        for key in mapped_keys:
            assert f"<li><code>{key}</code>" not in html, (url, key)
    recap = mapped.get(reverse("reports:area_recap", args=[world["kec_a"].pk, str(OCT)])).content.decode()
    assert reverse("reports:dhis2_export", args=[world["kec_a"].pk, str(OCT)]) in recap


def test_an_area_without_an_org_unit_is_said_not_500(october, mapped, world):
    # desa_a1 (Cikeruh) is not in the mapping.
    response = _export(mapped, world["desa_a1"])
    recap_url = reverse("reports:area_recap", args=[world["desa_a1"].pk, str(OCT)])
    assert response.status_code == 302 and response["Location"] == recap_url
    assert "belum punya unit organisasi DHIS2" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    page = mapped.get(recap_url).content.decode()
    assert "belum punya unit organisasi di pemetaan DHIS2" in page
    assert reverse("reports:dhis2_export", args=[world["desa_a1"].pk, str(OCT)]) not in page


def test_no_mapping_no_link_and_the_export_says_so(october, world, login):
    client = login(world["admin"])
    page = client.get(reverse("reports:area_recap", args=[world["kec_a"].pk, str(OCT)])).content.decode()
    assert "dhis2.json" not in page
    assert _export(client, world["kec_a"]).status_code == 302


def test_the_supervisor_exports_as_she_sees_the_recap(october, mapped, world, login):
    supervisor = login(world["supervisor"])
    response = _export(supervisor, world["kec_a"])
    assert response.status_code == 200
    assert json.loads(response.content)["dataValues"]
    assert _export(supervisor, world["kab"]).status_code == 404  # not her area, as the recap
    assert _export(login(world["cadre_a"]), world["kec_a"]).status_code == 403


def test_the_mapping_page_is_the_admins(coded, login):
    for persona in ("supervisor", "cadre_a", "outsider"):
        client = login(coded[persona])
        assert client.get(reverse("reports:dhis2")).status_code == 403, persona
        assert _upload(client, _mapping_rows(coded)).status_code == 403, persona
        assert client.get(reverse("reports:dhis2_example", args=["csv"])).status_code == 403, persona
    assert not Dhis2Mapping.objects.exists()
    garut = login(f.user("admin_garut", "admin", areas=[coded["other_kab"]]))
    assert garut.get(reverse("reports:dhis2") + f"?wilayah={coded['kab'].pk}").status_code == 404
    assert _upload(garut, _mapping_rows(coded), kabupaten=coded["kab"]).status_code == 404
    assert garut.get(reverse("reports:dhis2_example", args=["csv"]) + f"?wilayah={coded['kab'].pk}").status_code == 404
    assert not Dhis2Mapping.objects.exists()


def test_another_kabupatens_area_is_404(october, mapped, world, login):
    garut_area = world["other_kab"]
    assert _export(mapped, garut_area).status_code == 404
    assert mapped.get(reverse("reports:growth_export", args=[garut_area.pk, str(OCT), "csv"])).status_code == 404


def test_a_good_upload_is_saved_whole_and_shown(mapped, coded):
    mapping = Dhis2Mapping.objects.get()
    assert mapping.area == coded["kab"]
    assert mapping.uploaded_by == coded["admin"]
    assert mapping.data_set == "DataSetBkb1"
    assert mapping.figures["measured"] == {"dataElement": "Measured001", "categoryOptionCombo": "CocDefault1"}
    assert mapping.figures["families_members"] == {"dataElement": "FamMember01"}
    assert set(mapping.figures) == {key for key, _e, _c in MAPPED}
    assert mapping.org_units == {
        str(coded["kec_a"].pk): "OrgKecA0001",
        str(coded["desa_a2"].pk): "OrgDesaA002",
        str(coded["kab"].pk): "OrgKabSmd01",
    }
    page = mapped.get(reverse("reports:dhis2")).content.decode()
    assert "<td>Kecamatan Jatinangor (32.11.01)</td><td><code>OrgKecA0001</code></td>" in page
    assert "<td><code>measured</code> Anak diukur bulan ini</td><td><code>Measured001</code></td>" in page


BAD_ROWS = [
    # (row, expected row number, column, a word of the message)
    (["indikator", "keluarga_hantu", "AbcDefGhij1", ""], 3, "kode", "tidak dikenal"),
    (["wilayah", "Antah Berantah", "AbcDefGhij1", ""], 3, "kode", "tidak dikenal"),
    (["wilayah", "Pataruman", "AbcDefGhij1", ""], 3, "kode", "di luar"),
    (["indikator", "measured", "1bcDefGhij1", ""], 3, "dhis2", "bukan uid"),
    (["indikator", "measured", "AbcDef", ""], 3, "dhis2", "bukan uid"),
    (["indikator", "measured", "AbcDefGhij1", "coc-salah"], 3, "coc", "bukan uid"),
    (["indikator", "families_members", "AbcDefGhij1", ""], 3, "kode", "sudah ada di baris 2"),
    (["indikator", "measured", "FamMember01", ""], 3, "dhis2", "sudah dipakai di baris 2"),
    (["wilayah", "32.11.01", "AbcDefGhij1", ""], 4, "kode", "sudah ada di baris 3"),
    (["wilayah", "Cikeruh", "OrgKecA0001", ""], 4, "dhis2", "sudah dipakai di baris 3"),
    (["kelompok", "measured", "AbcDefGhij1", ""], 3, "jenis", "indikator"),
    (["wilayah", "Cikeruh", "AbcDefGhij1", "CocDefault1"], 3, "coc", "hanya untuk indikator"),
]


@pytest.mark.parametrize(("bad", "row", "column", "words"), BAD_ROWS)
def test_every_wrong_row_says_its_row_and_column_and_nothing_is_saved(coded, login, bad, row, column, words):
    client = login(coded["admin"])
    good = [["jenis", "kode", "dhis2", "coc"], ["indikator", "families_members", "FamMember01", ""]]
    if row == 4:
        good.append(["wilayah", "32.11.01", "OrgKecA0001", ""])
    response = _upload(client, [*good, bad])
    assert response.status_code == 400
    errors = response.context["errors"]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"Baris {row}, kolom {column}:"), errors
    assert words in errors[0]
    assert f"Baris {row}, kolom {column}:" in response.content.decode()
    assert not Dhis2Mapping.objects.exists()


def test_a_file_with_one_bad_row_keeps_the_old_mapping(mapped, coded):
    before = Dhis2Mapping.objects.get()
    rows = _mapping_rows(coded)
    rows[1] = ["indikator", "families_members", "ChangedUid1", ""]
    rows.insert(4, ["indikator", "tidak_ada", "AbcDefGhij1", ""])
    response = _upload(mapped, rows, data_set="OtherDataS1")
    assert response.status_code == 400
    assert [str(e) for e in response.context["errors"]][0].startswith("Baris 5, kolom kode:")
    after = Dhis2Mapping.objects.get()
    assert (after.figures, after.org_units, after.data_set, after.uploaded_at) == (
        before.figures,
        before.org_units,
        before.data_set,
        before.uploaded_at,
    )


def test_a_missing_column_and_a_bad_data_set_are_said(coded, login):
    client = login(coded["admin"])
    response = _upload(client, [["jenis", "kode"], ["indikator", "measured"]])
    assert response.status_code == 400
    assert response.context["errors"] == ["Baris 1, kolom dhis2: kolom ini tidak ada di baris judul."]
    response = _upload(client, [[""], ["jenis", "kode", "coc"], ["indikator", "measured", ""]])
    assert response.context["errors"] == ["Baris 2, kolom dhis2: kolom ini tidak ada di baris judul."]
    response = _upload(client, _mapping_rows(coded), data_set="bukan uid")
    assert response.status_code == 400
    assert response.context["form"].errors["data_set"]
    response = _upload(client, [], name="pemetaan.pdf", content=b"%PDF-1.4")
    assert response.status_code == 400 and response.context["errors"] == ["Pilih berkas .xlsx atau .csv."]
    assert not Dhis2Mapping.objects.exists()


def test_comma_csv_and_xlsx_uploads_read_the_same(coded, login):
    client = login(coded["admin"])
    assert _upload(client, _mapping_rows(coded), sep=",").status_code == 302
    comma = Dhis2Mapping.objects.get()
    columns = [sheets.Column(name, name) for name in ("jenis", "kode", "dhis2", "coc")]
    content = sheets.xlsx_bytes([sheets.Sheet("pemetaan", columns, rows=_mapping_rows(coded)[1:])])
    assert _upload(client, [], name="pemetaan.xlsx", content=content).status_code == 302
    xlsx = Dhis2Mapping.objects.get()
    assert (xlsx.figures, xlsx.org_units) == (comma.figures, comma.org_units)
    assert xlsx.data_set == ""  # the form's field was left empty this time


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_example_lists_every_figure_and_area_and_uploads_back(mapped, coded, fmt):
    response = mapped.get(reverse("reports:dhis2_example", args=[fmt]))
    assert response.status_code == 200
    table = sheets.read_table(response.content, f"contoh.{fmt}")
    assert table.headers == ["jenis", "kode", "nama", "dhis2", "coc"]
    rows = [cells for _number, cells in table.rows]
    figure_rows = [cells for cells in rows if cells["jenis"] == "indikator"]
    assert [cells["kode"] for cells in figure_rows] == figures.FIGURE_KEYS
    assert all(cells["nama"] == figures.label(cells["kode"]) for cells in figure_rows)
    current = dict(Dhis2Mapping.objects.values_list("figures", flat=True).get())
    for cells in figure_rows:
        expected = current.get(cells["kode"], {}).get("dataElement")
        assert (cells.get("dhis2") or None) == expected, cells
    area_names = {cells["nama"] for cells in rows if cells["jenis"] == "wilayah"}
    assert {"Kabupaten Sumedang", "Kecamatan Jatinangor", "Desa Cikeruh", "Desa Gudang"} <= area_names
    assert "Desa Pataruman" not in area_names  # Garut's
    # Uploaded back as it is, it is the same mapping.
    before = Dhis2Mapping.objects.get()
    assert (
        _upload(mapped, [], name=f"contoh.{fmt}", content=response.content, data_set="DataSetBkb1").status_code == 302
    )
    after = Dhis2Mapping.objects.get()
    assert (after.figures, after.org_units) == (before.figures, before.org_units)


def test_the_admin_with_no_mapping_downloads_an_empty_example(coded, login):
    response = login(coded["admin"]).get(reverse("reports:dhis2_example", args=["csv"]))
    table = sheets.read_table(response.content, "contoh.csv")
    figure_rows = [cells for _n, cells in table.rows if cells["jenis"] == "indikator"]
    assert len(figure_rows) == len(figures.FIGURE_KEYS)
    assert all(not cells.get("dhis2") for cells in figure_rows)
