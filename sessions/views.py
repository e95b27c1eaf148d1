"""Session pages: the group's sessions, the one-screen session log, home
visits for the month, WhatsApp texts, the printable sheet and the back-entry grid."""

import copy
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bkb.lib import history
from bkb.lib.ages import add_months
from bkb.lib.inputs import param_day, param_text, parse_day, parse_month
from bkb.lib.months import Month
from bkb.lib.pdf import render_pdf
from bkb.lib.validators import not_in_future
from bkb.offline import entry_day, render_pages
from cadres.access import can_write_registers, get_group_for
from families import kka
from families.access import get_child_for, get_family_for
from families.forms import KkaCheckForm
from families.models import Family
from groups import once
from sessions import offline, selectors, services, whatsapp
from sessions.access import get_session_for
from sessions.forms import GridRowForm, GridTopForm, HomeVisitForm, InvitationForm, SessionForm
from sessions.models import Attendance, CoachingSession


def _day_param(request) -> datetime.date | None:
    """The `tanggal` a page was opened for; an unreadable one is said at the top and ignored."""
    text = request.GET.get("tanggal", "")
    day = parse_day(text)
    if text and day is None:
        messages.error(
            request,
            _("Tanggal '%(value)s' tidak dapat dibaca: tulis seperti 2026-11-24. Halaman memakai hari ini.")
            % {"value": param_text(request, "tanggal", max_length=40)},
        )
    return day


def _month_param(request) -> Month:
    """The `bulan` a page was opened for; an unreadable one falls back to this month."""
    return parse_month(request.GET.get("bulan", "")) or Month.of(timezone.localdate())


def _add_errors(form, error: ValidationError) -> None:
    """Service errors go beside the field they concern, else at the top."""
    aliases = {"attendance": "hadir"}
    for key, errors in error.update_error_dict({}).items():
        # A stale page is said by its comparison (#stale-edit), not by one more red message.
        errors = [e for e in errors if getattr(e, "code", None) != services.STALE]
        field = aliases.get(key, key)
        if errors:
            form.add_error(field if field in form.fields else None, errors)


def session_list(request, group_id):
    group = get_group_for(request.user, group_id)
    return render(
        request,
        "sessions/session_list.html",
        {
            "group": group,
            "sessions": selectors.session_list(group),
            "can_write": can_write_registers(request.user),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@once.guard
def session_edit(request, group_id=None, pk=None):
    if pk:
        session = get_session_for(request.user, pk, write=True)
        group = session.group
    else:
        group = get_group_for(request.user, group_id, write=True)
        session = CoachingSession(group=group)
    choices = selectors.session_choices(group, session)
    form = SessionForm(request.POST or None, instance=session, choices=choices, day=_day_param(request))
    conflict = stale = None
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_save(
                session=form.instance,
                cadres=form.cadre_roles(),
                attendance=form.attendance,
                user=request.user,
                version=form.cleaned_data["version"] or None,
            )
            once.record(request, reverse("sessions:detail", args=[session.pk]))
        except ValidationError as error:
            _add_errors(form, error)
            conflict = services.conflict_in(error)
            if services.is_stale(error):
                stale = selectors.stale_edit(
                    session.pk, entry=form.cleaned_data, cadres=form.cadre_roles(), attendance=form.attendance
                )
                if stale is None:
                    raise Http404 from None  # deleted since the page was opened
                form.carry_version(stale.version)
        else:
            messages.success(request, _("Pertemuan %(date)s tersimpan.") % {"date": session.date.strftime("%d-%m-%Y")})
            return redirect("sessions:detail", pk=session.pk)
    return render(
        request,
        "sessions/session_form.html",
        {
            "form": form,
            "group": group,
            "session": session,
            "conflict": conflict,
            "stale": stale,
            "bands": form.tick(
                selectors.members_by_age_group(group, on=form.listing_date(), age_groups=form.listing_age_groups())
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def session_detail(request, pk):
    session = get_session_for(request.user, pk)
    return render(
        request,
        "sessions/session_detail.html",
        {"session": session, "group": session.group, "can_write": can_write_registers(request.user)}
        | selectors.session_detail(session)
        | history.page_context(selectors.session_history(session)),
    )


def home_visits(request, group_id):
    group = get_group_for(request.user, group_id)
    month = _month_param(request)
    today = timezone.localdate()
    return render(
        request,
        "sessions/home_visit_list.html",
        {
            "group": group,
            "month": month.first,
            "previous": month.previous().first,
            "next": month.next().first if month.next().first <= today else None,
            "rows": selectors.home_visit_list(group, month=month, today=today),
            "can_write": can_write_registers(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@once.guard
def home_visit_create(request, family_id):
    family = get_family_for(request.user, family_id, write=True)
    month = _month_param(request)
    back = reverse("sessions:home_visits", args=[family.group_id]) + f"?bulan={month}"
    form = HomeVisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.home_visit_create(family=family, user=request.user, **form.cleaned_data)
            once.record(request, back)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Kunjungan ke ibu %(name)s tersimpan.") % {"name": family.mother_name})
            return redirect(back)
    return render(
        request,
        "sessions/home_visit_form.html",
        {"form": form, "family": family, "group": family.group, "back": back},
        status=400 if request.method == "POST" else 200,
    )


def session_whatsapp(request, pk):
    session = get_session_for(request.user, pk)
    group = session.group
    defaults = {
        "tanggal": add_months(session.date, 1),
        "jam": "09.00",
        "tempat": group.meeting_place or session.place,
        "materi": "",
    }
    form = InvitationForm(request.GET if "tanggal" in request.GET else None, initial=defaults)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else defaults

    def invitation_in(language: str) -> str:
        return whatsapp.invitation_text(
            group=group,
            date=chosen["tanggal"],
            time=chosen["jam"],
            place=chosen["tempat"],
            topic=chosen["materi"],
            language=language,
        )

    def reminder_in(language: str) -> str:
        return whatsapp.reminder_text(session=session, language=language)

    # The texts shown for copying (to a group chat) are in the families' default language.
    invitation = invitation_in(Family.Language.INDONESIAN)
    reminder = reminder_in(Family.Language.INDONESIAN)
    detail = selectors.session_detail(session)
    members = Family.objects.filter(group=group).members_on(timezone.localdate()).order_by("mother_name")
    return render(
        request,
        "sessions/session_whatsapp.html",
        {
            "session": session,
            "group": group,
            "form": form,
            "invitation": invitation,
            "reminder": reminder,
            "invitees": whatsapp.recipients(members, invitation_in),
            "absentees": whatsapp.recipients(detail["absent"], reminder_in),
        },
    )


def session_sheet_pdf(request, group_id):
    group = get_group_for(request.user, group_id)
    # The sheet is printed before the meeting, so a future date is the usual case.
    day = param_day(request) or timezone.localdate()
    rows = selectors.sheet_children(group, on=day)
    pdf = render_pdf(
        "sessions/session_sheet_pdf.html",
        {"group": group, "day": day, "bands": selectors.sheet_bands(rows), "today": timezone.localdate()},
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lembar-pertemuan-{group.pk}-{day:%Y-%m-%d}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@once.guard
def session_back_entry(request, group_id):
    group = get_group_for(request.user, group_id, write=True)
    day = _day_param(request) or timezone.localdate()
    try:
        not_in_future(day)  # the grid logs a session that was held
    except ValidationError:
        messages.error(request, _("Pertemuan belum terjadi: tanggal tidak boleh di masa depan."))
        return redirect(reverse("sessions:back_entry", args=[group.pk]) + f"?tanggal={timezone.localdate():%Y-%m-%d}")
    session_pk = request.GET.get("pertemuan", "")
    sessions = CoachingSession.objects.filter(group=group, date=day).order_by("pk")
    session = (sessions.filter(pk=session_pk).first() if session_pk.isdigit() else None) or sessions.first()
    data = request.POST or None
    top = GridTopForm(
        data,
        session=session,
        initial={
            "topic": session.topic_id if session else None,
            "age_groups": session.age_groups if session else [],
            "place": session.place if session else group.meeting_place,
        },
    )
    # Same order as the printed sheet, so the cadre types it in line by line.
    rows = [
        row
        for band in selectors.sheet_bands(selectors.sheet_children(group, on=day, session=session))
        for row in band.rows
    ]
    present = {}
    if session:
        present = {a.family_id: a for a in session.attendances.all()}
    forms_ = []
    for row in rows:
        initial = {"attendee": Attendance.Attendee.MOTHER, "tasks": sorted(row.recorded_here)}
        attended = present.get(row.child.family_id)
        if attended and attended.child_id in (None, row.child.pk):
            initial.update(hadir=True, attendee=attended.attendee)
        if row.measurement:
            m = row.measurement
            initial.update(weight=m.weight_kg, height=m.height_cm, position=m.position)
        else:
            initial["position"] = row.position
        forms_.append(GridRowForm(data, row=row, prefix=f"c{row.child.pk}", initial=initial))

    if request.method == "POST" and _grid_valid(top, forms_, session=session, group=group, day=day):
        target = session or CoachingSession(group=group, date=day)
        _fill_session(target, top)
        grid_rows = [f.grid_row() for f in forms_]
        try:
            saved = services.session_back_fill(session=target, rows=grid_rows, user=request.user)
            once.record(request, reverse("sessions:detail", args=[saved.pk]))
        except services.GridErrors:
            for form, grid_row in zip(forms_, grid_rows, strict=True):
                for field, errors in grid_row.errors.items():
                    form.add_error(_grid_field(field), errors)
        except ValidationError as error:
            _add_errors(top, error)
        else:
            messages.success(request, _("Isian pertemuan %(date)s tersimpan.") % {"date": day.strftime("%d-%m-%Y")})
            return redirect("sessions:detail", pk=saved.pk)
    return render(
        request,
        "sessions/session_back_entry.html",
        {
            "group": group,
            "day": day,
            "session": session,
            "top": top,
            "forms": forms_,
            "rows_with_errors": [f for f in forms_ if f.errors],
        },
        status=400 if request.method == "POST" else 200,
    )


def _fill_session(target: CoachingSession, top: GridTopForm) -> None:
    target.topic = top.cleaned_data["topic"]
    target.age_groups = top.cleaned_data["age_groups"]
    target.place = top.cleaned_data["place"]


def _grid_valid(top, forms_, *, session, group, day) -> bool:
    """Check the whole grid before writing, reporting every error in one round: the
    top, each row's typing, each parsed row's measurement, and the session's own rules."""
    valid = top.is_valid()
    parsed = [form for form in forms_ if form.is_valid()]
    valid = valid and len(parsed) == len(forms_)
    grid_rows = [form.grid_row() for form in parsed]
    if not services.grid_rows_check(rows=grid_rows, day=day):
        valid = False
        for form, grid_row in zip(parsed, grid_rows, strict=True):
            for field, errors in grid_row.errors.items():
                form.add_error(_grid_field(field), errors)
    if top.is_valid():
        # A copy: the real session is only changed once everything is right.
        target = copy.copy(session) if session else CoachingSession(group=group, date=day)
        _fill_session(target, top)
        try:
            services.session_check(target)
        except ValidationError as error:
            valid = False
            _add_errors(top, error)
    return valid


_MEASUREMENT_FIELDS = {"weight_kg": "weight", "height_cm": "height", "position": "position", "confirmed": "confirm"}


def _grid_field(field: str) -> str | None:
    return _MEASUREMENT_FIELDS.get(field, "weight" if field in ("date", "child") else None)


def roster(request, group_id):
    group = get_group_for(request.user, group_id)
    query = param_text(request, "q")
    attention = request.GET.get("perhatian") == "1"
    today = timezone.localdate()
    found = selectors.roster(group, on=today, query=query, attention=attention)
    bands = found.bands
    context = {
        "group": group,
        "bands": bands,
        "computed_at": found.computed_at,
        "query": query,
        "attention": attention,
        "total": sum(len(band.children) for band in bands),
        "can_write": can_write_registers(request.user),
        "today": today,
        "last_month": str(Month.of(today).previous()),
    }
    if request.headers.get("X-Partial"):
        return render(request, "sessions/roster.html#results", context)
    return render(request, "sessions/roster.html", context)


@require_http_methods(["GET", "POST"])
@once.guard
def child_kka(request, pk):
    # Supervisors may read the card; only saving needs write access.
    child = get_child_for(request.user, pk, write=request.method == "POST")
    today = entry_day(request, not_before=child.birth_date)
    card = kka.child_card(child, today)
    can_write = can_write_registers(request.user)
    # An empty post is a check too: the card reviewed, nothing new to mark.
    form = KkaCheckForm(request.POST if request.method == "POST" else None, card=card, today=today)
    if request.method == "POST":
        if card.instrument is not None and form.is_valid():
            changed = services.kka_check_save(
                child=child,
                instrument=card.instrument,
                on=today,
                marks=form.marks(),
                removals=form.removals(),
                user=request.user,
            )
            once.record(request, reverse("sessions:child_kka", args=[child.pk]))
            messages.success(
                request,
                _("Pemeriksaan KKA %(name)s tersimpan (%(n)s perubahan).") % {"name": child.name, "n": changed},
            )
            return redirect("sessions:child_kka", pk=child.pk)
        messages.error(request, _("Ada isian yang perlu diperbaiki. Lihat pesan merah; isian Anda tidak hilang."))
    return render(
        request,
        "sessions/child_kka.html",
        {"child": child, "card": card, "form": form, "can_write": can_write, "today": today},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_GET
def offline_set(request, group_id):
    """What "Siapkan untuk offline" fetches and keeps on the phone: the group's working set, pages and all.

    Its queries are those of the pages it holds (each a fixed number), one download instead of one per page.
    """
    group = get_group_for(request.user, group_id)
    now = timezone.localtime()
    urls = offline.working_set(group, today=now.date())
    # Before the pages: each page's request sets and then resets the language.
    label = date_format(now, "j M Y, H.i")
    return JsonResponse(
        {
            # Alike pages next to each other: compressed as one stream, each costs little more than its data.
            "pages": render_pages(request, sorted(urls, key=offline.kind_of)),
            "group": group.pk,
            "roster": reverse("sessions:roster", args=[group.pk]),
            "at": now.isoformat(),
            "label": label,
        }
    )
