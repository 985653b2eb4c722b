"""Claim services: linking, automatic disputes, verdicts, assignment, discussion and suggestions on copies."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims import services
from claims.models import Claim, ClaimAnnotation, Event, Notification, Suggestion, Verdict
from tests.claims.conftest import highlight
from tests.factories import ArticleFactory, SourceFactory, UserFactory

EVIDENCE = [{"url": "https://ministry.example/figures", "note": ""}]


@pytest.fixture
def disputed_claim(troop_highlights, analyst):
    claim = services.claim_create(statement="", created_by=analyst, annotation=troop_highlights[0])
    services.claim_link_annotation(claim=claim, annotation=troop_highlights[1], user=analyst)
    claim.refresh_from_db()
    return claim


def test_a_new_claim_takes_its_statement_from_the_highlight(troop_highlights, analyst):
    claim = services.claim_create(created_by=analyst, annotation=troop_highlights[0])
    assert claim.statement == "11,000 troops had gathered near the border"
    assert claim.links.get().annotation == troop_highlights[0]
    assert list(Event.objects.filter(claim=claim).values_list("verb", flat=True).order_by("id")) == [
        "claim.created",
        "claim.highlight_linked",
    ]


def test_a_claim_needs_a_statement(analyst):
    with pytest.raises(ValidationError, match="statement"):
        services.claim_create(statement="   ", created_by=analyst)


def test_someone_without_a_role_cannot_create_claims(outsider):
    with pytest.raises(PermissionDenied):
        services.claim_create(statement="A claim", created_by=outsider)


def test_highlights_that_disagree_mark_the_claim_disputed_with_an_event(disputed_claim):
    assert disputed_claim.status == Claim.Status.DISPUTED
    assert disputed_claim.auto_disputed
    event = Event.objects.get(claim=disputed_claim, verb="claim.auto_disputed")
    assert event.actor is None
    assert event.before["status"] == "unreviewed"
    assert event.after["status"] == "disputed"
    assert len(event.after["conflicting_highlights"]) == 1


def test_highlights_that_agree_leave_the_claim_unreviewed(troop_articles, analyst):
    first, _ = troop_articles
    third = ArticleFactory(body="A ministry source said between 10,000 and 12,000 troops had gathered.")
    claim = services.claim_create(
        created_by=analyst, annotation=highlight(first, "11,000 troops had gathered near the border", analyst)
    )
    services.claim_link_annotation(
        claim=claim, annotation=highlight(third, "between 10,000 and 12,000 troops", analyst), user=analyst
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNREVIEWED
    assert not claim.auto_disputed


def test_unlinking_the_disagreeing_highlight_clears_the_automatic_dispute(disputed_claim, analyst):
    link = disputed_claim.links.order_by("id").last()
    services.claim_unlink(link=link, user=analyst)
    disputed_claim.refresh_from_db()
    assert disputed_claim.status == Claim.Status.UNREVIEWED
    assert Event.objects.filter(claim=disputed_claim, verb="claim.auto_dispute_cleared").exists()
    assert Event.objects.filter(claim=disputed_claim, verb="claim.highlight_unlinked").exists()


def test_counts_of_articles_and_outlets_follow_the_links(disputed_claim):
    assert (disputed_claim.article_count, disputed_claim.outlet_count) == (2, 2)


def test_linking_the_same_highlight_twice_is_a_clear_error(disputed_claim, troop_highlights, analyst):
    with pytest.raises(ValidationError, match="already linked"):
        services.claim_link_annotation(claim=disputed_claim, annotation=troop_highlights[0], user=analyst)


def test_an_analyst_cannot_set_a_verdict(disputed_claim, analyst):
    with pytest.raises(PermissionDenied):
        services.claim_set_verdict(
            claim=disputed_claim, user=analyst, status="false", rationale="No.", evidence=EVIDENCE
        )
    assert not Verdict.objects.exists()


def test_an_editor_sets_a_verdict_with_rationale_and_evidence(disputed_claim, editor):
    verdict = services.claim_set_verdict(
        claim=disputed_claim, user=editor, status="false", rationale="The ministry says 9,000.", evidence=EVIDENCE
    )
    disputed_claim.refresh_from_db()
    assert disputed_claim.status == "false"
    assert not disputed_claim.auto_disputed
    assert verdict.evidence.get().url == "https://ministry.example/figures"
    event = Event.objects.get(verb="verdict.set")
    assert (event.actor, event.before["status"], event.after["status"]) == (editor, "disputed", "false")


@pytest.mark.parametrize(
    ("rationale", "evidence", "message"),
    [
        ("", EVIDENCE, "rationale"),
        ("Because.", [], "at least one piece of evidence"),
        ("Because.", [{"url": "", "note": "  ", "article": ""}], "at least one piece of evidence"),
        ("Because.", [{"url": "javascript:alert(1)"}], "not a web address"),
        ("Because.", [{"article": "999999"}], "no article"),
    ],
)
def test_a_verdict_without_rationale_or_good_evidence_is_refused(disputed_claim, editor, rationale, evidence, message):
    with pytest.raises(ValidationError, match=message):
        services.claim_set_verdict(
            claim=disputed_claim, user=editor, status="false", rationale=rationale, evidence=evidence
        )
    assert not Verdict.objects.exists()


def test_an_unknown_verdict_is_refused(disputed_claim, editor):
    with pytest.raises(ValidationError, match="Choose a verdict"):
        services.claim_set_verdict(
            claim=disputed_claim, user=editor, status="unreviewed", rationale="x", evidence=EVIDENCE
        )


def test_a_new_verdict_supersedes_the_old_one_and_keeps_it(disputed_claim, editor, troop_articles):
    first = services.claim_set_verdict(
        claim=disputed_claim, user=editor, status="false", rationale="One.", evidence=EVIDENCE
    )
    second = services.claim_set_verdict(
        claim=disputed_claim,
        user=editor,
        status="reopened",
        rationale="New figures came in.",
        evidence=[{"article": str(troop_articles[1].pk)}],
    )
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert second.evidence.get().article == troop_articles[1]
    disputed_claim.refresh_from_db()
    assert disputed_claim.status == "reopened"


def test_assignment_goes_to_editors_and_notifies_them(disputed_claim, editor, analyst):
    colleague = UserFactory(username="chief", role="Editor")
    services.claim_assign(claim=disputed_claim, assignee=colleague, user=editor)
    note = Notification.objects.get(user=colleague)
    assert (note.kind, note.actor, note.claim) == ("assignment", editor, disputed_claim)
    with pytest.raises(ValidationError, match="editors"):
        services.claim_assign(claim=disputed_claim, assignee=analyst, user=editor)
    with pytest.raises(PermissionDenied):
        services.claim_assign(claim=disputed_claim, assignee=editor, user=analyst)


def test_bulk_assignment_to_me_moves_unreviewed_claims_into_review(analyst, editor):
    claims = [services.claim_create(statement=f"Claim {n}", created_by=analyst) for n in range(3)]
    count = services.claims_bulk_update(claim_ids=[c.pk for c in claims], action="assign_me", user=editor)
    assert count == 3
    assert set(Claim.objects.values_list("assignee", "status")) == {(editor.pk, "in_review")}
    assert Event.objects.filter(verb="claim.assigned").count() == 3


def test_bulk_actions_refuse_analysts_and_empty_selections(analyst, editor):
    with pytest.raises(PermissionDenied):
        services.claims_bulk_update(claim_ids=[1], action="assign_me", user=analyst)
    with pytest.raises(ValidationError, match="Tick"):
        services.claims_bulk_update(claim_ids=[], action="assign_me", user=editor)
    with pytest.raises(ValidationError, match="Unknown"):
        services.claims_bulk_update(claim_ids=[1], action="drop", user=editor)


def test_mentions_notify_the_people_named(disputed_claim, analyst, editor):
    comment = services.comment_create(claim=disputed_claim, author=analyst, body="@ed can you check? @nobody-here")
    assert list(comment.mentions.all()) == [editor]
    assert Notification.objects.get(user=editor).kind == "mention"


def test_replies_notify_everyone_already_in_the_conversation(disputed_claim, analyst, editor):
    services.comment_create(claim=disputed_claim, author=editor, body="Looking at it.")
    # The analyst created the claim, so the editor's comment notifies them.
    assert Notification.objects.get(user=analyst).kind == "reply"
    services.comment_create(claim=disputed_claim, author=analyst, body="Thanks.")
    assert Notification.objects.get(user=editor).kind == "reply"


def test_no_one_edits_another_persons_comment(disputed_claim, analyst, editor, admin_user):
    comment = services.comment_create(claim=disputed_claim, author=analyst, body="First.")
    for other in (editor, admin_user):
        with pytest.raises(PermissionDenied):
            services.comment_edit(comment=comment, user=other, body="Rewritten.")
    services.comment_edit(comment=comment, user=analyst, body="First, corrected.")
    comment.refresh_from_db()
    assert comment.body == "First, corrected." and comment.edited_at is not None
    event = Event.objects.get(verb="comment.edited")
    assert (event.before, event.after) == ({"body": "First."}, {"body": "First, corrected."})


def test_an_empty_comment_is_refused(disputed_claim, analyst):
    with pytest.raises(ValidationError, match="Write something"):
        services.comment_create(claim=disputed_claim, author=analyst, body="  ")


def test_copies_are_asked_of_the_duplicate_finder_without_the_article_itself(monkeypatch, troop_articles):
    import dedup.selectors

    first, second = troop_articles
    assert services.article_copies(first) == []  # the two texts differ: the finder relates nothing
    monkeypatch.setattr(dedup.selectors, "article_copies", lambda article: [article, second])
    assert services.article_copies(first) == [second]


@pytest.fixture
def copies(monkeypatch, troop_articles):
    """A syndicated copy (same passage, new intro) and a rewrite whose figure changed."""
    first, _ = troop_articles
    syndicated = ArticleFactory(
        source=SourceFactory(name="Wire Digest"),
        body="Updated with reactions.\n\n" + first.body,
    )
    rewrite = ArticleFactory(
        source=SourceFactory(name="Evening Post"),
        body="Officials said on Tuesday that 13,000 troops had gathered near the border.",
    )
    monkeypatch.setattr(
        services, "article_copies", lambda article: [syndicated, rewrite] if article.pk == first.pk else []
    )
    return syndicated, rewrite


@pytest.fixture
def linked(django_capture_on_commit_callbacks, analyst):
    """Link like the page does: the proposals on copies are made once the link is committed."""

    def link(annotation, claim=None):
        with django_capture_on_commit_callbacks(execute=True):
            if claim is None:
                return services.claim_create(created_by=analyst, annotation=annotation)
            services.claim_link_annotation(claim=claim, annotation=annotation, user=analyst)
            return claim

    return link


def test_a_linked_highlight_is_proposed_on_copies_and_orphaned_where_it_changed(copies, troop_highlights, linked):
    syndicated, rewrite = copies
    claim = linked(troop_highlights[0])
    proposed = Suggestion.objects.get(claim=claim, article=syndicated)
    assert proposed.state == "proposed"
    assert syndicated.body[proposed.start : proposed.end] == troop_highlights[0].quote
    orphan = Suggestion.objects.get(claim=claim, article=rewrite)
    assert orphan.state == "orphaned" and orphan.start is None


def test_accepting_a_suggestion_creates_the_highlight_on_the_copy_and_links_it(
    copies, troop_highlights, analyst, linked
):
    syndicated, _ = copies
    claim = linked(troop_highlights[0])
    suggestion = Suggestion.objects.get(claim=claim, article=syndicated)
    link = services.suggestion_accept(suggestion=suggestion, user=analyst)
    annotation = link.annotation
    assert annotation.article == syndicated
    assert syndicated.body[annotation.start : annotation.end] == annotation.quote
    claim.refresh_from_db()
    assert claim.article_count == 2
    with pytest.raises(ValidationError, match="already accepted"):
        services.suggestion_accept(suggestion=suggestion, user=analyst)


def test_accept_all_takes_every_proposed_suggestion_and_reject_closes_one(copies, troop_highlights, analyst, linked):
    syndicated, _ = copies
    claim = linked(troop_highlights[0])
    assert services.suggestions_accept_all(claim=claim, user=analyst) == 1
    assert ClaimAnnotation.objects.filter(claim=claim, annotation__article=syndicated).exists()
    other = linked(troop_highlights[0], claim=services.claim_create(statement="Another", created_by=analyst))
    suggestion = Suggestion.objects.get(claim=other, article=syndicated)
    services.suggestion_reject(suggestion=suggestion, user=analyst)
    suggestion.refresh_from_db()
    assert suggestion.state == "rejected"


def test_a_suggestion_whose_text_no_longer_matches_is_refused(copies, troop_highlights, analyst, linked):
    syndicated, _ = copies
    claim = linked(troop_highlights[0])
    suggestion = Suggestion.objects.get(claim=claim, article=syndicated)
    Suggestion.objects.filter(pk=suggestion.pk).update(start=suggestion.start + 1, end=suggestion.end + 1)
    with pytest.raises(ValidationError, match="no longer matches"):
        services.suggestion_accept(suggestion=suggestion, user=analyst)


def test_proposals_wait_for_the_link_to_be_committed_and_are_made_once(
    copies, troop_highlights, analyst, django_capture_on_commit_callbacks
):
    from claims.tasks import claim_propose_on_copies

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        claim = services.claim_create(created_by=analyst, annotation=troop_highlights[0])
    assert not Suggestion.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert Suggestion.objects.filter(claim=claim).count() == 2
    assert claim_propose_on_copies(claim.pk, troop_highlights[0].pk, analyst.pk) == 0  # idempotent
    assert Suggestion.objects.filter(claim=claim).count() == 2


def test_only_the_linker_or_an_editor_unlinks_a_highlight(disputed_claim, analyst, editor):
    colleague = UserFactory(username="colleague", role="Analyst")
    link = disputed_claim.links.order_by("id").first()
    with pytest.raises(PermissionDenied):
        services.claim_unlink(link=link, user=colleague)
    services.claim_unlink(link=link, user=editor)
    assert not ClaimAnnotation.objects.filter(pk=link.pk).exists()
