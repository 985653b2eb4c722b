"""Template helpers for claims: look up a highlight's claims in the dict the selector returns."""

import json

from django import template

register = template.Library()


@register.filter
def claims_of(claims_by_annotation: dict | None, annotation_id) -> list:
    """`{{ annotation_claims|claims_of:annotation.pk }}` -> that highlight's claims (a list, maybe empty)."""
    if not claims_by_annotation:
        return []
    try:
        return claims_by_annotation.get(int(annotation_id), [])
    except (TypeError, ValueError):
        return []


@register.filter
def as_json(value) -> str:
    """An event's before/after as JSON (autoescaped by the template), or nothing for None."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
