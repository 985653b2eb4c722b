"""Server-side rendering of an article body with its highlights as <mark> segments.

The text is split at every highlight boundary, so each segment knows exactly which highlights cover
it; overlapping and nested highlights become runs of flat marks that list all of them. The HTML is
built here rather than in a template loop because a long article with hundreds of highlights has
thousands of segments, and every piece of text goes through `escape`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.text import paragraphs


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str
    # Covering highlights, innermost (shortest) first.
    annotations: tuple


def segments(body: str, annotations: Sequence) -> list[list[Segment]]:
    """For each paragraph, its segments; a segment's annotations all cover every character of it."""
    result = []
    spans = sorted(annotations, key=lambda a: (a.start, -a.end, a.pk))
    for paragraph in paragraphs(body):
        p_start, p_end = paragraph.start, paragraph.end
        relevant = [a for a in spans if a.start < p_end and a.end > p_start]
        bounds = {p_start, p_end}
        for a in relevant:
            if p_start < a.start < p_end:
                bounds.add(a.start)
            if p_start < a.end < p_end:
                bounds.add(a.end)
        ordered = sorted(bounds)
        pieces = []
        for left, right in pairwise(ordered):
            covering = tuple(
                sorted(
                    (a for a in relevant if a.start <= left and a.end >= right),
                    key=lambda a: (a.end - a.start, a.pk),
                )
            )
            pieces.append(Segment(left, right, paragraph.text[left - p_start : right - p_start], covering))
        result.append(pieces)
    return result


def _tag_id(annotation) -> int | None:
    return annotation.tags[0].pk if annotation.tags else None


def render_body(body: str, annotations: Sequence) -> SafeString:
    """The inside of #article-body: one <p data-start> per paragraph, marks for covered segments."""
    first_tag = {a.pk: _tag_id(a) for a in annotations}
    out = []
    for paragraph in segments(body, annotations):
        if not paragraph:
            continue
        out.append(f'<p data-start="{paragraph[0].start}">')
        for segment in paragraph:
            text = escape(segment.text)
            if not segment.annotations:
                out.append(text)
                continue
            inner = segment.annotations[0]
            classes = ["hl"]
            tag = first_tag.get(inner.pk)
            classes.append(f"hl-t{tag}" if tag else "hl-none")
            if len(segment.annotations) > 1:
                outer_tag = first_tag.get(segment.annotations[1].pk)
                classes.append(f"hl-u{outer_tag}" if outer_tag else "hl-unone")
                classes.append(f"hl-d{min(len(segment.annotations), 4)}")
            for a in segment.annotations:
                if a.start == segment.start:
                    classes.append("hl-first")
                    break
            ids = " ".join(str(a.pk) for a in segment.annotations)
            out.append(f'<mark class="{" ".join(classes)}" data-ann="{ids}">{text}</mark>')
        out.append("</p>")
    return mark_safe("".join(out))  # noqa: S308 - every text piece is escaped above; attributes are integers


def tag_stylesheet(tags: Sequence) -> str:
    """CSS classes carrying each tag's colour, so that marks need no inline style (forbidden by the CSP)."""
    lines = ["/* Tag colours, generated from the tag table. */"]
    for tag in tags:
        colour = tag.colour.lower()
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        lines.append(f".hl-t{tag.pk} {{ --hl-bg: rgb({red} {green} {blue} / 0.42); }}")
        lines.append(f".hl-u{tag.pk} {{ --hl-under: {colour}; }}")
        lines.append(f".tag-chip-{tag.pk} {{ --tag-colour: {colour}; }}")
    return "\n".join(lines) + "\n"
