from django.urls import path

from families import views

app_name = "families"
urlpatterns = [
    path("kelompok/<int:group_id>/anggota/", views.roster, name="roster"),
    path("kelompok/<int:group_id>/keluarga/baru/", views.family_edit, name="create"),
    path("keluarga/<int:pk>/", views.family_detail, name="detail"),
    path("keluarga/<int:pk>/ubah/", views.family_edit, name="edit"),
]
