from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("articles/<int:pk>/", views.article_detail, name="detail"),
]
