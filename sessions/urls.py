from django.urls import path

from sessions import views

app_name = "sessions"
urlpatterns = [
    # The group's month at a glance and the KKA check: they show who came and link
    # each check to the session or visit of its day, so they live with sessions.
    path("kelompok/<int:group_id>/anggota/", views.roster, name="roster"),
    path("kelompok/<int:group_id>/luring/", views.offline_set, name="offline_set"),
    path("anak/<int:pk>/kka/", views.child_kka, name="child_kka"),
    path("pertemuan/kelompok/<int:group_id>/", views.session_list, name="list"),
    path("pertemuan/kelompok/<int:group_id>/baru/", views.session_edit, name="create"),
    path("pertemuan/kelompok/<int:group_id>/kunjungan-rumah/", views.home_visits, name="home_visits"),
    path("pertemuan/kelompok/<int:group_id>/lembar.pdf", views.session_sheet_pdf, name="sheet_pdf"),
    path("pertemuan/kelompok/<int:group_id>/isi-cepat/", views.session_back_entry, name="back_entry"),
    path("pertemuan/keluarga/<int:family_id>/kunjungan-rumah/baru/", views.home_visit_create, name="home_visit_create"),
    path("pertemuan/<int:pk>/", views.session_detail, name="detail"),
    path("pertemuan/<int:pk>/ubah/", views.session_edit, name="edit"),
    path("pertemuan/<int:pk>/whatsapp/", views.session_whatsapp, name="whatsapp"),
]
