"""Reading numbers, amounts, percentages and dates out of highlights, and telling when they disagree."""

import datetime
import math

import pytest

from claims.values import Value, extract_dates, extract_values, find_conflicts, parse_number, sets_disagree

PUBLISHED = datetime.date(2026, 3, 12)  # a Thursday


def one(text: str, language: str = "en") -> Value:
    found = extract_values(text, published=PUBLISHED, language=language)
    assert len(found) == 1, found
    return found[0]


def day(year: int, month: int, dom: int) -> int:
    return datetime.date(year, month, dom).toordinal()


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("11,000", "en", 11000),
        ("11 000", "fr", 11000),
        ("11\u202f000", "fr", 11000),
        ("11.000", "de", 11000),
        ("1.234.567", "de", 1234567),
        ("1,234,567", "en", 1234567),
        ("4,5", "de", 4.5),
        ("11.5", "en", 11.5),
        ("1,234.5", "en", 1234.5),
        ("1.234,5", "de", 1234.5),
        ("eleven thousand", "en", 11000),
        ("two million", "en", 2_000_000),
        ("a dozen", "en", 12),
        ("one hundred and twenty", "en", 120),
        ("twenty-five", "en", 25),
        ("two and a half million", "en", 2_500_000),
        ("half a million", "en", 500_000),
    ],
)
def test_it_reads_written_numbers(text, language, expected):
    assert parse_number(text, language) == pytest.approx(expected)


def test_it_reads_a_count_with_thousands_separator_and_a_people_unit():
    value = one("11,000 troops")
    assert (value.kind, value.low, value.high, value.unit) == ("number", 11000, 11000, "people")


@pytest.mark.parametrize(
    "text", ["10,000-12,000", "10,000–12,000", "between 10,000 and 12,000", "10,000 to 12,000", "from 10,000 to 12,000"]
)
def test_it_reads_ranges_in_every_form(text):
    value = one(text)
    assert (value.kind, value.low, value.high) == ("range", 10000, 12000)


def test_a_scale_word_written_once_applies_to_both_ends_of_a_range():
    value = one("10-12 million")
    assert (value.low, value.high) == (10_000_000, 12_000_000)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("about 11,000", 10450, 11550),
        ("around 11,000", 10450, 11550),
        ("nearly 12,000", 10800, 12000),
        ("more than 11,000", 11000, math.inf),
        ("over 11,000", 11000, math.inf),
        ("at least 11,000", 11000, math.inf),
        ("up to 12,000", 0, 12000),
        ("fewer than 200", 0, 200),
    ],
)
def test_qualifiers_turn_a_number_into_an_interval(text, low, high):
    value = one(text)
    assert value.low == pytest.approx(low)
    assert value.high == pytest.approx(high) if math.isfinite(high) else value.high == math.inf


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("4.2 million", 4_200_000),
        ("eleven thousand residents", 11000),
        ("a dozen people", 12),
        ("4,5 Millionen", 4.5e6),
    ],
)
def test_scale_words_and_spelled_out_numbers(text, amount):
    language = "de" if "Millionen" in text else "en"
    assert one(text, language).low == pytest.approx(amount)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [("€4.2m", 4_200_000, "EUR"), ("4.5 million euros", 4_500_000, "EUR"), ("$3bn", 3e9, "USD"), ("£250", 250, "GBP")],
)
def test_it_reads_money_with_its_currency(text, amount, currency):
    value = one(text)
    assert (value.kind, value.unit) == ("money", currency)
    assert value.low == pytest.approx(amount)


@pytest.mark.parametrize("text", ["12%", "12 per cent", "12 percent", "twelve per cent"])
def test_it_reads_percentages(text):
    value = one(text)
    assert (value.kind, value.low, value.unit) == ("percent", 12, "%")


def test_distances_are_converted_to_kilometres():
    miles = one("30 miles")
    assert miles.unit == "km" and miles.low < 48.28 < miles.high  # a rounded figure, converted with a margin
    assert one("48 km").unit == "km"
    assert one("a 300m wall").low == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("12 March 2026", day(2026, 3, 12), day(2026, 3, 12)),
        ("March 12, 2026", day(2026, 3, 12), day(2026, 3, 12)),
        ("March 2026", day(2026, 3, 1), day(2026, 3, 31)),
        ("July or August 2023", day(2023, 7, 1), day(2023, 8, 31)),
        ("2026-02-01", day(2026, 2, 1), day(2026, 2, 1)),
        ("in 2023", day(2023, 1, 1), day(2023, 12, 31)),
    ],
)
def test_it_reads_absolute_dates(text, first, last):
    (value,) = extract_dates(text, published=PUBLISHED)
    assert (value.low, value.high) == (first, last)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("yesterday", day(2026, 3, 11), day(2026, 3, 11)),
        ("today", day(2026, 3, 12), day(2026, 3, 12)),
        ("last week", day(2026, 3, 2), day(2026, 3, 8)),
        ("last month", day(2026, 2, 1), day(2026, 2, 28)),
        ("July or August of this year", day(2026, 7, 1), day(2026, 8, 31)),
        ("July of last year", day(2025, 7, 1), day(2025, 7, 31)),
        ("last July", day(2025, 7, 1), day(2025, 7, 31)),
        ("on Tuesday", day(2026, 3, 10), day(2026, 3, 10)),
        ("three days ago", day(2026, 3, 9), day(2026, 3, 9)),
    ],
)
def test_it_reads_relative_dates_against_the_publication_date(text, first, last):
    (value,) = extract_dates(text, published=PUBLISHED)
    assert (value.low, value.high) == (first, last)


def test_relative_dates_are_skipped_without_a_publication_date():
    assert extract_dates("yesterday and last week", published=None) == []


def test_a_rewrite_with_a_relative_date_agrees_with_the_absolute_original():
    original = extract_values("inspections in July or August 2026", published=datetime.date(2026, 3, 1))
    rewrite = extract_values("inspections in July or August of this year", published=datetime.date(2026, 3, 5))
    assert not sets_disagree(original, rewrite)
    previous_year = extract_values("inspections in July or August of this year", published=datetime.date(2025, 3, 5))
    assert sets_disagree(original, previous_year)


def test_ordinary_words_are_not_read_as_numbers_or_months():
    assert extract_values("One of the officials may march on", published=PUBLISHED) == []


def test_a_sentence_yields_its_date_and_its_count_separately():
    found = extract_values("said on Tuesday that 11,000 residents had been moved", published=PUBLISHED)
    assert [v.kind for v in found] == ["date", "number"]


def test_different_counts_disagree():
    assert sets_disagree(extract_values("11,000 troops"), extract_values("12,000 troops"))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("11,000 troops", "10,000-12,000 troops"),
        ("about 11,000", "11,400"),
        ("more than 11,000", "12,000 soldiers"),
        ("eleven thousand", "11,000"),
        ("up to 12,000", "11,000"),
    ],
)
def test_overlapping_values_agree(first, second):
    assert not sets_disagree(extract_values(first), extract_values(second))


def test_values_of_different_kinds_or_units_are_never_compared():
    assert not sets_disagree(extract_values("12%"), extract_values("11,000"))
    assert not sets_disagree(extract_values("€4.2m"), extract_values("$5m"))
    assert not sets_disagree(extract_values("30 miles"), extract_values("11,000 troops"))


def test_highlights_disagree_only_when_none_of_their_values_overlap():
    first = extract_values("11,000 residents, 300 of them children")
    assert not sets_disagree(first, extract_values("11,000 residents"))
    assert sets_disagree(first, extract_values("12,000 residents"))


def test_find_conflicts_names_the_disagreeing_pairs():
    groups = [extract_values("11,000"), extract_values("12,000"), extract_values("between 10,000 and 12,000")]
    assert find_conflicts(groups) == [(0, 1)]
