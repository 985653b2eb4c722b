"""Finding a highlight again in an edited copy of its text, or declaring it orphaned."""

import pytest

from claims.anchoring import reanchor

ORIGINAL = (
    "The harbour authority said on Tuesday that 11,000 residents had been moved away from the river. "
    "Engineers will inspect the spillway in July or August, according to a council statement."
)
QUOTE = "11,000 residents had been moved"


def anchor_in(text: str, quote: str = QUOTE, source: str = ORIGINAL, **options):
    start = source.index(quote)
    return reanchor(
        text=text,
        quote=quote,
        prefix=source[max(0, start - 32) : start],
        suffix=source[start + len(quote) : start + len(quote) + 32],
        position=start,
        **options,
    )


def assert_placed_on(anchor, text: str, expected: str):
    assert not anchor.orphaned
    assert text[anchor.start : anchor.end] == anchor.quote == expected


def test_an_identical_copy_anchors_exactly():
    anchor = anchor_in(ORIGINAL)
    assert_placed_on(anchor, ORIGINAL, QUOTE)
    assert (anchor.method, anchor.confidence) == ("exact", 1.0)


def test_an_inserted_paragraph_before_the_passage_moves_it_without_losing_it():
    copy = "Editor's note: this story was updated with a map.\n\n" + ORIGINAL
    anchor = anchor_in(copy)
    assert_placed_on(anchor, copy, QUOTE)
    assert anchor.start == ORIGINAL.index(QUOTE) + len("Editor's note: this story was updated with a map.\n\n")


def test_changed_words_around_the_passage_do_not_matter():
    copy = ORIGINAL.replace(
        "The harbour authority said on Tuesday that", "Port officials confirmed late on Tuesday that"
    )
    assert_placed_on(anchor_in(copy), copy, QUOTE)


def test_a_lightly_edited_passage_is_found_by_the_fuzzy_search():
    copy = ORIGINAL.replace("had been moved", "were moved")
    anchor = anchor_in(copy)
    assert_placed_on(anchor, copy, "11,000 residents were moved")
    assert anchor.method == "fuzzy"
    assert 0.8 <= anchor.confidence < 1.0


def test_a_changed_figure_inside_the_quote_is_orphaned_not_placed():
    copy = ORIGINAL.replace("11,000", "12,000")
    anchor = anchor_in(copy)
    assert anchor.orphaned
    assert anchor.start is None
    assert anchor.confidence <= 0.5


def test_a_changed_figure_is_never_placed_even_with_a_permissive_threshold():
    copy = ORIGINAL.replace("11,000", "12,000")
    anchor = anchor_in(copy, threshold=0.6)
    assert anchor.orphaned


def test_a_text_without_the_passage_orphans_it():
    anchor = anchor_in("Weather: light rain over the hills, clearing by evening.")
    assert anchor.orphaned
    assert anchor.confidence < 0.8


def test_a_duplicated_phrase_chooses_the_occurrence_whose_context_matches():
    copy = "Back in 2019, 11,000 residents had been moved during a drill. " + ORIGINAL
    anchor = anchor_in(copy)
    assert_placed_on(anchor, copy, QUOTE)
    assert anchor.start == copy.index("that 11,000") + len("that ")


def test_a_duplicated_phrase_with_equal_context_chooses_the_nearest_to_the_old_position():
    sentence = "Officials said 11,000 residents had been moved today. "
    copy = sentence * 3
    start = len(sentence) * 2 + sentence.index(QUOTE)
    anchor = reanchor(text=copy, quote=QUOTE, prefix="Officials said ", suffix=" today.", position=start)
    assert anchor.start == start


def test_emoji_and_accents_keep_code_point_offsets():
    source = "Résumé 🎉 — 11,000 résidents évacués près du fleuve."
    copy = "Mise à jour 🚨🚨\n\n" + source
    anchor = anchor_in(copy, quote="11,000 résidents évacués", source=source)
    assert_placed_on(anchor, copy, "11,000 résidents évacués")


@pytest.mark.parametrize("quote", ["", " "])
def test_an_empty_quote_is_orphaned(quote):
    assert reanchor(text=ORIGINAL, quote=quote.strip()).orphaned
