"""Highlights out of Copydesk: JSON Lines and W3C Web Annotation (JSON-LD)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.urls import reverse

from annotations.models import Annotation

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
W3C_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def article_target(annotation: Annotation, base_url: str) -> str:
    """The article's own url, or its page in this app when it has none."""
    return annotation.article.url or base_url.rstrip("/") + reverse("articles:detail", args=[annotation.article_id])


def annotation_record(annotation: Annotation, base_url: str) -> dict:
    return {
        "id": annotation.pk,
        "article": annotation.article_id,
        "article_url": article_target(annotation, base_url),
        "start": annotation.start,
        "end": annotation.end,
        "quote": annotation.quote,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "tags": [tag.name for tag in annotation.tags.all()],
        "note": annotation.note,
        "author": annotation.author.get_username(),
        "created_at": annotation.created_at.isoformat(),
        "updated_at": annotation.updated_at.isoformat(),
    }


def jsonl_lines(annotations: Iterable[Annotation], base_url: str) -> Iterator[str]:
    for annotation in annotations:
        yield json.dumps(annotation_record(annotation, base_url), ensure_ascii=False) + "\n"


def w3c_annotation(annotation: Annotation, base_url: str) -> dict:
    body = [{"type": "TextualBody", "purpose": "tagging", "value": tag.name} for tag in annotation.tags.all()]
    if annotation.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": annotation.note, "format": "text/plain"})
    if annotation.note:
        motivation = "commenting"
    elif body:
        motivation = "tagging"
    else:
        motivation = "highlighting"
    item = {
        "id": f"{base_url.rstrip('/')}/annotations/{annotation.pk}/",
        "type": "Annotation",
        "motivation": motivation,
        "created": annotation.created_at.isoformat(),
        "modified": annotation.updated_at.isoformat(),
        "creator": {"type": "Person", "nickname": annotation.author.get_username()},
        "target": {
            "source": article_target(annotation, base_url),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": annotation.quote,
                    "prefix": annotation.prefix,
                    "suffix": annotation.suffix,
                },
                # Web Annotation positions count Unicode code points, as our offsets do.
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
            ],
        },
    }
    if body:
        item["body"] = body
    return item


def w3c_page(annotations: Iterable[Annotation], base_url: str, page_id: str) -> dict:
    items = [w3c_annotation(annotation, base_url) for annotation in annotations]
    return {"@context": W3C_CONTEXT, "id": page_id, "type": "AnnotationPage", "items": items}


def w3c_json(annotations: Iterable[Annotation], base_url: str, page_id: str) -> str:
    return json.dumps(w3c_page(annotations, base_url, page_id), ensure_ascii=False, indent=2) + "\n"
