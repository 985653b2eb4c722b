"""Find a highlighted passage again in another version of a text (a copy, a rewrite), or say it cannot.

Hypothesis-style: the exact quote first, choosing between repeats by the words around it and by the
position; then a fuzzy search with difflib near where the prefix and suffix are found, or near the old
position. A passage whose figures changed, or that matches too loosely, is returned as orphaned: a
wrong place is worse than no place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

DEFAULT_THRESHOLD = 0.8
# How far from the expected place the fuzzy search looks, in characters on each side.
SEARCH_RADIUS = 2000
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d+)*")


@dataclass(frozen=True)
class Anchor:
    start: int | None
    end: int | None
    quote: str
    confidence: float
    method: str  # exact, fuzzy or orphaned

    @property
    def orphaned(self) -> bool:
        return self.method == "orphaned"


def _ratio(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    """How well the words before and after a span match the remembered prefix and suffix (0..1)."""
    scores = []
    if prefix:
        scores.append(_ratio(prefix, text[max(0, start - len(prefix)) : start]))
    if suffix:
        scores.append(_ratio(suffix, text[end : end + len(suffix)]))
    return sum(scores) / len(scores) if scores else 0.5


def _numbers(text: str) -> list[str]:
    return [re.sub(r"[^\d]", "", n) for n in _NUMBER.findall(text)]


def reanchor(
    *,
    text: str,
    quote: str,
    prefix: str = "",
    suffix: str = "",
    position: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Anchor:
    """Where `quote` (seen between `prefix` and `suffix`, near `position`) is in `text`, with a confidence."""
    if not quote or not text:
        return Anchor(None, None, "", 0.0, "orphaned")
    exact = _exact(text, quote, prefix, suffix, position)
    if exact is not None:
        return exact
    fuzzy = _fuzzy(text, quote, prefix, suffix, position)
    if fuzzy is None or fuzzy.confidence < threshold:
        confidence = fuzzy.confidence if fuzzy else 0.0
        return Anchor(None, None, "", confidence, "orphaned")
    return fuzzy


def _exact(text: str, quote: str, prefix: str, suffix: str, position: int | None) -> Anchor | None:
    starts = []
    index = text.find(quote)
    while index != -1:
        starts.append(index)
        index = text.find(quote, index + 1)
    if not starts:
        return None

    def score(start: int) -> tuple[float, float]:
        context = _context_score(text, start, start + len(quote), prefix, suffix)
        distance = abs(start - position) if position is not None else 0
        # Context decides; position breaks ties between equally good contexts.
        return (round(context, 3), -distance)

    best = max(starts, key=score)
    context = _context_score(text, best, best + len(quote), prefix, suffix)
    confidence = 1.0 if len(starts) == 1 else 0.85 + 0.15 * context
    return Anchor(best, best + len(quote), quote, round(confidence, 3), "exact")


def _fuzzy(text: str, quote: str, prefix: str, suffix: str, position: int | None) -> Anchor | None:
    starts = set()
    for needle, after in ((prefix[-16:], True), (suffix[:16], False)):
        if len(needle.strip()) < 4:
            continue
        index = text.find(needle)
        while index != -1:
            starts.add(index + len(needle) if after else max(0, index - len(quote)))
            index = text.find(needle, index + 1)
    if position is not None or not starts:
        centre = position if position is not None else 0
        low, high = (0, len(text)) if position is None else (max(0, centre - SEARCH_RADIUS), centre + SEARCH_RADIUS)
        starts.update(low + m.start() for m in re.finditer(r"(?<!\w)\w", text[low : min(len(text), high)]))
    if not starts:
        return None

    quote_numbers = _numbers(quote)
    lengths = sorted({max(1, round(len(quote) * factor)) for factor in (0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3)})
    best: tuple[float, int, int] | None = None
    # Cheap pre-filter: a window must share a good part of the quote's characters before difflib runs.
    for start in sorted(starts):
        for length in lengths:
            end = _snap_end(text, start + length)
            if end <= start:
                continue
            candidate = text[start:end]
            if SequenceMatcher(None, quote, candidate, autojunk=False).quick_ratio() < 0.6:
                continue
            similarity = _ratio(quote, candidate)
            if similarity < 0.6:
                continue
            context = _context_score(text, start, end, prefix, suffix)
            score = 0.75 * similarity + 0.25 * context
            if position is not None:
                score -= min(abs(start - position), SEARCH_RADIUS) / SEARCH_RADIUS * 0.02
            if best is None or score > best[0]:
                best = (score, start, end)
    if best is None:
        return None
    score, start, end = best
    start, end = _trim(text, start, end)
    found = text[start:end]
    confidence = max(0.0, min(1.0, score))
    # A passage whose figures changed is a different statement, not the same one moved.
    if _numbers(found) != quote_numbers:
        confidence = min(confidence, 0.5)
    return Anchor(start, end, found, round(confidence, 3), "fuzzy")


def _snap_end(text: str, end: int) -> int:
    """Move an end forward to the end of the word it cuts (at most 20 characters)."""
    end = min(end, len(text))
    limit = min(len(text), end + 20)
    while end < limit and end > 0 and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
