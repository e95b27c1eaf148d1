"""The Django admin inside the app's scope: another kabupaten's admin finds nothing of Sumedang there.

The models come from `admin.site._registry`, so a model admin added later is walked too
(and `test_every_model_admin_of_the_apps_is_scoped` fails until it is a ScopedAdmin).
One of everything is built in Sumedang (group_a) and in Garut (group_x): the Garut admin
must list her own row and not Sumedang's, and get 404 on Sumedang's object pages, while
Sumedang's admin opens the same pages (so a scope that hid everything would fail too).
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group as AuthGroup
from django.forms import ModelChoiceField, MultiWidget
from django.urls import reverse

from bkb.lib.months import Month
from cadres.models import Cadre, SupervisionVisit
from families.models import FamilyImport, Instrument, KkaCheck, MilestoneRecordRemoval, Referral
from groups.admin import ScopedAdmin, ScopedInline
from groups.models import Area, BkbGroup, Office, SubmitToken, User
from reports import kept
from reports.models import AreaTarget, BatchPrint, Dhis2Mapping, GroupMonthFigures
from reports.services import report_submit
from sessions.models import Attendance, HomeVisit, SessionCadre, Topic
from tests import factories as f

pytestmark = pytest.mark.django_db

MONTH = Month(2026, 10)
DAY = datetime.date(2026, 10, 10)
OUR_APPS = {"groups", "cadres", "families", "coaching", "reports"}
MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)
OURS = [model for model in MODELS if model._meta.app_label in OUR_APPS]
NATIONAL = [model for model in OURS if admin.site._registry[model].national]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _everything(world, group, *, chair, admin_user, label: str) -> dict:
    """One row of every scoped model, inside `group`'s kabupaten, by model label."""
    from cadres.models import CadreRole

    instrument = Instrument.objects.get(active=True)
    milestone = instrument.milestones.first()
    cadre = chair.cadre
    family = f.family(group, mother_name=f"Ibu {label}")
    child = f.child(family, datetime.date(2025, 6, 10), name=f"Anak {label}")
    session = f.coaching_session(group, DAY, age_groups=(1,), topic_=Topic.objects.first())
    rows = {
        "groups.Area": group.desa,
        "groups.BkbGroup": group,
        "groups.Office": Office.objects.create(kabupaten=group.kabupaten, name=f"Dinas {label}"),
        "groups.SubmitToken": SubmitToken.objects.create(token=f"token-{label}", user=chair, url="/"),
        "groups.User": chair,
        "cadres.Cadre": cadre,
        "cadres.CadreRole": CadreRole.objects.get(cadre=cadre),
        "cadres.Training": f.training(cadre, DAY),
        "cadres.SupervisionVisit": SupervisionVisit.objects.create(
            group=group, supervisor=admin_user, date=DAY, findings="Baik"
        ),
        "families.Family": family,
        "families.Child": child,
        "families.MilestoneRecord": f.milestone_record(child, milestone, DAY),
        "families.MilestoneRecordRemoval": MilestoneRecordRemoval.objects.create(
            child=child, milestone=milestone, achieved_on=DAY
        ),
        "families.KkaCheck": f.kka_check(child, DAY),
        "families.Measurement": f.measurement(child, DAY),
        "families.Referral": Referral.objects.create(child=child, date=DAY, referred_to="Puskesmas"),
        "families.FamilyImport": FamilyImport.objects.create(
            group=group, uploaded_by=chair, filename=f"keluarga-{label}.csv", content=b"x"
        ),
        "coaching.CoachingSession": session,
        "coaching.SessionCadre": SessionCadre.objects.create(session=session, cadre=cadre, role="utama"),
        "coaching.Attendance": Attendance.objects.create(session=session, family=family, child=child),
        "coaching.HomeVisit": HomeVisit.objects.create(family=family, date=DAY),
        "reports.MonthlyReport": report_submit(group=group, month=MONTH, user=chair),
        "reports.BatchPrint": BatchPrint.objects.create(area=group.desa, month=MONTH.first, created_by=admin_user),
        "reports.AreaTarget": AreaTarget.objects.create(area=group.kabupaten),
        "reports.Dhis2Mapping": Dhis2Mapping.objects.create(
            area=group.kabupaten, figures={"measured": {"dataElement": "Measured001"}}, uploaded_by=admin_user
        ),
    }
    kept.refresh([group.pk], [MONTH], on=DAY)
    rows["coaching.KeptState"] = group.kept_state
    rows["coaching.ChildStatus"] = child.status
    rows["reports.GroupMonthFigures"] = GroupMonthFigures.objects.get(group=group, month=MONTH.first)
    return rows


@pytest.fixture
def garut_admin(world):
    return f.user("admin_garut", "admin", areas=[world["other_kab"]], is_staff=True)


@pytest.fixture
def built(world, garut_admin):
    chair_x = f.user("kader_garut", "cadre")
    f.cadre(world["group_x"], user=chair_x, role="ketua", name="Kader Garut")
    return {
        "sumedang": _everything(world, world["group_a"], chair=world["cadre_a"], admin_user=world["admin"], label="S"),
        "garut": _everything(world, world["group_x"], chair=chair_x, admin_user=garut_admin, label="G"),
    }


def _listed(client, model) -> set:
    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200, model
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


def test_every_model_admin_of_the_apps_is_scoped():
    for model in OURS:
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, ScopedAdmin), model
        assert all(issubclass(inline, ScopedInline) for inline in model_admin.inlines), model


def test_the_fixture_builds_every_scoped_model(built):
    """A new model admin needs a row in `_everything`, or the walk below would skip it."""
    missing = {model._meta.label for model in OURS if model not in NATIONAL} - set(built["sumedang"])
    assert not missing


def _walk_as_garut(model, built, sumedang, garut) -> list[str]:
    ours, theirs = built["sumedang"][model._meta.label], built["garut"][model._meta.label]
    problems = []
    listed = _listed(garut, model)
    if ours.pk in listed or theirs.pk not in listed:
        problems.append(f"Garut's list holds Sumedang's row: {ours.pk in listed}, her own: {theirs.pk in listed}")
    listed = _listed(sumedang, model)
    if ours.pk not in listed or theirs.pk in listed:
        problems.append(f"Sumedang's list holds her own row: {ours.pk in listed}, Garut's: {theirs.pk in listed}")
    if (status := sumedang.get(_url(model, "change", ours.pk)).status_code) != 200:
        problems.append(f"Sumedang's admin opens her own row: {status}")
    for view in ("change", "delete", "history"):
        if (status := garut.get(_url(model, view, ours.pk)).status_code) != 404:
            problems.append(f"GET {view}: {status}")
    for view, data in (("change", {}), ("delete", {"post": "yes"})):
        if (status := garut.post(_url(model, view, ours.pk), data).status_code) != 404:
            problems.append(f"POST {view}: {status}")
    garut.post(_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [ours.pk], "post": "yes"})
    if not model._default_manager.filter(pk=ours.pk).exists():
        problems.append("delete_selected deleted Sumedang's row")
    return [f"{model._meta.label}: {problem}" for problem in problems]


def test_another_kabupatens_admin_finds_nothing_of_sumedang(world, built, garut_admin, login):
    """Every scoped model admin: list, change, delete, history and an action, as the admin of Garut."""
    sumedang, garut = login(world["admin"]), login(garut_admin)
    problems = []
    for model in OURS:
        if model not in NATIONAL:
            problems += _walk_as_garut(model, built, sumedang, garut)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("model", [m for m in MODELS if m not in OURS], ids=lambda m: m._meta.label)
def test_djangos_own_models_are_the_superusers(world, garut_admin, login, model):
    assert login(garut_admin).get(_url(model, "changelist")).status_code == 403
    assert login(world["admin"]).get(_url(model, "changelist")).status_code == 403


def test_an_action_runs_on_the_scoped_rows_only(world, built, garut_admin, login):
    """The same POST that deletes Garut's referral leaves Sumedang's, whose pk it also names."""
    ours, theirs = built["sumedang"]["families.Referral"], built["garut"]["families.Referral"]
    login(garut_admin).post(
        _url(Referral, "changelist"),
        {"action": "delete_selected", "_selected_action": [ours.pk, theirs.pk], "post": "yes"},
    )
    assert Referral.objects.filter(pk=ours.pk).exists() and not Referral.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("model", NATIONAL, ids=lambda m: m._meta.label)
def test_national_reference_data_is_view_only_below_superuser(world, built, login, model):
    row = model._default_manager.order_by("pk").first()
    client = login(world["admin"])
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "change", row.pk)).status_code == 200
    assert client.get(_url(model, "add")).status_code == 403
    assert client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=row.pk).exists()


def test_the_instrument_is_switched_by_a_superuser_only(world, login):
    other = f.kka_instrument([("A1", 0, 3, "motorik_kasar")], name="Lain", active=False)
    client = login(world["admin"])
    assert client.get(reverse("admin:families_instrument_upload")).status_code == 403
    assert client.post(reverse("admin:families_instrument_activate", args=[other.pk]), {}).status_code == 403
    changelist = client.post(
        _url(Instrument, "changelist"), {"action": "make_active", "_selected_action": [other.pk]}, follow=True
    )
    assert changelist.status_code == 200
    other.refresh_from_db()
    assert not other.active


def test_passwords_of_sumedang_users_are_404_for_garut(world, built, garut_admin, login):
    garut = login(garut_admin)
    for person in (world["cadre_a"], world["supervisor"], world["admin"]):
        url = reverse("admin:auth_user_password_change", args=[person.pk])
        assert garut.get(url).status_code == 404
        response = garut.post(url, {"password1": "Ganti-sandi-2026", "password2": "Ganti-sandi-2026"})
        assert response.status_code == 404
        person.refresh_from_db()
        assert person.check_password("pw-test-123")
    # Sumedang's own admin may set them: the 404 above is the scope, not a broken page.
    own = reverse("admin:auth_user_password_change", args=[world["supervisor"].pk])
    assert login(world["admin"]).get(own).status_code == 200


def test_users_in_scope_are_those_working_only_inside_and_never_a_superuser(world, built, garut_admin, login):
    both = f.user("pkb_dua", "supervisor", areas=[world["kec_a"], world["desa_x"]])
    root = f.user("pusat", "admin", areas=[world["kab"]], is_superuser=True, is_staff=True)
    listed = _listed(login(world["admin"]), User)
    assert {world["admin"].pk, world["supervisor"].pk, world["cadre_a"].pk, world["cadre_b"].pk} <= listed
    assert not {both.pk, root.pk, garut_admin.pk, world["outsider"].pk} & listed
    assert login(world["admin"]).get(_url(User, "change", root.pk)).status_code == 404
    assert login(world["admin"]).get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code == 404


def _choice_models(form) -> list[tuple[str, ModelChoiceField]]:
    return [(name, field) for name, field in form.fields.items() if isinstance(field, ModelChoiceField)]


def test_foreign_key_choices_hold_nothing_of_another_kabupaten(world, built, login):
    """On every scoped change form (inlines included), no choice field offers Garut's row of its model."""
    client = login(world["admin"])
    leaks, checked = [], set()
    for model in OURS:
        if model in NATIONAL:
            continue
        response = client.get(_url(model, "change", built["sumedang"][model._meta.label].pk))
        forms = [response.context["adminform"].form]
        forms += [
            inline.formset.forms[0] for inline in response.context["inline_admin_formsets"] if inline.formset.forms
        ]
        for form in forms:
            for name, field in _choice_models(form):
                related = field.queryset.model
                if related in NATIONAL or related._meta.label not in built["garut"]:
                    continue
                checked.add(f"{form._meta.model._meta.label}.{name}")
                if built["garut"][related._meta.label].pk in field.queryset.values_list("pk", flat=True):
                    leaks.append(f"{model._meta.label}: {form._meta.model._meta.label}.{name}")
    assert not leaks
    # The walk met the fields it is about (a form without them would check nothing).
    assert {
        "families.Family.group",
        "coaching.Attendance.family",
        "groups.User.areas",
        "cadres.CadreRole.group",
    } <= checked


def test_a_foreign_key_filter_offers_only_what_the_list_refers_to(world, built, garut_admin, login):
    only_sumedang = f.kka_instrument([("A1", 0, 3, "motorik_kasar")], name="Dipakai di Sumedang", active=False)
    f.kka_check(built["sumedang"]["families.Child"], DAY, instrument=only_sumedang)
    for client, shown in ((login(garut_admin), False), (login(world["admin"]), True)):
        cl = client.get(_url(KkaCheck, "changelist")).context["cl"]
        choices = {pk for spec in cl.filter_specs for pk, _label in getattr(spec, "lookup_choices", [])}
        assert (only_sumedang.pk in choices) is shown


def test_a_select_offers_only_the_areas_in_scope(world, built, login):
    form = login(world["admin"]).get(_url(type(world["group_a"]), "change", world["group_a"].pk)).context["adminform"]
    choices = set(form.form.fields["desa"].queryset)
    assert choices == {world["desa_a1"], world["desa_a2"], world["desa_b1"]}


def _form_data(response) -> dict:
    """What the change form would post back unchanged, inlines and their management forms included."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms += list(inline.formset.forms)
    for form in forms:
        for name in form.fields:
            value, widget = form[name].value(), form.fields[name].widget
            if value is None or value is False:
                continue
            if isinstance(widget, MultiWidget):  # the date and time boxes of a timestamp
                data.update(
                    {f"{form.add_prefix(name)}_{i}": str(part) for i, part in enumerate(widget.decompress(value))}
                )
            else:
                data[form.add_prefix(name)] = "on" if value is True else value
    return data


def test_an_out_of_scope_foreign_key_id_is_a_form_error(world, built, login):
    family = built["sumedang"]["families.Family"]
    client = login(world["admin"])
    url = _url(type(family), "change", family.pk)
    data = _form_data(client.get(url))
    assert client.post(url, {**data, "mother_name": "Ibu S baru"}).status_code == 302  # the form posts back as is
    response = client.post(url, {**data, "group": world["group_x"].pk})
    assert response.status_code == 200 and response.context["adminform"].form.errors["group"]
    assert "BKB Garut" not in response.text  # the raw id box names no row outside the scope
    family.refresh_from_db()
    assert family.group == world["group_a"]

    session = built["sumedang"]["coaching.CoachingSession"]
    url = _url(type(session), "change", session.pk)
    data = _form_data(client.get(url))
    data["attendances-0-family"] = built["garut"]["families.Family"].pk
    response = client.post(url, data)
    assert response.status_code == 200
    assert Attendance.objects.get(session=session).family == built["sumedang"]["families.Family"]


def _new_user(**fields) -> dict:
    return {
        "username": "baru",
        "usable_password": "true",
        "password1": "Sandi-baru-2026!",
        "password2": "Sandi-baru-2026!",
        "role": "supervisor",
        **fields,
    }


def test_a_kabupaten_admin_gives_neither_superuser_nor_an_area_outside_her_own(world, login):
    client = login(world["admin"])
    add = reverse("admin:groups_user_add")
    response = client.post(add, _new_user(areas=[world["other_kab"].pk]))
    assert response.status_code == 200 and response.context["adminform"].form.errors["areas"]
    assert client.post(add, _new_user()).context["adminform"].form.errors["areas"]  # an account she could not see
    assert not User.objects.filter(username="baru").exists()

    response = client.post(add, _new_user(areas=[world["kec_a"].pk], is_superuser="on", is_staff="on"))
    assert response.status_code == 302
    new = User.objects.get(username="baru")
    assert (new.is_superuser, new.is_staff, list(new.areas.all())) == (False, False, [world["kec_a"]])

    change = reverse("admin:groups_user_change", args=[new.pk])
    page = client.get(change)
    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(page.context["adminform"].form.fields)
    data = {
        **_form_data(page),
        "role": "admin",
        "areas": [world["kec_a"].pk, world["desa_x"].pk],
        "is_superuser": "on",
        "user_permissions": [1],
        "groups": [AuthGroup.objects.create(name="semua").pk],
    }
    response = client.post(change, data)
    assert response.status_code == 200 and response.context["adminform"].form.errors["areas"]
    assert client.post(change, {**data, "areas": [world["kec_a"].pk]}).status_code == 302
    new.refresh_from_db()
    # Staff status follows the role; nothing else of Django's permissions came through.
    assert (new.is_superuser, new.is_staff, new.role) == (False, True, "admin")
    assert not new.groups.exists() and not new.user_permissions.exists()
    assert list(new.areas.all()) == [world["kec_a"]]


def test_an_admin_she_makes_has_an_area(world, login):
    """An admin without areas sees every kabupaten: not even a cadre's account becomes one without an area."""
    client = login(world["admin"])
    cadre = world["cadre_a"]
    change = reverse("admin:groups_user_change", args=[cadre.pk])
    data = _form_data(client.get(change))
    assert not data.get("areas")  # a cadre's account without areas stays one
    assert client.post(change, {**data, "first_name": "Imas"}).status_code == 302
    response = client.post(change, {**data, "role": "admin"})
    assert response.status_code == 200 and response.context["adminform"].form.errors["areas"]
    cadre.refresh_from_db()
    assert (cadre.role, cadre.is_staff, cadre.first_name) == ("cadre", False, "Imas")


def test_a_superuser_still_sees_and_sets_everything(world, built, login):
    root = login(f.user("pusat", "admin", is_superuser=True, is_staff=True))
    for model in OURS:
        if model not in NATIONAL:
            listed = _listed(root, model)
            assert {built["sumedang"][model._meta.label].pk, built["garut"][model._meta.label].pk} <= listed
    form = root.get(reverse("admin:groups_user_change", args=[world["admin"].pk])).context["adminform"].form
    assert {"is_superuser", "is_staff", "groups", "user_permissions"} <= set(form.fields)


def test_supervisors_and_cadres_are_kept_out_even_as_staff(world, built, login):
    for persona in ("supervisor", "cadre_a"):
        person = world[persona]
        client = login(person)
        assert client.get(_url(type(world["group_a"]), "changelist")).status_code == 302  # not staff: the login page
        person.is_staff = True
        person.save()
        assert client.get(_url(type(world["group_a"]), "changelist")).status_code == 403


def test_an_admin_left_without_areas_sees_nothing(world, built, login):
    # Her last area deleted (or never given by a superuser): no scope, not the whole country.
    from cadres.access import groups_visible_to

    bare = f.user("admin_kosong", "admin", is_staff=True)
    assert not groups_visible_to(bare).exists() and not Area.objects.visible_to(bare).exists()
    assert _listed(login(bare), BkbGroup) == set() and _listed(login(bare), User) == set()
    assert login(bare).get(_url(BkbGroup, "change", world["group_a"].pk)).status_code == 404


def test_an_inline_shows_and_deletes_only_the_rows_in_her_scope(world, built, login):
    # A cadre of Sumedang who also serves in Garut: her Garut role is not on Sumedang's page.
    from cadres.models import CadreRole

    cadre = world["cadre_a"].cadre
    garut_role = CadreRole.objects.create(cadre=cadre, group=world["group_x"], role="inti", age_group=1, started_on=DAY)
    page = login(world["admin"]).get(_url(Cadre, "change", cadre.pk))
    assert page.status_code == 200
    formset = next(fs for fs in page.context["inline_admin_formsets"] if fs.formset.model is CadreRole)
    assert garut_role.pk not in {form.instance.pk for form in formset.formset.forms}
    assert CadreRole.objects.filter(pk=garut_role.pk).exists()


def test_a_cadre_account_is_hers_while_its_current_roles_are_in_her_groups(world, built, garut_admin, login):
    from cadres.models import CadreRole

    cadre_a = world["cadre_a"]
    assert cadre_a.pk in _listed(login(world["admin"]), User)
    # She moves to Garut: her past role in Sumedang no longer lets Sumedang's admin manage her account.
    CadreRole.objects.filter(cadre__user=cadre_a).update(started_on=datetime.date(2020, 1, 1), ended_on=DAY)
    CadreRole.objects.create(cadre=cadre_a.cadre, group=world["group_x"], role="inti", age_group=1, started_on=DAY)
    assert cadre_a.pk not in _listed(login(world["admin"]), User)
    password = reverse("admin:auth_user_password_change", args=[cadre_a.pk])
    assert login(world["admin"]).get(password).status_code == 404
    assert cadre_a.pk in _listed(login(garut_admin), User)
