from dedup.compare import compare, figures, sentences


def test_sentences_keep_closing_quotes_and_split_cjk():
    assert sentences("One. “Two?” he asked. 四。五\nSix") == ["One.", "“Two?”", "he asked.", "四。", "五", "Six"]


def test_figures_are_read_as_written():
    assert figures("About 11,000 residents; €4.2 million; 12% and 3 a.m.") == ["11,000", "€4.2", "12%", "3"]


def test_a_changed_figure_is_paired_and_called_out():
    rows = compare(
        "Officials counted 11,000 troops. Talks continue.", "Officials counted 12,000 troops. Talks continue."
    )
    assert [row.kind for row in rows] == ["replace", "equal"]
    assert rows[0].figures == [("11,000", "12,000")]
    assert [(piece.text, piece.change) for piece in rows[0].left if piece.change] == [("11,000", "del")]


def test_inserted_and_removed_sentences_stand_alone():
    rows = compare("Alpha beta gamma. Delta.", "Alpha beta gamma. Entirely different words here. Delta.")
    assert [row.kind for row in rows] == ["equal", "insert", "equal"]
