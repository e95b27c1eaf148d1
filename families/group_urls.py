from django.urls import path

from bkb.lib import sheets  # noqa: F401  (registers the <sheet:...> converter)
from families import group_views as views
from families import import_views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("baru/", views.group_edit, name="create"),
    path("<int:pk>/", views.group_detail, name="detail"),
    path("<int:pk>/unduh/<str:table>.<sheet:fmt>", views.register_export, name="export"),
    path("<int:pk>/ubah/", views.group_edit, name="edit"),
    path("<int:pk>/pembinaan/baru/", views.supervision_visit_create, name="visit_create"),
    path("<int:pk>/impor/", import_views.family_import, name="import"),
    path("<int:pk>/impor/templat.<sheet:fmt>", import_views.template_download, name="import_template"),
    path("<int:pk>/impor/<int:upload_id>/", import_views.import_preview, name="import_preview"),
]
