"""Prose from public records: noise removed, meaning and party tags kept, sentences split."""

from __future__ import annotations

from briefcast.prose import plain_text, split_sentences
from briefcast.speech import normalise


def test_plain_text_drops_record_noise_and_keeps_meaning() -> None:
    record = (
        "<p><b>Example Act of 2025</b></p><p>This bill directs the Federal Emergency "
        "Management Agency (FEMA) to (1) map flood risk and (2) publish the maps (e.g., "
        "online) under section 501(c)(3). (Sec. 3)</p> Passed Senate. (text: CR S4049)"
    )
    assert plain_text(record) == (
        "This bill directs the Federal Emergency Management Agency to map flood risk and "
        "publish the maps, e.g., online, under section 501(c)(3). Passed Senate."
    )


def test_bracketed_party_tags_are_kept_for_normalise_to_read() -> None:
    prose = plain_text("Sen. Schumer, Charles E. [D-NY] introduced it.")
    assert prose == "Sen. Schumer, Charles E., D-NY, introduced it."
    assert normalise(prose) == (
        "Senator Schumer, Charles E., a Democrat from New York, introduced it."
    )


def test_statute_subsections_keep_their_brackets_for_normalise() -> None:
    assert plain_text("under section 501(c)(3) and 26 U.S.C. 401(k)") == (
        "under section 501(c)(3) and 26 U.S.C. 401(k)"
    )


def test_member_s_and_stray_markup() -> None:
    assert plain_text("each member(s) **must** #file ~now") == "each members must file now"


def test_split_sentences_keeps_abbreviations_and_initials_whole() -> None:
    text = (
        "The bill requires the U.S. Department of Labor to act. Sen. Lee agreed. "
        'Charles E. Schumer said "no." Then it passed! Did it? Yes.'
    )
    assert split_sentences(text) == [
        "The bill requires the U.S. Department of Labor to act.",
        "Sen. Lee agreed.",
        'Charles E. Schumer said "no."',
        "Then it passed!",
        "Did it?",
        "Yes.",
    ]
