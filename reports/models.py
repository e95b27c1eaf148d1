"""The monthly report workflow (*R/I/BKB*): submitted by the group's chair,
verified or returned by the PKB/PLKB, due by the 3rd of the next month.

Submitting freezes the figures as they were. A correction after submission is
a new version; earlier versions stay for the record.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bkb.lib.ages import AgeGroup
from bkb.lib.history import request_history
from bkb.lib.months import Month
from cadres.access import groups_visible_to
from cadres.models import CadreRole
from families.models import Family
from groups.models import Area, BkbGroup


class MonthlyReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(group__in=groups_visible_to(user))

    def current(self):
        return self.filter(is_current=True)

    def returned(self):
        """Current versions a supervisor sent back: the chair still has to correct them."""
        return self.current().filter(status=MonthlyReport.Status.RETURNED)


class MonthlyReport(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Dikirim, menunggu verifikasi")
        VERIFIED = "verified", _("Terverifikasi")
        RETURNED = "returned", _("Dikembalikan untuk diperbaiki")

    group = models.ForeignKey(
        BkbGroup, on_delete=models.PROTECT, related_name="monthly_reports", verbose_name=_("kelompok")
    )
    month = models.DateField(_("bulan"), help_text=_("Hari pertama bulan laporan."))
    version = models.PositiveSmallIntegerField(_("versi"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    snapshot = models.JSONField(_("angka yang dikirim"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dikirim oleh")
    )
    submitted_at = models.DateTimeField(_("dikirim"))
    is_late = models.BooleanField(_("terlambat"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diperiksa oleh"),
    )
    reviewed_at = models.DateTimeField(_("diperiksa"), null=True, blank=True)
    review_comment = models.TextField(_("catatan pemeriksa"), blank=True)
    # The version this one corrects; the old row stays, no longer current.
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("mengganti versi"),
    )
    is_current = models.BooleanField(_("versi berlaku"), default=True, editable=False)

    objects = MonthlyReportQuerySet.as_manager()

    history = request_history()

    class Meta:
        verbose_name = _("laporan bulanan")
        verbose_name_plural = _("laporan bulanan")
        ordering = ["-month", "group", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["group", "month", "version"], name="report_version_unique"),
            models.UniqueConstraint(fields=["group", "month"], condition=Q(is_current=True), name="one_current_report"),
            models.CheckConstraint(condition=Q(month__day=1), name="report_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.group} {self.month:%Y-%m} v{self.version}"

    @property
    def period(self) -> Month:
        return Month.of(self.month)

    def why_not_reviewable(self) -> str | None:
        """Why a supervisor cannot verify or return this version, or None when she can."""
        if not self.is_current:
            return gettext("Versi ini sudah diganti dengan versi yang lebih baru.")
        if self.status != self.Status.SUBMITTED:
            return gettext("Laporan ini sudah diperiksa (%(status)s).") % {"status": self.get_status_display()}
        return None

    @property
    def awaits_review(self) -> bool:
        return self.why_not_reviewable() is None


class BatchPrintQuerySet(models.QuerySet):
    def reports(self):
        return self.filter(kind=BatchPrint.Kind.REPORTS)

    def recaps(self):
        return self.filter(kind=BatchPrint.Kind.RECAP)

    def pending(self):
        """Jobs the worker has still to finish: queued or running."""
        return self.filter(status__in=[BatchPrint.Status.QUEUED, BatchPrint.Status.RUNNING])

    def stalled(self, now: datetime.datetime):
        """Running jobs whose worker has made no progress for STALL_AFTER: it was killed or lost."""
        return self.filter(status=BatchPrint.Status.RUNNING, updated_at__lt=now - BatchPrint.STALL_AFTER)

    def fail_stalled(self, now: datetime.datetime) -> int:
        """Mark the stalled jobs failed (their page then offers a retry); how many."""
        return self.stalled(now).update(status=BatchPrint.Status.FAILED, error=BatchPrint.STALLED_ERROR, updated_at=now)


class BatchPrint(models.Model):
    """A PDF made on the task worker for an area and month, with its progress.

    Two kinds: an admin's batch print of every group's report (a PDF and a
    ZIP, progress counted per group), and the recap of an area above
    kecamatan level (one PDF, progress counted per part: the kecamatan
    summary, then each kecamatan's groups), shared by everyone who sees the
    area: one job per area and month at a time.
    """

    class Kind(models.TextChoices):
        REPORTS = "reports", _("laporan kelompok")
        RECAP = "recap", _("rekap wilayah")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Sedang dicetak")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    kind = models.CharField(_("jenis"), max_length=7, choices=Kind.choices, default=Kind.REPORTS)
    area = models.ForeignKey("groups.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("wilayah"))
    month = models.DateField(_("bulan"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dibuat oleh")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("jumlah kelompok"), default=0)
    done = models.PositiveIntegerField(_("sudah dicetak"), default=0)
    pdf = models.FileField(_("berkas PDF"), upload_to="batches/", blank=True)
    zip = models.FileField(_("berkas ZIP"), upload_to="batches/", blank=True)
    error = models.TextField(_("pesan galat"), blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    # The worker's heartbeat: touched when the job starts and at each part it finishes.
    updated_at = models.DateTimeField(_("terakhir bergerak"), default=timezone.now)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    # Rendering one part takes seconds: this long without a step, the worker is gone (a worker
    # killed mid-task leaves its task RUNNING, and no new worker takes it up again).
    STALL_AFTER = datetime.timedelta(minutes=10)
    STALLED_ERROR = _("Gagal: pencetakan berhenti")

    objects = BatchPrintQuerySet.as_manager()

    class Meta:
        verbose_name = _("cetak massal")
        verbose_name_plural = _("cetak massal")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.area} {self.month:%Y-%m}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)

    def is_stalled(self, now: datetime.datetime) -> bool:
        """BatchPrintQuerySet.stalled's rule for this row."""
        return self.status == self.Status.RUNNING and self.updated_at < now - self.STALL_AFTER

    @property
    def files_missing(self) -> bool:
        """Done, but a file it made is not on disk (a database restored without its media folder)."""
        files = [file for file in (self.pdf, self.zip) if file]
        return self.status == self.Status.DONE and any(not file.storage.exists(file.name) for file in files)

    def can_retry(self, now: datetime.datetime) -> bool:
        return self.status == self.Status.FAILED or self.is_stalled(now) or self.files_missing


class GroupMonthFigures(models.Model):
    """A group's month as the area views show it, kept: one typed column per figure.

    The columns hold the figures of the month's standing report where there
    is one, else the live count (reports.area's rule, `source` says which);
    written only by reports.kept from that same computation. A write to the
    group's data marks the rows of its month and later ones `stale` (and adds
    one to `version`) in its own transaction; a refresh writes the figures
    again and clears `stale` only if no write came in between.
    """

    class Source(models.TextChoices):
        REPORT = "report", _("laporan terkirim")
        LIVE = "live", _("hitungan langsung")

    group = models.ForeignKey(BkbGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("kelompok"))
    month = models.DateField(_("bulan"))
    source = models.CharField(_("sumber angka"), max_length=6, choices=Source.choices, default=Source.LIVE)
    # The month's current report whatever its status (the dashboard shows it).
    report = models.ForeignKey(
        MonthlyReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("laporan")
    )
    computed_at = models.DateTimeField(_("dihitung"))
    stale = models.BooleanField(_("perlu dihitung ulang"), default=False)
    version = models.PositiveBigIntegerField(_("versi"), default=0)

    class Meta:
        verbose_name = _("angka kelompok per bulan")
        verbose_name_plural = _("angka kelompok per bulan")
        constraints = [
            models.UniqueConstraint(fields=["group", "month"], name="group_month_figures_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="group_month_figures_first_day"),
        ]
        indexes = [models.Index(fields=["month"], condition=Q(stale=True), name="group_month_figures_stale")]

    def __str__(self):
        return f"{self.group_id} {self.month:%Y-%m}"

    def counts(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in FIGURE_KEYS}

    @property
    def holds_live_counts(self) -> bool:
        """Its columns are the month's live counts, as of `computed_at` (no standing report, no write since)."""
        return self.source == self.Source.LIVE and not self.stale


# Every figure a report counts, in the order of reports.figures' populations,
# which builds its queries from these names (a test holds the two equal).
# Spelled here because a model's columns must be known before any query can be built.
FIGURE_KEYS = [
    "cadres_active", "cadres_trained", "cadres_new",
    *[f"cadres_role_{role}" for role in CadreRole.Role.values],
    "families_members", "families_joined", "families_left", "families_present", "families_absent",
    "families_absent_visited", "families_pus", "families_kb", "families_pkh", "families_krs",
    *[f"families_kb_{method}" for method in Family.KbMethod.values if method],
    "children_total", "children_present",
    *[f"children_age_{value}" for value in AgeGroup.values],
    *[f"children_present_age_{value}" for value in AgeGroup.values],
    "kka_belum_dinilai", "kka_sesuai", "kka_terhutang", "kka_rujukan", "kka_rujukan_unreferred", "kka_checked",
    "referrals_open", "measured", "measured_scored", "stunted", "underweight", "wasted",
    "sessions_held", "sessions_with_ape", "sessions_supervised",
    "referrals_made", "referrals_closed",
]  # fmt: skip


def _figure_label(key: str) -> str:
    from reports.figures import label

    return label(key)


for _key in FIGURE_KEYS:
    GroupMonthFigures.add_to_class(
        _key, models.PositiveIntegerField(lazy(_figure_label, str)(_key), default=0, editable=False)
    )


# --- A kabupaten's targets for a group's month (issue 14) ----------------------------------


@dataclass(frozen=True)
class Targets:
    """The three shares a group's month is held against, in percent."""

    families_present: Decimal
    kka_checked: Decimal
    measured: Decimal


# The defaults wherever a kabupaten has set none: the national figures (domain.md, issue 14).
NATIONAL_TARGETS = Targets(
    # Member families that attended a session this month.
    families_present=Decimal("64.3"),
    # Member children checked on the KKA this month.
    kka_checked=Decimal("64.3"),
    # Children measured this month: there is no national figure. 80% is OUR default, not a
    # national one; a kabupaten sets its own.
    measured=Decimal("80.0"),
)

_PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class AreaTarget(models.Model):
    """A kabupaten's own targets, set by its admin; groups in a kabupaten without one use NATIONAL_TARGETS."""

    area = models.OneToOneField(
        Area,
        on_delete=models.PROTECT,
        related_name="targets",
        limit_choices_to={"level": Area.Level.KABUPATEN},
        verbose_name=_("kabupaten/kota"),
    )
    families_present = models.DecimalField(
        _("target keluarga hadir (%)"),
        max_digits=4,
        decimal_places=1,
        validators=_PERCENT,
        default=NATIONAL_TARGETS.families_present,
        help_text=_("Persen keluarga anggota yang hadir di pertemuan bulan ini."),
    )
    kka_checked = models.DecimalField(
        _("target anak diperiksa KKA (%)"),
        max_digits=4,
        decimal_places=1,
        validators=_PERCENT,
        default=NATIONAL_TARGETS.kka_checked,
        help_text=_("Persen anak anggota yang diperiksa dengan KKA bulan ini."),
    )
    measured = models.DecimalField(
        _("target anak diukur (%)"),
        max_digits=4,
        decimal_places=1,
        validators=_PERCENT,
        default=NATIONAL_TARGETS.measured,
        help_text=_("Persen anak anggota yang diukur bulan ini."),
    )

    class Meta:
        verbose_name = _("target kabupaten")
        verbose_name_plural = _("target kabupaten")
        ordering = ["area__path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(families_present__gte=0, families_present__lte=100)
                & Q(kka_checked__gte=0, kka_checked__lte=100)
                & Q(measured__gte=0, measured__lte=100),
                name="areatarget_percentages_0_100",
            ),
        ]

    def __str__(self):
        return str(self.area)

    def clean(self):
        if self.area_id and self.area.level != Area.Level.KABUPATEN:
            raise ValidationError({"area": _("Target ditetapkan per kabupaten/kota.")})

    @property
    def targets(self) -> Targets:
        return Targets(self.families_present, self.kka_checked, self.measured)


# --- A kabupaten's DHIS2 mapping (issue 15) -------------------------------------------------


class Dhis2Mapping(models.Model):
    """Which DHIS2 data element (and category option combo) each figure goes to, and which
    organisation unit each area is, for one kabupaten. Uploaded by its admin as a table
    (reports.dhis2.read_mapping); the area's month is then exported as a dataValueSets JSON.
    """

    area = models.OneToOneField(
        Area,
        on_delete=models.PROTECT,
        related_name="dhis2_mapping",
        limit_choices_to={"level": Area.Level.KABUPATEN},
        verbose_name=_("kabupaten/kota"),
    )
    # {figure key: {"dataElement": uid, "categoryOptionCombo": uid (optional)}}
    figures = models.JSONField(_("indikator"), default=dict, blank=True)
    # {area id as text: orgUnit uid}
    org_units = models.JSONField(_("unit organisasi"), default=dict, blank=True)
    data_set = models.CharField(_("data set DHIS2"), max_length=11, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diunggah oleh"),
    )
    uploaded_at = models.DateTimeField(_("diunggah"), default=timezone.now)

    class Meta:
        verbose_name = _("pemetaan DHIS2")
        verbose_name_plural = _("pemetaan DHIS2")
        ordering = ["area__path"]

    def __str__(self):
        return str(self.area)

    def clean(self):
        if self.area_id and self.area.level != Area.Level.KABUPATEN:
            raise ValidationError({"area": _("Pemetaan DHIS2 ditetapkan per kabupaten/kota.")})

    def org_unit(self, area: Area) -> str | None:
        return self.org_units.get(str(area.pk))
