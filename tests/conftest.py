"""Persona fixtures: a small kabupaten and the people who use it.

kab > kec_a (desa_a1: group_a, desa_a2: group_b) and kec_b (desa_b1: group_c).
cadre_a runs group_a, cadre_b group_b; the supervisor covers kec_a; the
admin the kabupaten (staff: the Django admin too); the outsider is a cadre with no group.
"""

import os

import pytest
from django.test import Client

from groups.models import Area
from tests import factories as f

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses that unless told the live_server tests know what they are doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def areas(db):
    prov = f.area("Jawa Barat", Area.Level.PROVINSI)
    kab = f.area("Sumedang", Area.Level.KABUPATEN, prov)
    kec_a = f.area("Jatinangor", Area.Level.KECAMATAN, kab)
    kec_b = f.area("Tanjungsari", Area.Level.KECAMATAN, kab)
    other_kab = f.area("Garut", Area.Level.KABUPATEN, prov)
    other_kec = f.area("Tarogong", Area.Level.KECAMATAN, other_kab)
    return {
        "prov": prov,
        "kab": kab,
        "kec_a": kec_a,
        "kec_b": kec_b,
        "other_kab": other_kab,
        "desa_a1": f.area("Cikeruh", Area.Level.DESA, kec_a),
        "desa_a2": f.area("Hegarmanah", Area.Level.DESA, kec_a),
        "desa_b1": f.area("Gudang", Area.Level.DESA, kec_b),
        "desa_x": f.area("Pataruman", Area.Level.DESA, other_kec),
    }


@pytest.fixture
def world(areas):
    group_a = f.group(areas["desa_a1"], "BKB Melati", rw="03")
    group_b = f.group(areas["desa_a2"], "BKB Mawar", rw="05")
    group_c = f.group(areas["desa_b1"], "BKB Dahlia", rw="02")
    group_x = f.group(areas["desa_x"], "BKB Garut", rw="01")
    people = {
        "cadre_a": f.user("kader_a", "cadre"),
        "cadre_b": f.user("kader_b", "cadre"),
        "supervisor": f.user("pkb", "supervisor", areas=[areas["kec_a"]]),
        "admin": f.user("admin", "admin", areas=[areas["kab"]], is_staff=True),
        "outsider": f.user("luar", "cadre"),
    }
    f.cadre(group_a, user=people["cadre_a"], role="ketua", name="Imas")
    f.cadre(group_b, user=people["cadre_b"], role="inti", name="Oom")
    return {**areas, **people, "group_a": group_a, "group_b": group_b, "group_c": group_c, "group_x": group_x}


@pytest.fixture
def login():
    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reference_data():
    """The rows the data migrations load (the KKA instrument, the session topics).

    A transactional test flushes the database afterwards, and pytest-django
    runs those last: a later transactional test that needs these rows loads
    them again here (the migrations' own functions, which are idempotent).
    """
    import importlib

    from django.apps import apps

    importlib.import_module("families.migrations.0004_default_instrument").load(apps, None)
    importlib.import_module("sessions.migrations.0002_seed_topics").seed(apps, None)
