"""Indexes nothing needs (bench/NOTES.md, "Database size"; sizes at 1,000 groups x 24 months).

- The KKA marks' index on recorded_at (31 MB): no query filters or orders by it.
- The single-column child indexes of KKA checks (5.7 MB) and measurements
  (7.6 MB): their unique (child, ...) indexes start with the child and serve
  the same lookups, as for the KKA marks in 0013.
- 0006's NIK/KK prefix indexes (6.5 MB): Django already makes the same
  `varchar_pattern_ops` index for each of these unique columns
  (`families_family_mother_nik_..._like`, `..._kk_number_..._like`,
  `families_child_nik_..._like`), and prefix searches use those.
"""

import django.db.models.deletion
from django.db import migrations, models

DUPLICATES = {
    "family_mother_nik_prefix": "families_family (mother_nik varchar_pattern_ops)",
    "family_kk_prefix": "families_family (kk_number varchar_pattern_ops)",
    "child_nik_prefix": "families_child (nik varchar_pattern_ops)",
}


def drop_duplicates(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in DUPLICATES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def restore_duplicates(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, target in DUPLICATES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0013_milestone_record_child_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="milestonerecord",
            name="families_mi_recorde_dbf2d9_idx",
        ),
        migrations.AlterField(
            model_name="kkacheck",
            name="child",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="kka_checks",
                to="families.child",
                verbose_name="anak",
            ),
        ),
        migrations.AlterField(
            model_name="measurement",
            name="child",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="measurements",
                to="families.child",
                verbose_name="anak",
            ),
        ),
        migrations.RunPython(drop_duplicates, restore_duplicates),
    ]
