"""Family registration: one form for the family and its children, on a phone."""

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from families import services
from families.models import Child, Family
from groups.validators import normalise_phone


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class FamilyForm(forms.ModelForm):
    class Meta:
        model = Family
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
            self.initial.setdefault("rw", group.rw)

    def clean_mother_nik(self):
        nik = (self.cleaned_data.get("mother_nik") or "").strip() or None
        if nik and (where := services.nik_registered_elsewhere(nik, family=self.instance)):
            raise forms.ValidationError(where)
        return nik

    def clean_kk_number(self):
        kk = (self.cleaned_data.get("kk_number") or "").strip() or None
        if kk and (where := services.kk_registered_elsewhere(kk, family=self.instance)):
            raise forms.ValidationError(where)
        return kk

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"]) if self.cleaned_data.get("phone") else ""

    def clean_whatsapp(self):
        return normalise_phone(self.cleaned_data["whatsapp"]) if self.cleaned_data.get("whatsapp") else ""


class ChildForm(forms.ModelForm):
    confirm_not_duplicate = forms.BooleanField(label=_("Saya sudah memeriksa: ini anak yang berbeda"), required=False)

    class Meta:
        model = Child
        fields = ["name", "sex", "birth_date", "nik", "birth_weight_kg", "birth_length_cm"]
        widgets = {
            "birth_date": DateInput(),
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "birth_weight_kg": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            "birth_length_cm": forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates: list[Child] = []

    def clean_nik(self):
        nik = (self.cleaned_data.get("nik") or "").strip() or None
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
    extra=1,
    min_num=1,
    validate_min=True,
    can_delete=True,
)
