"""Report pages: a group's month (preview, PDF, rows behind each figure, the
submit/verify workflow), the supervisor dashboard, the area recap (and its PDF
job above kecamatan level), batch printing and certificates."""

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bkb.lib import history, sheets
from bkb.lib.inputs import param_int, param_text, printable
from bkb.lib.months import Month
from cadres.access import get_group_for, groups_visible_to, require
from groups import once
from groups.access import get_area_for
from reports import (
    access,
    completeness,
    dhis2,
    documents,
    exports,
    figures,
    kept,
    rendering,
    selectors,
    services,
    targets,
    todo,
)
from reports import area as area_views
from reports import dashboard as dashboards
from reports import growth_export as growth_sheet
from reports.charts import trend_svg
from reports.dashboard import GRID_MAX_GROUPS, INDICATORS
from reports.forms import BatchPrintForm, Dhis2MappingForm, ReviewForm
from reports.models import BatchPrint


def _month(text: str | None) -> Month:
    if not text:
        return Month.of(timezone.localdate()).previous()
    try:
        return Month.parse(text)
    except ValueError as error:
        raise Http404 from error


def _month_param(text: str | None) -> Month:
    """A `bulan` typed into an address or a form: a 400 that says how to write it."""
    try:
        return _month(text)
    except Http404 as error:
        raise BadRequest(
            _("Bulan '%(value)s' tidak dikenal: tulis seperti 2026-10.") % {"value": printable(text)[:40]}
        ) from error


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def tasks(request, group_id):
    """*Tugas bulan ini*: the cadre's home. The report is the chair's task, shown to whoever may send it."""
    group = get_group_for(request.user, group_id)
    found = todo.cadre_tasks(group, today=timezone.localdate())
    can_submit = access.can_submit(request.user, group)
    shown = [
        task_group for task_group in found.groups if task_group.count and (can_submit or task_group.key != "report")
    ]
    return render(
        request,
        "reports/tasks.html",
        {
            "group": group,
            "tasks": found,
            "task_groups": shown,
            "count": sum(g.count for g in shown),
            "bars": targets.month_bars(group, found.month),
        },
    )


def supervisor_tasks(request):
    """The supervisor's list (issue 14): what needs following up in her area, as of today."""
    require(access.can_see_overview(request.user))
    areas = list(access.overview_areas(request.user))
    if not areas:
        return render(request, "reports/supervisor_tasks.html", {"areas": [], "task_groups": [], "count": 0})
    area_id = param_int(request.GET.get("wilayah"), what=_("Wilayah"))
    area = get_area_for(request.user, area_id) if area_id is not None else selectors.home_area(request.user, areas)
    found = todo.supervisor_tasks(groups_visible_to(request.user).in_area(area), today=timezone.localdate())
    return render(
        request,
        "reports/supervisor_tasks.html",
        {
            "areas": areas,
            "area": area,
            "tasks": found,
            "task_groups": [task_group for task_group in found.groups if task_group.count],
            "count": found.count,
        },
    )


def group_month(request, group_id, month):
    group = get_group_for(request.user, group_id)
    return _group_month_page(request, group, _month(month))


def _group_month_page(request, group, month: Month, *, submit_error: str = "", status: int = 200):
    user, today = request.user, timezone.localdate()
    report = selectors.current_report(group, month)
    context = rendering.group_report_context(
        documents.group_report_data(group, month),
        report=report,
        rows_url=reverse("reports:group_month", args=[group.pk, str(month)]) + "rincian/",
    )
    can_issue_certificate = access.can_issue_certificate(user)
    context.update(
        {
            "group": group,
            "history": selectors.report_history(group, month),
            **history.page_context(selectors.report_changes(group, month)),
            "freshness": kept.Freshness(kept.live_counted_at(group, month)),
            "can_submit": access.can_submit(user, group),
            # Shown beside a disabled button rather than hiding it: the chair learns when she can.
            "submit_not_yet": services.submit_not_yet(month, today),
            "submit_error": submit_error,
            "can_review": access.can_review_report(user, report),
            "can_issue_certificate": can_issue_certificate,
            "cadre_ids": selectors.certificate_cadres(group) if can_issue_certificate else {},
            "previous": month.previous(),
            "next": month.next() if month.next().first <= today else None,
        }
    )
    return render(request, "reports/group_month.html", context, status=status)


def group_month_pdf(request, group_id, month):
    group = get_group_for(request.user, group_id)
    month = _month(month)
    return _pdf_response(rendering.group_report_pdf(group, month), rendering.group_report_filename(group, month))


def group_month_export(request, group_id, month, fmt):
    """The month's figures as the page shows them (live counts), a row per figure, as .xlsx or .csv."""
    group = get_group_for(request.user, group_id)
    month = _month(month)
    sheet = exports.month_sheet(
        group,
        month,
        exports.month_figures(group, month),
        report=selectors.current_report(group, month),
        counted_at=kept.live_counted_at(group, month),
    )
    return sheets.response([sheet], f"angka-{slugify(group.name) or 'kelompok'}-{group.pk}-{month}", fmt)


def report_version(request, pk):
    report = access.get_report_for(request.user, pk)
    context = rendering.group_report_context(report.snapshot, report=report)
    context["group"] = report.group
    return render(request, "reports/report_version.html", context)


def figure_rows(request, group_id, month, key):
    group = get_group_for(request.user, group_id)
    month = _month(month)
    try:
        rows = figures.rows_behind(group, month, key)
    except KeyError as error:
        raise Http404 from error
    return render(
        request,
        "reports/figure_rows.html",
        {
            "group": group,
            "month": month,
            "key": key,
            "label": figures.label(key),
            "rows": rows,
            "population": figures.FIGURE_POPULATION[key].key,
        },
    )


@require_POST
@once.guard
def report_submit(request, group_id, month):
    group = get_group_for(request.user, group_id)
    month = _month(month)
    try:
        report = services.report_submit(
            group=group, month=month, user=request.user, correction_confirmed=request.POST.get("konfirmasi") == "1"
        )
        once.record(request, reverse("reports:group_month", args=[group.pk, str(month)]))
    except ValidationError as error:
        # Beside the button and its checkbox, with the figures still in view.
        return _group_month_page(request, group, month, submit_error=" ".join(error.messages), status=400)
    else:
        messages.success(
            request,
            _("Laporan %(month)s versi %(v)s terkirim ke PKB/PLKB.") % {"month": month.label, "v": report.version},
        )
    return redirect("reports:group_month", group.pk, str(month))


@require_POST
def report_review(request, pk):
    report = access.get_report_for(request.user, pk, review=True)
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        if form.cleaned_data["action"] == "verify":
            services.report_verify(report=report, user=request.user)
            messages.success(request, _("Laporan diverifikasi."))
        else:
            services.report_return(report=report, user=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, _("Laporan dikembalikan ke kelompok dengan catatan."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reports:group_month", report.group_id, str(report.period))


def dashboard(request):
    require(access.can_see_overview(request.user))
    areas = list(access.overview_areas(request.user))
    if not areas:
        return render(request, "reports/dashboard.html", {"areas": [], "rows": []})
    area_id = param_int(request.GET.get("wilayah"), what=_("Wilayah"))
    area = get_area_for(request.user, area_id) if area_id is not None else selectors.home_area(request.user, areas)
    month = _month_param(request.GET.get("bulan"))
    sort = param_text(request, "urut", max_length=40)
    page = param_int(request.GET.get("halaman"), what=_("Halaman")) or 1
    groups = groups_visible_to(request.user).in_area(area)
    data = dashboards.dashboard(groups, area, month, sort=sort, page=page)
    today = timezone.localdate()
    # Completeness over the 12 months: only for an area small enough to read as a grid (GRID_MAX_GROUPS).
    grid = completeness.completeness(groups, last_month=month, today=today) if data.groups <= GRID_MAX_GROUPS else None
    trends = [
        (indicator, trend_svg(points, unit=indicator.unit, title=str(indicator.label)), points)
        for indicator, points in data.series
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "areas": areas,
            "area": area,
            "month": month,
            "data": data,
            "rows": data.rows,
            "totals": data.totals,
            "indicators": INDICATORS,
            "trends": trends,
            "sort": sort,
            "today": today,
            "can_batch_print": access.can_batch_print(request.user),
            "can_map_dhis2": access.can_map_dhis2(request.user),
            "grid": grid,
            "grid_months": grid[0].cells if grid else [],
            "grid_max": GRID_MAX_GROUPS,
        },
    )


def _recap_area(request, area_id, month):
    return access.get_overview_area_for(request.user, area_id), _month(month)


def _recap(request, area, month: Month, *, sections: bool = False):
    return area_views.recap(area, groups_visible_to(request.user).in_area(area), month, sections=sections)


def area_recap(request, area_id, month):
    area, month = _recap_area(request, area_id, month)
    recap = _recap(request, area, month)
    context = rendering.area_recap_context(recap)
    context["job"] = selectors.recap_job_latest(area, month) if recap.by_kecamatan else None
    context["dhis2"] = _dhis2_box(request, area)
    return render(request, "reports/area_recap.html", context)


def area_recap_export(request, area_id, month, fmt):
    """The recap page's table (its rows and totals) as .xlsx or .csv."""
    area, month = _recap_area(request, area_id, month)
    sheet = exports.recap_sheet(_recap(request, area, month))
    return sheets.response([sheet], f"rekap-{slugify(area.name) or 'wilayah'}-{area.pk}-{month}", fmt)


def _dhis2_box(request, area) -> dict | None:
    """For an admin whose kabupaten has a DHIS2 mapping: the export link, or why there is none,
    and the figures it leaves out (one query, only for admins)."""
    if not access.can_map_dhis2(request.user):
        return None
    mapping = dhis2.mapping_for(area)
    if mapping is None:
        return None
    return {"mapping": mapping, "org_unit": mapping.org_unit(area), "unmapped": dhis2.unmapped(mapping)}


def growth_export(request, area_id, month, fmt):
    """The area's month of measurements for the Puskesmas (.xlsx or .csv): the recap's visibility."""
    area, month = _recap_area(request, area_id, month)
    groups = groups_visible_to(request.user).in_area(area)
    return sheets.response([growth_sheet.sheet(groups, month)], growth_sheet.filename(area, month), fmt)


def dhis2_export(request, area_id, month):
    """The area's month as a DHIS2 dataValueSets JSON; without an org unit for the area, back to the recap saying so."""
    area, month = _recap_area(request, area_id, month)
    mapping = dhis2.mapping_for(area)
    if mapping is None or not mapping.org_unit(area):
        messages.error(
            request,
            _("%(area)s belum punya unit organisasi DHIS2 di pemetaan: admin mengunggahnya di Pemetaan DHIS2.")
            % {"area": area.label},
        )
        return redirect("reports:area_recap", area.pk, str(month))
    recap = area_views.recap(area, groups_visible_to(request.user).in_area(area), month, every_figure=True)
    document, _unmapped = dhis2.data_value_set(recap, mapping, complete_date=timezone.localdate())
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{dhis2.filename(area, month)}"'
    return response


def dhis2_mapping(request):
    """The admin's DHIS2 mapping: the current one, the figures it leaves out, and its upload (all rows or none)."""
    kabupaten = access.get_dhis2_kabupaten_for(request.user, param_int(request.GET.get("wilayah"), what=_("Wilayah")))
    mapping = dhis2.mapping_for(kabupaten) if kabupaten else None
    form = Dhis2MappingForm(
        request.POST or None, request.FILES or None, initial={"data_set": mapping.data_set if mapping else ""}
    )
    errors: list = []
    status = 200
    if request.method == "POST" and kabupaten is not None:
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                _content, table = sheets.read_upload(upload)
            except sheets.SheetError as error:
                errors = [str(error)]
            else:
                read = dhis2.read_mapping(table, kabupaten)
                errors = [str(error) for error in read.errors]
                if not errors:
                    dhis2.mapping_save(
                        kabupaten=kabupaten, read=read, data_set=form.cleaned_data["data_set"], user=request.user
                    )
                    messages.success(
                        request,
                        _("Pemetaan DHIS2 disimpan: %(figures)s indikator, %(areas)s wilayah.")
                        % {"figures": len(read.figures), "areas": len(read.org_units)},
                    )
                    return redirect(f"{reverse('reports:dhis2')}?wilayah={kabupaten.pk}")
        status = 400
    return render(
        request,
        "reports/dhis2.html",
        {
            "kabupaten": kabupaten,
            "kabupatens": access.dhis2_kabupatens(request.user),
            "mapping": mapping,
            "form": form,
            "errors": errors,
            "mapped": dhis2.mapped_figures(mapping),
            "unmapped": dhis2.unmapped(mapping),
            "org_units": dhis2.mapped_areas(mapping),
        },
        status=status,
    )


def dhis2_example(request, fmt):
    """The mapping as a table to fill in: every figure key with its label, every area, the current uids."""
    kabupaten = access.get_dhis2_kabupaten_for(request.user, param_int(request.GET.get("wilayah"), what=_("Wilayah")))
    if kabupaten is None:
        raise Http404
    sheet = dhis2.example_sheet(kabupaten, dhis2.mapping_for(kabupaten))
    return sheets.response([sheet], f"pemetaan-dhis2-{kabupaten.pk}", fmt)


def area_recap_pdf(request, area_id, month):
    """A kecamatan's or desa's recap as PDF now; above kecamatan level, a job on the worker (POST)."""
    area, month = _recap_area(request, area_id, month)
    if area_views.by_kecamatan(area):
        if request.method != "POST":
            # Made on the worker, started by the recap page's button rather than by following a link.
            messages.info(request, _("PDF rekap wilayah ini dibuat di latar belakang: tekan tombol Buat PDF."))
            return redirect("reports:area_recap", area.pk, str(month))
        job = services.recap_pdf_start(area=area, month=month, user=request.user)
        return redirect("reports:recap_job", job.pk)
    content = rendering.area_recap_pdf(_recap(request, area, month))
    return _pdf_response(content, rendering.area_recap_filename(area, month))


def recap_job(request, pk):
    return _job_page(request, access.get_recap_job_for(request.user, pk))


def recap_job_download(request, pk):
    job = access.get_recap_job_for(request.user, pk)
    return _download(request, job, job.pdf, "application/pdf")


@require_POST
def recap_job_retry(request, pk):
    job = access.get_recap_job_for(request.user, pk)
    services.job_retry(batch=job)
    return redirect("reports:recap_job", job.pk)


def _job_page(request, batch, *, status: int = 200):
    """A job's progress page (batch print or recap), or its state as JSON for the page's polling.

    A job whose worker stopped is marked failed here, so the page offers its retry."""
    now = timezone.now()
    if batch.is_stalled(now) and BatchPrint.objects.filter(pk=batch.pk).fail_stalled(now):
        batch.refresh_from_db()
    if batch.kind == batch.Kind.RECAP:
        downloads = {"pdf": reverse("reports:recap_job_download", args=[batch.pk]), "zip": None}
    else:
        downloads = {kind: reverse("reports:batch_download", args=[batch.pk, kind]) for kind in ("pdf", "zip")}
    downloads = {kind: url if url and getattr(batch, kind) else None for kind, url in downloads.items()}
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {
                "status": batch.status,
                "done": batch.done,
                "total": batch.total,
                "percent": batch.percent,
                **downloads,
                "label": batch.get_status_display(),
            }
        )
    if batch.kind == batch.Kind.RECAP:
        retry_url = reverse("reports:recap_job_retry", args=[batch.pk])
        status_url = reverse("reports:recap_job", args=[batch.pk])
    else:
        retry_url = reverse("reports:batch_retry", args=[batch.pk])
        status_url = reverse("reports:batch_detail", args=[batch.pk])
    context = {"batch": batch, "status_url": status_url, "retry_url": retry_url, "can_retry": batch.can_retry(now)}
    return render(request, "reports/batch_detail.html", context, status=status)


def _download(request, batch, file, content_type: str) -> HttpResponse:
    """A job's file; its page saying the file is missing (404) when the row names a file the disk
    does not hold: a database restored from a backup without its media folder."""
    if file and not file.storage.exists(file.name):
        return _job_page(request, batch, status=404)
    return _file_response(file, content_type)


def _file_response(file, content_type: str) -> HttpResponse:
    if not file:
        raise Http404
    response = HttpResponse(file.read(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.name.rsplit("/", 1)[-1]}"'
    return response


@once.guard
def batch_print(request):
    require(access.can_batch_print(request.user))
    areas = access.overview_areas(request.user)
    initial = {"month": str(Month.of(timezone.localdate()).previous())}
    form = BatchPrintForm(request.POST or None, areas=areas, initial=initial)
    area_id = request.POST.get("area", "")
    if area_id.isascii() and area_id.isdigit():
        get_area_for(request.user, area_id)  # another kabupaten's area is 404, like its address
    if request.method == "POST" and form.is_valid():
        batch = services.batch_print_start(
            area=form.cleaned_data["area"], month=form.cleaned_data["month"], user=request.user
        )
        once.record(request, reverse("reports:batch_detail", args=[batch.pk]))
        return redirect("reports:batch_detail", batch.pk)
    return render(
        request,
        "reports/batch_print.html",
        {"form": form, "recent": selectors.recent_batches(request.user)},
        status=400 if request.method == "POST" else 200,
    )


def batch_detail(request, pk):
    return _job_page(request, access.get_batch_for(request.user, pk))


def batch_download(request, pk, kind):
    batch = access.get_batch_for(request.user, pk)
    file = batch.pdf if kind == "pdf" else batch.zip
    return _download(request, batch, file, "application/pdf" if kind == "pdf" else "application/zip")


@require_POST
def batch_retry(request, pk):
    batch = access.get_batch_for(request.user, pk)
    services.job_retry(batch=batch)
    return redirect("reports:batch_detail", batch.pk)


def certificate(request, cadre_id):
    cadre, group = access.get_certificate_for(request.user, cadre_id)
    reason = param_text(request, "alasan", max_length=300) or _(
        "atas pengabdian dan dedikasinya sebagai kader Bina Keluarga Balita"
    )
    pdf = rendering.certificate_pdf(
        cadre=cadre, group=group, issued_by=request.user, on=timezone.localdate(), reason=reason
    )
    return _pdf_response(pdf, f"piagam-{cadre.pk}.pdf")
