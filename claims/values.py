"""Read numbers, amounts, percentages and dates out of a highlight, as intervals that can be compared.

Every value becomes a closed interval [low, high] in a normalised unit: "about 11,000" is 10,450-11,550,
"more than 11,000" is 11,000-infinity, "July or August 2023" is the days from 1 July to 31 August 2023
(dates are proleptic Gregorian day numbers). Two highlights of one claim disagree when none of their
comparable values overlap. Pure Python: no Django, so that it can be tested and benchmarked on its own.
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
from dataclasses import dataclass, field

INF = math.inf

# Languages that write 4,5 for four and a half and 11.000 for eleven thousand.
COMMA_DECIMAL_LANGUAGES = {"de", "fr", "es", "it", "nl", "pt", "da", "sv", "nb", "no", "fi", "pl", "cs", "ru", "tr"}

SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# Scale words of the languages whose separators we read, written after digits only.
FOREIGN_SCALES = {
    "millionen": 1e6,
    "milliarden": 1e9,
    "millions": 1e6,
    "milliards": 1e9,
    "millones": 1e6,
    "milioni": 1e6,
    "mio": 1e6,
    "mrd": 1e9,
    "tausend": 1e3,
    "mille": 1e3,
}
SHORT_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12}
NUMBER_WORDS = [*SMALL, "hundred", *SCALES, "dozen", "half"]

CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "US$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
CURRENCY_CODES = {"EUR", "USD", "GBP", "JPY", "CHF", "INR", "CAD", "AUD"}
CURRENCY_WORDS = {
    "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "pound": "GBP", "pounds": "GBP",
    "sterling": "GBP", "yen": "JPY", "francs": "CHF", "rupees": "INR",
}  # fmt: skip
PEOPLE_NOUNS = (
    "people", "persons", "residents", "inhabitants", "troops", "soldiers", "civilians", "refugees", "migrants",
    "workers", "employees", "protesters", "demonstrators", "victims", "patients", "children", "adults", "voters",
    "students", "staff", "fighters", "personnel", "evacuees", "households", "families", "deaths", "dead",
    "casualties", "injured", "participants", "visitors", "passengers", "members", "jobs",
)  # fmt: skip
# Distances are converted to kilometres; only the simple, exact conversions.
DISTANCE_UNITS = {
    "km": 1.0, "kilometres": 1.0, "kilometers": 1.0, "kilometre": 1.0, "kilometer": 1.0,
    "miles": 1.609344, "mile": 1.609344, "mi": 1.609344,
    "metres": 0.001, "meters": 0.001, "metre": 0.001, "meter": 0.001,
}  # fmt: skip

QUALIFIERS = {
    # factor_low, factor_high applied to the number; INF for open ends.
    "about": (0.95, 1.05), "around": (0.95, 1.05), "approximately": (0.95, 1.05), "roughly": (0.95, 1.05),
    "some": (0.95, 1.05), "an estimated": (0.95, 1.05), "estimated": (0.95, 1.05), "circa": (0.95, 1.05),
    "nearly": (0.9, 1.0), "almost": (0.9, 1.0), "close to": (0.9, 1.0), "just under": (0.9, 1.0),
    "more than": (1.0, INF), "over": (1.0, INF), "above": (1.0, INF), "in excess of": (1.0, INF),
    "at least": (1.0, INF), "no fewer than": (1.0, INF), "no less than": (1.0, INF), "just over": (1.0, 1.1),
    "well over": (1.0, INF), "upwards of": (1.0, INF),
    "up to": (0.0, 1.0), "at most": (0.0, 1.0), "no more than": (0.0, 1.0), "fewer than": (0.0, 1.0),
    "less than": (0.0, 1.0), "under": (0.0, 1.0), "below": (0.0, 1.0), "as many as": (0.0, 1.0),
}  # fmt: skip
QUALIFIER_SYMBOLS = {">": "more than", "<": "fewer than", "~": "about", "≈": "about", "c.": "about"}

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}


@dataclass(frozen=True)
class Value:
    kind: str  # number, range, percent, money, date
    low: float
    high: float
    unit: str = ""
    raw: str = ""
    start: int = 0
    end: int = 0
    display: str = field(default="", compare=False)

    @property
    def dimension(self) -> str:
        if self.kind in ("number", "range"):
            return "distance" if self.unit == "km" else "count"
        return self.kind

    def comparable(self, other: Value) -> bool:
        if self.dimension != other.dimension:
            return False
        if self.dimension == "count":
            # A bare figure is read as the count the claim is about.
            return not self.unit or not other.unit or self.unit == other.unit
        return self.unit == other.unit

    def overlaps(self, other: Value) -> bool:
        return self.low <= other.high and other.low <= self.high


# --- patterns -----------------------------------------------------------------------------------------------

_SPACE = r"[ \u00a0\u202f]"
_DIGITS = rf"\d{{1,3}}(?:(?:,|\.|{_SPACE})\d{{3}})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?"
_WORD = r"(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_SPELLED = rf"(?:(?:an?|one)\s+)?{_WORD}(?:(?:\s+|-)(?:and\s+)?(?:an?\s+)?{_WORD})*"
_NUM = rf"(?:{_DIGITS}|\b{_SPELLED}\b)"
_SCALE = (
    r"(?:thousand|millions?|billions?|trillion|millionen|milliarden|milliards|millones|milioni|mio\.?|mrd\.?"
    r"|tausend|bn|mn|mln|tn|m|k|b)\b"
)
_CUR_PREFIX = r"(?:US\$|€|\$|£|¥|₹|(?:EUR|USD|GBP|CHF|JPY|INR|CAD|AUD)" + _SPACE + r"?)"
_QUAL = (
    r"(?:"
    + "|".join(re.escape(q).replace(r"\ ", r"\s+") for q in sorted(QUALIFIERS, key=len, reverse=True))
    + r")\s+|[><~≈]\s?|c\.\s?"
)
_ONE = rf"(?P<curI>{_CUR_PREFIX})?(?P<nI>{_NUM})(?:{_SPACE}?(?P<sI>{_SCALE}))?(?P<pI>{_SPACE}?%)?"


def _one(i: int) -> str:
    return _ONE.replace("I>", f"{i}>")


_SUFFIX = (
    rf"(?P<suffix>{_SPACE}?%|{_SPACE}+(?:per{_SPACE}?cent|percent|pc)\b"
    rf"|{_SPACE}*(?:{'|'.join(sorted(CURRENCY_WORDS, key=len, reverse=True))}|EUR|USD|GBP|CHF)\b"
    rf"|{_SPACE}*(?:{'|'.join(sorted(DISTANCE_UNITS, key=len, reverse=True))})\b"
    rf"|(?:{_SPACE}+[\w-]+){{0,2}}?{_SPACE}+(?:{'|'.join(PEOPLE_NOUNS)})\b)?"
)
_EXPR = re.compile(
    rf"(?P<qual>{_QUAL})?"
    rf"(?:(?P<between>between|from)\s+{_one(1)}\s*(?P<sep1>and|to|-|\u2013)\s*{_one(2)}"
    rf"|{_one(3)}(?:\s*(?P<sep2>-|\u2013|\u2014|to)\s*{_one(4)})?)"
    rf"{_SUFFIX}",
    re.IGNORECASE,
)

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?:1[89]\d\d|2[01]\d\d)"
_REL_YEAR = r"(?:(?:of\s+)?(?P<rel>this|last|next)\s+year)"
_DATE = re.compile(
    rf"\b(?P<iso>{_YEAR}-\d\d-\d\d)\b"
    rf"|\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y1>{_YEAR}))?\b"
    rf"|\b(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y2>{_YEAR}))?\b"
    rf"|\b(?:(?P<last>last|next)\s+)?(?P<m3>{_MONTH})(?:\s+(?:or|and|to|-|\u2013)\s+(?P<m4>{_MONTH}))?"
    rf"(?:,?\s+(?P<y3>{_YEAR})\b|\s+{_REL_YEAR}\b|\b)"
    rf"|\b(?:in|since|during|by)\s+(?P<y4>{_YEAR})\b"
    rf"|\b(?P<word>today|yesterday|tomorrow)\b"
    rf"|\b(?P<which>last|this|next)\s+(?P<span>week|month|year)\b"
    rf"|\b(?P<count>\d+|{_SPELLED})\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b"
    rf"|\b(?:(?P<on>on|last)\s+)(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
# Month words that are ordinary words too; they count as months only next to a day, a year or "last".
_AMBIGUOUS_MONTHS = {"may", "march", "jan", "mar", "jun", "oct", "dec", "sep", "sept", "aug", "nov", "feb", "apr"}


# --- numbers ------------------------------------------------------------------------------------------------


def parse_number(text: str, language: str = "") -> float | None:
    """A written number ("11,000", "11 000", "4,5" in German, "eleven thousand") as a float."""
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit():
        return _parse_digits(text, language)
    return parse_spelled(text)


def _parse_digits(text: str, language: str) -> float | None:
    compact = re.sub(_SPACE, "", text)
    comma_decimal = language[:2].lower() in COMMA_DECIMAL_LANGUAGES
    if "," in compact and "." in compact:
        decimal = "," if compact.rfind(",") > compact.rfind(".") else "."
    elif "," in compact or "." in compact:
        separator = "," if "," in compact else "."
        groups = compact.split(separator)
        grouped = len(groups) > 2 or (len(groups) == 2 and len(groups[1]) == 3 and groups[0] != "0")
        if len(groups) > 2:
            decimal = None
        elif grouped:
            # "11,000" in English and "11.000" in German group thousands; the opposite reading is a decimal.
            decimal = None if (separator == ",") != comma_decimal else separator
        else:
            decimal = separator
    else:
        decimal = None
    if decimal is None:
        digits = re.sub(r"[,.]", "", compact)
    else:
        thousands = "." if decimal == "," else ","
        digits = compact.replace(thousands, "").replace(decimal, ".")
    try:
        return float(digits)
    except ValueError:
        return None


def parse_spelled(text: str) -> float | None:
    """ "eleven thousand" -> 11000, "a dozen" -> 12, "two and a half million" -> 2.5e6."""
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w and w != "and"]
    if not any(w in SMALL or w in SCALES or w in ("hundred", "dozen") for w in words):
        return None
    total, current, half = 0.0, 0.0, False
    for index, word in enumerate(words):
        if word in ("a", "an"):
            if half:
                continue  # "half a million"
            if index + 1 < len(words) and words[index + 1] not in ("half",):
                current = current if current else 1.0
            continue
        if word == "half":
            half = True
            continue
        if word in SMALL:
            current += SMALL[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "dozen":
            current = (current or 1) * 12
        elif word in SCALES:
            if half:
                current = (current or 0) + 0.5 if current else 0.5
                half = False
            total += (current or 1) * SCALES[word]
            current = 0.0
        else:
            return None
    if half:
        current += 0.5
    return total + current


def _fmt(number: float) -> str:
    if number == INF:
        return "∞"
    if number == int(number):
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


# --- extraction ---------------------------------------------------------------------------------------------


def extract_values(text: str, *, published: datetime.date | None = None, language: str = "en") -> list[Value]:
    """Every value in a highlight, dates first (so "12 March 2026" is not read as two counts)."""
    values: list[Value] = []
    taken: list[tuple[int, int]] = []
    for value in extract_dates(text, published=published):
        values.append(value)
        taken.append((value.start, value.end))
    for match in _EXPR.finditer(text):
        start, end = match.span()
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        value = _number_value(match, text, language)
        if value is not None:
            values.append(value)
            taken.append((start, end))
    values.sort(key=lambda v: v.start)
    return values


def _number_value(match: re.Match, text: str, language: str) -> Value | None:
    groups = dict(match.groupdict())
    metres = False
    for i in (1, 2, 3, 4):
        # "a 300m wall" is metres; "€4.2m" is millions.
        if (groups.get(f"s{i}") or "").lower() == "m" and not groups.get(f"cur{i}") and not groups.get("suffix"):
            groups[f"s{i}"], metres = None, True
    if groups["between"]:
        first, second = 1, 2
    else:
        first, second = 3, (4 if groups["n4"] else None)
    low = _amount(groups, first, language)
    if low is None:
        return None
    suffix = (groups["suffix"] or "").strip().lower()
    currency = _currency(groups, first, suffix) or (_currency(groups, second, suffix) if second else None)
    high = low
    if second is not None:
        high = _amount(groups, second, language)
        if high is None:
            return None
        # "10-12 million": the scale written once applies to both ends.
        if groups[f"s{second}"] and not groups[f"s{first}"] and high > low * 1000:
            scale = _scale_factor(groups[f"s{second}"], bool(currency))
            low *= scale or 1
        if high < low:
            low, high = high, low
    raw = match.group(0).strip()
    bare_number = second is None and not suffix and not currency and not groups["p3"] and not groups["s3"]
    if bare_number and re.fullmatch(_YEAR, (groups["n3"] or "").strip()):
        return None  # a year on its own is a date, read by extract_dates when it has context
    if bare_number and not (groups["n3"] or "")[:1].isdigit() and parse_spelled(groups["n3"]) in (None, 1.0):
        return None  # "one" in "one of the", "a dozen" alone stays, since parse gives 12

    percent = bool(
        groups.get(f"p{first}") or (second and groups.get(f"p{second}")) or suffix.endswith(("%", "cent", "pc"))
    )
    unit = ""
    kind = "range" if second is not None else "number"
    if percent:
        kind, unit = "percent", "%"
    elif currency:
        kind, unit = "money", currency
    elif metres:
        low, high, unit = low * 0.001, high * 0.001, "km"
    elif suffix in DISTANCE_UNITS or (suffix.split()[-1:] and suffix.split()[-1] in DISTANCE_UNITS):
        factor = DISTANCE_UNITS[suffix.split()[-1]]
        low, high, unit = low * factor, high * factor, "km"
        if factor not in (1.0, 0.001):
            # "30 miles" is a rounded figure; its conversion should not contradict "48 km".
            low, high = low * 0.99, high * 1.01
    elif suffix.split()[-1:] and suffix.split()[-1] in PEOPLE_NOUNS:
        unit = "people"

    qualifier = _qualifier(groups["qual"])
    if qualifier:
        factor_low, factor_high = QUALIFIERS[qualifier]
        low = 0.0 if factor_low == 0 else low * factor_low
        high = INF if factor_high == INF else high * factor_high
    display = _display(kind, low, high, unit, qualifier)
    return Value(kind, low, high, unit, raw, match.start(), match.start() + len(match.group(0).rstrip()), display)


def _amount(groups: dict, i: int, language: str) -> float | None:
    number_text = groups.get(f"n{i}")
    if not number_text:
        return None
    number = parse_number(number_text, language)
    if number is None:
        return None
    scale = groups.get(f"s{i}")
    if scale:
        factor = _scale_factor(scale, bool(groups.get(f"cur{i}")))
        if factor is None:
            return None
        number *= factor
    return number


def _scale_factor(word: str, money: bool) -> float | None:
    word = word.lower().rstrip(".")
    if word in SCALES or word.rstrip("s") in SCALES:
        return SCALES.get(word) or SCALES[word.rstrip("s")]
    if word in FOREIGN_SCALES:
        return FOREIGN_SCALES[word]
    if word in ("m", "b") and not money:
        return None  # "300m" is metres, "5b" is not a number we read
    return SHORT_SCALES.get(word)


def _currency(groups: dict, i: int | None, suffix: str) -> str | None:
    if i is not None and groups.get(f"cur{i}"):
        symbol = groups[f"cur{i}"].strip()
        return CURRENCY_SYMBOLS.get(symbol) or (symbol.upper() if symbol.upper() in CURRENCY_CODES else None)
    if suffix in CURRENCY_WORDS:
        return CURRENCY_WORDS[suffix]
    if suffix.upper() in CURRENCY_CODES:
        return suffix.upper()
    return None


def _qualifier(text: str | None) -> str | None:
    if not text:
        return None
    key = re.sub(r"\s+", " ", text.strip().lower())
    return QUALIFIER_SYMBOLS.get(key, key if key in QUALIFIERS else None)


def _display(kind: str, low: float, high: float, unit: str, qualifier: str | None) -> str:
    suffix = {"percent": "%", "money": f" {unit}", "": ""}.get(kind if kind in ("percent", "money") else "", "")
    if kind not in ("percent", "money") and unit:
        suffix = f" {unit}"
    if high == INF:
        return f"≥ {_fmt(low)}{suffix}"
    if low == 0 and qualifier and QUALIFIERS[qualifier][0] == 0:
        return f"≤ {_fmt(high)}{suffix}"
    if low == high:
        return f"{_fmt(low)}{suffix}"
    return f"{_fmt(low)}\u2013{_fmt(high)}{suffix}"


# --- dates --------------------------------------------------------------------------------------------------


def extract_dates(text: str, *, published: datetime.date | None = None) -> list[Value]:
    """Absolute dates, and relative ones ("yesterday", "July of this year") read against `published`."""
    if isinstance(published, datetime.datetime):
        published = published.date()
    found = []
    for match in _DATE.finditer(text):
        interval = _date_interval(match, published)
        if interval is None:
            continue
        first, last = interval
        display = first.isoformat() if first == last else f"{first.isoformat()} \u2013 {last.isoformat()}"
        raw = match.group(0)
        found.append(Value("date", first.toordinal(), last.toordinal(), "", raw, match.start(), match.end(), display))
    return found


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _date_interval(match: re.Match, published: datetime.date | None):
    g = match.groupdict()
    try:
        if g["iso"]:
            day = datetime.date.fromisoformat(g["iso"])
            return day, day
        if g["m1"] or g["m2"]:
            month = MONTHS[(g["m1"] or g["m2"]).lower().rstrip(".")]
            day = int(g["d1"] or g["d2"])
            year = g["y1"] or g["y2"]
            if not year:
                if published is None:
                    return None
                year = published.year
            value = datetime.date(int(year), month, day)
            return value, value
        if g["m3"]:
            names = [g["m3"].lower().rstrip("."), (g["m4"] or "").lower().rstrip(".")]
            has_context = g["y3"] or g["rel"] or g["last"] or g["m4"]
            if not has_context and names[0] in _AMBIGUOUS_MONTHS:
                return None
            if not has_context and not re.match(r"(?i)in\s", match.string[max(0, match.start() - 3) : match.start()]):
                return None
            months = [MONTHS[name] for name in names if name]
            if g["y3"]:
                year = int(g["y3"])
            else:
                if published is None:
                    return None
                year = published.year
                relative = (g["rel"] or "").lower()
                if relative == "last":
                    year -= 1
                elif relative == "next":
                    year += 1
                elif (g["last"] or "").lower() == "last":
                    year = year if months[0] < published.month else year - 1
                elif (g["last"] or "").lower() == "next":
                    year = year if months[0] > published.month else year + 1
            first, last = min(months), max(months)
            return datetime.date(year, first, 1), _month_end(year, last)
        if g["y4"]:
            year = int(g["y4"])
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if published is None:
            return None
        if g["word"]:
            shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[g["word"].lower()]
            day = published + datetime.timedelta(days=shift)
            return day, day
        if g["which"]:
            shift = {"last": -1, "this": 0, "next": 1}[g["which"].lower()]
            span = g["span"].lower()
            if span == "week":
                monday = published - datetime.timedelta(days=published.weekday()) + datetime.timedelta(weeks=shift)
                return monday, monday + datetime.timedelta(days=6)
            if span == "month":
                month_index = published.year * 12 + published.month - 1 + shift
                year, month = divmod(month_index, 12)
                return datetime.date(year, month + 1, 1), _month_end(year, month + 1)
            year = published.year + shift
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if g["count"]:
            count = parse_number(g["count"])
            if count is None:
                return None
            unit = g["unit"].lower().rstrip("s")
            days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * int(count)
            day = published - datetime.timedelta(days=days)
            # Months and years ago are approximate; keep the whole month or year around the day.
            if unit == "day":
                return day, day
            if unit == "week":
                return day - datetime.timedelta(days=3), day + datetime.timedelta(days=3)
            if unit == "month":
                return datetime.date(day.year, day.month, 1), _month_end(day.year, day.month)
            return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
        if g["weekday"]:
            # "said on Tuesday" in a news report is the latest Tuesday up to the day of publication.
            target = WEEKDAYS[g["weekday"].lower()]
            back = (published.weekday() - target) % 7
            if (g["on"] or "").lower() == "last" and back == 0:
                back = 7
            day = published - datetime.timedelta(days=back)
            return day, day
    except (ValueError, KeyError, OverflowError):
        return None
    return None


# --- conflicts ----------------------------------------------------------------------------------------------


def sets_disagree(first: list[Value], second: list[Value]) -> bool:
    """Two highlights disagree when they both state a comparable value and no pair of them overlaps."""
    pairs = [(a, b) for a in first for b in second if a.comparable(b)]
    return bool(pairs) and not any(a.overlaps(b) for a, b in pairs)


def find_conflicts(groups: list[list[Value]]) -> list[tuple[int, int]]:
    """Index pairs of highlights (by position in `groups`) whose values disagree."""
    conflicts = []
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            if sets_disagree(groups[i], groups[j]):
                conflicts.append((i, j))
    return conflicts
