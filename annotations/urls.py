"""URLs for highlights, tags, "my work" and exports."""

from django.urls import path

from annotations import views

app_name = "annotations"

urlpatterns = [
    path("tags.css", views.tags_css, name="tags_css"),
    path("articles/<int:article_pk>/", views.article_highlights, name="article_highlights"),
    path("articles/<int:article_pk>/create/", views.annotation_create, name="create"),
    path("<int:pk>/edit/", views.annotation_edit, name="edit"),
    path("<int:pk>/delete/", views.annotation_delete, name="delete"),
    path("<int:pk>/restore/", views.annotation_restore, name="restore"),
    path("mine/", views.my_work, name="my_work"),
    path("export/", views.annotation_export, name="export"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/new/", views.tag_create, name="tag_create"),
    path("tags/<int:pk>/", views.tag_update, name="tag_update"),
    path("tags/<int:pk>/move/", views.tag_move, name="tag_move"),
    path("tags/<int:pk>/retire/", views.tag_retire, name="tag_retire"),
]
