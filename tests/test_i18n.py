"""English interface: the catalogue is complete, compiled, and used when chosen.

Indonesian is the source language (msgids are Indonesian); English lives in
locale/en. To refresh after adding strings:

    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=tests --no-obsolete
    (translate the new entries, remove "fuzzy" flags)
    .venv/bin/python manage.py compilemessages -l en -l id --ignore=.venv
"""

import ast
import datetime
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"
ID_PO = LOCALE / "id" / "LC_MESSAGES" / "django.po"
ID_MO = LOCALE / "id" / "LC_MESSAGES" / "django.mo"

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def parse_po(path: Path) -> list[dict]:
    """A tiny .po reader: entries with ctxt, id, id_plural, str (list), flags."""
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and "id" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("#,")):
            if not line:
                flush()
                entry, field = None, None
            continue
        if entry is None:
            entry = {"ctxt": None, "id_plural": None, "str": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            field = {"msgctxt": "ctxt", "msgid": "id", "msgid_plural": "id_plural", "msgstr": 0}.get(
                keyword, int(match.group(1)) if match else None
            )
            assert field is not None, f"{path}: cannot read {raw!r}"
            if isinstance(field, int):
                entry["str"][field] = ""
            else:
                entry[field] = ""
        if isinstance(field, int):
            entry["str"][field] += value
        else:
            entry[field] += value
    flush()
    return entries


def mo_key(entry: dict, index: int | None = None):
    msgid = entry["id"] if entry["ctxt"] is None else f"{entry['ctxt']}\x04{entry['id']}"
    return msgid if index is None else (msgid, index)


def expected_catalog(entries: list[dict]) -> dict:
    """What the compiled .mo must hold, as GNUTranslations._catalog keys it."""
    catalog = {}
    for entry in entries:
        if entry["id"] == "":
            continue
        if entry["id_plural"] is None:
            catalog[mo_key(entry)] = entry["str"][0]
        else:
            for index, text in entry["str"].items():
                catalog[mo_key(entry, index)] = text
    return catalog


def compiled_catalog(path: Path) -> dict:
    with path.open("rb") as fh:
        catalog = dict(gettext.GNUTranslations(fh)._catalog)
    catalog.pop("", None)  # the header
    return catalog


@pytest.fixture(scope="module")
def en_entries():
    return [entry for entry in parse_po(EN_PO) if entry["id"] != ""]


def test_english_catalogue_is_complete(en_entries):
    assert len(en_entries) > 100
    untranslated = [e["id"] for e in en_entries if not all(e["str"].values())]
    fuzzy = [e["id"] for e in en_entries if "fuzzy" in e["flags"]]
    plurals_short = [e["id"] for e in en_entries if e["id_plural"] is not None and len(e["str"]) < 2]
    assert untranslated == []
    assert fuzzy == []
    assert plurals_short == []


def test_english_keeps_every_placeholder(en_entries):
    broken = []
    for entry in en_entries:
        wanted = sorted(PLACEHOLDER.findall(entry["id"]))
        for text in entry["str"].values():
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                broken.append((entry["id"], text))
    assert broken == []


@pytest.mark.parametrize(("po", "mo"), [(EN_PO, EN_MO), (ID_PO, ID_MO)], ids=["en", "id"])
def test_compiled_catalogue_matches_its_source(po, mo):
    # A stale .mo (strings added or changed since compilemessages) fails here.
    assert mo.exists(), f"run compilemessages: {mo} is missing"
    assert compiled_catalog(mo) == expected_catalog(parse_po(po))


def test_indonesian_catalogue_still_fills_django_gap():
    entries = {e["id"]: e["str"][0] for e in parse_po(ID_PO)}
    assert entries["- Select an option -"] == "- Pilih -"


def test_footer_switch_turns_login_page_english(client):
    page = client.get(reverse("login"))
    assert "Masuk" in page.content.decode()
    assert f'action="{reverse("set_language")}"' in page.content.decode()

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Masuk untuk mencatat" not in html


def test_switching_back_to_indonesian(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    client.post(reverse("set_language"), {"language": "id", "next": reverse("login")})
    html = client.get(reverse("login")).content.decode()
    assert "Masuk untuk mencatat" in html
    assert "Log in" not in html


def test_roster_in_english(world, login):
    client = login(world["cadre_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("sessions:roster", args=[world["group_a"].pk])).content.decode()
    for english in ("Record session", "Home visits", "Quick entry", "Reports", "Log out"):
        assert english in html
    for indonesian in ("Catat pertemuan", "Kunjungan rumah", "Isi cepat"):
        assert indonesian not in html


def test_family_form_error_in_english(world, login):
    client = login(world["cadre_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    today = timezone.localdate()
    data = {
        "mother_name": "Siti Aminah",
        "caregiver": "ibu",
        "mother_nik": "321101450690000",  # 15 digits
        "kk_number": "",
        "phone": "",
        "rt": "02",
        "rw": "03",
        "welfare_stage": "ks1",
        "joined_on": today.isoformat(),
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "1",
        "children-MAX_NUM_FORMS": "1000",
        "children-0-name": "Zahra",
        "children-0-sex": "F",
        "children-0-birth_date": (today - datetime.timedelta(days=400)).isoformat(),
    }
    response = client.post(reverse("families:create", args=[world["group_a"].pk]), data)
    html = response.content.decode()
    assert response.status_code == 400  # the form comes back with its errors
    # Read the page, not the form: error messages are lazy and the request's language ends with it.
    assert "Must be exactly 16 digits (currently 15 characters)." in html
    assert "Some entries need correcting" in html
    assert "Harus tepat 16 angka" not in html


def test_every_model_and_field_has_a_translatable_name():
    """Admin pages show these names: a missing one appears as "CREATED AT" in an Indonesian page."""
    from django.apps import apps
    from django.utils.functional import Promise

    missing = []
    for label in ("groups", "cadres", "families", "coaching", "reports"):
        for model in apps.get_app_config(label).get_models():
            meta = model._meta
            for attribute in ("verbose_name", "verbose_name_plural"):
                if not isinstance(meta.original_attrs.get(attribute), Promise):
                    missing.append(f"{meta.label}.Meta.{attribute}")
            for field in meta.get_fields():
                # Django names its own: the automatic id and the reverse relations.
                if field.auto_created or not field.concrete:
                    continue
                if not isinstance(field.verbose_name, Promise):
                    missing.append(f"{meta.label}.{field.name}")
    assert missing == []


@pytest.mark.parametrize(("months", "text"), [(29, "(29 months)"), (1, "(1 month)")])
def test_age_in_months_is_plural_in_english(world, login, months, text):
    from bkb.lib.ages import add_months
    from tests import factories as f

    child = f.child(f.family(world["group_a"]), add_months(timezone.localdate(), -months), name="Euis")
    client = login(world["cadre_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("families:child_detail", args=[child.pk])).content.decode()
    assert text in html


def test_admin_labels_are_translated(world, login):
    client = login(world["admin"])
    page = client.get(reverse("admin:reports_batchprint_add")).content.decode()
    assert "Sudah dicetak" in page and "Jumlah kelompok" in page and "Done" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("admin:reports_batchprint_add")).content.decode()
    assert "Printed so far" in page and "Number of groups" in page
