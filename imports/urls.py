"""URLs of the Import pages."""

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/rejected.jsonl", views.import_rejections_download, name="rejections-download"),
    path("<int:pk>/resume/", views.import_resume, name="resume"),
]
