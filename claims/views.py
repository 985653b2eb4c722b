"""Pages for claims: the review queue, the claim card, linking highlights, notifications, audit and exports."""

from __future__ import annotations

import datetime
import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from annotations.models import Annotation, Tag
from articles.models import Source
from claims import interop, selectors, services
from claims.models import VERDICT_STATUSES, Claim, ClaimAnnotation, Comment, Suggestion
from dedup import selectors as dedup_selectors

User = get_user_model()
QUEUE_PAGE_SIZE = 50
LIST_PAGE_SIZE = 30
EVENTS_ON_CARD = 50


def _claim_or_404(pk: int) -> Claim:
    try:
        return selectors.claim_get(pk=pk)
    except Claim.DoesNotExist:
        raise Http404("No claim with that id.") from None


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


def _editors():
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__codename="set_verdict") | Q(is_superuser=True))
        .distinct()
        .order_by("username")
        .only("username")
    )


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# --- review queue -------------------------------------------------------------------------------------------


def _queue_filters(params) -> dict:
    statuses = [s for s in params.getlist("status") if s in Claim.NEEDS_REVIEW]
    assignee = params.get("assignee", "")
    return {
        "statuses": statuses,
        "tag_id": _int_or_none(params.get("tag")),
        "source_id": _int_or_none(params.get("outlet")),
        "story_id": _int_or_none(params.get("story")),
        "assignee": assignee,
    }


class QueueWindow:
    """One page of the queue without counting the whole queue: it reads one row more to know if there is a next."""

    def __init__(self, queryset, *, number, size: int):
        try:
            self.number = max(1, int(number))
        except (TypeError, ValueError):
            self.number = 1
        offset = (self.number - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        self.has_next = len(rows) > size
        self.object_list = rows[:size]
        self.has_previous = self.number > 1
        self.previous_page_number = self.number - 1
        self.next_page_number = self.number + 1


@require_GET
@login_required
@permission_required("claims.set_verdict", raise_exception=True)
def review_queue(request: HttpRequest) -> HttpResponse:
    filters = _queue_filters(request.GET)
    assignee_id = _int_or_none(filters["assignee"]) if filters["assignee"] not in ("me", "none") else None
    claims = selectors.review_queue(
        statuses=filters["statuses"],
        tag_id=filters["tag_id"],
        source_id=filters["source_id"],
        story_id=filters["story_id"],
        assignee=request.user if filters["assignee"] == "me" else (User(pk=assignee_id) if assignee_id else None),
        unassigned=filters["assignee"] == "none",
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("count", None)
    if request.GET.get("count") == "1":
        # Counting 75,000 waiting claims costs as much as the rest of the page, so the page asks for it after.
        return render(
            request,
            "claims/queue.html#queue-count",
            {"count": claims.count(), "query_without_page": query.urlencode()},
        )
    page = QueueWindow(claims, number=request.GET.get("page"), size=QUEUE_PAGE_SIZE)
    rows = page.object_list
    outlets: dict[int, list[str]] = {}
    for claim_id, name in (
        ClaimAnnotation.objects.filter(claim_id__in=[c.pk for c in rows], annotation__deleted_at__isnull=True)
        .values_list("claim_id", "annotation__article__source__name")
        .distinct()
        .order_by("claim_id", "annotation__article__source__name")
    ):
        outlets.setdefault(claim_id, []).append(name)
    for claim in rows:
        claim.outlet_names = outlets.get(claim.pk, [])
    context = {
        "page": page,
        "rows": rows,
        "count": None,
        "filters": filters,
        "statuses": [(s.value, s.label) for s in Claim.Status if s in Claim.NEEDS_REVIEW],
        "tags": Tag.objects.only("name").order_by("name"),
        "outlets": Source.objects.only("name").order_by("name"),
        "stories": dedup_selectors.story_choices(selected_id=filters["story_id"]),
        "editors": _editors(),
        "query_without_page": query.urlencode(),
        "bulk_actions": [
            ("assign_me", "Assign to me"),
            ("assign", "Assign to…"),
            ("unassign", "Unassign"),
            ("in_review", "Mark in review"),
        ],
    }
    template = "claims/queue.html"
    if request.htmx and request.htmx.target == "queue-results":
        template += "#queue-results"
    return render(request, template, context)


@require_POST
@login_required
@permission_required("claims.assign_claim", raise_exception=True)
def review_queue_bulk(request: HttpRequest) -> HttpResponse:
    ids = [i for i in (_int_or_none(v) for v in request.POST.getlist("claim")) if i is not None]
    assignee = None
    if request.POST.get("action") == "assign":
        assignee = User.objects.filter(pk=_int_or_none(request.POST.get("assignee"))).first()
    back = reverse("claims:queue") + ("?" + request.POST["next_query"] if request.POST.get("next_query") else "")
    try:
        count = services.claims_bulk_update(
            claim_ids=ids, action=request.POST.get("action", ""), user=request.user, assignee=assignee
        )
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, f"Updated {count} claim{'s' if count != 1 else ''}.")
    if request.htmx:
        return HttpResponseClientRedirect(back)
    return redirect(back)


# --- claims list and search ---------------------------------------------------------------------------------


@require_GET
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def claim_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    status = request.GET.get("status", "")
    if status not in Claim.Status.values:
        status = ""
    page = Paginator(selectors.claim_list(query=query, status=status), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "q": query,
        "status": status,
        "statuses": Claim.Status.choices,
        "query_without_page": params.urlencode(),
    }
    template = "claims/list.html"
    if request.htmx and request.htmx.target == "claim-results":
        template += "#claim-results"
    return render(request, template, context)


# --- the claim card -----------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, claim: Claim, **extra) -> dict:
    links = selectors.claim_links(claim=claim)
    distinct = selectors.claim_distinct_values(links=links)
    verdicts = selectors.claim_verdicts(claim=claim)
    context = {
        "claim": claim,
        "links": links,
        "distinct_values": distinct,
        "values_conflict": selectors.claim_conflicting_values(distinct=distinct),
        "origin": selectors.claim_origin(links=links),
        "verdicts": verdicts,
        "current_verdict": next((v for v in verdicts if v.is_current), None),
        "comments": selectors.claim_comments(claim=claim),
        "events": selectors.claim_events(claim=claim, limit=EVENTS_ON_CARD),
        "events_limit": EVENTS_ON_CARD,
        "can_unlink": request.user.has_perm("claims.delete_claimannotation"),
        "can_unlink_any": request.user.has_perm("claims.change_claim"),
        "suggestions": selectors.claim_suggestions(claim=claim),
        "verdict_statuses": [(s, Claim.Status(s).label) for s in VERDICT_STATUSES],
        "editors": _editors() if request.user.has_perm("claims.assign_claim") else [],
        "verdict_errors": [],
        "comment_errors": [],
        "verdict_form": {},
        # Text fields get fresh ids on every render: htmx copies the style attribute Chromium puts on a
        # focused field onto a new element with the same id, which the CSP (style-src 'self') then blocks.
        "form_key": secrets.token_hex(4),
    }
    context.update(extra)
    return context


@require_GET
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    return render(request, "claims/detail.html", _detail_context(request, claim))


def _render_card(request: HttpRequest, claim: Claim, status: int = 200, **extra) -> HttpResponse:
    claim = selectors.claim_get(pk=claim.pk)
    template = "claims/detail.html#claim-card" if request.htmx else "claims/detail.html"
    response = render(request, template, _detail_context(request, claim, **extra), status=status)
    return response


def _evidence_from(post) -> list[dict]:
    urls, articles, notes = (
        post.getlist("evidence_url"),
        post.getlist("evidence_article"),
        post.getlist("evidence_note"),
    )
    count = max(len(urls), len(articles), len(notes))
    pad = lambda items: items + [""] * (count - len(items))  # noqa: E731
    return [{"url": u, "article": a, "note": n} for u, a, n in zip(pad(urls), pad(articles), pad(notes), strict=True)]


@require_POST
@login_required
def claim_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    if not request.user.has_perm("claims.set_verdict"):
        raise PermissionDenied("Only editors set verdicts.")
    form = {
        "status": request.POST.get("status", ""),
        "rationale": request.POST.get("rationale", ""),
        "evidence": _evidence_from(request.POST),
    }
    try:
        services.claim_set_verdict(
            claim=claim,
            user=request.user,
            status=form["status"],
            rationale=form["rationale"],
            evidence=form["evidence"],
        )
    except ValidationError as error:
        # htmx swaps only 2xx answers, so the form with its errors comes back as 200 there.
        return _render_card(
            request, claim, status=200 if request.htmx else 422, verdict_errors=_errors(error), verdict_form=form
        )
    if request.htmx:
        response = _render_card(request, claim)
        return trigger_client_event(response, "claimChanged", {"id": claim.pk})
    messages.success(request, "Verdict recorded.")
    return redirect(claim)


@require_POST
@login_required
def claim_assign(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    if not request.user.has_perm("claims.assign_claim"):
        raise PermissionDenied("Only editors assign claims.")
    choice = request.POST.get("assignee", "")
    assignee = request.user if choice == "me" else User.objects.filter(pk=_int_or_none(choice)).first()
    if choice and choice != "none" and assignee is None:
        return _render_card(request, claim, status=200 if request.htmx else 422, verdict_errors=["No such editor."])
    try:
        services.claim_assign(claim=claim, assignee=assignee, user=request.user)
    except ValidationError as error:
        return _render_card(request, claim, status=200 if request.htmx else 422, verdict_errors=_errors(error))
    if request.htmx:
        return _render_card(request, claim)
    return redirect(claim)


@require_POST
@login_required
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    if not request.user.has_perm("claims.add_comment"):
        raise PermissionDenied("You cannot comment on claims.")
    try:
        services.comment_create(claim=claim, author=request.user, body=request.POST.get("body", ""))
    except ValidationError as error:
        return _render_card(request, claim, status=200 if request.htmx else 422, comment_errors=_errors(error))
    if request.htmx:
        return _render_card(request, claim)
    return redirect(claim.get_absolute_url() + "#discussion")


@login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        comment = Comment.objects.select_related("claim", "author").get(pk=pk)
    except Comment.DoesNotExist:
        raise Http404("No comment with that id.") from None
    if comment.author_id != request.user.pk:
        raise PermissionDenied("Only the author can edit a comment.")
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.comment_edit(comment=comment, user=request.user, body=request.POST.get("body", ""))
        except ValidationError as error:
            errors = _errors(error)
        else:
            if request.htmx:
                return _render_card(request, comment.claim)
            return redirect(comment.claim.get_absolute_url() + f"#comment-{comment.pk}")
    return render(
        request, "claims/comment_edit.html", {"comment": comment, "errors": errors}, status=422 if errors else 200
    )


@require_POST
@login_required
def link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        link = ClaimAnnotation.objects.select_related("claim", "annotation").get(pk=pk)
    except ClaimAnnotation.DoesNotExist:
        raise Http404("No such link.") from None
    services.claim_unlink(link=link, user=request.user)
    if request.htmx:
        return _render_card(request, link.claim)
    return redirect(link.claim)


# --- suggestions on copies ----------------------------------------------------------------------------------


def _suggestion_or_404(pk: int) -> Suggestion:
    try:
        return Suggestion.objects.select_related("claim").get(pk=pk)
    except Suggestion.DoesNotExist:
        raise Http404("No such suggestion.") from None


@require_POST
@login_required
def suggestion_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    suggestion = _suggestion_or_404(pk)
    try:
        if decision == "accept":
            services.suggestion_accept(suggestion=suggestion, user=request.user)
        else:
            services.suggestion_reject(suggestion=suggestion, user=request.user)
    except ValidationError as error:
        return _render_card(
            request, suggestion.claim, status=200 if request.htmx else 409, verdict_errors=_errors(error)
        )
    if request.htmx:
        return _render_card(request, suggestion.claim)
    return redirect(suggestion.claim)


@require_POST
@login_required
def suggestions_accept_all(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    if not request.user.has_perm("claims.change_suggestion"):
        raise PermissionDenied("You cannot decide on suggestions.")
    count = services.suggestions_accept_all(claim=claim, user=request.user)
    if request.htmx:
        return _render_card(request, claim)
    messages.success(request, f"Accepted {count} suggestion{'s' if count != 1 else ''}.")
    return redirect(claim)


# --- highlights and claims (for the reading page) -----------------------------------------------------------


def _annotation_or_404(pk) -> Annotation:
    try:
        return Annotation.objects.alive().select_related("article").get(pk=pk)
    except (Annotation.DoesNotExist, ValueError, TypeError):
        raise Http404("No highlight with that id.") from None


def _annotation_partial(request: HttpRequest, annotation: Annotation, status: int = 200, **extra) -> HttpResponse:
    context = {
        "annotation": annotation,
        "claims": selectors.claims_for_annotations([annotation.pk]).get(annotation.pk, []),
        **extra,
    }
    return render(request, "claims/_annotation_claims.html", context, status=status)


@require_GET
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def annotation_claims(request: HttpRequest, pk: int) -> HttpResponse:
    return _annotation_partial(request, _annotation_or_404(pk))


@require_GET
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def annotation_claim_options(request: HttpRequest, pk: int) -> HttpResponse:
    """Claims to link a highlight to: a search when a query is typed, suggestions otherwise."""
    annotation = _annotation_or_404(pk)
    query = request.GET.get("q", "").strip()[:200]
    if query:
        options = list(selectors.claim_search_filter(Claim.objects.all(), query)[:10])
    else:
        options = selectors.claim_suggestions_for(annotation=annotation)
    return render(request, "claims/_claim_options.html", {"annotation": annotation, "options": options, "query": query})


@require_POST
@login_required
def annotation_link(request: HttpRequest) -> HttpResponse:
    """Link a highlight to an existing claim (claim=<id>) or a new one (statement, or the highlight's text)."""
    if not request.user.has_perm("claims.add_claimannotation"):
        raise PermissionDenied("You cannot link highlights to claims.")
    annotation = _annotation_or_404(request.POST.get("annotation"))
    claim_id = _int_or_none(request.POST.get("claim"))
    try:
        if claim_id:
            claim = Claim.objects.filter(pk=claim_id).first()
            if claim is None:
                raise ValidationError({"claim": "No claim with that id."})
            services.claim_link_annotation(claim=claim, annotation=annotation, user=request.user)
        else:
            claim = services.claim_create(
                statement=request.POST.get("statement", ""), created_by=request.user, annotation=annotation
            )
    except ValidationError as error:
        if request.htmx:
            return _annotation_partial(request, annotation, errors=_errors(error))
        return _annotation_partial(request, annotation, status=422, errors=_errors(error))
    if request.htmx:
        response = _annotation_partial(request, annotation)
        return trigger_client_event(response, "claimLinked", {"annotation": annotation.pk, "claim": claim.pk})
    return redirect(claim)


# --- notifications ------------------------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ids = [i for i in (_int_or_none(v) for v in request.POST.getlist("notification")) if i is not None]
        services.notifications_mark_read(user=request.user, ids=ids or None)
        if not request.htmx:
            return redirect("claims:notifications")
    page = Paginator(selectors.notification_list(user=request.user), 50).get_page(request.GET.get("page"))
    context = {"page": page, "unread": selectors.notification_unread_count(user=request.user)}
    template = "claims/notifications.html"
    if request.htmx and request.method == "POST":
        response = render(request, template + "#notification-list", context)
        return trigger_client_event(response, "notificationsRead")
    return render(request, template, context)


@require_GET
@login_required
def notification_count(request: HttpRequest) -> HttpResponse:
    return render(
        request, "claims/_notification_count.html", {"unread": selectors.notification_unread_count(user=request.user)}
    )


# --- audit --------------------------------------------------------------------------------------------------


@require_GET
@login_required
@permission_required("claims.view_audit", raise_exception=True)
def audit(request: HttpRequest) -> HttpResponse:
    errors = []
    date_from = parse_date(request.GET.get("from", "") or "") if request.GET.get("from") else None
    date_to = parse_date(request.GET.get("to", "") or "") if request.GET.get("to") else None
    if (request.GET.get("from") and date_from is None) or (request.GET.get("to") and date_to is None):
        errors.append("Dates are written YYYY-MM-DD.")
    if date_from and date_to and date_from > date_to:
        errors.append("The start date is after the end date.")
        date_from = date_to = None
    verb = request.GET.get("verb", "")[:40]
    actor_id = _int_or_none(request.GET.get("actor"))
    claim_id = _int_or_none(request.GET.get("claim"))
    events = selectors.event_list(actor_id=actor_id, verb=verb, claim_id=claim_id, date_from=date_from, date_to=date_to)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "errors": errors,
        "verbs": selectors.event_verbs(),
        "actors": User.objects.filter(is_active=True).only("username").order_by("username"),
        "filters": {
            "claim": claim_id,
            "verb": verb,
            "actor": actor_id,
            "from": request.GET.get("from", ""),
            "to": request.GET.get("to", ""),
        },
        "query_without_page": params.urlencode(),
    }
    template = "claims/audit.html"
    if request.htmx and request.htmx.target == "audit-results":
        template += "#audit-results"
    return render(request, template, context, status=400 if errors else 200)


# --- interoperability ---------------------------------------------------------------------------------------


def _jsonld(data) -> JsonResponse:
    return JsonResponse(data, content_type="application/ld+json", json_dumps_params={"ensure_ascii": False})


@require_GET
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def claim_review_json(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(pk)
    review = interop.claim_review_for(claim=claim, base_url=_base_url(request))
    if review is None:
        return JsonResponse({"error": "This claim has no published verdict yet."}, status=404)
    return _jsonld(review)


@require_GET
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def claim_review_feed(request: HttpRequest) -> HttpResponse:
    return _jsonld(interop.claim_reviews_feed(base_url=_base_url(request)))


@require_GET
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def claims_export(request: HttpRequest) -> HttpResponse:
    response = StreamingHttpResponse(
        interop.claims_jsonl(base_url=_base_url(request)), content_type="application/x-ndjson"
    )
    stamp = datetime.date.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="claims-{stamp}.jsonl"'
    return response


@require_GET
@login_required
@permission_required("claims.view_claim", raise_exception=True)
def article_claims_panel(request: HttpRequest, article_pk: int) -> HttpResponse:
    """The reading page's panel: every claim this article's highlights assert, with its verdict badge."""
    highlights = list(
        Annotation.objects.alive()
        .filter(article_id=article_pk, article__isnull=False)
        .only("pk", "quote", "start")
        .order_by("start", "pk")
    )
    by_annotation = selectors.claims_for_annotations([a.pk for a in highlights])
    claims: dict[int, dict] = {}
    for highlight in highlights:
        for claim in by_annotation.get(highlight.pk, []):
            entry = claims.setdefault(claim["id"], {**claim, "highlights": []})
            entry["highlights"].append(highlight)
    return render(
        request, "claims/_article_claims_panel.html", {"article_pk": article_pk, "claims": list(claims.values())}
    )
