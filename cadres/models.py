"""Cadres (*kader*): the volunteers who run BKB groups, their roles, training
and the supervision visits the PKB/PLKB pays their group.

Roles per group are the committee (*ketua*, *sekretaris*, *bendahara*) and,
per age group, *kader inti* (leads the session), *kader piket* (minds the
children) and *kader bantu* (assists, substitutes).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bkb.lib.ages import AgeGroup, add_months
from bkb.lib.history import request_history
from bkb.lib.validators import not_in_future, validate_nik, validate_phone
from groups.models import BkbGroup


class Sex(models.TextChoices):
    MALE = "M", _("Laki-laki")
    FEMALE = "F", _("Perempuan")


class CadreQuerySet(models.QuerySet):
    def with_training(self):
        return self.annotate(is_trained=Exists(Training.objects.filter(cadre=OuterRef("pk"))))


class Cadre(models.Model):
    class Education(models.TextChoices):
        SD = "sd", _("SD")
        SMP = "smp", _("SMP")
        SMA = "sma", _("SMA/SMK")
        DIPLOMA = "diploma", _("Diploma")
        S1 = "s1", _("S1")
        S2 = "s2", _("S2 ke atas")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
        verbose_name=_("akun login"),
    )
    name = models.CharField(_("nama"), max_length=120)
    nik = models.CharField(_("NIK"), max_length=16, unique=True, null=True, blank=True, validators=[validate_nik])
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True, validators=[validate_phone])
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, default=Sex.FEMALE)
    education = models.CharField(_("pendidikan"), max_length=10, choices=Education.choices, blank=True)
    date_joined = models.DateField(_("mulai menjadi kader"), default=timezone.localdate, validators=[not_in_future])
    active = models.BooleanField(_("aktif"), default=True)

    objects = CadreQuerySet.as_manager()

    history = request_history()

    class Meta:
        verbose_name = _("kader")
        verbose_name_plural = _("kader")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def is_new(self, on: datetime.date) -> bool:
        """Joined in the 12 months before `on`: the regeneration the seeds worry about."""
        return self.date_joined > add_months(on, -12)


class CadreRoleQuerySet(models.QuerySet):
    def current(self):
        """Roles held now: ended roles stay as the record of who served when."""
        return self.filter(ended_on__isnull=True)

    def held_on(self, day: datetime.date):
        """Roles held on `day`: a role ending on a day is no longer held that day."""
        return self.filter(held_on_q(day))


def held_on_q(day: datetime.date, prefix: str = "") -> models.Q:
    return models.Q(**{f"{prefix}started_on__lte": day}) & (
        models.Q(**{f"{prefix}ended_on__isnull": True}) | models.Q(**{f"{prefix}ended_on__gt": day})
    )


class CadreRole(models.Model):
    """A cadre's role in a group from `started_on` until `ended_on` (open while null).

    A role that ends is kept with its end date, never deleted, so a past
    month's figures count the cadres who served then (see reports.figures).
    """

    class Role(models.TextChoices):
        KETUA = "ketua", _("Ketua")
        SEKRETARIS = "sekretaris", _("Sekretaris")
        BENDAHARA = "bendahara", _("Bendahara")
        INTI = "inti", _("Kader inti")
        PIKET = "piket", _("Kader piket")
        BANTU = "bantu", _("Kader bantu")

    COMMITTEE = {Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA}

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="roles", verbose_name=_("kader"))
    group = models.ForeignKey(
        BkbGroup, on_delete=models.CASCADE, related_name="cadre_roles", verbose_name=_("kelompok")
    )
    role = models.CharField(_("peran"), max_length=12, choices=Role.choices)
    age_group = models.PositiveSmallIntegerField(_("kelompok umur"), choices=AgeGroup.choices, null=True, blank=True)
    started_on = models.DateField(_("mulai"), default=timezone.localdate)
    ended_on = models.DateField(_("berakhir"), null=True, blank=True)

    objects = CadreRoleQuerySet.as_manager()

    history = request_history()

    class Meta:
        verbose_name = _("peran kader")
        verbose_name_plural = _("peran kader")
        ordering = ["group", "role", "age_group"]
        constraints = [
            # One open role of a kind; the same role may have ended and started again.
            models.UniqueConstraint(
                fields=["cadre", "group", "role", "age_group"],
                condition=models.Q(ended_on__isnull=True),
                nulls_distinct=False,
                name="cadre_role_unique_open",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="cadre_role_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=["ketua", "sekretaris", "bendahara"], age_group__isnull=True)
                    | models.Q(role__in=["inti", "piket", "bantu"], age_group__isnull=False)
                ),
                name="cadre_role_age_group_matches_role",
            ),
        ]

    def __str__(self):
        if self.age_group is None:
            return f"{self.get_role_display()} – {self.group}"
        return f"{self.get_role_display()} {self.get_age_group_display()} – {self.group}"

    def clean(self):
        if self.role in self.COMMITTEE and self.age_group is not None:
            raise ValidationError({"age_group": _("Pengurus kelompok tidak memegang kelompok umur.")})
        if self.role not in self.COMMITTEE and self.age_group is None:
            raise ValidationError({"age_group": _("Pilih kelompok umur yang dipegang kader ini.")})
        if self.ended_on is not None and self.started_on is not None and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("Tanggal berakhir tidak boleh sebelum tanggal mulai.")})


class Training(models.Model):
    class Kind(models.TextChoices):
        DASAR = "dasar", _("Pelatihan dasar BKB")
        LANJUTAN = "lanjutan", _("Pelatihan lanjutan")
        KKA = "kka", _("Pelatihan KKA")
        BKB_EMAS = "emas", _("BKB EMAS (stunting)")
        ORIENTASI = "orientasi", _("Orientasi/penyegaran")
        LAINNYA = "lainnya", _("Lainnya")

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("kader"))
    kind = models.CharField(_("jenis pelatihan"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("tanggal"), validators=[not_in_future])
    organiser = models.CharField(_("penyelenggara"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("pelatihan")
        verbose_name_plural = _("pelatihan")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.date:%d-%m-%Y})"


class SupervisionVisit(models.Model):
    """A *pembinaan* visit by the PKB/PLKB to a group: findings and follow-up."""

    group = models.ForeignKey(
        BkbGroup, on_delete=models.CASCADE, related_name="supervision_visits", verbose_name=_("kelompok")
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_visits", verbose_name=_("pembina")
    )
    date = models.DateField(_("tanggal"), validators=[not_in_future])
    findings = models.TextField(_("temuan"))
    follow_up = models.TextField(_("tindak lanjut"), blank=True)

    class Meta:
        verbose_name = _("kunjungan pembinaan")
        verbose_name_plural = _("kunjungan pembinaan")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.group} {self.date:%d-%m-%Y}"
