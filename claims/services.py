"""Writes on claims: linking highlights, values and disputes, verdicts, assignment, discussion, suggestions.

Every write checks the acting user's permission, runs in one transaction and appends Events.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from annotations.models import Annotation
from articles.models import Article
from claims import anchoring, values
from claims.models import (
    VERDICT_STATUSES,
    Claim,
    ClaimAnnotation,
    ClaimOutlet,
    Comment,
    Event,
    Evidence,
    ExtractedValue,
    Notification,
    Suggestion,
    Verdict,
)

User = get_user_model()

STATEMENT_MAX = 2000
COMMENT_MAX = 10000
RATIONALE_MAX = 10000
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def _require(user, permission: str, message: str) -> None:
    if not user.is_authenticated or not user.has_perm(permission):
        raise PermissionDenied(message)


def event_record(
    *, actor, verb: str, obj: Any, claim: Claim | None = None, before: dict | None = None, after: dict | None = None
) -> Event:
    return Event.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        claim=claim,
        before=before,
        after=after,
    )


def _claim_state(claim: Claim) -> dict:
    return {"status": claim.status, "assignee": claim.assignee.username if claim.assignee else None}


# --- copies of an article -----------------------------------------------------------------------------------


def article_copies(article: Article) -> list[Article]:
    """Copies and rewrites of an article, as the duplicate finder knows them; none when it is not installed."""
    try:
        from dedup import selectors as dedup_selectors
    except ImportError:
        return []
    finder = getattr(dedup_selectors, "article_copies", None)
    if finder is None:
        return []
    return [copy for copy in finder(article) if copy.pk != article.pk]


# --- claims and links ---------------------------------------------------------------------------------------


def _clean_statement(statement: str) -> str:
    statement = " ".join((statement or "").split())
    if not statement:
        raise ValidationError({"statement": "Write the claim's statement, or take it from a highlight."})
    if len(statement) > STATEMENT_MAX:
        raise ValidationError({"statement": f"A statement is at most {STATEMENT_MAX} characters."})
    return statement


@transaction.atomic
def claim_create(*, statement: str = "", created_by, annotation: Annotation | None = None) -> Claim:
    """A new claim; its statement is the highlight's text when none is written."""
    _require(created_by, "claims.add_claim", "You cannot create claims.")
    if not statement and annotation is not None:
        statement = annotation.quote
    claim = Claim.objects.create(statement=_clean_statement(statement), created_by=created_by)
    event_record(actor=created_by, verb="claim.created", obj=claim, claim=claim, after={"statement": claim.statement})
    if annotation is not None:
        claim_link_annotation(claim=claim, annotation=annotation, user=created_by)
    return claim


@transaction.atomic
def claim_link_annotation(*, claim: Claim, annotation: Annotation, user, propose: bool = True) -> ClaimAnnotation:
    """Attach a highlight to a claim, read its values, and re-check the claim for disagreement."""
    _require(user, "claims.add_claimannotation", "You cannot link highlights to claims.")
    if annotation.deleted_at is not None:
        raise ValidationError({"annotation": "That highlight has been deleted."})
    try:
        with transaction.atomic():
            link = ClaimAnnotation.objects.create(claim=claim, annotation=annotation, linked_by=user)
    except IntegrityError:
        raise ValidationError({"annotation": "This highlight is already linked to that claim."}) from None
    values_extract(link=link)
    event_record(
        actor=user,
        verb="claim.highlight_linked",
        obj=link,
        claim=claim,
        after={"annotation": annotation.pk, "article": annotation.article_id, "quote": annotation.quote},
    )
    claim_refresh_counts(claim=claim)
    claim_check_conflicts(claim=claim, actor=user)
    if propose:
        # Re-anchoring on every copy can take a while; a worker does it once this link is committed.
        from claims.tasks import claim_propose_on_copies as propose_task

        propose_task.delay_on_commit(claim.pk, annotation.pk, user.pk)
    return link


@transaction.atomic
def claim_unlink(*, link: ClaimAnnotation, user) -> None:
    _require(user, "claims.delete_claimannotation", "You cannot unlink highlights.")
    if link.linked_by_id != user.pk and not user.has_perm("claims.change_claim"):
        raise PermissionDenied("Only the person who linked a highlight, or an editor, can unlink it.")
    claim = link.claim
    before = {"annotation": link.annotation_id, "quote": link.annotation.quote}
    event_record(actor=user, verb="claim.highlight_unlinked", obj=link, claim=claim, before=before)
    link.delete()
    claim_refresh_counts(claim=claim)
    claim_check_conflicts(claim=claim, actor=user)


def claim_refresh_counts(*, claim: Claim) -> None:
    totals = ClaimAnnotation.objects.filter(claim=claim, annotation__deleted_at__isnull=True).aggregate(
        articles=Count("annotation__article", distinct=True),
        outlets=Count("annotation__article__source", distinct=True),
    )
    claim.article_count, claim.outlet_count = totals["articles"], totals["outlets"]
    Claim.objects.filter(pk=claim.pk).update(article_count=claim.article_count, outlet_count=claim.outlet_count)
    outlets = set(
        ClaimAnnotation.objects.filter(claim=claim, annotation__deleted_at__isnull=True).values_list(
            "annotation__article__source_id", flat=True
        )
    )
    ClaimOutlet.objects.filter(claim=claim).exclude(source_id__in=outlets).delete()
    ClaimOutlet.objects.bulk_create(
        [ClaimOutlet(claim=claim, source_id=source_id) for source_id in outlets], ignore_conflicts=True
    )


# --- values and disputes ------------------------------------------------------------------------------------


def values_extract(*, link: ClaimAnnotation) -> list[ExtractedValue]:
    annotation = link.annotation
    article = annotation.article
    found = values.extract_values(
        annotation.quote,
        published=article.published_at.date() if article.published_at else None,
        language=article.language or "en",
    )
    link.values.all().delete()
    return ExtractedValue.objects.bulk_create(
        ExtractedValue(
            link=link,
            kind=value.kind,
            low=value.low,
            high=value.high,
            unit=value.unit,
            raw=value.raw[:200],
            display=value.display[:200],
        )
        for value in found
    )


def _as_value(stored: ExtractedValue) -> values.Value:
    return values.Value(stored.kind, stored.low, stored.high, stored.unit, stored.raw, display=stored.display)


def claim_check_conflicts(*, claim: Claim, actor=None) -> bool:
    """Mark the claim disputed when its highlights disagree; undo only what this check itself did."""
    links = list(
        ClaimAnnotation.objects.filter(claim=claim, annotation__deleted_at__isnull=True).prefetch_related("values")
    )
    groups = [[_as_value(v) for v in link.values.all()] for link in links]
    conflicts = values.find_conflicts(groups)
    claim.refresh_from_db(fields=["status", "auto_disputed"])
    before = {"status": claim.status, "auto_disputed": claim.auto_disputed}
    if conflicts and not claim.auto_disputed and claim.status in (Claim.Status.UNREVIEWED, Claim.Status.IN_REVIEW):
        claim.status, claim.auto_disputed = Claim.Status.DISPUTED, True
        pairs = [[links[i].annotation_id, links[j].annotation_id] for i, j in conflicts]
        claim.save(update_fields=["status", "auto_disputed", "updated_at"])
        event_record(
            actor=None,
            verb="claim.auto_disputed",
            obj=claim,
            claim=claim,
            before=before,
            after={"status": claim.status, "auto_disputed": True, "conflicting_highlights": pairs},
        )
    elif not conflicts and claim.auto_disputed and claim.status == Claim.Status.DISPUTED:
        claim.status, claim.auto_disputed = Claim.Status.UNREVIEWED, False
        claim.save(update_fields=["status", "auto_disputed", "updated_at"])
        event_record(
            actor=None,
            verb="claim.auto_dispute_cleared",
            obj=claim,
            claim=claim,
            before=before,
            after={"status": claim.status, "auto_disputed": False},
        )
    return bool(conflicts)


# --- verdicts and assignment --------------------------------------------------------------------------------


def _clean_evidence(evidence: Sequence[dict]) -> list[dict]:
    cleaned, errors = [], []
    check_url = URLValidator(schemes=["http", "https"])
    for number, item in enumerate(evidence, start=1):
        url = (item.get("url") or "").strip()
        note = (item.get("note") or "").strip()
        article = item.get("article")
        if isinstance(article, (int, str)) and str(article).strip():
            try:
                article = Article.objects.get(pk=int(str(article).strip()))
            except (ValueError, Article.DoesNotExist):
                errors.append(f"Evidence {number}: no article with id {article}.")
                continue
        elif not isinstance(article, Article):
            article = None
        if url:
            try:
                check_url(url)
            except ValidationError:
                errors.append(f"Evidence {number}: “{url[:80]}” is not a web address (http or https).")
                continue
        if url or note or article:
            cleaned.append({"url": url[:2000], "note": note[:5000], "article": article})
    if errors:
        raise ValidationError({"evidence": errors})
    if not cleaned:
        raise ValidationError({"evidence": "Give at least one piece of evidence: a web address, an article or a note."})
    return cleaned


@transaction.atomic
def claim_set_verdict(*, claim: Claim, user, status: str, rationale: str, evidence: Sequence[dict]) -> Verdict:
    """Record an editor's verdict; it supersedes the current one, which is kept in the history."""
    _require(user, "claims.set_verdict", "Only editors set verdicts.")
    errors: dict[str, Any] = {}
    if status not in VERDICT_STATUSES:
        errors["status"] = "Choose a verdict: " + ", ".join(VERDICT_STATUSES) + "."
    rationale = (rationale or "").strip()
    if not rationale:
        errors["rationale"] = "A verdict needs a rationale."
    elif len(rationale) > RATIONALE_MAX:
        errors["rationale"] = f"A rationale is at most {RATIONALE_MAX} characters."
    try:
        cleaned = _clean_evidence(evidence)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    before = _claim_state(claim)
    previous = Verdict.objects.filter(claim=claim, is_current=True).first()
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    verdict = Verdict.objects.create(claim=claim, status=status, rationale=rationale, reviewer=user)
    Evidence.objects.bulk_create(Evidence(verdict=verdict, **item) for item in cleaned)
    claim.status, claim.auto_disputed = status, False
    claim.save(update_fields=["status", "auto_disputed", "updated_at"])
    event_record(
        actor=user,
        verb="verdict.set",
        obj=verdict,
        claim=claim,
        before={**before, "verdict": previous.pk if previous else None},
        after={
            "status": status,
            "rationale": rationale,
            "evidence": [
                {"url": e["url"], "note": e["note"], "article": e["article"] and e["article"].pk} for e in cleaned
            ],
        },
    )
    _notify(
        users=[claim.created_by, claim.assignee], kind=Notification.Kind.VERDICT, actor=user, claim=claim, comment=None
    )
    return verdict


@transaction.atomic
def claim_assign(*, claim: Claim, assignee, user) -> Claim:
    """Give a claim to an editor (or take it back with assignee=None); the assignee is notified."""
    _require(user, "claims.assign_claim", "Only editors assign claims.")
    if assignee is not None and (not assignee.is_active or not assignee.has_perm("claims.set_verdict")):
        raise ValidationError({"assignee": "Claims can only be assigned to editors."})
    claim = Claim.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=claim.pk)
    before = _claim_state(claim)
    claim.assignee = assignee
    if assignee is not None and claim.status == Claim.Status.UNREVIEWED:
        claim.status = Claim.Status.IN_REVIEW
    claim.save(update_fields=["assignee", "status", "updated_at"])
    event_record(actor=user, verb="claim.assigned", obj=claim, claim=claim, before=before, after=_claim_state(claim))
    if assignee is not None:
        _notify(users=[assignee], kind=Notification.Kind.ASSIGNMENT, actor=user, claim=claim, comment=None)
    return claim


BULK_ACTIONS = ("assign_me", "assign", "unassign", "in_review")


@transaction.atomic
def claims_bulk_update(*, claim_ids: Iterable[int], action: str, user, assignee=None) -> int:
    """Apply one action to many claims; each claim gets its own events and notifications."""
    _require(user, "claims.assign_claim", "Only editors act on many claims at once.")
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": "Unknown action."})
    ids = sorted({int(i) for i in claim_ids})
    if not ids:
        raise ValidationError({"claims": "Tick at least one claim."})
    if len(ids) > 500:
        raise ValidationError({"claims": "At most 500 claims at once."})
    claims = list(Claim.objects.filter(pk__in=ids))
    for claim in claims:
        if action == "assign_me":
            claim_assign(claim=claim, assignee=user, user=user)
        elif action == "assign":
            if assignee is None:
                raise ValidationError({"assignee": "Choose an editor."})
            claim_assign(claim=claim, assignee=assignee, user=user)
        elif action == "unassign":
            claim_assign(claim=claim, assignee=None, user=user)
        elif claim.status == Claim.Status.UNREVIEWED:
            before = _claim_state(claim)
            claim.status = Claim.Status.IN_REVIEW
            claim.save(update_fields=["status", "updated_at"])
            event_record(
                actor=user, verb="claim.status", obj=claim, claim=claim, before=before, after=_claim_state(claim)
            )
    return len(claims)


# --- discussion and notifications ---------------------------------------------------------------------------


def mentions_parse(body: str) -> list:
    """Users named as @username in a text (only those that exist and are active)."""
    names = {name.rstrip(".") for name in MENTION.findall(body or "")}
    if not names:
        return []
    return list(User.objects.filter(username__in=names, is_active=True))


def _notify(*, users: Iterable, kind: str, actor, claim: Claim, comment: Comment | None) -> list[Notification]:
    seen, notes = set(), []
    for person in users:
        if person is None or person.pk == getattr(actor, "pk", None) or person.pk in seen:
            continue
        seen.add(person.pk)
        notes.append(Notification(user=person, kind=kind, actor=actor, claim=claim, comment=comment))
    return Notification.objects.bulk_create(notes)


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > COMMENT_MAX:
        raise ValidationError({"body": f"A comment is at most {COMMENT_MAX} characters."})
    return body


@transaction.atomic
def comment_create(*, claim: Claim, author, body: str) -> Comment:
    """A comment; mentioned users are told, and so is everyone already in the conversation."""
    _require(author, "claims.add_comment", "You cannot comment on claims.")
    comment = Comment.objects.create(claim=claim, author=author, body=_clean_body(body))
    mentioned = mentions_parse(comment.body)
    comment.mentions.set(mentioned)
    event_record(actor=author, verb="comment.created", obj=comment, claim=claim, after={"body": comment.body})
    _notify(users=mentioned, kind=Notification.Kind.MENTION, actor=author, claim=claim, comment=comment)
    participant_ids = set(
        Comment.objects.filter(claim=claim).exclude(pk=comment.pk).values_list("author_id", flat=True)
    ) | {claim.created_by_id, claim.assignee_id}
    participant_ids -= {user.pk for user in mentioned} | {None}
    participants = User.objects.filter(pk__in=participant_ids, is_active=True)
    _notify(users=participants, kind=Notification.Kind.REPLY, actor=author, claim=claim, comment=comment)
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, user, body: str) -> Comment:
    """Only the author edits a comment; newly mentioned users are told."""
    if not user.is_authenticated or comment.author_id != user.pk:
        raise PermissionDenied("Only the author can edit a comment.")
    before = {"body": comment.body}
    old_mentions = set(comment.mentions.values_list("pk", flat=True))
    comment.body = _clean_body(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    mentioned = mentions_parse(comment.body)
    comment.mentions.set(mentioned)
    event_record(
        actor=user, verb="comment.edited", obj=comment, claim=comment.claim, before=before, after={"body": comment.body}
    )
    new = [person for person in mentioned if person.pk not in old_mentions]
    _notify(users=new, kind=Notification.Kind.MENTION, actor=user, claim=comment.claim, comment=comment)
    return comment


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


# --- propagation to copies ----------------------------------------------------------------------------------


def claim_propose_on_copies(*, claim: Claim, annotation: Annotation, actor) -> list[Suggestion]:
    """Propose a linked highlight on every copy of its article, or list it as orphaned there."""
    made = []
    for copy in article_copies(annotation.article):
        if ClaimAnnotation.objects.filter(
            claim=claim, annotation__article=copy, annotation__quote=annotation.quote
        ).exists():
            continue
        anchor = anchoring.reanchor(
            text=copy.body,
            quote=annotation.quote,
            prefix=annotation.prefix,
            suffix=annotation.suffix,
            position=annotation.start,
        )
        fields = {
            "state": Suggestion.State.ORPHANED if anchor.orphaned else Suggestion.State.PROPOSED,
            "start": anchor.start,
            "end": anchor.end,
            "quote": anchor.quote,
            "confidence": anchor.confidence,
            "method": anchor.method,
        }
        suggestion, created = Suggestion.objects.get_or_create(
            claim=claim, origin=annotation, article=copy, defaults=fields
        )
        if created:
            event_record(
                actor=actor,
                verb="suggestion.orphaned" if anchor.orphaned else "suggestion.proposed",
                obj=suggestion,
                claim=claim,
                after={"article": copy.pk, "start": anchor.start, "end": anchor.end, "confidence": anchor.confidence},
            )
            made.append(suggestion)
    return made


def _annotation_create_checked(*, article: Article, start: int, end: int, quote: str, author, origin: Annotation):
    """A highlight on a copy through the highlights' own service, which checks body[start:end] == quote."""
    from annotations.services import AnnotationConflict, annotation_create

    try:
        return annotation_create(
            article=article,
            start=start,
            end=end,
            quote=quote,
            tags=[tag for tag in origin.tags.all() if tag.is_active],
            note=origin.note,
            author=author,
        )
    except AnnotationConflict:
        raise ValidationError({"suggestion": "The copy's text no longer matches this suggestion."}) from None


@transaction.atomic
def suggestion_accept(*, suggestion: Suggestion, user) -> ClaimAnnotation:
    _require(user, "claims.change_suggestion", "You cannot decide on suggestions.")
    _require(user, "annotations.add_annotation", "You cannot create highlights.")
    suggestion = (
        Suggestion.objects.select_for_update().select_related("article", "origin", "claim").get(pk=suggestion.pk)
    )
    if suggestion.state != Suggestion.State.PROPOSED:
        raise ValidationError({"suggestion": f"This suggestion is already {suggestion.get_state_display().lower()}."})
    annotation = _annotation_create_checked(
        article=suggestion.article,
        start=suggestion.start,
        end=suggestion.end,
        quote=suggestion.quote,
        author=user,
        origin=suggestion.origin,
    )
    suggestion.state, suggestion.annotation = Suggestion.State.ACCEPTED, annotation
    suggestion.decided_by, suggestion.decided_at = user, timezone.now()
    suggestion.save(update_fields=["state", "annotation", "decided_by", "decided_at"])
    event_record(
        actor=user,
        verb="suggestion.accepted",
        obj=suggestion,
        claim=suggestion.claim,
        before={"state": "proposed"},
        after={"state": "accepted", "annotation": annotation.pk},
    )
    return claim_link_annotation(claim=suggestion.claim, annotation=annotation, user=user, propose=False)


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, user) -> Suggestion:
    _require(user, "claims.change_suggestion", "You cannot decide on suggestions.")
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.state != Suggestion.State.PROPOSED:
        raise ValidationError({"suggestion": f"This suggestion is already {suggestion.get_state_display().lower()}."})
    suggestion.state, suggestion.decided_by, suggestion.decided_at = Suggestion.State.REJECTED, user, timezone.now()
    suggestion.save(update_fields=["state", "decided_by", "decided_at"])
    event_record(
        actor=user,
        verb="suggestion.rejected",
        obj=suggestion,
        claim=suggestion.claim,
        before={"state": "proposed"},
        after={"state": "rejected"},
    )
    return suggestion


def suggestions_accept_all(*, claim: Claim, user) -> int:
    """Accept every open suggestion of a claim; one that no longer matches its copy is skipped."""
    accepted = 0
    for suggestion in Suggestion.objects.filter(claim=claim, state=Suggestion.State.PROPOSED):
        try:
            suggestion_accept(suggestion=suggestion, user=user)
            accepted += 1
        except ValidationError:
            continue
    return accepted
