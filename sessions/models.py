"""Coaching sessions (*pertemuan penyuluhan*), attendance and home visits.

A session is held by a group for one or more age groups on a date, on a topic
from a list the admin extends. Cadres tick which member families came (mother,
father or another caregiver, with which child). Members absent from the
month's session get a home visit (*kunjungan rumah*).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bkb.lib.history import request_history
from bkb.lib.validators import not_in_future
from cadres.access import groups_visible_to
from groups.models import BkbGroup


class Topic(models.Model):
    name = models.CharField(_("materi"), max_length=160, unique=True)
    name_en = models.CharField(_("materi (Inggris)"), max_length=160, blank=True)
    active = models.BooleanField(_("dipakai"), default=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=100)

    class Meta:
        verbose_name = _("materi penyuluhan")
        verbose_name_plural = _("materi penyuluhan")
        ordering = ["order", "name"]

    def __str__(self):
        # Topics are data; the admin gives each an English name for English pages.
        return self.name_en if self.name_en and get_language() == "en" else self.name


class CoachingSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(group__in=groups_visible_to(user))


class CoachingSession(models.Model):
    group = models.ForeignKey(BkbGroup, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("kelompok"))
    # A session is logged after it was held (the printed sheet alone looks ahead).
    date = models.DateField(_("tanggal"), validators=[not_in_future])
    place = models.CharField(_("tempat"), max_length=160, blank=True)
    # A list of bkb.lib.ages.AgeGroup values: one session often serves several.
    age_groups = models.JSONField(_("kelompok umur"), default=list)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("materi"))
    cadres = models.ManyToManyField(
        "cadres.Cadre", through="SessionCadre", related_name="sessions", verbose_name=_("kader")
    )
    ape_used = models.CharField(_("APE yang dipakai"), max_length=255, blank=True)
    supervising_agency = models.CharField(_("pembina yang hadir"), max_length=160, blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = CoachingSessionQuerySet.as_manager()

    history = request_history()

    class Meta:
        verbose_name = _("pertemuan")
        verbose_name_plural = _("pertemuan")
        ordering = ["-date"]
        indexes = [models.Index(fields=["group", "date"])]

    def __str__(self):
        return f"{self.group} {self.date:%d-%m-%Y}"


class SessionCadre(models.Model):
    class Role(models.TextChoices):
        INTI = "inti", _("Kader inti")
        PIKET = "piket", _("Kader piket")
        BANTU = "bantu", _("Kader bantu")

    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="session_cadres", verbose_name=_("pertemuan")
    )
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="+", verbose_name=_("kader"))
    role = models.CharField(_("peran"), max_length=8, choices=Role.choices)

    class Meta:
        verbose_name = _("kader pertemuan")
        verbose_name_plural = _("kader pertemuan")
        constraints = [models.UniqueConstraint(fields=["session", "cadre"], name="session_cadre_once")]

    def __str__(self):
        return f"{self.cadre} ({self.get_role_display()})"


class Attendance(models.Model):
    class Attendee(models.TextChoices):
        MOTHER = "ibu", _("Ibu")
        FATHER = "ayah", _("Ayah")
        OTHER = "lain", _("Pengasuh lain")

    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("pertemuan")
    )
    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="attendances", verbose_name=_("keluarga")
    )
    child = models.ForeignKey(
        "families.Child",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("anak"),
    )
    attendee = models.CharField(_("yang hadir"), max_length=5, choices=Attendee.choices, default=Attendee.MOTHER)

    history = request_history()

    class Meta:
        verbose_name = _("kehadiran")
        verbose_name_plural = _("kehadiran")
        constraints = [models.UniqueConstraint(fields=["session", "family"], name="attendance_once")]

    def __str__(self):
        return f"{self.family} @ {self.session}"


class HomeVisit(models.Model):
    class Met(models.TextChoices):
        MOTHER = "ibu", _("Ibu")
        FATHER = "ayah", _("Ayah")
        OTHER = "lain", _("Pengasuh lain")
        NOBODY = "tidak_ada", _("Tidak bertemu")

    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="home_visits", verbose_name=_("keluarga")
    )
    date = models.DateField(_("tanggal kunjungan"), validators=[not_in_future])
    met = models.CharField(_("bertemu dengan"), max_length=10, choices=Met.choices, default=Met.MOTHER)
    note = models.TextField(_("catatan"), blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dikunjungi oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("kunjungan rumah")
        verbose_name_plural = _("kunjungan rumah")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.family} {self.date:%d-%m-%Y}"


# --- Kept figures ---------------------------------------------------------------------------
# Written only by sessions.kept (the children) and reports.kept (the months);
# see groups.changes for how a write marks them stale.


class KeptState(models.Model):
    """How current a group's kept figures are.

    Every write that can change the group's figures adds one to `version`
    (groups.changes). The children's status rows are current when they were
    computed at the group's version and for today (`children_version`,
    `children_on`): an age band or "seen this month" moves with the date.
    """

    group = models.OneToOneField(
        BkbGroup, on_delete=models.CASCADE, primary_key=True, related_name="kept_state", verbose_name=_("kelompok")
    )
    version = models.PositiveBigIntegerField(_("versi data"), default=0)
    children_version = models.BigIntegerField(_("versi status anak"), default=-1)
    children_on = models.DateField(_("status anak untuk tanggal"), null=True, blank=True)
    children_at = models.DateTimeField(_("status anak dihitung"), null=True, blank=True)
    # A refresh task is waiting for this group: more writes before it runs queue nothing more.
    queued = models.BooleanField(_("menunggu dihitung ulang"), default=False)

    class Meta:
        verbose_name = _("kesegaran angka kelompok")
        verbose_name_plural = _("kesegaran angka kelompok")

    def __str__(self):
        return f"{self.group_id} v{self.version}"

    def children_current(self, on) -> bool:
        return self.children_version == self.version and self.children_on == on


class ChildStatus(models.Model):
    """A child's status on the roster, kept: KKA status, latest growth, seen this month, open referral.

    One row per child in the programme on the day it was computed
    (KeptState.children_on); written only by sessions.kept from the same
    annotations the live computation uses.
    """

    child = models.OneToOneField(
        "families.Child", on_delete=models.CASCADE, primary_key=True, related_name="status", verbose_name=_("anak")
    )
    group = models.ForeignKey(BkbGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("kelompok"))
    kka_status = models.CharField(_("status KKA"), max_length=16)
    kka_referred = models.BooleanField(_("sudah dirujuk"), default=False)
    latest_measured_on = models.DateField(_("terakhir diukur"), null=True, blank=True)
    latest_haz = models.FloatField(_("TB/U (skor-z) terakhir"), null=True, blank=True)
    latest_waz = models.FloatField(_("BB/U (skor-z) terakhir"), null=True, blank=True)
    latest_whz = models.FloatField(_("BB/TB (skor-z) terakhir"), null=True, blank=True)
    seen_this_month = models.BooleanField(_("ditemui bulan ini"), default=False)
    referral_open = models.BooleanField(_("rujukan berjalan"), default=False)

    class Meta:
        verbose_name = _("status anak")
        verbose_name_plural = _("status anak")

    def __str__(self):
        return f"{self.child_id}: {self.kka_status}"
