"""Speech normalisation: written forms in bill records become the words a newsreader says."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefcast.speech import (
    STATE_NAMES,
    normalise,
    party_phrase,
    spoken_date,
    spoken_identifier,
    spoken_year,
    state_name,
)

DIGIT = re.compile(r"[0-9]")


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("H.R. 4350", "H.R. forty-three fifty"),
        ("H.R. 1234", "H.R. twelve thirty-four"),
        ("H.R. 1", "H.R. one"),
        ("H.R. 21", "H.R. twenty-one"),
        ("H.R. 100", "H.R. one hundred"),
        ("H.R. 815", "H.R. eight fifteen"),
        ("H.R. 205", "H.R. two oh five"),
        ("H.R. 1005", "H.R. ten oh five"),
        ("H.R. 1100", "H.R. eleven hundred"),
        ("H.R. 3000", "H.R. three thousand"),
        ("H.R. 10234", "H.R. ten thousand two hundred thirty-four"),
        ("S. 35", "S. thirty-five"),
        ("S. 1260", "S. twelve sixty"),
        ("H.J.Res. 45", "House Joint Resolution forty-five"),
        ("S.Con.Res. 14", "Senate Concurrent Resolution fourteen"),
        ("H.Con.Res. 9", "House Concurrent Resolution nine"),
        ("S.J.Res. 7", "Senate Joint Resolution seven"),
        ("H.Res. 312", "House Resolution three twelve"),
        ("S.Res. 5", "Senate Resolution five"),
        ("HR 22", "H.R. twenty-two"),
        ("H. R. 22", "H.R. twenty-two"),
    ],
)
def test_bill_citations(written: str, spoken: str) -> None:
    assert normalise(written) == spoken


def test_the_s_of_us_is_not_a_senate_citation() -> None:
    assert normalise("the U.S. 2026 census") == "the U.S. twenty twenty-six census"


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("March 5, 2026", "March fifth, twenty twenty-six"),
        ("2026-03-05", "March fifth, twenty twenty-six"),
        ("2021-06-08T04:00:00Z", "June eighth, twenty twenty-one"),
        ("Jan. 22, 2021", "January twenty-second, twenty twenty-one"),
        ("Sept. 1, 2009", "September first, two thousand nine"),
        ("5/28/21", "May twenty-eighth, twenty twenty-one"),
        ("12/31/2028", "December thirty-first, twenty twenty-eight"),
        ("on March 5 the House", "on March fifth the House"),
        ("5 March 2026", "March fifth, twenty twenty-six"),
        ("since March 2026", "since March twenty twenty-six"),
        ("in 1999", "in nineteen ninety-nine"),
        ("in 1905", "in nineteen oh five"),
        ("in 2000", "in two thousand"),
        ("in 2005", "in two thousand five"),
        ("in 2010", "in twenty ten"),
        ("2026-2030", "twenty twenty-six to twenty thirty"),
        ("FY2026", "fiscal year twenty twenty-six"),
        ("FY26", "fiscal year twenty twenty-six"),
        ("FY2026-FY2030", "fiscal years twenty twenty-six through twenty thirty"),
    ],
)
def test_dates_and_years(written: str, spoken: str) -> None:
    assert normalise(written) == spoken


def test_an_impossible_date_is_read_as_numbers() -> None:
    assert normalise("February 30, 2026") == "February thirty, twenty twenty-six"


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("$1.2 billion", "one point two billion dollars"),
        ("$500,000", "five hundred thousand dollars"),
        ("$1", "one dollar"),
        ("$2.50", "two dollars and fifty cents"),
        ("$1.01", "one dollar and one cent"),
        ("$0.05", "five cents"),
        ("$1,500,000", "one point five million dollars"),
        ("$2,000,000", "two million dollars"),
        (
            "$1,234,567",
            "one million two hundred thirty-four thousand five hundred sixty-seven dollars",
        ),
        ("$10 million", "ten million dollars"),
        ("$3 trillion", "three trillion dollars"),
        ("$5M", "five million dollars"),
        ("$7.5bn", "seven point five billion dollars"),
        ("7.5%", "seven point five percent"),
        ("60%", "sixty percent"),
        ("5 percent", "five percent"),
    ],
)
def test_money_and_percentages(written: str, spoken: str) -> None:
    assert normalise(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("117th Congress", "one hundred seventeenth Congress"),
        ("the 1st session", "the first session"),
        ("21st century", "twenty-first century"),
        ("2nd", "second"),
        ("103rd", "one hundred third"),
        ("1,234 acres", "one thousand two hundred thirty-four acres"),
        ("12 states", "twelve states"),
        ("3.14", "three point one four"),
        ("zip 007", "zip zero zero seven"),
        ("68 - 32", "sixty-eight to thirty-two"),
        ("ages 18-24", "ages eighteen to twenty-four"),
        ("at 10:30 a.m.", "at ten thirty a.m."),
        ("at 9:00", "at nine"),
        ("at 9:05", "at nine oh five"),
        ("No. 5", "number five"),
        ("COVID-19", "COVID-nineteen"),
    ],
)
def test_ordinals_and_plain_numbers(written: str, spoken: str) -> None:
    assert normalise(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Sen. Warren (D-MA) said", "Senator Warren, a Democrat from Massachusetts, said"),
        (
            "Rep. Smith [R-MO-8].",
            "Representative Smith, a Republican from Missouri's eighth district.",
        ),
        ("Del. Norton (D-DC)", "Delegate Norton, a Democrat from the District of Columbia"),
        ("I-VT", "an Independent from Vermont"),
        ("R-TX", "a Republican from Texas"),
        ("D-VA", "a Democrat from Virginia"),
        ("R-WY-At Large", "a Republican from Wyoming's at-large district"),
        ("Res. Comm. Gonzalez", "Resident Commissioner Gonzalez"),
        ("Sens. Lee and Ortiz", "Senators Lee and Ortiz"),
        ("Dr. Fauci", "Doctor Fauci"),
        ("Roe v. Wade", "Roe versus Wade"),
        ("Q-XZ stays", "Q-XZ stays"),
        ("D-ZZ stays", "D-ZZ stays"),
    ],
)
def test_titles_and_party_tags(written: str, spoken: str) -> None:
    assert normalise(written) == spoken


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("42 U.S.C. 1983", "title forty-two of the U.S. Code, section nineteen eighty-three"),
        ("5 U.S.C. § 552(b)", "title five of the U.S. Code, section five fifty-two b"),
        ("under the U.S.C.", "under the U.S. Code"),
        ("the U.S. government", "the U.S. government"),
        ("§ 5", "section five"),
        ("§§ 3", "sections three"),
        ("Sec. 101(a)(2)", "section one oh one a two"),
        ("section 230", "section two thirty"),
        ("a 401(k) plan", "a four oh one k plan"),
        ("section 501(c)(3)", "section five oh one c three"),
        ("Public Law 117-58", "Public Law one seventeen dash fifty-eight"),
        ("Pub. L. No. 116-136", "Public Law one sixteen dash one thirty-six"),
        ("H. Rept. 119-245", "House Report one nineteen dash two forty-five"),
        ("Title XIX of the Act", "Title nineteen of the Act"),
        ("Rule XXII", "Rule twenty-two"),
        ("Medicare Part C", "Medicare Part C"),
        ("e.g., housing", "for example, housing"),
        ("e.g. housing", "for example, housing"),
        ("i.e., grants", "that is, grants"),
        ("cats, dogs, etc. The end", "cats, dogs, et cetera. The end"),
        ("cats etc. and dogs", "cats et cetera and dogs"),
        ("AT&T", "AT and T"),
    ],
)
def test_legal_references_and_abbreviations(written: str, spoken: str) -> None:
    assert normalise(written) == spoken


def test_a_whole_sentence() -> None:
    written = (
        "On Jan. 4, 2021, Rep. Sarbanes (D-MD-3) introduced H.R. 1 with 222 cosponsors; "
        "it authorizes $1.5 billion, about 3% of the program."
    )
    spoken = (
        "On January fourth, twenty twenty-one, Representative Sarbanes, a Democrat from "
        "Maryland's third district, introduced H.R. one with two hundred twenty-two "
        "cosponsors; it authorizes one point five billion dollars, about three percent of "
        "the program."
    )
    assert normalise(written) == spoken


def test_whitespace_is_tidied_but_lines_are_kept() -> None:
    assert normalise("  one   two \n three  ") == "one two\nthree"


@pytest.mark.parametrize(
    ("value", "identifier", "year"),
    [
        (1776, "seventeen seventy-six", "seventeen seventy-six"),
        (2000, "two thousand", "two thousand"),
        (2001, "twenty oh one", "two thousand one"),
        (2026, "twenty twenty-six", "twenty twenty-six"),
        (1900, "nineteen hundred", "nineteen hundred"),
    ],
)
def test_identifiers_and_years_differ_only_in_the_two_thousands(
    value: int, identifier: str, year: str
) -> None:
    assert spoken_identifier(value) == identifier
    assert spoken_year(value) == year


def test_spoken_date_without_year() -> None:
    assert spoken_date(date(2026, 3, 5), with_year=False) == "March fifth"
    assert spoken_date(date(2026, 11, 22)) == "November twenty-second, twenty twenty-six"


def test_state_table_covers_states_dc_and_territories() -> None:
    assert len(STATE_NAMES) == 56  # 50 states, DC, and the five territories with a delegate
    for code in ("VA", "TX", "VT", "WY", "AK", "HI", "DC", "PR", "GU", "VI", "AS", "MP"):
        assert code in STATE_NAMES
    assert state_name("va") == "Virginia"
    assert state_name("Oregon") == "Oregon"
    assert state_name("new york") == "New York"
    assert state_name("District of Columbia") == "the District of Columbia"
    assert state_name("Atlantis") is None
    assert state_name("ZZ") is None
    assert state_name("") is None


def test_party_phrase() -> None:
    assert party_phrase("R", "TX", "12") == "a Republican from Texas's twelfth district"
    assert party_phrase("I", "ME") == "an Independent from Maine"
    assert party_phrase("D", "AK", "0") == "a Democrat from Alaska's at-large district"
    assert party_phrase(None, "OH") == "from Ohio"
    assert party_phrase("L", None) == "a Libertarian"
    assert party_phrase(None, None) is None


# --- properties ------------------------------------------------------------------------

_PREFIXES = ("H.R.", "S.", "H.Res.", "S.Res.", "H.J.Res.", "S.J.Res.", "H.Con.Res.", "S.Con.Res.")
_MONTHS = ("January", "Feb.", "March", "Apr.", "May", "June", "Jul.", "August", "Sept.", "Dec.")

citations = st.builds(lambda p, n: f"{p} {n}", st.sampled_from(_PREFIXES), st.integers(1, 999_999))
dates = st.dates(date(1789, 1, 1), date(2099, 12, 31)).flatmap(
    lambda d: st.sampled_from(
        [
            d.isoformat(),
            f"{d.month}/{d.day}/{d.year}",
            f"{d:%B} {d.day}, {d.year}",
            f"{d:%B} {d.year}",
        ]
    )
)
amounts = st.builds(
    lambda n, cents, scale, commas: (
        "$"
        + (f"{n:,}" if commas else str(n))
        + (f".{cents:02d}" if cents is not None else "")
        + scale
    ),
    st.integers(0, 10**13),
    st.none() | st.integers(0, 99),
    st.sampled_from(["", " million", " billion", "M", "bn", " trillion"]),
    st.booleans(),
)
percents = st.builds(
    lambda n, f: f"{n}.{f}%" if f else f"{n}%", st.integers(0, 1000), st.integers(0, 99)
)
ordinals = st.builds(
    lambda n: (
        f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
    ),
    st.integers(1, 10**6),
)
tags = st.builds(
    lambda p, s, d: f"({p}-{s}{'-' + str(d) if d else ''})",
    st.sampled_from(["D", "R", "I"]),
    st.sampled_from(sorted(STATE_NAMES)),
    st.none() | st.integers(1, 53),
)
patterns = citations | dates | amounts | percents | ordinals | tags
words = st.sampled_from(
    ["the", "bill", "Sen.", "Rep.", "e.g.", "etc.", "§", "U.S.C.", "U.S.", "&", "No.", "Title",
     "section", "(", ")", ",", ".", "-", "FY", "Pub. L.", "Rule", "XIX", "\n", "v.", "Wade"]
)  # fmt: skip
sentences = st.lists(patterns | words | st.integers(-(10**20), 10**20).map(str), max_size=12).map(
    " ".join
)


@given(patterns)
def test_common_patterns_leave_no_digits(text: str) -> None:
    assert not DIGIT.search(normalise(text)), normalise(text)


@given(sentences)
@settings(max_examples=300)
def test_normalise_is_idempotent_on_bill_like_text(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert not DIGIT.search(once)


@given(st.text(max_size=80))
@settings(max_examples=300)
def test_normalise_is_idempotent_on_any_text(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert not DIGIT.search(once)
