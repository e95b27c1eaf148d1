from django.urls import path

from cadres import views

app_name = "cadres"
urlpatterns = [
    path("<int:pk>/", views.cadre_detail, name="detail"),
    path("<int:pk>/pelatihan/", views.training_create, name="training_create"),
    path("kelompok/<int:group_id>/baru/", views.cadre_edit, name="create"),
    path("kelompok/<int:group_id>/<int:pk>/ubah/", views.cadre_edit, name="edit"),
]
