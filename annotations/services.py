"""Writes for highlights and tags: every check on offsets, versions and permissions happens here."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from annotations.models import Annotation, Tag
from articles.models import Article

# A second identical create by the same person within this window is taken as a double click.
DUPLICATE_WINDOW = datetime.timedelta(seconds=10)
NOTE_MAX_LENGTH = 5000
TAG_CSS_VERSION_KEY = "annotations:tags-css-version"


class AnnotationConflict(Exception):
    """The request disagrees with the stored state (text or version); the view answers 409."""


def can_create(user) -> bool:
    return user.is_authenticated and user.has_perm("annotations.add_annotation")


def can_change(user, annotation: Annotation) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_perm("annotations.moderate_annotation"):
        return True
    return annotation.author_id == user.pk and user.has_perm("annotations.change_annotation")


def can_delete(user, annotation: Annotation) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_perm("annotations.moderate_annotation"):
        return True
    return annotation.author_id == user.pk and user.has_perm("annotations.delete_annotation")


def _check_span(*, body: str, start: int, end: int, quote: str) -> None:
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise ValidationError("Start and end must be whole numbers.", code="invalid")
    if start < 0 or end < 0:
        raise ValidationError("Start and end cannot be negative.", code="invalid")
    if start >= end:
        raise ValidationError("A highlight must cover at least one character (start before end).", code="invalid")
    if end > len(body):
        raise ValidationError(
            f"The highlight ends at {end} but the article has only {len(body)} characters.", code="invalid"
        )
    if body[start:end] != quote:
        raise AnnotationConflict(
            "The selected text does not match the article at these positions; reload the page and select again."
        )


def _clean_note(note: str) -> str:
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(f"A note can have at most {NOTE_MAX_LENGTH} characters.", code="invalid")
    return note


def _tag_ids(tags: Sequence[Tag]) -> list[int]:
    return sorted({tag.pk for tag in tags})


def _check_tags(tags: Sequence[Tag], *, previous: set[int] | None = None) -> None:
    # A retired tag may stay on a highlight that already had it, but is not given anew.
    retired = [tag.name for tag in tags if not tag.is_active and tag.pk not in (previous or set())]
    if retired:
        raise ValidationError(f"Retired tags cannot be used: {', '.join(retired)}.", code="invalid")


def annotation_create(
    *,
    article: Article,
    start: int,
    end: int,
    quote: str,
    tags: Sequence[Tag] = (),
    note: str = "",
    author,
    request_id: uuid.UUID | None = None,
) -> Annotation:
    """Create a highlight over body[start:end]; a repeated request returns the annotation it made."""
    if not can_create(author):
        raise PermissionDenied("Only analysts and editors can highlight.")
    _check_span(body=article.body, start=start, end=end, quote=quote)
    note = _clean_note(note)
    _check_tags(tags)
    tag_ids = _tag_ids(tags)

    if request_id is not None:
        existing = Annotation.objects.filter(author=author, client_request_id=request_id).first()
        if existing is not None:
            return existing
    recent = (
        Annotation.objects.alive()
        .filter(
            article=article,
            author=author,
            start=start,
            end=end,
            note=note,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .prefetch_related("tags")
    )
    for candidate in recent:
        if sorted(tag.pk for tag in candidate.tags.all()) == tag_ids:
            return candidate

    context = Annotation.CONTEXT_LENGTH
    try:
        with transaction.atomic():
            annotation = Annotation.objects.create(
                article=article,
                start=start,
                end=end,
                quote=quote,
                prefix=article.body[max(0, start - context) : start],
                suffix=article.body[end : end + context],
                note=note,
                author=author,
                client_request_id=request_id,
            )
            if tag_ids:
                annotation.tags.add(*tag_ids)
        annotation.was_created = True
    except IntegrityError:
        # Two copies of the same request raced; the other one won.
        if request_id is None:
            raise
        return Annotation.objects.get(author=author, client_request_id=request_id)
    return annotation


def annotation_update(
    *, annotation: Annotation, expected_version: int, tags: Sequence[Tag], note: str, user
) -> Annotation:
    """Change tags and note, only if nobody changed the annotation since `expected_version` was read."""
    if not can_change(user, annotation):
        raise PermissionDenied("You can only change your own highlights.")
    note = _clean_note(note)
    previous = set(annotation.tags.values_list("pk", flat=True))
    _check_tags(tags, previous=previous)
    with transaction.atomic():
        updated = Annotation.objects.filter(pk=annotation.pk, version=expected_version, deleted_at__isnull=True).update(
            note=note, version=F("version") + 1, updated_by=user, updated_at=timezone.now()
        )
        if not updated:
            raise _conflict(annotation.pk)
        annotation.tags.set(_tag_ids(tags))
        article_highlights_changed(annotation.article_id)
    annotation.refresh_from_db()
    return annotation


def _conflict(pk: int) -> AnnotationConflict:
    current = Annotation.objects.select_related("updated_by", "author").get(pk=pk)
    if current.deleted_at is not None:
        return AnnotationConflict("This highlight was deleted since you opened it.")
    who = current.updated_by or current.author
    return AnnotationConflict(
        f"This highlight was changed by {who.get_username()} since you opened it; "
        "their version is shown now, make your change again."
    )


def annotation_delete(*, annotation: Annotation, user) -> Annotation:
    """Soft delete: the highlight disappears but can be restored."""
    if not can_delete(user, annotation):
        raise PermissionDenied("You can only delete your own highlights.")
    now = timezone.now()
    Annotation.objects.filter(pk=annotation.pk, deleted_at__isnull=True).update(
        deleted_at=now, version=F("version") + 1, updated_by=user, updated_at=now
    )
    article_highlights_changed(annotation.article_id)
    annotation.refresh_from_db()
    return annotation


def annotation_restore(*, annotation: Annotation, user) -> Annotation:
    """Undo a delete."""
    if not can_delete(user, annotation):
        raise PermissionDenied("You can only restore your own highlights.")
    Annotation.objects.filter(pk=annotation.pk, deleted_at__isnull=False).update(
        deleted_at=None, version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    article_highlights_changed(annotation.article_id)
    annotation.refresh_from_db()
    return annotation


# --- tags ---------------------------------------------------------------------------------------------------


def _require_tag_manager(user) -> None:
    if not (user.is_authenticated and user.has_perm("annotations.change_tag")):
        raise PermissionDenied("Only editors and admins manage tags.")


def tags_changed() -> None:
    """New tag colours or names: a new stylesheet version, and every cached reading fragment is stale."""
    cache.set(TAG_CSS_VERSION_KEY, uuid.uuid4().hex[:12], None)


def _article_version_key(article_id: int) -> str:
    return f"annotations:article-version:{article_id}"


def article_highlights_version(article_id: int) -> str:
    return cache.get(_article_version_key(article_id)) or "0"


def article_highlights_changed(article_id: int) -> None:
    """Make the cached highlight fragments of one article stale, now and again when the transaction commits.

    Bumping only now would let a reader cache the old rows under the new version before the commit;
    bumping only on commit would let the writer's own response read a stale fragment.
    """

    def bump() -> None:
        cache.set(_article_version_key(article_id), uuid.uuid4().hex[:12], 60 * 60 * 24 * 30)

    bump()
    transaction.on_commit(bump)


def tag_css_version() -> str:
    version = cache.get(TAG_CSS_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex[:12]
        cache.add(TAG_CSS_VERSION_KEY, version, None)
        version = cache.get(TAG_CSS_VERSION_KEY) or version
    return version


def _save_tag(tag: Tag) -> Tag:
    tag.full_clean()
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError:
        raise ValidationError("Another active tag already uses that name or hotkey.", code="invalid") from None
    transaction.on_commit(tags_changed)
    return tag


def _check_hotkey_free(*, hotkey: str, exclude_pk: int | None) -> None:
    if hotkey and Tag.objects.filter(hotkey=hotkey, is_active=True).exclude(pk=exclude_pk).exists():
        raise ValidationError({"hotkey": [f"Hotkey {hotkey} is already used by another active tag."]})


def tag_create(
    *, name: str, colour: str, hotkey: str = "", description: str = "", kind: str = Tag.Kind.OTHER, user
) -> Tag:
    _require_tag_manager(user)
    _check_hotkey_free(hotkey=hotkey, exclude_pk=None)
    position = (Tag.objects.aggregate(top=Max("position"))["top"] or 0) + 1
    tag = Tag(
        name=name.strip(),
        colour=colour.lower(),
        hotkey=hotkey,
        description=description.strip(),
        kind=kind,
        position=position,
    )
    return _save_tag(tag)


def tag_update(
    *, tag: Tag, name: str, colour: str, hotkey: str = "", description: str = "", kind: str | None = None, user
) -> Tag:
    _require_tag_manager(user)
    if tag.is_active:
        _check_hotkey_free(hotkey=hotkey, exclude_pk=tag.pk)
    tag.name = name.strip()
    tag.colour = colour.lower()
    tag.hotkey = hotkey
    tag.description = description.strip()
    if kind is not None:
        tag.kind = kind
    return _save_tag(tag)


def tag_reorder(*, tag_ids: Sequence[int], user) -> None:
    """Put the tags in the given order; tags not named keep their relative order after them."""
    _require_tag_manager(user)
    known = list(Tag.objects.values_list("pk", flat=True))
    if set(tag_ids) - set(known) or len(set(tag_ids)) != len(tag_ids):
        raise ValidationError("The new order names unknown or repeated tags.", code="invalid")
    order = list(tag_ids) + [pk for pk in known if pk not in set(tag_ids)]
    with transaction.atomic():
        for position, pk in enumerate(order):
            Tag.objects.filter(pk=pk).exclude(position=position).update(position=position)
    tags_changed()
    transaction.on_commit(tags_changed)


def tag_retire(*, tag: Tag, user, retired: bool = True) -> Tag:
    """Retire a tag (it stays on existing highlights but is no longer offered) or bring it back."""
    _require_tag_manager(user)
    if not retired and tag.hotkey:
        clash = Tag.objects.filter(hotkey=tag.hotkey, is_active=True).exclude(pk=tag.pk).first()
        if clash is not None:
            # Coming back without a hotkey beats failing: the clash is reported by the page.
            tag.hotkey = ""
    tag.is_active = not retired
    return _save_tag(tag)
