from django import forms

from bkb.lib import inputs
from bkb.lib.validators import normalise_rt_rw
from groups.models import Area, BkbGroup


class BkbGroupForm(forms.ModelForm):
    class Meta:
        model = BkbGroup
        formfield_callback = inputs.formfield
        fields = [
            "name",
            "desa",
            "rw",
            "year_formed",
            "decree_number",
            "meeting_place",
            "meeting_day",
            "stratum",
            "integration",
            "has_ape_kit",
            "active",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        desa = Area.objects.visible_to(user).filter(level=Area.Level.DESA)
        self.fields["desa"].queryset = desa.select_related("parent")
        self.fields["desa"].label_from_instance = lambda a: f"{a.name} ({a.parent.name})"
        self.fields["rw"].widget.attrs["inputmode"] = "numeric"

    def clean_rw(self):
        return normalise_rt_rw(self.cleaned_data.get("rw"))
