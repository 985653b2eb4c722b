"""Turn one parsed record into the fields of an Article: generous field names, HTML reduced to text, dates."""

import datetime
import email.utils
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from dateutil import parser as dateutil_parser
from lxml import etree
from lxml import html as lxml_html

from articles import text

# Accepted names for each field, compared after lower-casing and turning spaces and dashes into "_".
# The first name present wins; any other matching key is kept in `extra`.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "heading", "head"),
    "body": ("body", "text", "content", "article", "article_body", "articlebody", "full_text", "fulltext", "story"),
    "url": ("url", "link", "href", "permalink", "canonical_url", "web_url", "uri"),
    "source": ("source", "outlet", "publisher", "site", "site_name", "source_name", "publication"),
    "published_at": (
        "published_at",
        "date",
        "published",
        "pubdate",
        "pub_date",
        "publication_date",
        "published_date",
        "date_published",
        "datepublished",
        "datetime",
        "timestamp",
    ),
    "author": ("author", "byline", "authors", "creator", "by", "writer"),
    "language": ("language", "lang", "locale"),
    "external_id": ("external_id", "id", "guid", "uid", "uuid", "article_id", "externalid", "doc_id"),
}
_LOOKUP = {name: (target, rank) for target, names in FIELD_NAMES.items() for rank, name in enumerate(names)}
# Added to rejected records in the JSONL download; dropped when such a record is imported again.
REJECTION_KEY = "_rejected"

_HTML_HINT = re.compile(
    r"<(?:p|div|br|h[1-6]|ul|ol|li|blockquote|article|section|html|body|table|tr|td|pre|figure|header|footer|main)"
    r"[\s/>]",
    re.IGNORECASE,
)
_BLOCKS = frozenset(
    {
        *("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "article", "section"),
        *("table", "tr", "pre", "figure", "figcaption", "header", "footer", "main", "aside", "dl", "dt", "dd"),
        *("hr", "address", "nav", "details", "summary"),
    }
)
_DROPPED = ("script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "math")
_WHITESPACE = re.compile(r"\s+")
_UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

# Anything articles.text.normalise_text would change, bar the Unicode form and outer whitespace, which
# are checked separately. Most bodies in real dumps contain none of it and skip the full normalisation.
_ODD_CHARACTER = re.compile(
    "[\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    "\ud800-\udfff\ufffe\uffff]"
)

_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n"

TITLE_MAX = 1000
AUTHOR_MAX = 500
EXTERNAL_ID_MAX = 500
URL_MAX = 2000


def _odd_spacing(body: str) -> bool:
    """Whether text holds two spaces, a space at either end of a line or two blank lines in a row. Line by
    line, because searching the whole text for " \n" and "\n " is slow where spaces are everywhere."""
    if "  " in body or "\n\n\n" in body:
        return True
    return any(line[:1] == " " or line[-1:] == " " for line in body.split("\n"))


def normalise_body(body: str) -> str:
    """articles.text.normalise_text, with one scan to return text that is already normal as it is."""
    if not body or body[0].isspace() or body[-1].isspace():
        return text.normalise_text(body)
    if body.isascii():
        # Only newlines may be unprintable in normal ASCII text: deleting every printable byte and newline
        # must leave nothing (a C-speed pass).
        normal = not body.encode("ascii").translate(None, _PRINTABLE_ASCII) and not _odd_spacing(body)
    else:
        normal = (
            not _odd_spacing(body) and _ODD_CHARACTER.search(body) is None and unicodedata.is_normalized("NFC", body)
        )
    return body if normal else text.normalise_text(body)


def normalise_line(value: str) -> str:
    """articles.text.normalise_line; printable ASCII (most titles, names, outlets) only has spaces to tidy."""
    if value.isascii() and value.isprintable():
        return " ".join(value.split())
    return text.normalise_line(value)


def digest_and_count(body: str) -> tuple[str, int]:
    """articles.text.content_hash and word_count of a normalised (hence NFC) body, splitting it once."""
    if body and body.isascii():
        # Normal ASCII text has words separated by one space, or by one or two newlines.
        canonical = " ".join(filter(None, body.split("\n")))
        return hashlib.sha256(canonical.encode("ascii")).hexdigest(), canonical.count(" ") + 1
    words = body.split()
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest(), len(words)


class Rejected(Exception):
    """A record that cannot become an article; `field` names the culprit."""

    def __init__(self, reason: str, field: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass
class ArticleRow:
    source_name: str
    title: str
    body: str
    url: str
    external_id: str
    author: str
    published_at: datetime.datetime | None
    language: str
    extra: dict
    content_hash: str
    word_count: int
    warnings: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=4096)
def canonical_key(key: str) -> str:
    return "_".join(str(key).strip().lower().replace("-", " ").split())


def map_fields(record: dict) -> tuple[dict, dict]:
    """Split a record into known fields (by generous name) and everything else."""
    known: dict[str, tuple[int, object]] = {}
    extra: dict = {}
    for key, value in record.items():
        if key == REJECTION_KEY:
            continue
        match = _LOOKUP.get(canonical_key(key))
        if match is None:
            extra[str(key)] = value
            continue
        target, rank = match
        current = known.get(target)
        if current is None or rank < current[0]:
            if current is not None:
                extra[current[2]] = current[1]
            known[target] = (rank, value, str(key))
        else:
            extra[str(key)] = value
    return {target: value for target, (_, value, _key) in known.items()}, extra


def clean_json(value):
    """Make a value storable as JSON in PostgreSQL: no NUL characters, no lone surrogates."""
    if isinstance(value, str):
        return _UNSAFE_CHARS.sub("", value) if _UNSAFE_CHARS.search(value) else value
    if isinstance(value, dict):
        return {clean_json(str(key)): clean_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def as_text(value, joiner: str = ", ") -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("name", "title", "text", "value", "id"):
            if key in value:
                return as_text(value[key], joiner)
        return ""
    if isinstance(value, list):
        return joiner.join(part for part in (as_text(item, joiner) for item in value) if part)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def looks_like_html(body: str) -> bool:
    return "<" in body and _HTML_HINT.search(body) is not None


def html_to_text(markup: str) -> str:
    """Reduce HTML to plain text with a real parser: blocks become paragraphs, <br> a new line."""
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return markup
    for element in list(root.iter(*_DROPPED)):
        element.drop_tree()
    parts: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None
        if event == "start":
            if tag in _BLOCKS:
                parts.append("\n\n")
            elif tag == "br":
                parts.append("\n")
            if tag is not None and element.text:
                parts.append(_WHITESPACE.sub(" ", element.text))
        else:
            if tag in _BLOCKS:
                parts.append("\n\n")
            if element.tail and element is not root:
                parts.append(_WHITESPACE.sub(" ", element.tail))
    return "".join(parts)


def parse_date(value) -> datetime.datetime | None:
    """ISO 8601, RFC 2822, plain dates and Unix times; a date alone is taken as noon UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    value = str(value).strip()
    if not value:
        return None
    moment = None
    try:
        moment = datetime.datetime.fromisoformat(value)
        if len(value) == 10:
            moment = moment.replace(hour=12)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            moment = None
        if moment is None:
            default = datetime.datetime(2000, 1, 1, 12)
            moment = dateutil_parser.parse(value, default=default)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    if not 1000 <= moment.year <= 9999:
        raise ValueError
    return moment


def clean_url(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if len(value) > URL_MAX:
        raise Rejected(f"the url is {len(value)} characters long, over the {URL_MAX} limit", "url")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise Rejected(f"not a valid url: {value[:200]!r}", "url") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in value):
        raise Rejected(f"not an http(s) url: {value[:200]!r}", "url")
    return value


def _cut(value: str, limit: int, name: str, warnings: list[str]) -> str:
    if len(value) > limit:
        warnings.append(f"{name} cut to {limit} characters")
        return value[:limit]
    return value


def record_to_row(record: dict, *, default_source: str) -> ArticleRow:
    """The article a record describes, normalised; raises Rejected with a reason otherwise."""
    known, extra = map_fields(record)
    warnings: list[str] = []

    raw_body = as_text(known.get("body"), joiner="\n\n")
    if looks_like_html(raw_body):
        raw_body = html_to_text(raw_body)
    body = normalise_body(raw_body)
    if not body:
        missing = "body" not in known
        raise Rejected("no body field" if missing else "the body is empty after normalisation", "body")

    title = normalise_line(as_text(known.get("title")))
    if not title:
        title = normalise_line(body.split("\n", 1)[0])[:200]
        warnings.append("no title; the first line of the body is used")
    title = _cut(title, TITLE_MAX, "title", warnings)

    raw_date = known.get("published_at")
    try:
        published_at = parse_date(raw_date)
    except (ValueError, OverflowError, OSError, TypeError):
        shown = str(raw_date)[:100]
        raise Rejected(f"unreadable date: {shown!r}", "published_at") from None

    url = clean_url(_UNSAFE_CHARS.sub("", as_text(known.get("url"))))
    external_id = unicodedata.normalize("NFC", _UNSAFE_CHARS.sub("", as_text(known.get("external_id")).strip()))
    if len(external_id) > EXTERNAL_ID_MAX:
        raise Rejected(f"the external id is over {EXTERNAL_ID_MAX} characters", "external_id")
    source_name = normalise_line(as_text(known.get("source"))) or default_source or "Unknown outlet"
    author = _cut(normalise_line(as_text(known.get("author"))), AUTHOR_MAX, "author", warnings)
    language = _UNSAFE_CHARS.sub("", as_text(known.get("language"))).strip().lower().replace("_", "-")[:16]

    digest, words = digest_and_count(body)
    return ArticleRow(
        source_name=source_name[:200],
        title=title,
        body=body,
        url=url,
        external_id=external_id,
        author=author,
        published_at=published_at,
        language=language,
        extra=clean_json(extra) if extra else {},
        content_hash=digest,
        word_count=words,
        warnings=warnings,
    )
