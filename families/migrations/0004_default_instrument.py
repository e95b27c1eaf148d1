"""Ship the Buku KIA development markers as the default KKA instrument.

Reads families/data/milestones.csv with the csv module and the historical
models only, so later changes to app code cannot break this migration.
"""

import csv
from pathlib import Path

from django.db import migrations

NAME = "Penanda perkembangan Buku KIA"
SOURCE = (
    "Penanda perkembangan anak dari Buku KIA (Kesehatan Ibu dan Anak, Kemenkes), 110 tugas dalam "
    "sepuluh rentang umur 0-72 bulan, masing-masing diberi salah satu dari tujuh aspek KKA. "
    "Ini BUKAN daftar resmi Kartu Kembang Anak (KKA) BKKBN, yang belum tersedia dalam bentuk "
    "yang dapat diperiksa; admin dapat memuat daftar resmi sebagai instrumen lain."
)
CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "milestones.csv"


def load(apps, schema_editor):
    Instrument = apps.get_model("families", "Instrument")
    Milestone = apps.get_model("families", "Milestone")
    if Instrument.objects.filter(name=NAME).exists():
        return
    Instrument.objects.filter(active=True).update(active=False)
    instrument = Instrument.objects.create(name=NAME, source=SOURCE, active=True)
    with open(CSV_PATH, newline="", encoding="utf-8-sig") as f:
        Milestone.objects.bulk_create(
            Milestone(
                instrument=instrument,
                code=row["code"],
                band_start_month=int(row["band_start_month"]),
                band_end_month=int(row["band_end_month"]),
                aspect=row["aspect"],
                text_id=row["text_id"],
                text_en=row.get("text_en", ""),
            )
            for row in csv.DictReader(f)
        )


def unload(apps, schema_editor):
    apps.get_model("families", "Instrument").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0003_instrument_milestone_milestonerecord_referral_and_more"),
    ]

    operations = [migrations.RunPython(load, unload)]
