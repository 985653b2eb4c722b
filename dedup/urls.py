from django.urls import path

from dedup import views

app_name = "dedup"

urlpatterns = [
    path("articles/<int:article_pk>/copies/", views.copies_panel, name="copies_panel"),
    path("status/", views.status, name="status"),
    path("status/rerun/", views.rerun, name="rerun"),
]
