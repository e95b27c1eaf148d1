"""Seed the topics the BKB material names; the admin extends the list."""

from django.db import migrations

TOPICS = [
    ("Tujuh aspek perkembangan anak", "The seven aspects of child development"),
    ("Perkembangan motorik kasar", "Gross motor development"),
    ("Perkembangan motorik halus", "Fine motor development"),
    ("Perkembangan komunikasi pasif", "Understanding language"),
    ("Perkembangan komunikasi aktif", "Speaking"),
    ("Perkembangan kecerdasan", "Cognitive development"),
    ("Kemampuan menolong diri sendiri", "Self-help skills"),
    ("Tingkah laku sosial", "Social behaviour"),
    ("Stimulasi tumbuh kembang", "Stimulating growth and development"),
    ("Kasih sayang", "Affection"),
    ("Reproduksi", "Reproductive health"),
    ("Integrasi KB dalam BKB", "Integrating family planning into BKB"),
    ("Peran ibu dan konsep diri", "The mother's role and self-concept"),
    ("Peran ayah dalam pengasuhan", "The father's role in parenting"),
    ("1000 HPK (Hari Pertama Kehidupan)", "The first 1,000 days of life"),
    ("Gizi dan MPASI", "Nutrition and complementary feeding"),
    ("Pencegahan stunting", "Stunting prevention"),
    ("Perlindungan anak", "Child protection"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("coaching", "Topic")
    for order, (name, name_en) in enumerate(TOPICS, start=1):
        Topic.objects.update_or_create(name=name, defaults={"name_en": name_en, "order": order * 10})


def unseed(apps, schema_editor):
    Topic = apps.get_model("coaching", "Topic")
    # Topics already used by a session are kept (PROTECT): only unused seeds go.
    Topic.objects.filter(name__in=[name for name, _ in TOPICS], sessions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
