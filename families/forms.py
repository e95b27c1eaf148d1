"""Family registration: one form for the family and its children, on a phone."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from families import services
from families.models import Child, Family, Measurement, Referral
from groups import inputs
from groups.inputs import DateInput, DayField, DecimalCommaField
from groups.validators import normalise_phone, normalise_rt_rw, number_as_typed


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
            "joined_on": DateInput(),
            "left_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "mother_nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "kk_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
            "whatsapp": forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
            "rt": forms.TextInput(attrs={"inputmode": "numeric"}),
            "rw": forms.TextInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.instance.group = group
        if not self.instance.pk:
            self.fields.pop("left_on")
            if not self.initial.get("rw"):
                self.initial["rw"] = group.rw

    def clean_mother_nik(self):
        nik = number_as_typed(self.cleaned_data.get("mother_nik"))
        if nik and (where := services.nik_registered_elsewhere(nik, family=self.instance)):
            raise forms.ValidationError(where)
        return nik

    def clean_kk_number(self):
        kk = number_as_typed(self.cleaned_data.get("kk_number"))
        if kk and (where := services.kk_registered_elsewhere(kk, family=self.instance)):
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


class ChildForm(forms.ModelForm):
    confirm_not_duplicate = forms.BooleanField(label=_("Saya sudah memeriksa: ini anak yang berbeda"), required=False)

    class Meta:
        model = Child
        formfield_callback = inputs.formfield
        fields = ["name", "sex", "birth_date", "nik", "birth_weight_kg", "birth_length_cm"]
        widgets = {
            "birth_date": DateInput(),
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates: list[Child] = []

    def clean_nik(self):
        nik = number_as_typed(self.cleaned_data.get("nik"))
        if nik and (where := services.nik_registered_elsewhere(nik, child=self.instance)):
            raise forms.ValidationError(where)
        return nik


class BaseChildFormSet(BaseInlineFormSet):
    default_error_messages = {"too_few_forms": _("Daftarkan setidaknya satu anak balita.")}

    def __init__(self, *args, mother_name_field=None, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group

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
                )
                if form.duplicates and not form.cleaned_data.get("confirm_not_duplicate"):
                    form.add_error(
                        "name",
                        " ".join(services.describe_duplicate(c) for c in form.duplicates)
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
    weight_kg = DecimalCommaField(label=_("Berat badan (kg)"), max_digits=5, decimal_places=2, example="14,5")
    height_cm = DecimalCommaField(label=_("Panjang/tinggi badan (cm)"), max_digits=5, decimal_places=1, example="92,5")
    position = forms.ChoiceField(label=_("Cara ukur"), choices=Measurement.Position.choices)
    head_cm = DecimalCommaField(
        label=_("Lingkar kepala (cm)"), required=False, max_digits=4, decimal_places=1, example="47,5"
    )
    arm_cm = DecimalCommaField(
        label=_("Lingkar lengan atas (cm)"), required=False, max_digits=4, decimal_places=1, example="14,5"
    )
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
        widgets = {"date": DateInput(), "reason": forms.Textarea(attrs={"rows": 2})}

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
        widgets = {"closed_on": DateInput(), "outcome": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].required = True
        self.fields["outcome"].required = True

    def clean_closed_on(self):
        day = self.cleaned_data["closed_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Tanggal selesai tidak boleh di masa depan."))
        return day


class KkaMarksForm(forms.Form):
    """All marks of one KKA page: per task a tick "sudah bisa" and the date first done."""

    def __init__(self, *args, card, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.card = card
        self.today = today
        self.rows = []
        for item in card.items:
            pk = item.milestone.pk
            done = f"done_{pk}"
            date = f"date_{pk}"
            self.fields[done] = forms.BooleanField(
                label=item.milestone.text_id, required=False, initial=item.record is not None
            )
            self.fields[date] = DayField(
                label=_("Tanggal pertama bisa"),
                required=False,
                widget=DateInput(attrs={"class": "form-control form-control-sm kka-date"}),
                initial=item.record.achieved_on if item.record else today,
            )
            self.rows.append((item, done, date))

    def by_aspect(self):
        """[(aspect, [(item, done field, date field), ...]), ...] for the template, aspects in KKA order."""
        rows = {}
        for item, done, date in self.rows:
            rows.setdefault(item.milestone.aspect, []).append((item, self[done], self[date]))
        return [(aspect, rows[aspect.value]) for aspect in self.card.aspects if aspect.value in rows]

    def clean(self):
        cleaned = super().clean()
        birth = self.card.child.birth_date
        for _item, done, date in self.rows:
            if not cleaned.get(done):
                continue
            day = cleaned.get(date)
            if day is None:
                if date not in self.errors:
                    self.add_error(date, _("Isi tanggal anak pertama bisa."))
            elif day > self.today:
                self.add_error(date, _("Tanggal %(d)s di masa depan.") % {"d": day.strftime("%d-%m-%Y")})
            elif day < birth:
                self.add_error(
                    date,
                    _("Tanggal %(d)s sebelum anak lahir (%(b)s).")
                    % {"d": day.strftime("%d-%m-%Y"), "b": birth.strftime("%d-%m-%Y")},
                )
        return cleaned

    def marks(self) -> dict:
        """{milestone id: date or None} for kka_marks_save."""
        return {
            item.milestone.pk: (self.cleaned_data[date] if self.cleaned_data.get(done) else None)
            for item, done, date in self.rows
        }
