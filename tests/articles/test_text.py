from articles import text


def test_normalise_text_unifies_newlines_and_removes_control_characters():
    raw = "First\r\nline\x00 here\r\rSecond\u00a0 para\x1b\n\n\n\nThird"
    assert text.normalise_text(raw) == "First\nline here\n\nSecond para\n\nThird"


def test_normalise_text_composes_accents_to_nfc():
    decomposed = "Zoe\u0308 Laurent"
    assert text.normalise_text(decomposed) == "Zoë Laurent"
    assert len(text.normalise_text(decomposed)) == len("Zoë Laurent")


def test_normalise_text_drops_lone_surrogates_but_keeps_emoji():
    assert text.normalise_text("a\ud800b 👩‍🔬 🇫🇷") == "ab 👩‍🔬 🇫🇷"


def test_content_hash_ignores_whitespace_and_unicode_form_only():
    assert text.content_hash("Zoe\u0308  said\nso") == text.content_hash("Zoë said so")
    assert text.content_hash("Zoë said so") != text.content_hash("Zoë said so!")


def test_paragraphs_keep_code_point_offsets():
    body = "Première 🇫🇷 ligne.\n\nSecond paragraph\nwith a line break.\n\nالعربية"
    parts = text.paragraphs(body)
    assert [p.text for p in parts] == ["Première 🇫🇷 ligne.", "Second paragraph\nwith a line break.", "العربية"]
    for part in parts:
        assert body[part.start : part.end] == part.text
