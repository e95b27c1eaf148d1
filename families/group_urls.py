from django.urls import path

from families import group_views as views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("baru/", views.group_edit, name="create"),
    path("<int:pk>/", views.group_detail, name="detail"),
    path("<int:pk>/unduh/<str:table>.<str:fmt>", views.register_export, name="export"),
    path("<int:pk>/ubah/", views.group_edit, name="edit"),
    path("<int:pk>/pembinaan/baru/", views.supervision_visit_create, name="visit_create"),
]
