"""Plain-text normalisation shared by every path that stores article text.

Stored bodies are the reference text that annotation offsets point into, so they are normalised
once, on the way in, and never changed afterwards.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

# C0/C1 control characters except tab and newline, plus lone surrogates and non-characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def normalise_text(text: str) -> str:
    """Return text in NFC with unified newlines, single spaces and at most one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def normalise_line(text: str) -> str:
    """Normalise a one-line field (title, author): no newlines at all."""
    return " ".join(normalise_text(text).split())


def content_hash(body: str) -> str:
    """Hash of the text up to Unicode form and whitespace: equal hashes mean an exact copy."""
    canonical = " ".join(unicodedata.normalize("NFC", body).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def word_count(body: str) -> int:
    return len(body.split())


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a body and where it starts, in code points."""

    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def paragraphs(body: str) -> list[Paragraph]:
    """Split a normalised body on blank lines, keeping each paragraph's code-point offset."""
    result = []
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(body):
        if match.start() > position:
            result.append(Paragraph(position, body[position : match.start()]))
        position = match.end()
    if position < len(body):
        result.append(Paragraph(position, body[position:]))
    return result
