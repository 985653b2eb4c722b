"""Side-by-side comparison of two texts: sentences aligned, changed words marked, changed figures called out."""

import difflib
import re
from dataclasses import dataclass, field

_SENTENCE_END = re.compile(
    "(?<=[.!?\u2026])\\s+|(?<=[.!?\u2026][\"'\u201d\u2019\u00bb)])\\s+|(?<=[\u3002\uff01\uff1f])|\n+"
)
_TOKEN = re.compile(r"\S+|\s+")
# Figures and dates: 11,000 / 4.2 / 12% / €4.5 / 2026 / 3 a.m.; compared as written.
_FIGURE = re.compile(r"[€$£]?\d[\d,.\u202f ]*\d%?|[€$£]?\d%?")


@dataclass
class Piece:
    text: str
    change: str = ""  # "", "ins" or "del"


@dataclass
class Row:
    kind: str  # equal, replace, insert, delete
    left: list[Piece] = field(default_factory=list)
    right: list[Piece] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def figures(text: str) -> list[str]:
    return [match.group(0).strip().rstrip(",.") for match in _FIGURE.finditer(text)]


def _word_diff(left: str, right: str) -> tuple[list[Piece], list[Piece]]:
    a, b = _TOKEN.findall(left), _TOKEN.findall(right)
    out_left, out_right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out_left.append(Piece("".join(a[i1:i2])))
            out_right.append(Piece("".join(b[j1:j2])))
            continue
        if i2 > i1:
            out_left.append(Piece("".join(a[i1:i2]), "del"))
        if j2 > j1:
            out_right.append(Piece("".join(b[j1:j2]), "ins"))
    return out_left, out_right


def _changed_figures(left: str, right: str) -> list[tuple[str, str]]:
    before, after = figures(left), figures(right)
    if before == after:
        return []
    pairs = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            pairs.append((", ".join(before[i1:i2]) or "—", ", ".join(after[j1:j2]) or "—"))
    return pairs


def compare(left_text: str, right_text: str) -> list[Row]:
    """Rows of aligned sentences; similar sentences are paired so their words can be compared."""
    left, right = sentences(left_text), sentences(right_text)
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, left, right, autojunk=False).get_opcodes():
        if tag == "equal":
            rows.extend(Row("equal", [Piece(s)], [Piece(s)]) for s in left[i1:i2])
            continue
        olds, news = left[i1:i2], right[j1:j2]
        for n in range(max(len(olds), len(news))):
            old = olds[n] if n < len(olds) else None
            new = news[n] if n < len(news) else None
            if old is not None and new is not None:
                similar = difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False).ratio() >= 0.4
                if similar:
                    pieces_left, pieces_right = _word_diff(old, new)
                    rows.append(Row("replace", pieces_left, pieces_right, _changed_figures(old, new)))
                    continue
                rows.append(Row("delete", [Piece(old, "del")], []))
                rows.append(Row("insert", [], [Piece(new, "ins")]))
            elif old is not None:
                rows.append(Row("delete", [Piece(old, "del")], []))
            else:
                rows.append(Row("insert", [], [Piece(new, "ins")]))
    return rows
