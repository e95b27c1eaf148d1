"""Every URL as every persona: 404 outside one's scope, 403 in scope but not allowed.

The table below has one row per URL (two where GET and POST are checked
separately). A new URL without a row fails `test_every_url_has_a_row`, so
permissions are decided when the URL is added, not found out later.

The table's expectations are for objects of group_a (cadre_a's group, under
the supervisor's kecamatan and the admin's kabupaten). The same objects are
built in group_c (the admin's kabupaten, another kecamatan: only the admin's
column of the table applies) and group_x (another kabupaten: nobody's). A row's
`gate` lists the personas its view turns away by role before it looks anything
up; they get 403 whatever the object, which tells them nothing about whether it
exists. Everyone else out of scope gets 404.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve

from bkb.lib.months import Month
from families.models import FamilyImport, Referral
from reports.models import BatchPrint
from reports.services import report_submit
from tests import factories as f

pytestmark = pytest.mark.django_db

PERSONAS = ("cadre_a", "cadre_b", "supervisor", "admin", "outsider")
MONTH = Month(2026, 10)
SUBMITTED_AT = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)

# Where the outcome depends on the body (a form re-shown, saved, or refused), any of these means "let in".
ALLOWED = frozenset({200, 302, 400})

# Who may see each group's objects. The table is written for group_a; elsewhere its
# column applies to these personas and everyone else gets 404 (or 403 if gated).
VIEWERS = {
    "group_a": frozenset({"cadre_a", "supervisor", "admin"}),
    "group_c": frozenset({"admin"}),
    "group_x": frozenset(),
}

# Not in the table: authentication, the language switch, and the Django admin, whose every
# model is walked for another kabupaten's admin in tests/groups/test_admin_scope.py (and
# below, `test_django_admin_as`, for the table's personas and objects); and the public URLs,
# open to everyone by design (test_public_urls_answer_everyone below).
SKIPPED_NAMESPACES = {"admin"}
# The load balancer's probe, and the installable app's service worker and manifest (the same
# script for everyone; it holds no data): no login, nothing of anyone's data.
PUBLIC_NAMES = {"healthz", "service_worker", "manifest"}
SKIPPED_NAMES = {"login", "logout", "set_language", *PUBLIC_NAMES}


Expected = int | frozenset


@dataclass(frozen=True)
class Row:
    name: str
    args: Callable[[dict], list]
    # Per persona, for group_a's objects.
    expect: dict[str, Expected]
    method: str = "GET"
    data: Callable[[dict], dict] = lambda o: {}
    # Turned away by role before any lookup: 403 for group_a and group_x alike.
    gate: frozenset = frozenset()
    # False for URLs that name no object (lists, dashboards): nothing to check in group_x.
    scoped: bool = True
    query: Callable[[dict], str] = lambda o: ""
    key: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "key", f"{self.name} {self.method}")
        for persona in self.gate:
            assert self.expect[persona] == 403, f"{self.key}: gated persona {persona} must expect 403"

    def url(self, objects: dict) -> str:
        return reverse(self.name, args=self.args(objects)) + self.query(objects)


def expect(cadre_a, cadre_b, supervisor, admin, outsider) -> dict[str, Expected]:
    return {"cadre_a": cadre_a, "cadre_b": cadre_b, "supervisor": supervisor, "admin": admin, "outsider": outsider}


# A group's pages: its own cadre and everyone above it read them; others get 404.
READ = expect(200, 404, 200, 200, 404)
# A group's registers: cadres keep them, admins correct them, supervisors only read (403).
WRITE = expect(200, 404, 403, 200, 404)
WRITE_POST = expect(ALLOWED, 404, 403, ALLOWED, 404)
READ_POST = expect(ALLOWED, 404, ALLOWED, ALLOWED, 404)
CADRES = frozenset({"cadre_a", "cadre_b", "outsider"})
NOT_ADMIN = frozenset({"cadre_a", "cadre_b", "supervisor", "outsider"})
# Area pages for supervisors and admins only.
OVERVIEW = expect(403, 403, 200, 200, 403)
ADMIN_ONLY = expect(403, 403, 403, 200, 403)

TABLE = [
    Row("home", lambda o: [], expect(302, 302, 302, 302, 302), scoped=False),
    # groups
    Row("groups:list", lambda o: [], expect(200, 200, 200, 200, 200), scoped=False),
    Row("groups:create", lambda o: [], ADMIN_ONLY, gate=NOT_ADMIN, scoped=False),
    # login: everyone changes their own password; the admin reads her people's logins
    Row("password_change", lambda o: [], expect(200, 200, 200, 200, 200), scoped=False),
    Row("login_history", lambda o: [], ADMIN_ONLY, gate=NOT_ADMIN, scoped=False),
    Row(
        "login_unlock",
        lambda o: [],
        expect(403, 403, 403, 302, 403),
        method="POST",
        gate=NOT_ADMIN,
        scoped=False,
        data=lambda o: {"username": "kader_a"},
    ),
    Row("groups:detail", lambda o: [o["group"].pk], READ),
    Row("groups:edit", lambda o: [o["group"].pk], ADMIN_ONLY, gate=NOT_ADMIN),
    Row("groups:visit_create", lambda o: [o["group"].pk], expect(403, 404, 200, 200, 404)),
    # Importing families from a spreadsheet writes the register: its keepers only.
    Row("groups:import", lambda o: [o["group"].pk], WRITE),
    Row("groups:import_template", lambda o: [o["group"].pk, "xlsx"], WRITE),
    Row("groups:import_preview", lambda o: [o["group"].pk, o["family_import"].pk], WRITE),
    Row("groups:import_preview", lambda o: [o["group"].pk, o["family_import"].pk], WRITE_POST, method="POST"),
    # The registers as spreadsheets (kader too: tests/test_exports.py): whoever reads the group's pages.
    Row("groups:export", lambda o: [o["group"].pk, "anak", "xlsx"], READ),
    # cadres
    Row("cadres:detail", lambda o: [o["cadre"].pk], READ),
    # Training is recorded by whoever ran it, the PKB/PLKB included.
    Row("cadres:training_create", lambda o: [o["cadre"].pk], READ_POST, method="POST"),
    Row("cadres:create", lambda o: [o["group"].pk], WRITE),
    Row("cadres:edit", lambda o: [o["group"].pk, o["cadre"].pk], WRITE),
    # families
    Row("sessions:roster", lambda o: [o["group"].pk], READ),
    # Offline: the group's working set is what its pages are; the unsent page and the fallback
    # are shells filled from the phone's own outbox; the status says who is logged in.
    Row("sessions:offline_set", lambda o: [o["group"].pk], READ),
    Row("offline_unsent", lambda o: [], expect(200, 200, 200, 200, 200), scoped=False),
    Row("offline_fallback", lambda o: [], expect(200, 200, 200, 200, 200), scoped=False),
    Row("offline_status", lambda o: [], expect(200, 200, 200, 200, 200), scoped=False),
    Row("families:create", lambda o: [o["group"].pk], WRITE),
    Row("families:search", lambda o: [], expect(200, 200, 200, 200, 200), scoped=False, query=lambda o: "?q=Sumirah"),
    Row("families:detail", lambda o: [o["family"].pk], READ),
    Row("families:edit", lambda o: [o["family"].pk], WRITE),
    # Restoring a deleted family is the admin's, inside her kabupaten.
    Row("families:deleted", lambda o: [], ADMIN_ONLY, gate=NOT_ADMIN, scoped=False),
    Row(
        "families:restore",
        lambda o: [o["deleted_family_id"]],
        expect(403, 403, 403, 302, 403),
        method="POST",
        gate=NOT_ADMIN,
    ),
    # Moving a family: supervisors and admins; its own cadre only reads (403). Here to its own group.
    Row(
        "families:move",
        lambda o: [o["family"].pk],
        expect(403, 404, 302, 302, 404),
        method="POST",
        data=lambda o: {"to_group": o["family"].group_id},
    ),
    Row("families:child_detail", lambda o: [o["child"].pk], READ),
    Row("sessions:child_kka", lambda o: [o["child"].pk], READ),
    Row("sessions:child_kka", lambda o: [o["child"].pk], WRITE_POST, method="POST"),
    Row("families:measurement_add", lambda o: [o["child"].pk], WRITE),
    Row("families:referral_add", lambda o: [o["child"].pk], WRITE),
    Row("families:referral_close", lambda o: [o["referral"].pk], WRITE),
    # sessions
    Row("sessions:list", lambda o: [o["group"].pk], READ),
    Row("sessions:create", lambda o: [o["group"].pk], WRITE),
    Row("sessions:home_visits", lambda o: [o["group"].pk], READ),
    Row("sessions:sheet_pdf", lambda o: [o["group"].pk], READ),
    Row("sessions:back_entry", lambda o: [o["group"].pk], WRITE),
    Row("sessions:home_visit_create", lambda o: [o["family"].pk], WRITE),
    Row("sessions:detail", lambda o: [o["session"].pk], READ),
    Row("sessions:edit", lambda o: [o["session"].pk], WRITE),
    Row("sessions:whatsapp", lambda o: [o["session"].pk], READ),
    # reports
    Row("reports:dashboard", lambda o: [], OVERVIEW, gate=CADRES, query=lambda o: f"?wilayah={o['area'].pk}"),
    Row("reports:supervisor_tasks", lambda o: [], OVERVIEW, gate=CADRES, query=lambda o: f"?wilayah={o['area'].pk}"),
    Row("reports:tasks", lambda o: [o["group"].pk], READ),
    Row("reports:group_month", lambda o: [o["group"].pk, str(MONTH)], READ),
    Row("reports:group_month_pdf", lambda o: [o["group"].pk, str(MONTH)], READ),
    Row("reports:group_month_export", lambda o: [o["group"].pk, str(MONTH), "xlsx"], READ),
    Row("reports:figure_rows", lambda o: [o["group"].pk, str(MONTH), "families_members"], READ),
    # The chair submits (the admin may too); the supervisor reviews instead.
    Row(
        "reports:submit",
        lambda o: [o["group"].pk, str(MONTH)],
        expect(302, 404, 403, 302, 404),
        method="POST",
        data=lambda o: {"konfirmasi": "1"},  # the month was sent already: this is a confirmed correction
    ),
    Row("reports:version", lambda o: [o["report"].pk], READ),
    Row("reports:review", lambda o: [o["report"].pk], expect(403, 404, 302, 302, 404), method="POST"),
    Row("reports:area_recap", lambda o: [o["area"].pk, str(MONTH)], OVERVIEW, gate=CADRES),
    Row("reports:area_recap_pdf", lambda o: [o["area"].pk, str(MONTH)], OVERVIEW, gate=CADRES),
    Row("reports:area_recap_export", lambda o: [o["area"].pk, str(MONTH), "csv"], OVERVIEW, gate=CADRES),
    # The area's month of measurements for the Puskesmas, and its figures for DHIS2: as the recap. The
    # area has no org unit in a DHIS2 mapping here, so the export returns to the recap saying so (302).
    Row("reports:growth_export", lambda o: [o["area"].pk, str(MONTH), "xlsx"], OVERVIEW, gate=CADRES),
    Row("reports:dhis2_export", lambda o: [o["area"].pk, str(MONTH)], expect(403, 403, 302, 302, 403), gate=CADRES),
    # An area's recap PDF job (above kecamatan level) is followed by whoever sees the area's recap.
    Row("reports:recap_job", lambda o: [o["recap_job"].pk], OVERVIEW, gate=CADRES),
    Row("reports:recap_job_download", lambda o: [o["recap_job"].pk], OVERVIEW, gate=CADRES),
    # Retrying a job that is not failed does nothing and returns to its page.
    Row(
        "reports:recap_job_retry",
        lambda o: [o["recap_job"].pk],
        expect(403, 403, 302, 302, 403),
        method="POST",
        gate=CADRES,
    ),
    Row("reports:batch_print", lambda o: [], ADMIN_ONLY, gate=NOT_ADMIN, scoped=False),
    Row(
        "reports:batch_print",
        lambda o: [],
        expect(403, 403, 403, 302, 403),
        method="POST",
        data=lambda o: {"area": o["area"].pk, "month": str(MONTH)},
        gate=NOT_ADMIN,
    ),
    Row("reports:batch_detail", lambda o: [o["batch"].pk], ADMIN_ONLY, gate=NOT_ADMIN),
    Row("reports:batch_download", lambda o: [o["batch"].pk, "pdf"], ADMIN_ONLY, gate=NOT_ADMIN),
    Row(
        "reports:batch_retry", lambda o: [o["batch"].pk], expect(403, 403, 403, 302, 403), method="POST", gate=NOT_ADMIN
    ),
    Row("reports:certificate", lambda o: [o["cadre"].pk], ADMIN_ONLY, gate=NOT_ADMIN),
    # The kabupaten's DHIS2 mapping: its admin's page, its upload and its example.
    Row("reports:dhis2", lambda o: [], ADMIN_ONLY, gate=NOT_ADMIN, scoped=False),
    Row(
        "reports:dhis2",
        lambda o: [],
        expect(403, 403, 403, ALLOWED, 403),
        method="POST",
        data=lambda o: {"data_set": ""},
        gate=NOT_ADMIN,
        scoped=False,
    ),
    Row("reports:dhis2_example", lambda o: [o["fmt"]], ADMIN_ONLY, gate=NOT_ADMIN, scoped=False),
]


def url_names() -> set[str]:
    """Every named URL of the project except the skipped ones; unnamed ones show up as such."""
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.callback is not serve:
                name = f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"
                if name not in SKIPPED_NAMES:
                    names.add(name)

    walk(get_resolver().url_patterns)
    return names


def _objects(group, *, chair, batch_owner, label: str) -> dict:
    """One of everything that has a URL, inside `group`."""
    family = f.family(group, mother_name=f"Sumirah {label}")
    child = f.child(family, datetime.date(2025, 6, 10), name=f"Anak {label}")
    f.measurement(child, datetime.date(2026, 10, 3))
    deleted_family = f.family(group, mother_name=f"Terhapus {label}")
    deleted_family_id = deleted_family.pk
    deleted_family.delete()
    referral = Referral.objects.create(child=child, date=datetime.date(2026, 10, 15), referred_to="Puskesmas")
    session = f.coaching_session(group, datetime.date(2026, 10, 10), age_groups=(1,))
    cadre = f.cadre(group, name=f"Kader {label}", age_group=1)
    report = report_submit(group=group, month=MONTH, user=chair, now=SUBMITTED_AT)
    batch = BatchPrint.objects.create(area=group.desa, month=MONTH.first, created_by=batch_owner)
    batch.pdf.save(f"batch-{label}.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    recap_job = BatchPrint.objects.create(
        kind=BatchPrint.Kind.RECAP, area=group.desa, month=MONTH.first, created_by=batch_owner
    )
    recap_job.pdf.save(f"rekap-{label}.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    family_import = FamilyImport.objects.create(
        group=group,
        uploaded_by=chair,
        filename="keluarga.csv",
        content=b"Nama ibu/pengasuh utama,Nama anak,Jenis kelamin,Tanggal lahir\nSiti,Rizky,Laki-laki,01-01-2025\n",
    )
    return {
        "group": group,
        "area": group.desa,
        "family": family,
        "child": child,
        "referral": referral,
        "session": session,
        "cadre": cadre,
        "report": report,
        "batch": batch,
        "recap_job": recap_job,
        "deleted_family_id": deleted_family_id,
        "family_import": family_import,
        "fmt": "csv",
    }


@pytest.fixture
def objects(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    chair_x = f.user("kader_x", "cadre")
    f.cadre(world["group_x"], user=chair_x, role="ketua")
    admin_x = f.user("admin_x", "admin", areas=[world["other_kab"]])
    admin = world["admin"]
    return {
        "group_a": _objects(world["group_a"], chair=world["cadre_a"], batch_owner=admin, label="Melati"),
        "group_c": _objects(world["group_c"], chair=admin, batch_owner=admin, label="Dahlia"),
        "group_x": _objects(world["group_x"], chair=chair_x, batch_owner=admin_x, label="Garut"),
    }


def _status(client, row: Row, objects: dict) -> int:
    if row.method == "POST":
        return client.post(row.url(objects), row.data(objects)).status_code
    return client.get(row.url(objects)).status_code


def _matches(status: int, expected: Expected) -> bool:
    return status in expected if isinstance(expected, frozenset) else status == expected


def _expected(row: Row, persona: str, scope: str) -> Expected:
    if scope == "group_a" or persona in VIEWERS[scope]:
        return row.expect[persona]
    return 403 if persona in row.gate else 404


def test_table_keeps_out_of_scope_personas_out():
    """The table's cadre_b and outsider columns follow the same rule as group_c and group_x."""
    wrong = [
        f"{row.key}: {persona} expects {row.expect[persona]}"
        for row in TABLE
        if row.scoped
        for persona in PERSONAS
        if persona not in VIEWERS["group_a"] and row.expect[persona] != (403 if persona in row.gate else 404)
    ]
    assert not wrong, "\n".join(wrong)


def test_every_url_has_a_row():
    names = url_names()
    rows = {row.name for row in TABLE}
    problems = [f"URL name {name} has no row in the permission table" for name in sorted(names - rows)]
    problems += [f"Row {name} names no URL (renamed or removed?)" for name in sorted(rows - names)]
    assert not problems, "\n".join(problems)
    assert len({row.key for row in TABLE}) == len(TABLE), "two rows for the same URL and method"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("scope", VIEWERS)
def test_every_url_as(world, objects, login, scope, persona):
    client = login(world[persona])
    failures = []
    for row in TABLE:
        if scope != "group_a" and not row.scoped:
            continue  # names no object: nothing differs between scopes
        expected = _expected(row, persona, scope)
        url = row.url(objects[scope])
        try:
            status = _status(client, row, objects[scope])
        except Exception as error:  # report every URL, not just the first that breaks
            failures.append(f"{row.key} {url} as {persona} on {scope}: expected {expected}, raised {error!r}")
            continue
        if not _matches(status, expected):
            failures.append(f"{row.key} {url} as {persona} on {scope}: expected {expected}, got {status}")
    assert not failures, "\n".join(failures)


def test_anonymous_is_sent_to_login(world, objects, client):
    login_url = reverse("login")
    failures = []
    for row in TABLE:
        url = row.url(objects["group_a"])
        response = client.post(url, row.data(objects["group_a"])) if row.method == "POST" else client.get(url)
        if response.status_code != 302 or not response.url.startswith(login_url):
            failures.append(f"{row.key} {url}: {response.status_code} {response.get('Location', '')}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_show_only_what_is_in_scope(world, objects, login, persona):
    """Pages listing many groups' rows filter them by the same scope as the object pages."""
    client = login(world[persona])
    labels = {"Melati": "group_a", "Dahlia": "group_c", "Garut": "group_x"}
    # (url, lists every visible group, so an in-scope label must be there too)
    pages = [(reverse("groups:list"), True), (reverse("families:search") + "?q=Sumirah", True)]
    if persona in ("supervisor", "admin"):
        pages.append((reverse("reports:dashboard") + f"?bulan={MONTH}", False))
    for url, lists_all in pages:
        content = client.get(url).content.decode()
        for label, scope in labels.items():
            visible = persona in VIEWERS[scope]
            if visible and lists_all:
                assert label in content, f"{url} as {persona} leaves out {scope}"
            elif not visible:
                assert label not in content, f"{url} as {persona} shows {scope}"


def test_public_urls_answer_everyone(world, login, client):
    for name in PUBLIC_NAMES:
        url = reverse(name)
        assert client.get(url).status_code == 200, f"{name} as anonymous"
        for persona in PERSONAS:
            assert login(world[persona]).get(url).status_code == 200, f"{name} as {persona}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_django_admin_as(world, objects, login, persona):
    """The Django admin keeps the same scope: only the admin gets in, and finds nothing of Garut."""
    from django.contrib import admin

    client = login(world[persona])
    failures = []
    for scope, found in objects.items():
        for name, obj in found.items():
            if type(obj) not in admin.site._registry:
                continue
            opts = obj._meta
            for view in ("change", "delete", "history"):
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])
                status = client.get(url).status_code
                # Not staff: Django's admin login page. The admin: her kabupaten only.
                expected = 302 if persona != "admin" else 404 if scope == "group_x" else 200
                if status != expected:
                    failures.append(f"{view} of {scope}'s {name} as {persona}: expected {expected}, got {status}")
    assert not failures, "\n".join(failures)
