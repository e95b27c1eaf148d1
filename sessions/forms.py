"""Forms for the session screen, home visits, the WhatsApp texts and the back-entry grid."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bkb.lib import inputs
from bkb.lib.ages import AgeGroup
from bkb.lib.inputs import DateInput, DayField, DecimalCommaField
from families.models import Measurement
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

    An edit page carries the session's version it was made on (`version`),
    so a save made on a page older than the session is caught, not silently
    written over the newer one (sessions.services.session_save).
    """

    age_groups = age_groups_field()
    hadir = forms.TypedMultipleChoiceField(
        label=_("Keluarga yang hadir"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("Keluarga %(value)s bukan anggota kelompok ini.")},
    )
    # Plain text with no rule of its own: whatever is posted here is only compared with the
    # session's version, so a mangled one is a stale page, never a refused hidden field.
    version = forms.Field(required=False, widget=forms.HiddenInput)

    class Meta:
        model = CoachingSession
        formfield_callback = inputs.formfield
        fields = ["date", "place", "age_groups", "topic", "ape_used", "supervising_agency", "notes"]
        widgets = {"date": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, choices: selectors.SessionChoices, day: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        group = choices.group
        self.group = group
        self.instance.group = group
        is_new = self.instance.pk is None
        if is_new:
            # model_to_dict already put empty values there, so setdefault would not do.
            self.initial["date"] = day or timezone.localdate()
            self.initial["place"] = self.initial.get("place") or group.meeting_place
        else:
            self.initial["version"] = services.session_version(self.instance.updated_at)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["topic"].queryset = choices.topics
        self.fields["topic"].empty_label = _("– pilih materi –")
        self.fields["ape_used"].widget.attrs["placeholder"] = _("mis. balok susun, buku cerita")
        agency = self.fields["supervising_agency"]
        agency.widget.attrs["placeholder"] = _("mis. PKB, bidan desa")

        self.cadres = choices.cadres
        for cadre in self.cadres:
            name = f"cadre_{cadre.pk}"
            self.fields[name] = forms.ChoiceField(
                label=cadre.name,
                required=False,
                choices=[("", _("tidak bertugas"))] + SessionCadre.Role.choices,
            )
            self.initial.setdefault(name, choices.ran.get(cadre.pk, ""))
            cadre.field_name = name

        # Any family ever in the group is a valid id; membership on the date is
        # the service's rule (sessions.services.session_save).
        self.fields["hadir"].choices = choices.families
        self.existing = choices.attendance
        if not is_new:
            self.initial["hadir"] = list(self.existing)

    def clean_version(self) -> str:
        return self.cleaned_data.get("version") or ""

    def carry_version(self, version: str) -> None:
        """Show the posted page again carrying `version`, the server's after a stale save:
        saving it again is then a deliberate overwrite with what was typed."""
        self.data = self.data.copy()
        self.data["version"] = version

    def listing_date(self) -> datetime.date:
        """The members shown follow the typed date; an unreadable one falls back."""
        if self.is_bound:
            try:
                return self.fields["date"].clean(self.data.get("date"))
            except forms.ValidationError:
                pass
        return self.instance.date or self.initial["date"]

    def listing_age_groups(self) -> list[int]:
        if self.is_bound:
            return [int(v) for v in self.data.getlist("age_groups") if v.isdigit()]
        return self.instance.age_groups or []

    def tick(self, bands: list[selectors.Band]) -> list[selectors.Band]:
        """Mark on the member rows what is ticked (posted or saved)."""
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

    def clean(self):
        data = super().clean()
        if "hadir" in data:
            self.attendance = []
            for fid in data["hadir"]:
                attendee = self.data.get(f"attendee_{fid}", Attendance.Attendee.MOTHER)
                if attendee not in Attendance.Attendee.values:
                    attendee = Attendance.Attendee.MOTHER
                child_id = _int(self.data.get(f"child_{fid}"))
                self.attendance.append(services.AttendanceEntry(fid, attendee, child_id))
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
        return services.GridRow(
            child=self.row.child,
            present=data["hadir"],
            attendee=data["attendee"] or Attendance.Attendee.MOTHER,
            weight_kg=data["weight"],
            height_cm=data["height"],
            position=data["position"] or self.row.position,
            confirmed=data["confirm"],
            achieved=set(data["tasks"]),
            offered={m.pk for m in self.row.due},
        )
