"""URLs of the claims pages, the reading page's highlight controls, and the exports."""

from django.urls import path

from claims import views

app_name = "claims"

urlpatterns = [
    path("", views.claim_list, name="list"),
    path("queue/", views.review_queue, name="queue"),
    path("queue/bulk/", views.review_queue_bulk, name="queue_bulk"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/verdict/", views.claim_verdict, name="verdict"),
    path("<int:pk>/assign/", views.claim_assign, name="assign"),
    path("<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("<int:pk>/suggestions/accept-all/", views.suggestions_accept_all, name="suggestions_accept_all"),
    path("<int:pk>/claimreview.json", views.claim_review_json, name="claimreview"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("links/<int:pk>/delete/", views.link_delete, name="link_delete"),
    path("suggestions/<int:pk>/accept/", views.suggestion_decide, {"decision": "accept"}, name="suggestion_accept"),
    path("suggestions/<int:pk>/reject/", views.suggestion_decide, {"decision": "reject"}, name="suggestion_reject"),
    path("link/", views.annotation_link, name="link"),
    path("annotations/<int:pk>/", views.annotation_claims, name="annotation_claims"),
    path("articles/<int:article_pk>/panel/", views.article_claims_panel, name="article_panel"),
    path("annotations/<int:pk>/options/", views.annotation_claim_options, name="annotation_claim_options"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notification_count, name="notification_count"),
    path("audit/", views.audit, name="audit"),
    path("claimreview.json", views.claim_review_feed, name="claimreview_feed"),
    path("export.jsonl", views.claims_export, name="export"),
]
