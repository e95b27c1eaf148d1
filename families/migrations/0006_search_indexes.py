"""Indexes for family search across a kabupaten (PostgreSQL only).

`ILIKE '%name%'` can use only a trigram index, and NIK/KK prefixes need
varchar_pattern_ops under a non-C collation. SQLite (the demo) skips them.
Measured in bench/NOTES.md: a name search 65 ms -> 8 ms, a NIK prefix
32 ms -> 0.8 ms at 1,000 groups.
"""

from django.db import migrations

INDEXES = {
    # Django's icontains is UPPER(col) LIKE UPPER('%q%'): index that expression.
    "family_mother_name_trgm": "families_family USING gin ((upper(mother_name::text)) gin_trgm_ops)",
    "family_father_name_trgm": "families_family USING gin ((upper(father_name::text)) gin_trgm_ops)",
    "child_name_trgm": "families_child USING gin ((upper(name::text)) gin_trgm_ops)",
    "family_mother_nik_prefix": "families_family (mother_nik varchar_pattern_ops)",
    "family_kk_prefix": "families_family (kk_number varchar_pattern_ops)",
    "child_nik_prefix": "families_child (nik varchar_pattern_ops)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("families", "0005_alter_referral_date")]
    operations = [migrations.RunPython(forwards, backwards)]
