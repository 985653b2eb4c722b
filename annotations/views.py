"""Pages and htmx endpoints for highlighting articles, editing highlights, tags, "my work" and exports."""

from __future__ import annotations

import hashlib
import uuid

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from annotations import exports, highlights, selectors, services
from annotations.models import Annotation, Tag
from articles.models import Article

MY_WORK_PAGE_SIZE = 50


# --- helpers ------------------------------------------------------------------------------------------------


def _article_or_404(pk: int) -> Article:
    try:
        return Article.objects.select_related("source").get(pk=pk)
    except Article.DoesNotExist:
        raise Http404("No article with that id.") from None


def _annotation_or_404(pk: int) -> Annotation:
    try:
        annotation = selectors.annotation_get(pk=pk)
    except Annotation.DoesNotExist:
        raise Http404("No highlight with that id.") from None
    return annotation


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def _error(request: HttpRequest, status: int, message: str, *, target: str = "#annotator-message") -> HttpResponse:
    """A 409/422 answer: htmx swaps the message into `target`, other clients read plain text."""
    if request.htmx:
        response = render(
            request, "annotations/reading.html#annotator-message", {"message": message, "is_error": True}, status=status
        )
        response["HX-Retarget"] = target
        response["HX-Reswap"] = "outerHTML"
        return response
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _int(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a whole number.") from None


def _tags_from(request: HttpRequest) -> list[Tag]:
    raw = request.POST.getlist("tags")
    ids = {_int(value, "Each tag") for value in raw if value != ""}
    tags = list(Tag.objects.filter(pk__in=ids))
    if len(tags) != len(ids):
        raise ValidationError("One of the chosen tags does not exist.")
    return tags


def _filters_from(data) -> dict:
    return {key: data.get(key, "") for key in ("tag", "author") if data.get(key)}


def _reading_update(
    request: HttpRequest,
    article: Article,
    *,
    editing: Annotation | None = None,
    deleted: Annotation | None = None,
    message: str = "",
    status: int = 200,
    context: dict | None = None,
) -> HttpResponse:
    """The body with its marks plus (out of band) the highlight panel: what every write answers with."""
    context = context or selectors.reading_context(
        article=article, user=request.user, params=_filters_from(request.POST)
    )
    if editing is not None and not editing.is_deleted:
        editing.editable = services.can_change(request.user, editing)
        editing.deletable = services.can_delete(request.user, editing)
    context.update({"editing": editing, "deleted": deleted, "panel_message": message, "oob": True})
    context["panel_message_is_error"] = status >= 400
    return render(request, "annotations/reading_update.html", context, status=status)


# --- reading page endpoints ---------------------------------------------------------------------------------


@require_GET
def tags_css(request: HttpRequest) -> HttpResponse:
    """Colour classes for every tag; versioned by the page that links it, so it can be cached for long."""
    css = highlights.tag_stylesheet(Tag.objects.only("pk", "colour"))
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = '"' + hashlib.sha256(css.encode()).hexdigest()[:16] + '"'
    if request.GET.get("v") == services.tag_css_version():
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "no-cache"
    return response


@require_GET
@login_required
@permission_required("annotations.view_annotation", raise_exception=True)
def article_highlights(request: HttpRequest, article_pk: int) -> HttpResponse:
    """The body and the panel again, filtered by tag and author (the filter form's target)."""
    article = _article_or_404(article_pk)
    if not request.htmx:
        query = urlencode(_filters_from(request.GET))
        return redirect(article.get_absolute_url() + (f"?{query}" if query else ""))
    context = selectors.reading_context(article=article, user=request.user, params=request.GET)
    context["oob"] = True
    return render(request, "annotations/reading_update.html", context)


@require_POST
@login_required
def annotation_create(request: HttpRequest, article_pk: int) -> HttpResponse:
    if not services.can_create(request.user):
        raise PermissionDenied("Only analysts and editors can highlight.")
    article = _article_or_404(article_pk)
    try:
        start = _int(request.POST.get("start"), "Start")
        end = _int(request.POST.get("end"), "End")
        tags = _tags_from(request)
        request_id = request.POST.get("request_id") or None
        if request_id is not None:
            try:
                request_id = uuid.UUID(request_id)
            except ValueError:
                raise ValidationError("The request id is not a UUID.") from None
        annotation = services.annotation_create(
            article=article,
            start=start,
            end=end,
            quote=request.POST.get("quote", ""),
            tags=tags,
            note=request.POST.get("note", ""),
            author=request.user,
            request_id=request_id,
        )
    except ValidationError as error:
        return _error(request, 422, " ".join(_messages(error)))
    except services.AnnotationConflict as error:
        return _error(request, 409, str(error))
    if not request.htmx:
        return redirect(article.get_absolute_url() + f"#ann-{annotation.pk}")
    created = getattr(annotation, "was_created", False)
    annotation = selectors.annotation_get(pk=annotation.pk)
    context = selectors.reading_context(
        article=article, user=request.user, params=_filters_from(request.POST), fresh=True
    )
    items = context["annotations"]
    index = next((i for i, item in enumerate(items) if item.pk == annotation.pk), None)
    if not created or index is None or len(items) == 1:
        response = _reading_update(request, article, editing=annotation, context=context)
    else:
        # The list is already on the page: send the body and only the new entry, not all the others again.
        annotation.editable = services.can_change(request.user, annotation)
        annotation.deletable = services.can_delete(request.user, annotation)
        following = items[index + 1].pk if index + 1 < len(items) else None
        context.update({"editing": annotation, "new_item": items[index], "insert_before": following})
        response = render(request, "annotations/reading_created.html", context)
    return trigger_client_event(response, "annotation:created", {"id": annotation.pk})


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("annotations.view_annotation", raise_exception=True)
def annotation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(pk)
    if annotation.is_deleted:
        raise Http404("This highlight was deleted.")
    if request.method == "GET":
        if not request.htmx:
            return redirect(annotation.article.get_absolute_url() + f"#ann-{annotation.pk}")
        annotation.editable = services.can_change(request.user, annotation)
        annotation.deletable = services.can_delete(request.user, annotation)
        context = {"editing": annotation, "filter_tags": selectors.tag_list(), "article": annotation.article}
        return render(request, "annotations/reading.html#annotation-editor", context)
    if not services.can_change(request.user, annotation):
        raise PermissionDenied("You can only change your own highlights.")
    try:
        annotation = services.annotation_update(
            annotation=annotation,
            expected_version=_int(request.POST.get("version"), "Version"),
            tags=_tags_from(request),
            note=request.POST.get("note", ""),
            user=request.user,
        )
    except ValidationError as error:
        return _error(request, 422, " ".join(_messages(error)), target="#annotation-editor-message")
    except services.AnnotationConflict as error:
        if not request.htmx:
            return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")
        current = _annotation_or_404(pk)
        response = _reading_update(request, current.article, editing=current, message=str(error), status=409)
        # Named targets let the page swap this 409 in: the current version with the message above it.
        response["HX-Retarget"] = "#article-body"
        response["HX-Reswap"] = "outerHTML"
        return response
    if not request.htmx:
        return redirect(annotation.article.get_absolute_url() + f"#ann-{annotation.pk}")
    annotation = selectors.annotation_get(pk=annotation.pk)
    return _reading_update(request, annotation.article, editing=annotation, message="Saved.")


@require_POST
@login_required
def annotation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(pk)
    if annotation.is_deleted:
        raise Http404("This highlight was already deleted.")
    annotation = services.annotation_delete(annotation=annotation, user=request.user)
    if not request.htmx:
        return redirect(annotation.article.get_absolute_url())
    return _reading_update(request, annotation.article, deleted=annotation)


@require_POST
@login_required
def annotation_restore(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = _annotation_or_404(pk)
    annotation = services.annotation_restore(annotation=annotation, user=request.user)
    if not request.htmx:
        return redirect(annotation.article.get_absolute_url() + f"#ann-{annotation.pk}")
    annotation = selectors.annotation_get(pk=annotation.pk)
    return _reading_update(request, annotation.article, editing=annotation, message="Highlight restored.")


# --- my work and exports ------------------------------------------------------------------------------------


@require_GET
@login_required
@permission_required("annotations.add_annotation", raise_exception=True)
def my_work(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_work_list(user=request.user), MY_WORK_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "annotations/my_work.html", {"page": page})


EXPORT_FORMATS = {"jsonl", "w3c"}


@require_GET
@login_required
@permission_required("annotations.view_annotation", raise_exception=True)
def annotation_export(request: HttpRequest) -> HttpResponse:
    export_format = request.GET.get("format", "jsonl")
    if export_format not in EXPORT_FORMATS:
        return HttpResponse("format must be jsonl or w3c.", status=422, content_type="text/plain; charset=utf-8")
    article_id = None
    if request.GET.get("article"):
        try:
            article_id = int(request.GET["article"])
        except ValueError:
            return HttpResponse("article must be an id.", status=422, content_type="text/plain; charset=utf-8")
        _article_or_404(article_id)
    tag_name = request.GET.get("tag", "").strip()
    author = request.GET.get("author", "").strip()
    annotations = selectors.annotation_export_list(article_id=article_id, tag_name=tag_name, author_username=author)
    base_url = request.build_absolute_uri("/").rstrip("/")
    stem = f"annotations-article-{article_id}" if article_id else "annotations"
    if export_format == "jsonl":
        response = StreamingHttpResponse(
            exports.jsonl_lines(annotations.iterator(chunk_size=500), base_url),
            content_type="application/x-ndjson; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.jsonl"'
        return response
    page_id = request.build_absolute_uri()
    response = HttpResponse(exports.w3c_json(annotations, base_url, page_id), content_type=exports.W3C_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.jsonld"'
    return response


# --- tags ---------------------------------------------------------------------------------------------------


def _tag_manager(request: HttpRequest) -> None:
    if not request.user.has_perm("annotations.change_tag"):
        raise PermissionDenied("Only editors and admins manage tags.")


def _tag_or_404(pk: int) -> Tag:
    try:
        return Tag.objects.get(pk=pk)
    except Tag.DoesNotExist:
        raise Http404("No tag with that id.") from None


def _tag_page(request: HttpRequest, *, errors=None, status: int = 200, form_values=None) -> HttpResponse:
    context = {
        "tags": selectors.tag_list(),
        "kinds": Tag.Kind.choices,
        "errors": errors or {},
        "form_values": form_values or {},
        "hotkeys": [str(n) for n in range(1, 10)],
        "move_directions": [("up", "↑"), ("down", "↓")],
        "tag_css_version": services.tag_css_version(),
    }
    template = "annotations/tags.html"
    if request.htmx:
        template += "#tag-table"
    response = render(request, template, context, status=status)
    if request.htmx:
        response["HX-Retarget"] = "#tag-table"
        response["HX-Reswap"] = "outerHTML"
    return response


@require_GET
@login_required
def tag_list(request: HttpRequest) -> HttpResponse:
    _tag_manager(request)
    return _tag_page(request)


def _tag_fields(request: HttpRequest) -> dict:
    kind = request.POST.get("kind", Tag.Kind.OTHER)
    if kind not in Tag.Kind.values:
        raise ValidationError("Choose one of the listed kinds.")
    return {
        "name": request.POST.get("name", ""),
        "colour": request.POST.get("colour", ""),
        "hotkey": request.POST.get("hotkey", ""),
        "description": request.POST.get("description", ""),
        "kind": kind,
    }


@require_POST
@login_required
def tag_create(request: HttpRequest) -> HttpResponse:
    _tag_manager(request)
    try:
        services.tag_create(**_tag_fields(request), user=request.user)
    except ValidationError as error:
        return _tag_page(request, errors={"new": _messages(error)}, status=422, form_values=request.POST)
    return _after_tag_change(request)


@require_POST
@login_required
def tag_update(request: HttpRequest, pk: int) -> HttpResponse:
    _tag_manager(request)
    tag = _tag_or_404(pk)
    try:
        services.tag_update(tag=tag, **_tag_fields(request), user=request.user)
    except ValidationError as error:
        return _tag_page(request, errors={pk: _messages(error)}, status=422)
    return _after_tag_change(request)


@require_POST
@login_required
def tag_move(request: HttpRequest, pk: int) -> HttpResponse:
    _tag_manager(request)
    tag = _tag_or_404(pk)
    order = [t.pk for t in selectors.tag_list()]
    index = order.index(tag.pk)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        return _tag_page(request, errors={pk: ["Move a tag up or down."]}, status=422)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        services.tag_reorder(tag_ids=order, user=request.user)
    return _after_tag_change(request)


@require_POST
@login_required
def tag_retire(request: HttpRequest, pk: int) -> HttpResponse:
    _tag_manager(request)
    tag = _tag_or_404(pk)
    try:
        services.tag_retire(tag=tag, user=request.user, retired=request.POST.get("retired", "1") == "1")
    except ValidationError as error:
        return _tag_page(request, errors={pk: _messages(error)}, status=422)
    return _after_tag_change(request)


def _after_tag_change(request: HttpRequest) -> HttpResponse:
    if request.htmx:
        # The page swaps in the new colour stylesheet, so chips and marks show the change at once.
        stylesheet = reverse("annotations:tags_css") + f"?v={services.tag_css_version()}"
        return trigger_client_event(_tag_page(request), "tags:changed", {"stylesheet": stylesheet})
    return redirect(reverse("annotations:tags"))
