"""Areas, people and BKB groups: who exists, where, and who may see what.

*Wilayah* (area) is the administrative tree provinsi > kabupaten > kecamatan >
desa. A BKB group (*kelompok BKB*) sits in one desa at one RW. Which groups a
user sees depends on cadres' roles, so that rule lives one app up:
`cadres.access.groups_visible_to(user)`.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def under_any(field: str, paths: list[str]) -> Q:
    """Q matching rows whose area path `field` lies under any of `paths`."""
    match = Q()
    for path in paths:
        match |= Q(**{f"{field}__startswith": path})
    return match


class AreaQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AreaQuerySet":
        """Areas a supervisor or admin may report on: theirs and everything under them."""
        if not user.is_authenticated or not user.is_active or user.role == User.Role.CADRE and not user.is_superuser:
            return self.none()
        if user.is_superuser:
            return self
        # No areas is no scope: an admin whose last area was removed sees nothing, not the country.
        paths = list(user.areas.values_list("path", flat=True))
        return self.filter(under_any("path", paths)) if paths else self.none()


# The word people put before a name at each level. Names are stored without it
# ("Cikeruh", not "Desa Cikeruh") and `Area.label` adds it back; a name that
# already starts with its level's word or an alternative ("Kota Bandung",
# "Kelurahan Sukajadi") is printed as stored.
LEVEL_WORDS = {1: ("Provinsi",), 2: ("Kabupaten", "Kab.", "Kota"), 3: ("Kecamatan", "Kec."), 4: ("Desa", "Kelurahan")}
# "Kota" and "Kelurahan" say something the added word would not, so they stay in the name.
KEPT_WORDS = ("Kota", "Kelurahan")


def bare_area_name(level: int, name: str) -> str:
    """`name` without a leading level word that `Area.label` would add again ("Desa Cikeruh" -> "Cikeruh")."""
    name = " ".join(name.split())
    for word in LEVEL_WORDS.get(level, ()):
        if word not in KEPT_WORDS and name.lower().startswith(word.lower() + " ") and len(name) > len(word) + 1:
            return name[len(word) + 1 :].strip()
    return name


class Area(models.Model):
    class Level(models.IntegerChoices):
        PROVINSI = 1, _("Provinsi")
        KABUPATEN = 2, _("Kabupaten/Kota")
        KECAMATAN = 3, _("Kecamatan")
        DESA = 4, _("Desa/Kelurahan")

    name = models.CharField(_("nama"), max_length=120)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("induk")
    )
    code = models.CharField(_("kode wilayah"), max_length=20, blank=True)
    # Materialised path ("/3/17/210/") so "everything under this area" is one
    # indexed prefix match instead of a recursive query.
    path = models.CharField(_("jalur wilayah"), max_length=255, editable=False, db_index=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="area_unique_name_in_parent"),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.name = bare_area_name(self.level, self.name)
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if path != self.path:
            # Moving an area with children would need their paths rewritten;
            # areas are loaded once from official codes and not moved.
            self.path = path
            Area.objects.filter(pk=self.pk).update(path=path)

    @property
    def label(self) -> str:
        """The name as people say it, with its level word once: "Desa Cikeruh", "Kota Bandung"."""
        words = LEVEL_WORDS.get(self.level, ())
        if any(self.name.lower().startswith(word.lower() + " ") for word in words):
            return self.name
        return f"{words[0]} {self.name}" if words else self.name

    def clean(self):
        if self.level == self.Level.PROVINSI:
            if self.parent_id:
                raise ValidationError({"parent": _("Provinsi tidak punya induk.")})
        elif not self.parent or self.parent.level != self.level - 1:
            raise ValidationError({"parent": _("Induk wilayah harus satu tingkat di atasnya.")})

    def path_at(self, level: int) -> str:
        """The path of this area's ancestor at `level`, read off its own path (no query)."""
        return "/".join(self.path.split("/")[: level + 1]) + "/"

    def ancestor(self, level: int) -> "Area | None":
        area = self
        while area is not None and area.level > level:
            area = area.parent
        return area if area is not None and area.level == level else None


class User(AbstractUser):
    """A person who logs in: a cadre, a supervisor (PKB/PLKB) or an admin."""

    class Role(models.TextChoices):
        CADRE = "cadre", _("Kader")
        SUPERVISOR = "supervisor", _("Penyuluh KB (PKB/PLKB)")
        ADMIN = "admin", _("Admin")

    role = models.CharField(_("peran"), max_length=12, choices=Role.choices, default=Role.CADRE)
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="users",
        verbose_name=_("wilayah tugas"),
        help_text=_("Supervisor: desa atau kecamatan binaan. Admin: kabupaten (kosong = semua)."),
    )
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("harus ganti kata sandi"),
        default=False,
        help_text=_("Diminta mengganti kata sandi saat masuk berikutnya (kata sandi dibuat oleh orang lain)."),
    )

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    @property
    def is_cadre(self) -> bool:
        return self.role == self.Role.CADRE

    @property
    def is_supervisor(self) -> bool:
        return self.role == self.Role.SUPERVISOR

    @property
    def is_bkb_admin(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    @property
    def sees_many_groups(self) -> bool:
        return not self.is_cadre or self.is_superuser


class BkbGroupQuerySet(models.QuerySet):
    def in_area(self, area: "Area") -> "BkbGroupQuerySet":
        """The active groups under `area`: the groups an area's figures and prints cover."""
        return self.filter(desa__path__startswith=area.path, active=True)


class BkbGroup(models.Model):
    """A *kelompok BKB*: run by volunteer cadres at RW level in one desa."""

    class Stratum(models.TextChoices):
        DASAR = "dasar", _("Dasar")
        BERKEMBANG = "berkembang", _("Berkembang")
        PARIPURNA = "paripurna", _("Paripurna")

    class Integration(models.TextChoices):
        NONE = "none", _("Tidak terintegrasi")
        ONE_PLACE = "satu_tempat", _("BKB HI, satu tempat (Posyandu/PAUD)")
        SEPARATE = "terpisah", _("BKB HI, tempat terpisah")

    class Weekday(models.IntegerChoices):
        SENIN = 0, _("Senin")
        SELASA = 1, _("Selasa")
        RABU = 2, _("Rabu")
        KAMIS = 3, _("Kamis")
        JUMAT = 4, _("Jumat")
        SABTU = 5, _("Sabtu")
        MINGGU = 6, _("Minggu")

    name = models.CharField(_("nama kelompok"), max_length=120)
    desa = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="bkb_groups",
        limit_choices_to={"level": Area.Level.DESA},
        verbose_name=_("desa/kelurahan"),
    )
    rw = models.CharField(_("RW"), max_length=5)
    year_formed = models.PositiveSmallIntegerField(_("tahun dibentuk"), null=True, blank=True)
    decree_number = models.CharField(_("nomor SK"), max_length=80, blank=True)
    meeting_place = models.CharField(_("tempat pertemuan"), max_length=160, blank=True)
    meeting_day = models.PositiveSmallIntegerField(_("hari pertemuan"), choices=Weekday.choices, null=True, blank=True)
    stratum = models.CharField(_("strata"), max_length=12, choices=Stratum.choices, default=Stratum.DASAR)
    integration = models.CharField(_("integrasi"), max_length=12, choices=Integration.choices, default=Integration.NONE)
    has_ape_kit = models.BooleanField(_("punya APE (BKB Kit)"), default=False)
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    objects = BkbGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("kelompok BKB")
        verbose_name_plural = _("kelompok BKB")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["desa", "name"], name="group_unique_name_in_desa"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """ "BKB Melati" whether the name was given as "Melati" or "BKB Melati": texts never add "BKB" themselves."""
        return self.name if self.name.upper().startswith("BKB ") else f"BKB {self.name}"

    def clean(self):
        if self.year_formed and self.year_formed > timezone.localdate().year:
            raise ValidationError({"year_formed": _("Tahun dibentuk tidak boleh di masa depan.")})
        if self.desa_id and self.desa.level != Area.Level.DESA:
            raise ValidationError({"desa": _("Pilih wilayah tingkat desa/kelurahan.")})

    @property
    def kabupaten(self) -> Area | None:
        return self.desa.ancestor(Area.Level.KABUPATEN)


class Office(models.Model):
    """The district office (*Dinas*) of a kabupaten: it issues the cadres' certificates, and who signs them.

    Optional: a kabupaten without one gets `Office.for_kabupaten`'s defaults.
    """

    kabupaten = models.OneToOneField(
        Area,
        on_delete=models.CASCADE,
        related_name="office",
        limit_choices_to={"level": Area.Level.KABUPATEN},
        verbose_name=_("kabupaten/kota"),
    )
    name = models.CharField(_("nama dinas"), max_length=200)
    place = models.CharField(
        _("tempat penerbitan"), max_length=80, blank=True, help_text=_("Kosongkan untuk memakai nama kabupaten/kota.")
    )
    signer_name = models.CharField(_("nama penanda tangan"), max_length=120, blank=True)
    signer_title = models.CharField(_("jabatan penanda tangan"), max_length=160, blank=True)
    signer_nip = models.CharField(
        _("NIP penanda tangan"),
        max_length=18,
        blank=True,
        validators=[RegexValidator(r"^\d{18}$", _("NIP terdiri dari 18 angka."))],
    )

    class Meta:
        verbose_name = _("dinas kabupaten/kota")
        verbose_name_plural = _("dinas kabupaten/kota")

    def __str__(self):
        return self.name

    def clean(self):
        if self.kabupaten_id and self.kabupaten.level != Area.Level.KABUPATEN:
            raise ValidationError({"kabupaten": _("Pilih wilayah tingkat kabupaten/kota.")})

    @classmethod
    def for_kabupaten(cls, kabupaten: Area | None) -> "Office":
        """The kabupaten's office as set in the admin, or an unsaved one with default wording."""
        office = cls.objects.filter(kabupaten=kabupaten).first() if kabupaten else None
        if office is None:
            office = cls(kabupaten=kabupaten)
        if not office.name:
            office.name = (
                _("Dinas Pengendalian Penduduk dan Keluarga Berencana %(kabupaten)s") % {"kabupaten": kabupaten.label}
                if kabupaten
                else _("Dinas Pengendalian Penduduk dan Keluarga Berencana")
            )
        if not office.signer_title:
            office.signer_title = _("Kepala Dinas")
        return office

    @property
    def place_name(self) -> str:
        """Where the certificate is signed: "Sumedang, 23 November 2026"."""
        if self.place:
            return self.place
        if self.kabupaten_id is None:
            return ""
        name = self.kabupaten.name
        return name[len("Kota ") :] if name.startswith("Kota ") else name


class SubmitToken(models.Model):
    """A form's one-time token, recorded with the save it made (groups.once).

    The primary key is the token: a second save with it fails on the key, inside
    the same transaction as the write, so a double tap creates nothing twice.
    """

    token = models.CharField(_("token"), max_length=32, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("pengguna"))
    url = models.CharField(_("halaman hasil simpan"), max_length=500)
    used_at = models.DateTimeField(_("dipakai pada"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("token formulir")
        verbose_name_plural = _("token formulir")

    def __str__(self):
        return self.token
