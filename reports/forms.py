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


class Dhis2MappingForm(forms.Form):
    """The kabupaten's DHIS2 mapping as a table (.csv or .xlsx), and its data set."""

    file = forms.FileField(label=_("Berkas pemetaan (.csv atau .xlsx)"))
    data_set = forms.CharField(
        label=_("Data set DHIS2 (uid, boleh kosong)"),
        required=False,
        max_length=11,
    )

    def clean_data_set(self) -> str:
        from reports.dhis2 import UID

        value = self.cleaned_data["data_set"].strip()
        if value and not UID.match(value):
            raise forms.ValidationError(_("Bukan uid DHIS2 (11 huruf/angka, diawali huruf)."))
        return value
