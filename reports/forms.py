"""Forms of the report pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bkb.lib.months import Month
from groups.models import Area


class BatchPrintForm(forms.Form):
    """An area in the admin's scope and a month: the batch to print."""

    area = forms.ModelChoiceField(
        label=_("Wilayah"),
        queryset=Area.objects.none(),
        error_messages={"invalid_choice": _("Pilih wilayah dari daftar.")},
    )
    month = forms.CharField(label=_("Bulan"), max_length=7)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas

    def clean_month(self) -> Month:
        try:
            return Month.parse(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError(_("Tulis bulan seperti 2026-10.")) from error


class ReviewForm(forms.Form):
    """The supervisor's answer to a submitted report: verify, or return with a comment."""

    action = forms.ChoiceField(choices=[("verify", _("Verifikasi")), ("return", _("Kembalikan"))], required=False)
    comment = forms.CharField(label=_("Catatan"), required=False, max_length=2000)
