"""Top-level URL map: one include per app."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("articles.urls")),
    path("annotations/", include("annotations.urls")),
    path("imports/", include("imports.urls")),
    path("dedup/", include("dedup.urls")),
    path("claims/", include("claims.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "accounts.views.permission_denied"
