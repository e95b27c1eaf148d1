"""Area names are stored without their level word ("Cikeruh", not "Desa Cikeruh").

Pages add the word once (Area.label); names saved with it were printed
twice ("Desa Desa Cikeruh"). "Kota ..." and "Kelurahan ..." keep their word:
it says what the area is. The rule is copied here, as migrations must not
follow later edits of groups.models.bare_area_name.
"""

from django.db import migrations

WORDS = {1: ("Provinsi",), 2: ("Kabupaten", "Kab."), 3: ("Kecamatan", "Kec."), 4: ("Desa",)}


def bare(level: int, name: str) -> str:
    name = " ".join(name.split())
    for word in WORDS.get(level, ()):
        if name.lower().startswith(word.lower() + " ") and len(name) > len(word) + 1:
            return name[len(word) + 1 :].strip()
    return name


def strip_level_words(apps, schema_editor):
    Area = apps.get_model("groups", "Area")
    for area in Area.objects.all().only("pk", "name", "level", "parent_id"):
        name = bare(area.level, area.name)
        if name == area.name:
            continue
        # Two areas that differ only by the word would collide: leave such a pair for an admin.
        if Area.objects.filter(parent_id=area.parent_id, name=name).exists():
            continue
        Area.objects.filter(pk=area.pk).update(name=name)


class Migration(migrations.Migration):
    dependencies = [("groups", "0001_initial")]

    operations = [migrations.RunPython(strip_level_words, migrations.RunPython.noop)]
