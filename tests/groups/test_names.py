"""Place and group names carry their level word once: "Desa Cikeruh", never "Desa Desa Cikeruh"."""

import datetime
import importlib
import io
import re

import pytest
from django.apps import apps
from django.urls import reverse
from pypdf import PdfReader

from bkb.lib.months import Month
from devdata.demo import DEMO_KABUPATEN, LAYOUT
from groups.models import Area, bare_area_name
from tests import factories as f

pytestmark = pytest.mark.django_db

DOUBLED = re.compile(r"\b(Provinsi|Kabupaten|Kecamatan|Desa|Kelurahan|BKB) \1\b", re.IGNORECASE)


def test_a_name_typed_with_its_level_word_is_stored_without_it():
    prov = Area.objects.create(name="Provinsi Jawa Barat", level=Area.Level.PROVINSI)
    kab = Area.objects.create(name="Kabupaten  Sumedang", level=Area.Level.KABUPATEN, parent=prov)
    city = Area.objects.create(name="Kota Bandung", level=Area.Level.KABUPATEN, parent=prov)
    kec = Area.objects.create(name="Kecamatan Jatinangor", level=Area.Level.KECAMATAN, parent=kab)
    desa = Area.objects.create(name="Desa Cikeruh", level=Area.Level.DESA, parent=kec)
    kelurahan = Area.objects.create(name="Kelurahan Sukajadi", level=Area.Level.DESA, parent=kec)
    names = [(a.name, a.label) for a in (prov, kab, city, kec, desa, kelurahan)]
    assert names == [
        ("Jawa Barat", "Provinsi Jawa Barat"),
        ("Sumedang", "Kabupaten Sumedang"),
        ("Kota Bandung", "Kota Bandung"),  # a city: its word says more than "Kabupaten/Kota"
        ("Jatinangor", "Kecamatan Jatinangor"),
        ("Cikeruh", "Desa Cikeruh"),
        ("Kelurahan Sukajadi", "Kelurahan Sukajadi"),
    ]
    assert str(desa) == "Desa Cikeruh"
    # A place whose name is the word itself stays as it is.
    assert bare_area_name(Area.Level.DESA, "Desa") == "Desa"


def test_group_label_says_bkb_once(areas):
    assert f.group(areas["desa_a1"], "BKB Melati").label == "BKB Melati"
    assert f.group(areas["desa_a1"], "Mawar").label == "BKB Mawar"


def test_migration_strips_the_level_word_from_stored_names(areas):
    migration = importlib.import_module("groups.migrations.0002_area_names_without_level_word")
    # Rows written before the rule (bypassing save): demo data used to carry the word.
    Area.objects.filter(pk=areas["kec_a"].pk).update(name="Kecamatan Jatinangor")
    Area.objects.filter(pk=areas["desa_a1"].pk).update(name="Desa Cikeruh")
    Area.objects.filter(pk=areas["kab"].pk).update(name="Kabupaten Sumedang")
    # "Desa Gudang" would collide with an existing "Gudang" under the same kecamatan: left alone.
    clash = Area.objects.create(name="Tmp", level=Area.Level.DESA, parent=areas["kec_b"])
    Area.objects.filter(pk=clash.pk).update(name="Desa Gudang")
    migration.strip_level_words(apps, None)
    names = dict(Area.objects.values_list("pk", "name"))
    assert names[areas["kec_a"].pk] == "Jatinangor"
    assert names[areas["desa_a1"].pk] == "Cikeruh"
    assert names[areas["kab"].pk] == "Sumedang"
    assert names[clash.pk] == "Desa Gudang" and names[areas["desa_b1"].pk] == "Gudang"


def test_demo_names_carry_no_level_word():
    assert bare_area_name(Area.Level.KABUPATEN, DEMO_KABUPATEN) == DEMO_KABUPATEN
    for kecamatan, desas in LAYOUT.items():
        assert bare_area_name(Area.Level.KECAMATAN, kecamatan) == kecamatan
        assert all(bare_area_name(Area.Level.DESA, desa) == desa for desa in desas)


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_no_page_or_pdf_doubles_a_level_word(world, login):
    """Names typed the old way ("Desa Cikeruh", "BKB Melati") on the pages people read."""
    group = world["group_a"]
    family = f.family(group, mother_name="Siti", whatsapp="081234567890")
    f.child(family, datetime.date.today() - datetime.timedelta(days=400), name="Bayu")
    session = f.coaching_session(group, datetime.date.today() - datetime.timedelta(days=2))
    cadre = f.cadre(group, role="inti", name="Oom Komariah")
    month = str(Month.of(datetime.date.today()))
    admin = login(world["admin"])
    cadre_client = login(world["cadre_a"])
    pages = {
        "groups": admin.get(reverse("groups:list")),
        "group": admin.get(reverse("groups:detail", args=[group.pk])),
        "roster": cadre_client.get(reverse("sessions:roster", args=[group.pk])),
        "family": cadre_client.get(reverse("families:detail", args=[family.pk])),
        "sessions": cadre_client.get(reverse("sessions:list", args=[group.pk])),
        "whatsapp": cadre_client.get(reverse("sessions:whatsapp", args=[session.pk])),
        "dashboard": admin.get(reverse("reports:dashboard"), {"wilayah": world["kab"].pk}),
        "report": admin.get(reverse("reports:group_month", args=[group.pk, month])),
        "recap": admin.get(reverse("reports:area_recap", args=[world["kec_a"].pk, month])),
        "batch": admin.get(reverse("reports:batch_print")),
    }
    pdfs = {
        "sheet": cadre_client.get(reverse("sessions:sheet_pdf", args=[group.pk])),
        "report.pdf": admin.get(reverse("reports:group_month_pdf", args=[group.pk, month])),
        "recap.pdf": admin.get(reverse("reports:area_recap_pdf", args=[world["kec_a"].pk, month])),
        "certificate": admin.get(reverse("reports:certificate", args=[cadre.pk])),
    }
    texts = {name: response.content.decode() for name, response in pages.items()}
    texts |= {name: _pdf_text(response.content) for name, response in pdfs.items()}
    assert {name: r.status_code for name, r in (pages | pdfs).items()} == dict.fromkeys(pages | pdfs, 200)
    assert {name: DOUBLED.findall(text) for name, text in texts.items() if DOUBLED.search(text)} == {}
    # The words are there once: the names did reach the pages.
    assert "Desa Cikeruh" in texts["group"] and "Kecamatan Jatinangor" in texts["group"]
    assert "Undangan pertemuan BKB Melati" in texts["whatsapp"]
    assert "Kabupaten Sumedang" in texts["dashboard"]
    assert "Desa Cikeruh" in texts["sheet"]
