from django.urls import path

from bkb.lib import sheets  # noqa: F401  (registers the <sheet:...> converter)
from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tugas/", views.supervisor_tasks, name="supervisor_tasks"),
    # Before the month's pattern, which would take "tugas" for a month.
    path("kelompok/<int:group_id>/tugas/", views.tasks, name="tasks"),
    path("kelompok/<int:group_id>/<str:month>/", views.group_month, name="group_month"),
    path("kelompok/<int:group_id>/<str:month>/laporan.pdf", views.group_month_pdf, name="group_month_pdf"),
    path("kelompok/<int:group_id>/<str:month>/angka.<sheet:fmt>", views.group_month_export, name="group_month_export"),
    path("kelompok/<int:group_id>/<str:month>/rincian/<str:key>/", views.figure_rows, name="figure_rows"),
    path("kelompok/<int:group_id>/<str:month>/kirim/", views.report_submit, name="submit"),
    path("versi/<int:pk>/", views.report_version, name="version"),
    path("versi/<int:pk>/periksa/", views.report_review, name="review"),
    path("rekap/<int:area_id>/<str:month>/", views.area_recap, name="area_recap"),
    path("rekap/<int:area_id>/<str:month>/rekap.pdf", views.area_recap_pdf, name="area_recap_pdf"),
    path("rekap/<int:area_id>/<str:month>/rekap.<sheet:fmt>", views.area_recap_export, name="area_recap_export"),
    path("rekap/<int:area_id>/<str:month>/pertumbuhan.<sheet:fmt>", views.growth_export, name="growth_export"),
    path("rekap/<int:area_id>/<str:month>/dhis2.json", views.dhis2_export, name="dhis2_export"),
    path("rekap/pdf/<int:pk>/", views.recap_job, name="recap_job"),
    path("rekap/pdf/<int:pk>/unduh/", views.recap_job_download, name="recap_job_download"),
    path("rekap/pdf/<int:pk>/ulang/", views.recap_job_retry, name="recap_job_retry"),
    path("cetak-massal/", views.batch_print, name="batch_print"),
    path("cetak-massal/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("cetak-massal/<int:pk>/unduh/<str:kind>/", views.batch_download, name="batch_download"),
    path("cetak-massal/<int:pk>/ulang/", views.batch_retry, name="batch_retry"),
    path("dhis2/", views.dhis2_mapping, name="dhis2"),
    path("dhis2/contoh.<sheet:fmt>", views.dhis2_example, name="dhis2_example"),
    path("piagam/<int:cadre_id>/", views.certificate, name="certificate"),
]
