"""Every query parameter and every form field, sent what people (and others) type.

Pages come from the URL table of tests/test_permissions.py (which fails when a
URL is added without a row), each opened as a persona allowed to see it. The
query parameters a page reads are found by watching the request while the
page renders; the forms are read off the rendered page (tests/pageforms.py)
and posted with one field changed at a time. Whatever the value:

- no error 500 (the test client raises the view's exception);
- an answer of 400 or more wrote nothing: the row count of every table is unchanged;
- the raw `<script>` never comes back unescaped, in the answer or the page it redirects to.
"""

import re
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from tests.pageforms import post_forms
from tests.test_permissions import ALLOWED, TABLE, objects  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
# HTML and SQL in one value: the walk is long enough without sending each alone.
SCRIPT_SQL = f"{SCRIPT}' OR 1=1 --"
HOSTILE = [
    "",
    "x" * 100_000,
    "ab\x00cd",
    "😀🇮🇩",
    SCRIPT_SQL,
    "-1",
    "99999999999999999999",
    "-99999999999999999999",
    "NaN",
    "0001-01-01",
    "9999-12-31",
]
# Addresses carry no numbers to compute with: the numeric extremes and dates are enough.
HOSTILE_PARAMS = ["", "x" * 100_000, "\x00", "😀", SCRIPT_SQL, "-99999999999999999999", "0001-01-01", "9999-12-31"]
# What the app reads from addresses; test_every_query_parameter_is_listed keeps it complete.
QUERY_PARAMS = (
    "tanggal",
    "bulan",
    "q",
    "perhatian",
    "wilayah",
    "urut",
    "halaman",
    "pertemuan",
    "alasan",
    "jam",
    "tempat",
    "materi",
)
PERSONAS = ("cadre_a", "admin", "supervisor")
LOCAL_APPS = ("groups", "cadres", "families", "coaching", "reports")
# Layout forms: logging out would end the walk; the language switch is Django's own view, still walked.
SKIP_ACTIONS = ("/keluar/",)


def _count_sql() -> str:
    tables = sorted(
        model._meta.db_table
        for app in LOCAL_APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.proxy
    )
    return "SELECT " + ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables)


COUNTS = None


def _counts() -> tuple:
    global COUNTS
    COUNTS = COUNTS or _count_sql()
    with connection.cursor() as cursor:
        cursor.execute(COUNTS)
        return cursor.fetchone()


def _check(client: Client, response, before: tuple, what: str) -> list[str]:
    problems = []
    if response.status_code >= 500:
        problems.append(f"{what}: {response.status_code}")
    if response.status_code >= 400 and _counts() != before:
        problems.append(f"{what}: answered {response.status_code} but wrote rows")
    if SCRIPT.encode() in response.content and response.get("Content-Type", "").startswith("text/html"):
        problems.append(f"{what}: unescaped <script> in the answer")
    if response.status_code in (301, 302) and response.url.startswith("/"):
        followed = client.get(response.url)
        if SCRIPT.encode() in followed.content and followed.get("Content-Type", "").startswith("text/html"):
            problems.append(f"{what}: unescaped <script> on the page it redirects to")
    return problems


@contextmanager
def _reads():
    """The parameter names looked up in any QueryDict while this block runs (a GET has one: request.GET)."""
    names: set[str] = set()
    # Not __getitem__: items() and iteration go through it, and views use get() anyway.
    originals = {name: getattr(QueryDict, name) for name in ("get", "getlist", "__contains__")}

    def spy(original):
        def wrapper(self, key, *args, **kwargs):
            names.add(key)
            return original(self, key, *args, **kwargs)

        return wrapper

    for name, original in originals.items():
        setattr(QueryDict, name, spy(original))
    try:
        yield names
    finally:
        for name, original in originals.items():
            setattr(QueryDict, name, original)


def _allowed(row, persona) -> bool:
    expected = row.expect[persona]
    return expected == 200 or (isinstance(expected, frozenset) and 200 in expected)


def _pages(objects, world):  # noqa: F811
    """(persona, url name, url) for every GET page someone may open, group_a's objects."""
    for row in TABLE:
        if row.method != "GET":
            continue
        for persona in PERSONAS:
            if _allowed(row, persona):
                yield persona, row.name, reverse(row.name, args=row.args(objects["group_a"]))


def _kind(name: str) -> str:
    """One field per repeated kind: done_12 and done_13, c5-weight and c6-weight are tested once."""
    return re.sub(r"\d+", "N", name)


def test_every_query_parameter_is_listed():
    """QUERY_PARAMS above lists every parameter the code reads from an address."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    found = set()
    patterns = [
        r'request\.GET(?:\.get|\.getlist)?\(\s*"(\w+)"',
        r'request\.GET\[\s*"(\w+)"',
        r'"(\w+)" in request\.GET',
        r'param_\w+\(\s*request\s*,\s*"(\w+)"',
    ]
    for app in ("groups", "cadres", "families", "sessions", "reports", "bkb"):
        for path in (root / app).rglob("*.py"):
            text = path.read_text()
            for pattern in patterns:
                found.update(re.findall(pattern, text))
    found.add("tanggal")  # param_day's default
    assert found <= set(QUERY_PARAMS), f"not walked by this test: {sorted(found - set(QUERY_PARAMS))}"


def test_hostile_query_parameters(world, objects, login):  # noqa: F811
    problems = []
    seen = set()
    clients = {persona: login(world[persona]) for persona in PERSONAS}
    for persona, name, url in _pages(objects, world):
        client = clients[persona]
        with _reads() as read:
            assert client.get(url, dict.fromkeys(QUERY_PARAMS, "1")).status_code < 500
        for param in sorted(read & set(QUERY_PARAMS)):
            if (name, param) in seen:
                continue
            seen.add((name, param))
            for value in HOSTILE_PARAMS:
                before = _counts()
                response = client.get(f"{url}?{urlencode({param: value})}")
                problems += _check(client, response, before, f"GET {name} ?{param}={value[:20]!r} as {persona}")
    assert seen, "no page read a query parameter: the spy is broken"
    assert not problems, "\n".join(problems)


def _walk_forms(client, persona, url, seen) -> list[str]:
    problems = []
    page = client.get(url)
    if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
        return problems
    for form in post_forms(page.content.decode(), skip_actions=SKIP_ACTIONS):
        action = form.action or url
        for field in form.typed:
            key = (_kind(action), _kind(field))
            if key in seen:
                continue
            seen.add(key)
            for value in HOSTILE:
                before = _counts()
                # A fresh token each time: the walk tests the field, not the double-submit guard.
                data = form.payload(**{field: value})
                data.pop("once", None)
                response = client.post(action, data)
                problems += _check(client, response, before, f"POST {action} {field}={value[:20]!r} as {persona}")
    return problems


def test_hostile_form_fields(world, objects, login, client):  # noqa: F811
    problems = []
    seen: set = set()
    forms_seen_before = 0
    # Anonymous first: the login form.
    problems += _walk_forms(client, "anonymous", reverse("login"), seen)
    for persona, _name, url in _pages(objects, world):
        problems += _walk_forms(login(world[persona]), persona, url, seen)
    assert len(seen) > forms_seen_before + 50, f"only {len(seen)} fields walked: are the forms read?"
    assert not problems, "\n".join(problems)


def test_walk_reaches_every_kind_of_form(world, objects, login):  # noqa: F811
    """The forms that create things are all on pages the walk opens."""
    actions = set()
    for persona, _name, url in _pages(objects, world):
        page = login(world[persona]).get(url)
        if page.get("Content-Type", "").startswith("text/html"):
            actions |= {_kind(f.action or url) for f in post_forms(page.content.decode(), skip_actions=SKIP_ACTIONS)}
    for expected in (
        "/kelompok/N/keluarga/baru/",
        "/anak/N/ukur/",
        "/anak/N/rujukan/",
        "/anak/N/kka/",
        "/pertemuan/kelompok/N/baru/",
        "/pertemuan/kelompok/N/isi-cepat/",
        "/pertemuan/keluarga/N/kunjungan-rumah/baru/",
        "/kader/kelompok/N/baru/",
        "/kader/N/pelatihan/",
        "/kelompok/baru/",
        "/kelompok/N/pembinaan/baru/",
        "/laporan/cetak-massal/",
        "/laporan/versi/N/periksa/",
    ):
        assert expected in actions, f"{expected} not walked; walked: {sorted(actions)}"
    assert ALLOWED  # the permission table is the walk's source of pages
