"""Search keys for names: case, accents and apostrophes do not count in a search.

Family.search_key and Child.search_key hold the names as bkb.lib.inputs.search_key
writes them; existing rows are filled here. On PostgreSQL the trigram indexes
move from UPPER(name) (what icontains searched) to the keys, which `contains`
searches as `search_key::text LIKE '%key%'`.
"""

from django.db import migrations, models

from bkb.lib.inputs import search_key

OLD_INDEXES = {
    "family_mother_name_trgm": "families_family USING gin ((upper(mother_name::text)) gin_trgm_ops)",
    "family_father_name_trgm": "families_family USING gin ((upper(father_name::text)) gin_trgm_ops)",
    "child_name_trgm": "families_child USING gin ((upper(name::text)) gin_trgm_ops)",
}
NEW_INDEXES = {
    "family_search_key_trgm": "families_family USING gin ((search_key::text) gin_trgm_ops)",
    "child_search_key_trgm": "families_child USING gin ((search_key::text) gin_trgm_ops)",
}
BATCH = 2000


def fill_keys(apps, schema_editor):
    Family = apps.get_model("families", "Family")
    Child = apps.get_model("families", "Child")
    for model, key in (
        (Family, lambda f: f"{search_key(f.mother_name)}|{search_key(f.father_name)}"),
        (Child, lambda c: search_key(c.name)),
    ):
        batch = []
        for row in model.objects.only(
            "pk", *(["mother_name", "father_name"] if model is Family else ["name"])
        ).iterator(chunk_size=BATCH):
            row.search_key = key(row)
            batch.append(row)
            if len(batch) >= BATCH:
                model.objects.bulk_update(batch, ["search_key"])
                batch = []
        model.objects.bulk_update(batch, ["search_key"])


def _swap(schema_editor, drop: dict, create: dict):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name in drop:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, target in create.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def indexes_forwards(apps, schema_editor):
    _swap(schema_editor, OLD_INDEXES, NEW_INDEXES)


def indexes_backwards(apps, schema_editor):
    _swap(schema_editor, NEW_INDEXES, OLD_INDEXES)


class Migration(migrations.Migration):
    dependencies = [("families", "0010_backfill_kka_checks")]

    operations = [
        migrations.AddField(
            model_name="child",
            name="search_key",
            field=models.CharField(blank=True, editable=False, max_length=120, verbose_name="kunci pencarian"),
        ),
        migrations.AddField(
            model_name="family",
            name="search_key",
            field=models.CharField(blank=True, editable=False, max_length=250, verbose_name="kunci pencarian"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.RunPython(indexes_forwards, indexes_backwards),
    ]
