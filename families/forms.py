"""Family registration: one form for the family and its children, on a phone."""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from bkb.lib import inputs
from bkb.lib.inputs import DateInput, DayField, DecimalCommaField
from bkb.lib.validators import normalise_phone, normalise_rt_rw, number_as_typed
from families import services
from families.models import Aspect, Child, Family, Measurement, Referral


class FamilyForm(forms.ModelForm):
    class Meta:
        model = Family
        formfield_callback = inputs.formfield
        fields = [
            "mother_name",
            "caregiver",
            "mother_nik",
            "father_name",
            "kk_number",
            "phone",
            "whatsapp",
            "language",
            "address",
            "rt",
            "rw",
            "is_pus",
            "kb_method",
            "welfare_stage",
            "is_pkh",
            "stunting_risk",
            "joined_on",
            "left_on",
            "notes",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 2}),
            "mother_nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "kk_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
            "whatsapp": forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
            "rt": forms.TextInput(attrs={"inputmode": "numeric"}),
            "rw": forms.TextInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, group, user, known: services.Known | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group, self.user, self.known = group, user, known
        self.instance.group = group
        self.fields["language"].required = False
        if not self.instance.pk:
            self.fields.pop("left_on")
            if not self.initial.get("rw"):
                self.initial["rw"] = group.rw

    def clean_mother_nik(self):
        nik = number_as_typed(self.cleaned_data.get("mother_nik"))
        if nik and (
            where := services.nik_registered_elsewhere(
                nik, user=self.user, group=self.group, family=self.instance, known=self.known
            )
        ):
            raise forms.ValidationError(where)
        return nik

    def clean_kk_number(self):
        kk = number_as_typed(self.cleaned_data.get("kk_number"))
        if kk and (
            where := services.kk_registered_elsewhere(
                kk, user=self.user, group=self.group, family=self.instance, known=self.known
            )
        ):
            raise forms.ValidationError(where)
        return kk

    def clean_rt(self):
        return normalise_rt_rw(self.cleaned_data.get("rt"))

    def clean_rw(self):
        return normalise_rt_rw(self.cleaned_data.get("rw"))

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"]) if self.cleaned_data.get("phone") else ""

    def clean_whatsapp(self):
        return normalise_phone(self.cleaned_data["whatsapp"]) if self.cleaned_data.get("whatsapp") else ""

    def clean_language(self):
        # Optional on the form: most families never set it and get Indonesian.
        return self.cleaned_data.get("language") or Family.Language.INDONESIAN

    def validate_unique(self):
        _validate_in_database(self, super().validate_unique)

    def validate_constraints(self):
        _validate_in_database(self, super().validate_constraints)


def _validate_in_database(form, check) -> None:
    """Django's unique and constraint checks, one query each; skipped when the form is checked
    against `known` (an import): the numbers were checked there and against the rest of the file,
    and each check constraint has its message in the model's clean(). The database's own
    constraints still refuse whatever changed since, when the rows are written."""
    if form.known is None:
        check()


class ChildForm(forms.ModelForm):
    confirm_not_duplicate = forms.BooleanField(label=_("Saya sudah memeriksa: ini anak yang berbeda"), required=False)

    class Meta:
        model = Child
        formfield_callback = inputs.formfield
        fields = ["name", "sex", "birth_date", "nik", "birth_weight_kg", "birth_length_cm"]
        widgets = {
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, group, user, known: services.Known | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group, self.user, self.known = group, user, known
        self.duplicates: list[Child] = []

    def clean_nik(self):
        nik = number_as_typed(self.cleaned_data.get("nik"))
        if nik and (
            where := services.nik_registered_elsewhere(
                nik, user=self.user, group=self.group, child=self.instance, known=self.known
            )
        ):
            raise forms.ValidationError(where)
        return nik

    def validate_unique(self):
        _validate_in_database(self, super().validate_unique)

    def validate_constraints(self):
        _validate_in_database(self, super().validate_constraints)


class BaseChildFormSet(BaseInlineFormSet):
    default_error_messages = {"too_few_forms": _("Daftarkan setidaknya satu anak balita.")}

    def __init__(self, *args, mother_name_field=None, group=None, user=None, known=None, **kwargs):
        super().__init__(*args, form_kwargs={"group": group, "user": user, "known": known}, **kwargs)
        self.group, self.user, self.known = group, user, known

    def clean(self):
        # Our checks run first: Django's own unique check drops the duplicate
        # form's data and would hide the clearer message below.
        seen_nik: dict[str, int] = {}
        mother_name = self.data.get("mother_name", "") if self.is_bound else ""
        kabupaten = self.group.kabupaten if self.group else None
        for index, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            nik = form.cleaned_data.get("nik")
            if nik:
                if nik in seen_nik:
                    form.add_error(
                        "nik", _("NIK ini sama dengan anak ke-%(n)s di formulir ini.") % {"n": seen_nik[nik] + 1}
                    )
                seen_nik[nik] = index
            if form.has_changed() and form.cleaned_data.get("name") and form.cleaned_data.get("birth_date"):
                form.duplicates = services.likely_duplicate_children(
                    name=form.cleaned_data["name"],
                    birth_date=form.cleaned_data["birth_date"],
                    mother_name=mother_name,
                    kabupaten=kabupaten,
                    exclude_pk=form.instance.pk,
                    known=self.known,
                )
                if form.duplicates and not form.cleaned_data.get("confirm_not_duplicate"):
                    form.add_error(
                        "name",
                        " ".join(services.describe_duplicate(c, user=self.user) for c in form.duplicates)
                        + " "
                        + str(_("Centang konfirmasi di bawah bila memang anak yang berbeda.")),
                    )
        super().clean()


ChildFormSet = inlineformset_factory(
    Family,
    Child,
    form=ChildForm,
    formset=BaseChildFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=True,
)


class MeasurementForm(forms.Form):
    """Weight and length/height for the child page; families.measurements does the checking."""

    date = DayField(label=_("Tanggal ukur"))
    # No digit limits here: families.measurements rounds and judges the values, with
    # the same messages as the back-entry grid.
    weight_kg = DecimalCommaField(label=_("Berat badan (kg)"), example="14,5")
    height_cm = DecimalCommaField(label=_("Panjang/tinggi badan (cm)"), example="92,5")
    position = forms.ChoiceField(label=_("Cara ukur"), choices=Measurement.Position.choices)
    head_cm = DecimalCommaField(label=_("Lingkar kepala (cm)"), required=False, example="47,5")
    arm_cm = DecimalCommaField(label=_("Lingkar lengan atas (cm)"), required=False, example="14,5")
    confirmed = forms.BooleanField(label=_("Saya sudah cek ulang, angka ini benar"), required=False)

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.needs_confirmation = False

    def record(self, *, user):
        """Save through measurement_record; its errors land beside their fields."""
        from families.measurements import CONFIRM, measurement_record

        try:
            return measurement_record(child=self.child, user=user, **self.cleaned_data)
        except ValidationError as error:
            if getattr(error, "code", None) == CONFIRM:
                self.needs_confirmation = True
                self.add_error("confirmed", error)
            else:
                self.add_error(None, error)
            return None


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        formfield_callback = inputs.formfield
        fields = ["date", "referred_to", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.child = child

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day and day < self.instance.child.birth_date:
            raise forms.ValidationError(_("Tanggal rujukan tidak boleh sebelum anak lahir."))
        return day


class ReferralCloseForm(forms.ModelForm):
    class Meta:
        model = Referral
        formfield_callback = inputs.formfield
        fields = ["closed_on", "outcome"]
        widgets = {"outcome": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].required = True
        self.fields["outcome"].required = True


@dataclass
class KkaRow:
    """One task on the KKA page: its tick (unmarked) or its "hapus tanda" (marked), and the date."""

    item: object
    date: forms.BoundField
    done: forms.BoundField | None = None
    remove: forms.BoundField | None = None

    @property
    def errors(self):
        return self.date.errors


@dataclass
class KkaSection:
    key: str
    title: str
    open: bool
    rows: list[KkaRow]
    band: forms.BoundField | None = None

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)


_KKA_FIELD = re.compile(r"^(done|date|remove|band)_")


def _band(item) -> tuple[int, int]:
    return item.milestone.band_start_month, item.milestone.band_end_month


_ASPECT_ORDER = {value: n for n, value in enumerate(Aspect.values)}


class KkaCheckForm(forms.Form):
    """One KKA check: tick what the child now does, re-date or explicitly remove a mark.

    An unmarked task has a tick and an optional date (empty: the check's day);
    a marked task its date and a "hapus tanda" box. Only the tasks shown and
    posted change: a task missing from the post is left alone, and a field
    naming a task that is not on this page refuses the whole save. On the
    first check (child *belum dinilai*) each band also has a "whole band
    done" box.
    """

    def __init__(self, *args, card, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.card = card
        self.today = today
        self.first_check = not card.assessed
        self.bands = []
        for item in sorted(card.items, key=self._order):
            pk = item.milestone.pk
            band = _band(item)
            if band not in self.bands:
                self.bands.append(band)
            date_widget = DateInput(attrs={"class": "form-control form-control-sm kka-date"})
            if item.record is None:
                self.fields[f"done_{pk}"] = forms.BooleanField(label=item.milestone.text, required=False)
                self.fields[f"date_{pk}"] = DayField(
                    label=_("Tanggal pertama bisa"), required=False, widget=date_widget
                )
            else:
                self.fields[f"date_{pk}"] = DayField(
                    label=_("Tanggal pertama bisa"),
                    required=False,
                    widget=date_widget,
                    initial=item.record.achieved_on,
                )
                self.fields[f"remove_{pk}"] = forms.BooleanField(label=_("Hapus tanda"), required=False)
        if self.first_check:
            for start, end in self.bands:
                self.fields[f"band_{start}_{end}"] = forms.BooleanField(
                    label=_("Semua tugas %(a)s-%(b)s bulan sudah bisa") % {"a": start, "b": end}, required=False
                )

    @staticmethod
    def _order(item):
        m = item.milestone
        return (m.band_start_month, m.band_end_month, _ASPECT_ORDER.get(m.aspect, 99), m.code)

    def _row(self, item) -> KkaRow:
        pk = item.milestone.pk
        if item.record is None:
            return KkaRow(item, self[f"date_{pk}"], done=self[f"done_{pk}"])
        return KkaRow(item, self[f"date_{pk}"], remove=self[f"remove_{pk}"])

    def sections(self) -> list[KkaSection]:
        """The page's parts, the first field in error focused (the browser scrolls to it)."""
        sections = self._sections()
        first = True
        for section in sections:
            for row in section.rows:
                if row.errors:
                    attrs = row.date.field.widget.attrs
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid"
                    attrs["aria-invalid"] = "true"
                    if first:
                        attrs["autofocus"] = True
                        first = False
        return sections

    def _sections(self) -> list[KkaSection]:
        """First check: every band so far, each with its shortcut.
        Otherwise: owed tasks, then the current band, then earlier bands folded."""
        items = sorted(self.card.items, key=self._order)
        sections = []
        if self.first_check:
            for start, end in self.bands:
                rows = [self._row(i) for i in items if _band(i) == (start, end)]
                title = _("Rentang %(a)s-%(b)s bulan") % {"a": start, "b": end}
                section = KkaSection(f"{start}-{end}", title, False, rows, band=self[f"band_{start}_{end}"])
                # Folded behind the band's shortcut; open where the cadre picked one by one.
                section.open = section.has_errors or any(row.done is not None and row.done.value() for row in rows)
                sections.append(section)
            return sections
        from families.kka import ItemStatus  # kka imports the models this module uses

        age = self.card.age_months
        attention = [i for i in items if i.status in (ItemStatus.OWED, ItemStatus.REFER)]
        if attention:
            title = _("Tugas terhutang dan perlu rujukan")
            sections.append(KkaSection("perhatian", title, True, [self._row(i) for i in attention]))
        rest = [i for i in items if i not in attention]
        current = [i for i in rest if i.milestone.band_end_month > age]
        if current:
            title = _("Rentang umur sekarang")
            sections.append(KkaSection("sekarang", title, True, [self._row(i) for i in current]))
        for start, end in reversed(self.bands):
            rows = [self._row(i) for i in rest if i.milestone.band_end_month <= age and _band(i) == (start, end)]
            if rows:
                title = _("Rentang %(a)s-%(b)s bulan") % {"a": start, "b": end}
                section = KkaSection(f"{start}-{end}", title, False, rows)
                section.open = section.has_errors
                sections.append(section)
        return sections

    def clean(self):
        cleaned = super().clean()
        unknown = sorted(key for key in self.data if _KKA_FIELD.match(key) and key not in self.fields)
        if unknown:
            raise forms.ValidationError(
                _(
                    "Isian tidak dikenal (%(keys)s): halaman ini mungkin sudah lama. "
                    "Tidak ada yang disimpan; muat ulang halaman lalu isi lagi."
                ),
                params={"keys": ", ".join(unknown[:5])},
                code="unknown",
            )
        birth = self.card.child.birth_date
        self._marks, self._removals = {}, set()
        whole_bands = {band for band in self.bands if cleaned.get(f"band_{band[0]}_{band[1]}")}
        for item in self.card.items:
            pk = item.milestone.pk
            date_name = f"date_{pk}"
            if date_name in self.errors:
                continue
            day = cleaned.get(date_name)
            if item.record is None:
                # A date typed beside a task says it is done, ticked or not: never drop it silently.
                if not (cleaned.get(f"done_{pk}") or day or _band(item) in whole_bands):
                    continue
                day = day or self.today
            elif cleaned.get(f"remove_{pk}"):
                self._removals.add(pk)
                continue
            elif date_name not in self.data:
                continue  # not posted: leave the mark as it is
            elif day is None:
                self.add_error(date_name, _("Isi tanggal anak pertama bisa, atau centang 'Hapus tanda'."))
                continue
            if day > self.today:
                self.add_error(date_name, _("Tanggal %(d)s di masa depan.") % {"d": day.strftime("%d-%m-%Y")})
            elif day < birth:
                self.add_error(
                    date_name,
                    _("Tanggal %(d)s sebelum anak lahir (%(b)s).")
                    % {"d": day.strftime("%d-%m-%Y"), "b": birth.strftime("%d-%m-%Y")},
                )
            elif item.record is None or item.record.achieved_on != day:
                self._marks[pk] = day
        return cleaned

    def marks(self) -> dict:
        """{milestone id: date first done} to add or re-date, for kka_check_save."""
        return self._marks

    def removals(self) -> set:
        """Milestone ids whose mark the cadre took off explicitly."""
        return self._removals


class FamilyMoveForm(forms.Form):
    """The family page's move form: the target is one of the groups the user sees."""

    to_group = forms.ModelChoiceField(
        label=_("Pindahkan ke kelompok"),
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_group"].queryset = groups.select_related("desa").order_by("desa__name", "name")
        self.fields["to_group"].label_from_instance = lambda group: f"{group.label} ({group.desa.label})"
