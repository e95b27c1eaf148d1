from django.urls import path

from families import views

app_name = "families"
urlpatterns = [
    path("kelompok/<int:group_id>/keluarga/baru/", views.family_edit, name="create"),
    path("keluarga/cari/", views.family_search, name="search"),
    path("keluarga/<int:pk>/", views.family_detail, name="detail"),
    path("keluarga/terhapus/", views.deleted_families, name="deleted"),
    path("keluarga/terhapus/<int:pk>/pulihkan/", views.family_restore, name="restore"),
    path("keluarga/<int:pk>/ubah/", views.family_edit, name="edit"),
    path("keluarga/<int:pk>/pindah/", views.family_move, name="move"),
    path("anak/<int:pk>/", views.child_detail, name="child_detail"),
    path("anak/<int:pk>/ukur/", views.measurement_add, name="measurement_add"),
    path("anak/<int:pk>/rujukan/", views.referral_add, name="referral_add"),
    path("rujukan/<int:pk>/selesai/", views.referral_close, name="referral_close"),
]
