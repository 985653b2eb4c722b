from django.urls import path

from dedup import views

app_name = "dedup"

urlpatterns = [
    path("articles/<int:article_pk>/copies/", views.copies_panel, name="copies_panel"),
    path("compare/<int:left_pk>/<int:right_pk>/", views.compare_articles, name="compare"),
    path("stories/", views.story_list, name="stories"),
    path("stories/<int:pk>/", views.story_detail, name="story"),
    path("status/", views.status, name="status"),
    path("status/rerun/", views.rerun, name="rerun"),
]
