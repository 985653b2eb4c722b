"""The claims pages: permissions for each role, htmx partials, bad input, and a fixed number of queries."""

import pytest
from django.urls import reverse

from claims import services
from claims.models import Claim, Comment, Event, Notification, Verdict
from tests.claims.conftest import highlight
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def disputed_claim(troop_highlights, analyst):
    claim = services.claim_create(statement="Troops gathered at the border", created_by=analyst)
    for annotation in troop_highlights:
        services.claim_link_annotation(claim=claim, annotation=annotation, user=analyst)
    return Claim.objects.get(pk=claim.pk)


def verdict_post(client, claim, **fields):
    data = {"status": "false", "rationale": "Ministry says 9,000.", "evidence_url": "https://gov.example/9000"}
    data.update(fields)
    return client.post(reverse("claims:verdict", args=[claim.pk]), data, **fields.pop("headers", {}))


# --- permissions --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["claims:queue", "claims:audit"])
def test_analysts_cannot_open_the_queue_or_the_audit_log(analyst_client, name):
    assert analyst_client.get(reverse(name)).status_code == 403


def test_someone_without_a_role_sees_no_claims(client, outsider, disputed_claim):
    client.force_login(outsider)
    assert client.get(reverse("claims:list")).status_code == 403
    assert client.get(reverse("claims:detail", args=[disputed_claim.pk])).status_code == 403


def test_an_analyst_cannot_set_a_verdict(analyst_client, disputed_claim):
    response = verdict_post(analyst_client, disputed_claim)
    assert response.status_code == 403
    assert not Verdict.objects.exists()


def test_an_editor_sets_a_verdict_and_sees_the_new_status(editor_client, disputed_claim):
    response = verdict_post(editor_client, disputed_claim)
    assert response.status_code == 302
    page = editor_client.get(response["Location"]).content.decode()
    assert 'class="status-badge status-false" id="claim-status">False</span>' in page
    assert "https://gov.example/9000" in page


def test_an_editor_sets_a_verdict_over_htmx_and_gets_the_card_back(editor_client, disputed_claim):
    response = editor_client.post(
        reverse("claims:verdict", args=[disputed_claim.pk]),
        {"status": "supported", "rationale": "Checked.", "evidence_note": "Called the ministry."},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="claim-card"')
    assert "<html" not in body
    assert "Called the ministry." in body
    assert "claimChanged" in response["HX-Trigger"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rationale": ""}, "A verdict needs a rationale."),
        ({"evidence_url": ""}, "Give at least one piece of evidence"),
        ({"evidence_url": "not a url"}, "is not a web address"),
        ({"evidence_url": "", "evidence_article": "abc"}, "no article with id abc"),
        ({"status": "banana"}, "Choose a verdict"),
    ],
)
def test_bad_verdicts_are_answered_with_a_clear_error(editor_client, disputed_claim, fields, message):
    response = verdict_post(editor_client, disputed_claim, **fields)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Verdict.objects.exists()
    htmx = editor_client.post(
        reverse("claims:verdict", args=[disputed_claim.pk]),
        {"status": "false", "rationale": "x", "evidence_url": "https://a.example", **fields},
        **HTMX,
    )
    assert htmx.status_code == 200
    assert message in htmx.content.decode()


def test_a_verdict_on_a_missing_claim_is_404(editor_client):
    assert verdict_post(editor_client, Claim(pk=999999)).status_code == 404


def test_no_one_edits_another_persons_comment_through_the_page(client, editor, analyst, disputed_claim):
    comment = services.comment_create(claim=disputed_claim, author=analyst, body="Mine.")
    client.force_login(editor)
    response = client.post(reverse("claims:comment_edit", args=[comment.pk]), {"body": "Hijacked"})
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "Mine."


def test_the_author_edits_their_comment(analyst_client, disputed_claim, analyst):
    comment = services.comment_create(claim=disputed_claim, author=analyst, body="Mine.")
    assert analyst_client.get(reverse("claims:comment_edit", args=[comment.pk])).status_code == 200
    response = analyst_client.post(reverse("claims:comment_edit", args=[comment.pk]), {"body": "Mine, fixed."})
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).body == "Mine, fixed."
    empty = analyst_client.post(reverse("claims:comment_edit", args=[comment.pk]), {"body": ""})
    assert empty.status_code == 422 and "Write something first." in empty.content.decode()


# --- pages --------------------------------------------------------------------------------------------------


def test_the_claim_page_shows_each_value_with_its_outlet_and_a_link_into_the_article(
    analyst_client, disputed_claim, troop_highlights
):
    page = analyst_client.get(reverse("claims:detail", args=[disputed_claim.pk])).content.decode()
    assert "11,000 people" in page and "12,000 people" in page
    assert "Harbour Herald" in page and "River Times" in page
    first = troop_highlights[0]
    assert f"{reverse('articles:detail', args=[first.article_id])}#ann-{first.pk}" in page
    assert "<mark>11,000 troops had gathered near the border</mark>" in page
    assert "claim.auto_disputed" in page
    assert 'id="verdict-status"' not in page  # analysts see no verdict form


def test_user_text_is_escaped_on_the_claim_page(analyst_client, analyst):
    claim = services.claim_create(statement="<script>alert(1)</script>", created_by=analyst)
    services.comment_create(claim=claim, author=analyst, body="<img src=x onerror=alert(1)>")
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_comment_posted_over_htmx_returns_the_card_and_notifies_mentions(analyst_client, disputed_claim, editor):
    response = analyst_client.post(
        reverse("claims:comment_create", args=[disputed_claim.pk]), {"body": "@ed please look"}, **HTMX
    )
    assert response.status_code == 200
    assert "@ed please look" in response.content.decode()
    assert Notification.objects.filter(user=editor, kind="mention").exists()
    empty = analyst_client.post(reverse("claims:comment_create", args=[disputed_claim.pk]), {"body": " "}, **HTMX)
    assert "Write something first." in empty.content.decode()


def test_the_queue_lists_claims_needing_review_most_carried_first(editor_client, disputed_claim, analyst):
    services.claim_create(statement="A lonely claim", created_by=analyst)
    settled = services.claim_create(statement="Settled claim", created_by=analyst)
    Claim.objects.filter(pk=settled.pk).update(status="supported")
    page = editor_client.get(reverse("claims:queue")).content.decode()
    assert page.index("Troops gathered at the border") < page.index("A lonely claim")
    assert "Settled claim" not in page
    assert "Harbour Herald, River Times" in page


def test_the_queue_filters_by_status_outlet_tag_and_assignee(editor_client, editor, disputed_claim, analyst):
    services.claim_create(statement="A lonely claim", created_by=analyst)
    url = reverse("claims:queue")
    assert "A lonely claim" not in editor_client.get(url, {"status": "disputed"}).content.decode()
    outlet = disputed_claim.links.first().annotation.article.source
    only_outlet = editor_client.get(url, {"outlet": outlet.pk}).content.decode()
    assert "Troops gathered" in only_outlet and "A lonely claim" not in only_outlet
    assert "Troops gathered" not in editor_client.get(url, {"assignee": "me"}).content.decode()
    services.claim_assign(claim=disputed_claim, assignee=editor, user=editor)
    mine = editor_client.get(url, {"assignee": "me"}).content.decode()
    assert "Troops gathered" in mine and "A lonely claim" not in mine
    partial = editor_client.get(url, {"tag": "99999"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results")
    assert partial.content.decode().lstrip().startswith('<section id="queue-results"')
    assert "Nothing to review" in partial.content.decode()


def test_bulk_assign_from_the_queue(editor_client, editor, analyst):
    claims = [services.claim_create(statement=f"Claim {n}", created_by=analyst) for n in range(2)]
    response = editor_client.post(
        reverse("claims:queue_bulk"), {"claim": [c.pk for c in claims], "action": "assign_me", "next_query": ""}
    )
    assert response.status_code == 302
    assert set(Claim.objects.values_list("assignee", flat=True)) == {editor.pk}
    nothing = editor_client.post(reverse("claims:queue_bulk"), {"action": "assign_me"}, follow=True)
    assert "Tick at least one claim." in nothing.content.decode()


def test_the_queue_page_runs_a_fixed_number_of_queries(editor_client, analyst, django_assert_max_num_queries):
    url = reverse("claims:queue")
    source = SourceFactory(name="Daily")
    for n in range(5):
        claim = services.claim_create(statement=f"Claim {n}", created_by=analyst)
        services.claim_link_annotation(
            claim=claim,
            annotation=AnnotationFactory(article=ArticleFactory(source=source), author=analyst),
            user=analyst,
        )
    with django_assert_max_num_queries(12) as few:
        editor_client.get(url)
    for n in range(40):
        claim = services.claim_create(statement=f"More {n}", created_by=analyst)
        services.claim_link_annotation(
            claim=claim,
            annotation=AnnotationFactory(article=ArticleFactory(source=source), author=analyst),
            user=analyst,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        editor_client.get(url)


def test_the_claim_page_runs_a_fixed_number_of_queries(
    editor_client, analyst, editor, disputed_claim, django_assert_max_num_queries
):
    services.comment_create(claim=disputed_claim, author=analyst, body="One")
    services.claim_set_verdict(
        claim=disputed_claim, user=editor, status="disputed", rationale="r", evidence=[{"note": "n"}]
    )
    with django_assert_max_num_queries(20) as few:
        editor_client.get(reverse("claims:detail", args=[disputed_claim.pk]))
    for n in range(15):
        article = ArticleFactory(source=SourceFactory(name=f"Outlet {n}"))
        services.claim_link_annotation(
            claim=disputed_claim, annotation=highlight(article, "11,000 residents", analyst), user=analyst
        )
        services.comment_create(claim=disputed_claim, author=editor, body=f"Comment {n}")
    services.claim_set_verdict(
        claim=disputed_claim, user=editor, status="false", rationale="r", evidence=[{"note": "n"}]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        editor_client.get(reverse("claims:detail", args=[disputed_claim.pk]))


def test_the_claims_list_searches_statements(analyst_client, analyst):
    services.claim_create(statement="Troops gathered at the border", created_by=analyst)
    services.claim_create(statement="Dam held overnight", created_by=analyst)
    page = analyst_client.get(reverse("claims:list"), {"q": "troops"}).content.decode()
    assert "Troops gathered" in page and "Dam held" not in page


# --- linking highlights from the reading page ---------------------------------------------------------------


def test_an_analyst_links_a_highlight_to_a_new_claim_over_htmx(analyst_client, troop_highlights):
    annotation = troop_highlights[0]
    response = analyst_client.post(reverse("claims:link"), {"annotation": annotation.pk, "statement": ""}, **HTMX)
    assert response.status_code == 200
    claim = Claim.objects.get()
    assert claim.statement == annotation.quote
    body = response.content.decode()
    assert f'id="annotation-claims-{annotation.pk}"' in body
    assert 'class="verdict-badge verdict-unreviewed"' in body
    assert "claimLinked" in response["HX-Trigger"]


def test_an_analyst_links_a_second_highlight_to_the_existing_claim(analyst_client, troop_highlights, analyst):
    claim = services.claim_create(created_by=analyst, annotation=troop_highlights[0])
    response = analyst_client.post(reverse("claims:link"), {"annotation": troop_highlights[1].pk, "claim": claim.pk})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "disputed"
    again = analyst_client.post(
        reverse("claims:link"), {"annotation": troop_highlights[1].pk, "claim": claim.pk}, **HTMX
    )
    assert "already linked" in again.content.decode()


def test_linking_to_a_missing_claim_or_highlight_is_a_clear_error(analyst_client, troop_highlights):
    missing_claim = analyst_client.post(reverse("claims:link"), {"annotation": troop_highlights[0].pk, "claim": 99999})
    assert missing_claim.status_code == 422 and "No claim with that id." in missing_claim.content.decode()
    assert analyst_client.post(reverse("claims:link"), {"annotation": "x"}).status_code == 404


def test_suggested_claims_for_a_highlight_include_claims_on_the_same_article(analyst_client, troop_articles, analyst):
    first, _ = troop_articles
    claim = services.claim_create(
        statement="Border build-up", created_by=analyst, annotation=highlight(first, "11,000 troops", analyst)
    )
    other = highlight(first, "gathered near the border", analyst)
    page = analyst_client.get(reverse("claims:annotation_claim_options", args=[other.pk])).content.decode()
    assert f'value="{claim.pk}"' in page
    search = analyst_client.get(reverse("claims:annotation_claim_options", args=[other.pk]), {"q": "build-up"})
    assert "Border build-up" in search.content.decode()


def test_the_annotation_partial_shows_the_verdict_badge(analyst_client, disputed_claim, troop_highlights, editor):
    services.claim_set_verdict(
        claim=disputed_claim, user=editor, status="misleading", rationale="r", evidence=[{"note": "n"}]
    )
    body = analyst_client.get(reverse("claims:annotation_claims", args=[troop_highlights[1].pk])).content.decode()
    assert 'class="verdict-badge verdict-misleading"' in body and ">Misleading</a>" in body


# --- notifications and audit --------------------------------------------------------------------------------


def test_notifications_show_and_are_marked_read(client, editor, analyst, disputed_claim):
    services.comment_create(claim=disputed_claim, author=analyst, body="@ed see this")
    client.force_login(editor)
    assert client.get(reverse("claims:notification_count")).content.decode().strip().endswith("1</span>")
    page = client.get(reverse("claims:notifications")).content.decode()
    assert "mentioned you on" in page
    client.post(reverse("claims:notifications"))
    assert not Notification.objects.filter(user=editor, read_at__isnull=True).exists()
    assert client.get(reverse("claims:notification_count")).content.decode().strip() == ""


def test_admins_filter_the_audit_log(admin_client_role, disputed_claim, analyst):
    url = reverse("claims:audit")
    page = admin_client_role.get(url, {"verb": "claim.auto_disputed"}).content.decode()
    assert "claim.auto_disputed" in page and "1 event" in page
    by_actor = admin_client_role.get(url, {"actor": analyst.pk}).content.decode()
    assert "claim.highlight_linked" in by_actor and "claim.auto_disputed</code>" not in by_actor
    bad = admin_client_role.get(url, {"from": "yesterday"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()


def test_the_audit_log_has_no_way_to_change_events_in_the_admin(admin_client_role, disputed_claim):
    event = Event.objects.first()
    change = admin_client_role.post(reverse("admin:claims_event_delete", args=[event.pk]), {"post": "yes"})
    assert change.status_code in (403, 302)
    assert Event.objects.filter(pk=event.pk).exists()


def test_the_reading_page_includes_badges_for_all_its_highlights_with_one_query(
    rf, analyst, disputed_claim, troop_highlights, django_assert_num_queries
):
    from django.template import Context, RequestContext, Template

    from claims.selectors import claims_for_annotations

    ids = [a.pk for a in troop_highlights]
    with django_assert_num_queries(1):
        by_annotation = claims_for_annotations(ids)
    assert by_annotation[ids[0]][0]["status"] == "disputed"
    request = rf.get("/")
    request.user = analyst
    template = Template(
        "{% load claims_tags %}{% for annotation in annotations %}"
        '{% include "claims/_annotation_claims.html" with annotation=annotation '
        "claims=annotation_claims|claims_of:annotation.pk %}{% endfor %}"
    )
    html = template.render(
        RequestContext(request, {"annotations": troop_highlights, "annotation_claims": by_annotation})
    )
    assert html.count('class="verdict-badge verdict-disputed"') == 2
    assert html.count("Link to claim") == 2
    assert Template("{% load claims_tags %}{{ d|claims_of:'x' }}").render(Context({"d": by_annotation})) == "[]"


def test_the_audit_log_filters_by_claim(admin_client_role, disputed_claim, analyst):
    other = services.claim_create(statement="Other claim", created_by=analyst)
    page = admin_client_role.get(reverse("claims:audit"), {"claim": other.pk}).content.decode()
    assert "1 event" in page and "claim.created" in page


def test_the_queue_counts_its_claims_in_a_separate_request(editor_client, disputed_claim, analyst):
    services.claim_create(statement="A lonely claim", created_by=analyst)
    page = editor_client.get(reverse("claims:queue"), {"status": "disputed"}).content.decode()
    assert 'hx-get="/claims/queue/?status=disputed&amp;count=1"' in page
    count = editor_client.get(reverse("claims:queue"), {"status": "disputed", "count": "1"}, **HTMX)
    assert count.content.decode().strip() == '<span id="queue-count">1 claim</span>'


def test_the_queue_pages_without_counting(editor_client, analyst, monkeypatch):
    from claims import views

    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    for n in range(5):
        services.claim_create(statement=f"Claim {n}", created_by=analyst)
    first = editor_client.get(reverse("claims:queue")).content.decode()
    assert "Page 1" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = editor_client.get(reverse("claims:queue"), {"page": 3}).content.decode()
    assert "Claim 4" in last and 'rel="next"' not in last and 'rel="prev"' in last
    assert editor_client.get(reverse("claims:queue"), {"page": "nonsense"}).status_code == 200


def test_unlink_is_offered_to_the_linker_and_editors_only(client, analyst, editor, disputed_claim):
    url = reverse("claims:detail", args=[disputed_claim.pk])
    for person, offered in ((analyst, True), (editor, True), (UserFactory(username="other", role="Analyst"), False)):
        client.force_login(person)
        assert ("Unlink</button>" in client.get(url).content.decode()) is offered
    link = disputed_claim.links.first()
    assert client.post(reverse("claims:link_delete", args=[link.pk])).status_code == 403
