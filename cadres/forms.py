from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from bkb.lib import inputs
from bkb.lib.validators import normalise_phone, number_as_typed
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
    """The cadre's open roles in one group. Saving goes through cadres.services.cadre_save:
    removing or changing a role ends it today and keeps it as history, so past
    months stay as they were."""

    def __init__(self, *args, group, **kwargs):
        self.group = group
        super().__init__(*args, queryset=CadreRole.objects.current().filter(group=group), **kwargs)

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
