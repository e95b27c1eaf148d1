"""The cadre certificate: one full page from the kabupaten's office, signed by its named officer."""

import io

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from groups.models import Office

pytestmark = pytest.mark.django_db


def _pages(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def test_certificate_names_the_office_place_date_and_signer(october, world, login):
    Office.objects.create(
        kabupaten=world["kab"],
        name="Dinas Pengendalian Penduduk, KB, PPPA Kabupaten Sumedang",
        place="Sumedang",
        signer_name="Drs. Asep Sutrisna, M.Si.",
        signer_title="Kepala Dinas",
        signer_nip="196805121994031007",
    )
    response = login(world["admin"]).get(reverse("reports:certificate", args=[october["oom"].pk]))
    assert response.status_code == 200
    pages = _pages(response.content)
    assert len(pages) == 1
    text = pages[0]
    today = date_format(timezone.localdate(), "j F Y")
    assert "Dinas Pengendalian Penduduk, KB, PPPA Kabupaten Sumedang".upper() in text
    assert f"Sumedang, {today}" in text
    assert "Kepala Dinas" in text and "Drs. Asep Sutrisna, M.Si." in text and "NIP 196805121994031007" in text
    assert "PIAGAM PENGHARGAAN" in text and "Oom" in text and "Kader BKB Melati, Desa Cikeruh" in text
    # Signed by the office, not by the admin account that printed it; no page footer.
    assert "Admin" not in text and "Hal." not in text


def test_certificate_without_office_settings_uses_default_wording(october, world, login):
    text = _pages(login(world["admin"]).get(reverse("reports:certificate", args=[october["oom"].pk])).content)
    assert "Dinas Pengendalian Penduduk dan Keluarga Berencana Kabupaten Sumedang".upper() in text[0]
    assert f"Sumedang, {date_format(timezone.localdate(), 'j F Y')}" in text[0] and "Kepala Dinas" in text[0]


def test_office_is_kept_in_the_admin(world, login):
    assert Office in site._registry
    client = login(world["admin"])  # the kabupaten's own admin (staff), not a superuser
    response = client.post(
        reverse("admin:groups_office_add"),
        {"kabupaten": world["kab"].pk, "name": "Dinas PPKB", "signer_nip": "12345"},
    )
    assert response.status_code == 200 and "NIP terdiri dari 18 angka." in response.content.decode()
    response = client.post(
        reverse("admin:groups_office_add"),
        {"kabupaten": world["kec_a"].pk, "name": "Dinas PPKB", "signer_nip": ""},
    )
    assert not Office.objects.exists()
