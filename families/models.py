"""Member families and their toddlers.

A member family is registered in one BKB group: the mother or main
caregiver, the father, the family card (KK), and its children under six.
PUS (*pasangan usia subur*) marks a couple of reproductive age; keeping member
PUS on family planning (*ber-KB*) is a stated aim of BKB.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bkb.lib.ages import PROGRAMME_END_MONTHS, age_group, age_in_months, born_after_for_programme
from bkb.lib.history import request_history
from bkb.lib.inputs import format_decimal, search_key
from bkb.lib.validators import NotInFuture, not_in_future, validate_nik, validate_phone
from cadres.access import groups_visible_to
from cadres.models import Sex
from groups.models import BkbGroup


def member_on_q(day: datetime.date, prefix: str = "") -> Q:
    """A family is a member of its group on `day`: joined by then, not yet left.

    `prefix` reaches the family through a relation ("family__", "families__").
    """
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})
    )


def in_programme_q(day: datetime.date, prefix: str = "") -> Q:
    """A child is in the programme on `day`: born by then, under 72 months, family a member."""
    return Q(**{f"{prefix}birth_date__lte": day, f"{prefix}birth_date__gt": born_after_for_programme(day)}) & (
        member_on_q(day, f"{prefix}family__")
    )


class FamilyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(group__in=groups_visible_to(user))

    def members_on(self, day: datetime.date):
        """Families that were members on `day` (joined by then, not yet left)."""
        return self.filter(member_on_q(day))


class Family(models.Model):
    class Caregiver(models.TextChoices):
        MOTHER = "ibu", _("Ibu")
        GRANDMOTHER = "nenek", _("Nenek")
        FATHER = "ayah", _("Ayah")
        OTHER = "lain", _("Pengasuh lain")

    class KbMethod(models.TextChoices):
        NONE = "", _("Tidak ber-KB")
        IUD = "iud", _("IUD/AKDR")
        IMPLANT = "implan", _("Implan")
        INJECTION = "suntik", _("Suntik")
        PILL = "pil", _("Pil")
        CONDOM = "kondom", _("Kondom")
        MOW = "mow", _("MOW (tubektomi)")
        MOP = "mop", _("MOP (vasektomi)")
        MAL = "mal", _("MAL (laktasi)")
        TRADITIONAL = "tradisional", _("Tradisional")

    class WelfareStage(models.TextChoices):
        PRA_KS = "pra_ks", _("Pra Sejahtera")
        KS1 = "ks1", _("KS I")
        KS2 = "ks2", _("KS II")
        KS3 = "ks3", _("KS III")
        KS3_PLUS = "ks3_plus", _("KS III Plus")

    class Language(models.TextChoices):
        INDONESIAN = "id", _("Bahasa Indonesia")
        ENGLISH = "en", _("Bahasa Inggris")

    group = models.ForeignKey(BkbGroup, on_delete=models.PROTECT, related_name="families", verbose_name=_("kelompok"))
    mother_name = models.CharField(_("nama ibu/pengasuh utama"), max_length=120)
    caregiver = models.CharField(
        _("hubungan pengasuh"), max_length=8, choices=Caregiver.choices, default=Caregiver.MOTHER
    )
    mother_nik = models.CharField(
        _("NIK ibu/pengasuh"), max_length=16, unique=True, null=True, blank=True, validators=[validate_nik]
    )
    father_name = models.CharField(_("nama ayah"), max_length=120, blank=True)
    kk_number = models.CharField(
        _("nomor KK"), max_length=16, unique=True, null=True, blank=True, validators=[validate_nik]
    )
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True, validators=[validate_phone])
    whatsapp = models.CharField(
        _("nomor WhatsApp"),
        max_length=20,
        blank=True,
        validators=[validate_phone],
        help_text=_("Kosongkan bila sama dengan nomor HP."),
    )
    language = models.CharField(
        _("bahasa pesan WhatsApp"),
        max_length=5,
        choices=Language.choices,
        default=Language.INDONESIAN,
        help_text=_("Undangan dan pengingat dikirim dalam bahasa ini, apa pun bahasa tampilan kader."),
    )
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    rt = models.CharField(_("RT"), max_length=5, blank=True)
    rw = models.CharField(_("RW"), max_length=5, blank=True)
    is_pus = models.BooleanField(_("PUS (pasangan usia subur)"), default=True)
    kb_method = models.CharField(_("metode KB"), max_length=12, choices=KbMethod.choices, blank=True)
    welfare_stage = models.CharField(_("tahapan KS"), max_length=10, choices=WelfareStage.choices, blank=True)
    is_pkh = models.BooleanField(_("KPM PKH"), default=False)
    stunting_risk = models.BooleanField(_("keluarga berisiko stunting (KRS)"), default=False)
    joined_on = models.DateField(
        _("tanggal bergabung"),
        default=timezone.localdate,
        validators=[NotInFuture(_("Tanggal bergabung tidak boleh di masa depan."))],
    )
    left_on = models.DateField(_("tanggal keluar"), null=True, blank=True)
    notes = models.TextField(_("keluhan dan kebutuhan ibu"), blank=True)
    # Mother's and father's names as search compares them (bkb.lib.inputs.search_key), "|" between.
    search_key = models.CharField(_("kunci pencarian"), max_length=250, blank=True, editable=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    objects = FamilyQuerySet.as_manager()

    history = request_history()

    class Meta:
        verbose_name = _("keluarga anggota")
        verbose_name_plural = _("keluarga anggota")
        ordering = ["mother_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="family_left_after_joined",
            ),
        ]

    def __str__(self):
        return self.mother_name

    def save(self, *args, **kwargs):
        self.search_key = f"{search_key(self.mother_name)}|{search_key(self.father_name)}"
        kwargs["update_fields"] = _with_search_key(kwargs.get("update_fields"), {"mother_name", "father_name"})
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = _("Tanggal keluar tidak boleh sebelum tanggal bergabung (%(d)s).") % {
                "d": self.joined_on.strftime("%d-%m-%Y")
            }
        if self.kb_method and not self.is_pus:
            errors["kb_method"] = _("Metode KB hanya diisi untuk PUS.")
        if errors:
            raise ValidationError(errors)

    @property
    def whatsapp_or_phone(self) -> str:
        return self.whatsapp or self.phone


def _with_search_key(update_fields, names: set[str]):
    """A save of some fields that touches a name also saves its search key."""
    if update_fields is None or not names & set(update_fields):
        return update_fields
    return {*update_fields, "search_key"}


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(family__group__in=groups_visible_to(user))

    def in_programme_on(self, day: datetime.date):
        """Born by `day`, under 72 months, family a member then."""
        return self.filter(in_programme_q(day))


class Child(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="children", verbose_name=_("keluarga"))
    name = models.CharField(_("nama anak"), max_length=120)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(
        _("tanggal lahir"), validators=[NotInFuture(_("Tanggal lahir tidak boleh di masa depan."))]
    )
    nik = models.CharField(_("NIK anak"), max_length=16, unique=True, null=True, blank=True, validators=[validate_nik])
    birth_weight_kg = models.DecimalField(_("berat lahir (kg)"), max_digits=3, decimal_places=2, null=True, blank=True)
    birth_length_cm = models.DecimalField(
        _("panjang lahir (cm)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    # The name as search compares it (bkb.lib.inputs.search_key).
    search_key = models.CharField(_("kunci pencarian"), max_length=120, blank=True, editable=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    objects = ChildQuerySet.as_manager()

    history = request_history()

    class Meta:
        verbose_name = _("anak")
        verbose_name_plural = _("anak")
        ordering = ["birth_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_weight_kg__isnull=True) | Q(birth_weight_kg__gte=0.5, birth_weight_kg__lte=6.5),
                name="child_birth_weight_plausible",
            ),
            models.CheckConstraint(
                condition=Q(birth_length_cm__isnull=True) | Q(birth_length_cm__gte=25, birth_length_cm__lte=65),
                name="child_birth_length_plausible",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = search_key(self.name)
        kwargs["update_fields"] = _with_search_key(kwargs.get("update_fields"), {"name"})
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        today = timezone.localdate()
        # A birth date after today is the field's own error (NotInFuture).
        if self.birth_date:
            if age_in_months(self.birth_date, today) >= PROGRAMME_END_MONTHS and self._birth_date_is_new():
                errors["birth_date"] = _(
                    "Anak sudah berumur %(m)s bulan: BKB untuk anak di bawah 72 bulan (6 tahun)."
                ) % {"m": age_in_months(self.birth_date, today)}
        if self.birth_weight_kg is not None and not (0.5 <= self.birth_weight_kg <= 6.5):
            errors["birth_weight_kg"] = _("Berat lahir %(v)s kg tidak wajar: periksa lagi (0,5-6,5 kg).") % {
                "v": format_decimal(self.birth_weight_kg)
            }
        if self.birth_length_cm is not None and not (25 <= self.birth_length_cm <= 65):
            errors["birth_length_cm"] = _("Panjang lahir %(v)s cm tidak wajar: periksa lagi (25-65 cm).") % {
                "v": format_decimal(self.birth_length_cm)
            }
        if errors:
            raise ValidationError(errors)

    def _birth_date_is_new(self) -> bool:
        # A registered child who has since turned six must not block edits to
        # the family (recording that it left, a new KB method): the age limit
        # is for registering, not for keeping the record.
        if self.pk is None:
            return True
        return not Child.objects.filter(pk=self.pk, birth_date=self.birth_date).exists()

    def age_months(self, on: datetime.date | None = None) -> int:
        return age_in_months(self.birth_date, on or timezone.localdate())

    def age_group(self, on: datetime.date | None = None) -> int | None:
        return age_group(self.birth_date, on or timezone.localdate())


class Instrument(models.Model):
    """A development instrument: the KKA items, or a stand-in for them.

    The official KKA item list is not public in a verifiable form; the default
    instrument is the Buku KIA development markers (Kemenkes), each tagged with
    one of the seven KKA aspects. An admin may load another from a CSV.
    """

    name = models.CharField(_("nama instrumen"), max_length=160, unique=True)
    source = models.TextField(_("sumber"), blank=True)
    active = models.BooleanField(
        _("dipakai"), default=False, help_text=_("Hanya satu instrumen yang dipakai pada satu waktu.")
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("instrumen KKA")
        verbose_name_plural = _("instrumen KKA")
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="one_active_instrument"),
        ]

    def __str__(self):
        return self.name


class Aspect(models.TextChoices):
    MOTORIK_KASAR = "motorik_kasar", _("Motorik kasar")
    MOTORIK_HALUS = "motorik_halus", _("Motorik halus")
    KOMUNIKASI_PASIF = "komunikasi_pasif", _("Komunikasi pasif")
    KOMUNIKASI_AKTIF = "komunikasi_aktif", _("Komunikasi aktif")
    KECERDASAN = "kecerdasan", _("Kecerdasan")
    MENOLONG_DIRI = "menolong_diri_sendiri", _("Menolong diri sendiri")
    SOSIAL = "tingkah_laku_sosial", _("Tingkah laku sosial")


class Milestone(models.Model):
    """A developmental task expected by the end of its age band (months)."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("instrumen")
    )
    code = models.CharField(_("kode"), max_length=20)
    band_start_month = models.PositiveSmallIntegerField(_("awal rentang (bulan)"))
    band_end_month = models.PositiveSmallIntegerField(_("akhir rentang (bulan)"))
    aspect = models.CharField(_("aspek"), max_length=24, choices=Aspect.choices)
    text_id = models.CharField(_("tugas perkembangan"), max_length=255)
    text_en = models.CharField(_("tugas perkembangan (Inggris)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("tugas perkembangan")
        verbose_name_plural = _("tugas perkembangan")
        ordering = ["band_start_month", "aspect", "code"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="milestone_unique_code"),
            models.CheckConstraint(
                condition=Q(band_end_month__gt=models.F("band_start_month")), name="milestone_band_order"
            ),
        ]
        indexes = [models.Index(fields=["instrument", "band_end_month"])]

    def __str__(self):
        return f"{self.code} {self.text}"

    @property
    def text(self) -> str:
        """The task in the page's language (the instrument may carry English)."""
        return self.text_en if self.text_en and get_language() == "en" else self.text_id


class MilestoneRecord(models.Model):
    """The date a child was first seen doing a task, marked on its KKA."""

    # No index of its own: the unique (child, milestone) index starts with the child.
    child = models.ForeignKey(
        Child,
        on_delete=models.CASCADE,
        related_name="milestone_records",
        verbose_name=_("anak"),
        db_index=False,
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="records", verbose_name=_("tugas perkembangan")
    )
    achieved_on = models.DateField(_("tanggal pertama bisa"))
    session = models.ForeignKey(
        "coaching.CoachingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestone_records",
        verbose_name=_("pertemuan"),
    )
    recorded_by = models.ForeignKey(
        "groups.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    recorded_at = models.DateTimeField(_("dicatat"), auto_now=True)

    history = request_history()

    class Meta:
        verbose_name = _("catatan KKA")
        verbose_name_plural = _("catatan KKA")
        # No index on recorded_at: no query filters or orders by it (31 MB at 1,000 groups, bench/NOTES.md).
        constraints = [models.UniqueConstraint(fields=["child", "milestone"], name="milestone_record_once")]

    def __str__(self):
        return f"{self.child} – {self.milestone.code}"


class MilestoneRecordRemoval(models.Model):
    """A mark taken off a child's KKA: what it said, who removed it and when.

    Un-marking deletes the MilestoneRecord (so every count sees live marks
    only) and keeps its content here, as the card's history.
    """

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="milestone_removals", verbose_name=_("anak")
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="+", verbose_name=_("tugas perkembangan")
    )
    achieved_on = models.DateField(_("tanggal pertama bisa"))
    recorded_by = models.ForeignKey(
        "groups.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    recorded_at = models.DateTimeField(_("dicatat"), null=True, blank=True)
    removed_by = models.ForeignKey(
        "groups.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dihapus oleh"),
    )
    removed_at = models.DateTimeField(_("dihapus"), auto_now_add=True)

    class Meta:
        verbose_name = _("tanda KKA yang dihapus")
        verbose_name_plural = _("tanda KKA yang dihapus")
        ordering = ["-removed_at"]

    def __str__(self):
        return f"{self.child} – {self.milestone.code}"


class KkaCheckQuerySet(models.QuerySet):
    def between(self, first: datetime.date, last: datetime.date):
        """Checks dated from `first` to `last`, both included: "checked on the KKA" in a period."""
        return self.filter(date__gte=first, date__lte=last)


class KkaCheck(models.Model):
    """One KKA check of a child: the cadre went through the card with the parent that day.

    A check is an event of its own, whether or not it found anything new to
    mark. Checks are per instrument: a child is *belum dinilai* on an
    instrument until its first check on it.
    """

    # No index of its own: the unique (child, instrument, date) index starts with the child.
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="kka_checks", verbose_name=_("anak"), db_index=False
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="checks", verbose_name=_("instrumen KKA")
    )
    date = models.DateField(_("tanggal pemeriksaan"))
    checked_by = models.ForeignKey(
        "groups.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diperiksa oleh"),
    )
    session = models.ForeignKey(
        "coaching.CoachingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kka_checks",
        verbose_name=_("pertemuan"),
    )
    home_visit = models.ForeignKey(
        "coaching.HomeVisit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kka_checks",
        verbose_name=_("kunjungan rumah"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    objects = KkaCheckQuerySet.as_manager()

    history = request_history()

    class Meta:
        verbose_name = _("pemeriksaan KKA")
        verbose_name_plural = _("pemeriksaan KKA")
        ordering = ["child", "date"]
        constraints = [
            # A double tap or a second save the same day is the same check.
            models.UniqueConstraint(fields=["child", "instrument", "date"], name="kka_check_once_a_day"),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self):
        return f"{self.child} {self.date:%d-%m-%Y}"


class ReferralQuerySet(models.QuerySet):
    def open_on(self, day):
        """Made by `day` and not closed by then: a referral still running that day."""
        return self.filter(date__lte=day).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))


class Referral(models.Model):
    """A referral to the health worker, followed until closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Dalam proses")
        CLOSED = "closed", _("Selesai")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("anak"))
    date = models.DateField(_("tanggal rujukan"), validators=[not_in_future])
    referred_to = models.CharField(_("dirujuk ke"), max_length=160)
    reason = models.TextField(_("alasan"), blank=True)
    outcome = models.TextField(_("hasil"), blank=True)
    closed_on = models.DateField(
        _("tanggal selesai"),
        null=True,
        blank=True,
        validators=[NotInFuture(_("Tanggal selesai tidak boleh di masa depan."))],
    )
    created_by = models.ForeignKey(
        "groups.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("dibuat oleh")
    )

    objects = ReferralQuerySet.as_manager()

    history = request_history()

    class Meta:
        verbose_name = _("rujukan")
        verbose_name_plural = _("rujukan")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("date")), name="referral_closed_after"
            )
        ]

    def __str__(self):
        return f"{self.child} → {self.referred_to} ({self.date:%d-%m-%Y})"

    @property
    def status(self) -> str:
        return self.Status.CLOSED if self.closed_on else self.Status.OPEN

    def clean(self):
        if self.closed_on and self.date and self.closed_on < self.date:
            raise ValidationError({"closed_on": _("Tanggal selesai tidak boleh sebelum tanggal rujukan.")})


class Measurement(models.Model):
    """Weight and length/height on a date, with the WHO z-scores at that date.

    The z-scores are stored (computed by families.growth when saved) so that
    reports count stunted, underweight and wasted children in the database.
    """

    class Position(models.TextChoices):
        LYING = "lying", _("Berbaring (panjang badan)")
        STANDING = "standing", _("Berdiri (tinggi badan)")

    # No index of its own: the unique (child, date) index starts with the child.
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("anak"), db_index=False
    )
    date = models.DateField(_("tanggal ukur"))
    weight_kg = models.DecimalField(_("berat badan (kg)"), max_digits=4, decimal_places=2)
    height_cm = models.DecimalField(_("panjang/tinggi badan (cm)"), max_digits=4, decimal_places=1)
    position = models.CharField(_("cara ukur"), max_length=8, choices=Position.choices)
    head_cm = models.DecimalField(_("lingkar kepala (cm)"), max_digits=3, decimal_places=1, null=True, blank=True)
    arm_cm = models.DecimalField(_("lingkar lengan atas (cm)"), max_digits=3, decimal_places=1, null=True, blank=True)
    haz = models.FloatField(_("z TB/U"), null=True, editable=False)
    waz = models.FloatField(_("z BB/U"), null=True, editable=False)
    whz = models.FloatField(_("z BB/TB"), null=True, editable=False)
    baz = models.FloatField(_("z IMT/U"), null=True, editable=False)
    session = models.ForeignKey(
        "coaching.CoachingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("pertemuan"),
    )
    recorded_by = models.ForeignKey(
        "groups.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    # Saved although unlikely next to the child's other measurements (families.measurements'
    # CONFIRM): the cadre ticked that the values are right. The supervisor's list shows them to check.
    confirmed_unlikely = models.BooleanField(_("dikonfirmasi walau tidak wajar"), default=False, editable=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    history = request_history()

    class Meta:
        verbose_name = _("pengukuran")
        verbose_name_plural = _("pengukuran")
        ordering = ["child", "date"]
        constraints = [
            models.UniqueConstraint(fields=["child", "date"], name="one_measurement_a_day"),
            # Impossible values never reach the table, whatever the form did.
            models.CheckConstraint(condition=Q(weight_kg__gt=0.5, weight_kg__lt=40), name="weight_possible"),
            models.CheckConstraint(condition=Q(height_cm__gt=35, height_cm__lt=140), name="height_possible"),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self):
        return f"{self.child} {self.date:%d-%m-%Y}"


class FamilyImport(models.Model):
    """A spreadsheet uploaded into a group's register, kept between its preview and the confirm (families.imports).

    The file stays in the database, not on disk: the preview and the confirm may run on
    different servers. Its bytes are dropped once it is imported; the counts stay.
    """

    group = models.ForeignKey(BkbGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("kelompok"))
    uploaded_by = models.ForeignKey(
        "groups.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("diunggah oleh")
    )
    filename = models.CharField(_("nama berkas"), max_length=200)
    content = models.BinaryField(_("isi berkas"))
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    imported_at = models.DateTimeField(_("diimpor"), null=True, blank=True)
    summary = models.JSONField(_("ringkasan"), default=dict, blank=True)

    class Meta:
        verbose_name = _("impor keluarga")
        verbose_name_plural = _("impor keluarga")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.filename
