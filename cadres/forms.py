from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bkb.lib import inputs
from bkb.lib.validators import normalise_phone, number_as_typed
from cadres import services
from cadres.models import Cadre, CadreRole, SupervisionVisit, Training


class CadreForm(forms.ModelForm):
    class Meta:
        model = Cadre
        formfield_callback = inputs.formfield
        fields = ["name", "nik", "phone", "sex", "education", "date_joined", "active"]
        widgets = {
            "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
        }

    def clean_nik(self):
        return number_as_typed(self.cleaned_data.get("nik"))

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"]) if self.cleaned_data.get("phone") else ""


class BaseRoleFormSet(BaseInlineFormSet):
    """The cadre's open roles in one group. Removing or changing a role ends
    it today and keeps it as history (cadres.services), so past months stay
    as they were."""

    def __init__(self, *args, group, **kwargs):
        self.group = group
        super().__init__(*args, queryset=CadreRole.objects.current().filter(group=group), **kwargs)

    def save(self, commit=True):
        # A cadre entered into the register with her roles served from the day
        # she joined; a role added to a cadre already on record starts today.
        today = timezone.localdate()
        new_cadre = not CadreRole.objects.filter(cadre=self.instance).exists()
        self.starts_on = min(self.instance.date_joined, today) if new_cadre else today
        return super().save(commit=commit)

    def save_new(self, form, commit=True):
        form.instance.started_on = self.starts_on
        return super().save_new(form, commit=commit)

    def save_existing(self, form, obj, commit=True):
        if {"role", "age_group"} & set(form.changed_data):
            return services.role_change(role=form.save(commit=False), on=timezone.localdate())
        return super().save_existing(form, obj, commit=commit)

    def delete_existing(self, obj, commit=True):
        if commit:
            services.role_end(role=obj, on=timezone.localdate())

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.group = self.group
        return form

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("role"):
                continue
            key = (data["role"], data.get("age_group"))
            if key in seen:
                form.add_error("role", _("Peran ini sudah ditulis di atas."))
            seen.add(key)


RoleFormSet = inlineformset_factory(
    Cadre, CadreRole, fields=["role", "age_group"], formset=BaseRoleFormSet, extra=1, can_delete=True
)


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        formfield_callback = inputs.formfield
        fields = ["kind", "date", "organiser"]


class SupervisionVisitForm(forms.ModelForm):
    class Meta:
        model = SupervisionVisit
        formfield_callback = inputs.formfield
        fields = ["date", "findings", "follow_up"]
        widgets = {
            "findings": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"findings": _("Temuan dan umpan balik")}
