from django.urls import path

from sessions import views

app_name = "sessions"
urlpatterns = [
    path("kelompok/<int:group_id>/", views.session_list, name="list"),
    path("kelompok/<int:group_id>/baru/", views.session_edit, name="create"),
    path("kelompok/<int:group_id>/kunjungan-rumah/", views.home_visits, name="home_visits"),
    path("kelompok/<int:group_id>/lembar.pdf", views.session_sheet_pdf, name="sheet_pdf"),
    path("kelompok/<int:group_id>/isi-cepat/", views.session_back_entry, name="back_entry"),
    path("keluarga/<int:family_id>/kunjungan-rumah/baru/", views.home_visit_create, name="home_visit_create"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/ubah/", views.session_edit, name="edit"),
    path("<int:pk>/whatsapp/", views.session_whatsapp, name="whatsapp"),
]
