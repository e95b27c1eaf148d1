"""Instruments: the shipped Buku KIA markers, loading a CSV all-or-nothing, switching the one in use."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from families.instruments import instrument_activate, load_instrument
from families.models import Instrument, Milestone
from tests import factories as f

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parents[2] / "families" / "data" / "milestones.csv"
HEADER = "code,band_start_month,band_end_month,aspect,text_id,text_en\n"


def test_migration_ships_the_buku_kia_markers_as_the_active_instrument():
    instrument = Instrument.objects.get(active=True)
    assert instrument.name == "Penanda perkembangan Buku KIA"
    assert "Buku KIA" in instrument.source and "BUKAN daftar resmi" in instrument.source
    assert instrument.milestones.count() == 110
    assert instrument.milestones.values("band_start_month", "band_end_month").distinct().count() == 10


def test_loads_a_good_file_from_a_path_and_activates_it():
    instrument = load_instrument(SHIPPED, name="Salinan", source="uji", activate=True)
    assert instrument.milestones.count() == 110
    assert list(Instrument.objects.filter(active=True)) == [instrument]


def test_loads_a_binary_upload_with_bom_and_blank_trailing_lines():
    data = ("\ufeff" + HEADER + "K1,0,3,motorik_kasar,Tengkurap,Lies prone\n,,,,,\n").encode()
    instrument = load_instrument(io.BytesIO(data), name="KKA 2023")
    assert not instrument.active
    milestone = instrument.milestones.get()
    assert (milestone.code, milestone.band_end_month, milestone.text_en) == ("K1", 3, "Lies prone")


def test_every_bad_row_is_reported_and_nothing_is_saved():
    rows = [
        "A1,0,3,motorik_kasar,Baik,Good",  # line 2: fine
        "A2,0,3,x,Aspek salah,",  # line 3
        "A3,tiga,6,kecerdasan,Bukan angka,",  # line 4
        "A4,6,6,kecerdasan,Rentang kosong,",  # line 5
        "A5,60,84,kecerdasan,Lewat 72,",  # line 6
        "A1,0,3,kecerdasan,Kode ganda,",  # line 7
        "A7,0,3,kecerdasan,,",  # line 8
    ]
    before = Milestone.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        load_instrument(io.StringIO(HEADER + "\n".join(rows) + "\n"), name="Rusak")
    messages = excinfo.value.messages
    assert messages == [
        "baris 3: aspek 'x' tidak dikenal (yang dikenal: motorik_kasar, motorik_halus, komunikasi_pasif, "
        "komunikasi_aktif, kecerdasan, menolong_diri_sendiri, tingkah_laku_sosial)",
        "baris 4: awal rentang 'tiga' bukan bilangan bulat",
        "baris 5: akhir rentang 6 harus lebih besar dari awal 6",
        "baris 6: rentang 60-84 di luar 0-72 bulan",
        "baris 7: kode 'A1' sudah dipakai di baris 2",
        "baris 8: tugas perkembangan (text_id) kosong",
    ]
    assert not Instrument.objects.filter(name="Rusak").exists()
    assert Milestone.objects.count() == before


def test_missing_columns_and_duplicate_names_are_refused():
    with pytest.raises(ValidationError, match="Kolom wajib tidak ada: aspect"):
        load_instrument(io.StringIO("code,band_start_month,band_end_month,text_id\n"), name="X")
    with pytest.raises(ValidationError, match="sudah ada"):
        load_instrument(SHIPPED, name="Penanda perkembangan Buku KIA")


def test_activating_one_deactivates_the_others():
    shipped = Instrument.objects.get(active=True)
    other = f.kka_instrument([("A", 0, 3, "kecerdasan")], active=False)
    instrument_activate(other)
    shipped.refresh_from_db()
    assert not shipped.active and Instrument.objects.get(active=True) == other


def test_management_command(tmp_path, capsys, world, monkeypatch):
    child = f.child(f.family(world["group_a"]), datetime.date.today() - datetime.timedelta(days=400))
    f.kka_check(child, datetime.date.today())
    # Asked first, told how many children become belum dinilai; "no" keeps the old one in use.
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    call_command("load_instrument", str(SHIPPED), "--name", "Ditolak", "--activate")
    assert "1 dari 1 anak menjadi belum dinilai" in capsys.readouterr().out
    assert Instrument.objects.get(active=True).name != "Ditolak"
    call_command("load_instrument", str(SHIPPED), "--name", "Dari perintah", "--activate", "--yes")
    assert Instrument.objects.get(active=True).name == "Dari perintah"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A,0,3,x,t,\n")
    with pytest.raises(CommandError, match="baris 2: aspek 'x' tidak dikenal"):
        call_command("load_instrument", str(bad), "--name", "Buruk")


@pytest.fixture
def superuser_client(client, world):
    boss = f.user("root", "admin", is_superuser=True, is_staff=True)
    client.force_login(boss)
    return client


def test_admin_action_confirms_then_makes_one_instrument_the_one_in_use(superuser_client, world):
    checked = f.child(f.family(world["group_a"]), datetime.date.today() - datetime.timedelta(days=400))
    f.kka_check(checked, datetime.date.today())
    f.child(f.family(world["group_a"]), datetime.date.today() - datetime.timedelta(days=200))
    other = f.kka_instrument([("A", 0, 3, "kecerdasan")], active=False)
    url = reverse("admin:families_instrument_changelist")
    assert superuser_client.get(url).status_code == 200
    response = superuser_client.post(url, {"action": "make_active", "_selected_action": [other.pk]}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    # The confirmation step: nothing switched yet, the admin is told what will happen.
    assert Instrument.objects.get(active=True) != other
    assert 'data-to-reassess="2"' in html and "2 dari 2 anak menjadi belum dinilai" in html
    confirm = reverse("admin:families_instrument_activate", args=[other.pk])
    response = superuser_client.post(confirm, {"confirm": "1"}, follow=True)
    assert Instrument.objects.get(active=True) == other
    assert "2 anak belum dinilai" in response.content.decode()
    # Two at once is refused: only one can be in use.
    shipped = Instrument.objects.get(name="Penanda perkembangan Buku KIA")
    superuser_client.post(url, {"action": "make_active", "_selected_action": [other.pk, shipped.pk]})
    assert Instrument.objects.get(active=True) == other


def test_admin_upload(superuser_client):
    url = reverse("admin:families_instrument_upload")
    assert superuser_client.get(url).status_code == 200
    good = SimpleUploadedFile("kka.csv", (HEADER + "K1,0,3,motorik_kasar,Tengkurap,\n").encode(), "text/csv")
    response = superuser_client.post(url, {"name": "KKA resmi", "source": "BKKBN", "file": good, "activate": "on"})
    assert response.status_code == 302
    # Loaded, then the confirmation step before it is used.
    confirm = reverse("admin:families_instrument_activate", args=[Instrument.objects.get(name="KKA resmi").pk])
    assert response.url == confirm
    assert Instrument.objects.get(active=True).name != "KKA resmi"
    superuser_client.post(confirm, {"confirm": "1"})
    assert Instrument.objects.get(active=True).name == "KKA resmi"
    bad = SimpleUploadedFile("bad.csv", (HEADER + "K1,0,3,ngawur,Tengkurap,\n").encode(), "text/csv")
    response = superuser_client.post(url, {"name": "KKA rusak", "file": bad})
    assert response.status_code == 200
    assert "baris 2: aspek &#x27;ngawur&#x27; tidak dikenal" in response.content.decode()
    assert not Instrument.objects.filter(name="KKA rusak").exists()
