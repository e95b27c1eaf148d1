"""Forms for the session screen, home visits, the WhatsApp texts and the back-entry grid."""

import datetime

from django import forms
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bkb.lib import inputs
from bkb.lib.ages import AgeGroup
from bkb.lib.inputs import DateInput, DayField, DecimalCommaField
from cadres.models import Cadre, CadreRole
from families.models import Family, Measurement
from sessions import selectors, services
from sessions.models import Attendance, CoachingSession, HomeVisit, SessionCadre, Topic


def age_groups_field() -> forms.TypedMultipleChoiceField:
    """The age groups a session serves: the session screen and the back-entry grid ask alike."""
    return forms.TypedMultipleChoiceField(
        label=_("Kelompok umur"),
        choices=AgeGroup.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih minimal satu kelompok umur.")},
    )


class SessionForm(forms.ModelForm):
    """The whole session on one screen: what, who ran it, who came.

    Attendance arrives as `hadir` (family ids) plus `attendee_<family>` and
    `child_<family>` per family, so the page can list 200 families without
    200 sub-forms. Families are checked against the group's members on the
    session date: a tampered id is refused, never silently dropped.
    """

    age_groups = age_groups_field()
    hadir = forms.TypedMultipleChoiceField(
        label=_("Keluarga yang hadir"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("Keluarga %(value)s bukan anggota kelompok ini.")},
    )

    class Meta:
        model = CoachingSession
        formfield_callback = inputs.formfield
        fields = ["date", "place", "age_groups", "topic", "ape_used", "supervising_agency", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, group, day: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.instance.group = group
        self.conflict: CoachingSession | None = None
        is_new = self.instance.pk is None
        if is_new:
            # model_to_dict already put empty values there, so setdefault would not do.
            self.initial["date"] = day or timezone.localdate()
            self.initial["place"] = self.initial.get("place") or group.meeting_place
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["topic"].queryset = Topic.objects.filter(Q(active=True) | Q(pk=self.instance.topic_id))
        self.fields["topic"].empty_label = _("– pilih materi –")
        self.fields["ape_used"].widget.attrs["placeholder"] = _("mis. balok susun, buku cerita")
        agency = self.fields["supervising_agency"]
        agency.widget.attrs["placeholder"] = _("mis. PKB, bidan desa")

        # Cadres who ran this session stay listed even if they have since left,
        # or saving a past session would silently drop them.
        serving = Q(roles__group=group, roles__ended_on__isnull=True, active=True)
        if not is_new:
            serving |= Q(pk__in=self.instance.session_cadres.values("cadre_id"))
        self.cadres = list(
            Cadre.objects.filter(serving)
            .distinct()
            .prefetch_related(Prefetch("roles", queryset=CadreRole.objects.current().filter(group=group)))
            .order_by("name")
        )
        ran = {} if is_new else dict(self.instance.session_cadres.values_list("cadre_id", "role"))
        for cadre in self.cadres:
            name = f"cadre_{cadre.pk}"
            self.fields[name] = forms.ChoiceField(
                label=cadre.name,
                required=False,
                choices=[("", _("tidak bertugas"))] + SessionCadre.Role.choices,
            )
            self.initial.setdefault(name, ran.get(cadre.pk, ""))
            cadre.field_name = name

        # Any family ever in the group is a valid id; membership on the date is checked in clean().
        self.group_families = {
            family.pk: family
            for family in Family.objects.filter(group=group)
            .prefetch_related("children")
            .only("pk", "mother_name", "joined_on", "left_on", "group_id")
        }
        self.fields["hadir"].choices = [(pk, family.mother_name) for pk, family in self.group_families.items()]
        self.existing = {} if is_new else {a.family_id: a for a in self.instance.attendances.all()}
        if not is_new:
            self.initial["hadir"] = list(self.existing)

    def listing_date(self) -> datetime.date:
        """The members shown follow the typed date; an unreadable one falls back."""
        if self.is_bound:
            try:
                return self.fields["date"].clean(self.data.get("date"))
            except forms.ValidationError:
                pass
        return self.instance.date or self.initial["date"]

    def member_bands(self) -> list[selectors.Band]:
        """Members by age group, each row carrying what is ticked (posted or saved)."""
        if self.is_bound:
            age_groups = [int(v) for v in self.data.getlist("age_groups") if v.isdigit()]
        else:
            age_groups = self.instance.age_groups or []
        bands = selectors.members_by_age_group(self.group, on=self.listing_date(), age_groups=age_groups)
        ticked = self._ticked_ids()
        for band in bands:
            for row in band.rows:
                fid = row.family.pk
                saved = self.existing.get(fid)
                row.checked = fid in ticked
                if self.is_bound:
                    row.attendee = self.data.get(f"attendee_{fid}", Attendance.Attendee.MOTHER)
                    row.child_id = _int(self.data.get(f"child_{fid}"))
                elif saved:
                    row.attendee, row.child_id = saved.attendee, saved.child_id
                else:
                    row.attendee = Attendance.Attendee.MOTHER
                    row.child_id = row.default_child.pk if row.default_child else None
        return bands

    def _ticked_ids(self) -> set[int]:
        if self.is_bound:
            return {v for v in (_int(x) for x in self.data.getlist("hadir")) if v}
        return set(self.existing)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Pertemuan belum terjadi: tanggal tidak boleh di masa depan."))
        return day

    def clean(self):
        data = super().clean()
        day, age_groups = data.get("date"), data.get("age_groups")
        if day and age_groups:
            if found := services.overlapping_session(
                group=self.group, date=day, age_groups=age_groups, exclude_pk=self.instance.pk
            ):
                self.conflict = found[0]
                self.add_error("age_groups", services.overlap_message(found[1]))
        if day and "hadir" in data:
            self.attendance = []
            strangers = []
            for fid in data["hadir"]:
                family = self.group_families[fid]
                if family.joined_on > day or (family.left_on and family.left_on <= day):
                    strangers.append(family.mother_name)
                    continue
                attendee = self.data.get(f"attendee_{fid}", Attendance.Attendee.MOTHER)
                if attendee not in Attendance.Attendee.values:
                    attendee = Attendance.Attendee.MOTHER
                child_id = _int(self.data.get(f"child_{fid}"))
                if child_id and child_id not in {c.pk for c in family.children.all()}:
                    message = _("Anak yang dipilih bukan anak ibu %(name)s.") % {"name": family.mother_name}
                    self.add_error("hadir", message)
                    continue
                self.attendance.append(services.AttendanceEntry(fid, attendee, child_id))
            if strangers:
                self.add_error(
                    "hadir",
                    _("Bukan anggota kelompok pada tanggal pertemuan: %(names)s.") % {"names": ", ".join(strangers)},
                )
        return data

    attendee_choices = Attendance.Attendee.choices

    @property
    def cadre_rows(self):
        """(cadre, its roles in the group, its bound role field) for the template."""
        return [(cadre, list(cadre.roles.all()), self[cadre.field_name]) for cadre in self.cadres]

    def cadre_roles(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data[c.field_name] for c in self.cadres if self.cleaned_data.get(c.field_name)}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class HomeVisitForm(forms.ModelForm):
    class Meta:
        model = HomeVisit
        formfield_callback = inputs.formfield
        fields = ["date", "met", "note"]
        widgets = {"date": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.instance.pk:
            self.initial["date"] = self.initial.get("date") or timezone.localdate()


class InvitationForm(forms.Form):
    """The next meeting as the WhatsApp text announces it (GET, nothing saved)."""

    tanggal = DayField(label=_("Tanggal"))
    jam = forms.CharField(label=_("Jam"), max_length=20)
    tempat = forms.CharField(label=_("Tempat"), max_length=160, required=False)
    materi = forms.CharField(label=_("Materi"), max_length=160, required=False)


# --- Back-entry grid ----------------------------------------------------------------------


class GridTopForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Materi"), queryset=Topic.objects.none(), empty_label=_("– pilih materi –"))
    age_groups = age_groups_field()
    place = forms.CharField(label=_("Tempat"), max_length=160, required=False)

    def __init__(self, *args, session: CoachingSession | None, **kwargs):
        super().__init__(*args, **kwargs)
        topic_id = session.topic_id if session else None
        self.fields["topic"].queryset = Topic.objects.filter(Q(active=True) | Q(pk=topic_id))


class GridRowForm(forms.Form):
    """One child's line. Field names are short: 200 rows of them travel on a weak signal."""

    hadir = forms.BooleanField(required=False)
    attendee = forms.ChoiceField(choices=Attendance.Attendee.choices, required=False)
    # No range here: families.measurements.measurement_record explains a bad value better.
    weight = DecimalCommaField(required=False, example="14,5")
    height = DecimalCommaField(required=False, example="92,5")
    position = forms.ChoiceField(choices=Measurement.Position.choices, required=False)
    confirm = forms.BooleanField(required=False)
    tasks = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, row: selectors.SheetChild, **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row
        self.fields["tasks"].choices = [(m.pk, m.text_id) for m in row.due]
        for name in ("weight", "height"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm num"
        for name in ("attendee", "position"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["hadir"].widget.attrs["class"] = "form-check-input"
        # The grid has no labels per cell; screen readers still need to know which child.
        name = row.child.name
        for field, label in (
            ("hadir", _("Hadir")),
            ("attendee", _("Yang hadir")),
            ("weight", _("Berat (kg)")),
            ("height", _("Panjang/tinggi (cm)")),
            ("position", _("Cara ukur")),
        ):
            self.fields[field].widget.attrs["aria-label"] = f"{label} {name}"

    def clean(self):
        data = super().clean()
        weight, height = data.get("weight"), data.get("height")
        if (weight is None) != (height is None) and not self.errors:
            missing = "height" if weight is not None else "weight"
            self.add_error(missing, _("Isi berat dan panjang/tinggi bersama."))
        return data

    def grid_row(self) -> services.GridRow:
        data = self.cleaned_data
        default_position = Measurement.Position.LYING if self.row.lying_by_default else Measurement.Position.STANDING
        return services.GridRow(
            child=self.row.child,
            present=data["hadir"],
            attendee=data["attendee"] or Attendance.Attendee.MOTHER,
            weight_kg=data["weight"],
            height_cm=data["height"],
            position=data["position"] or default_position,
            confirmed=data["confirm"],
            achieved=set(data["tasks"]),
            offered={m.pk for m in self.row.due},
        )
