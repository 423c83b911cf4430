"""The field rules both Congress.gov formats share: names, titles, summaries, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from briefcast.bills import Action, Sponsor
from briefcast.errors import BillSourceError
from briefcast.providers.congress_fields import (
    SummaryVersion,
    action_chamber,
    choose_titles,
    chronological,
    is_number,
    latest_summary,
    parse_date,
    parse_datetime,
    sponsor_from,
    summary_text,
)


@pytest.mark.parametrize(
    ("full_name", "fields", "expected"),
    [
        ("Rep. Connolly, Gerald E. [D-VA-11]", {}, Sponsor("Gerald E. Connolly", "D", "VA", "11")),
        ("Sen. Smith, Tina  [D-MN]", {}, Sponsor("Tina Smith", "D", "MN")),
        ("Sen. Casey, Robert P., Jr. [D-PA]", {}, Sponsor("Robert P. Casey Jr.", "D", "PA")),
        (
            "Rep. Norton, Eleanor Holmes [D-DC-At Large]",
            {"district": "0"},
            Sponsor("Eleanor Holmes Norton", "D", "DC", "At Large"),
        ),
        (
            "Resident Commissioner González-Colón, Jenniffer [R-PR-At Large]",
            {},
            Sponsor("Jenniffer González-Colón", "R", "PR", "At Large"),
        ),
        (
            "Del. Sablan, Gregorio Kilili Camacho [I-MP-At Large]",
            {},
            Sponsor("Gregorio Kilili Camacho Sablan", "I", "MP", "At Large"),
        ),
        # Elements win over the name tag; the district may arrive as a number.
        (
            "Rep. Davis, Rodney [R-IL-13]",
            {"party": "R", "state": "IL", "district": 13, "bioguide_id": "D000619"},
            Sponsor("Rodney Davis", "R", "IL", "13", "D000619"),
        ),
        ("Rules Committee", {}, Sponsor("Rules Committee")),
    ],
)
def test_sponsor_from(full_name: str, fields: dict[str, object], expected: Sponsor) -> None:
    assert sponsor_from(full_name, **fields) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("full_name", [None, "", "   "])
def test_no_name_no_sponsor(full_name: str | None) -> None:
    assert sponsor_from(full_name) is None


@pytest.mark.parametrize(
    ("display", "titles", "expected"),
    [
        # The display title is the short title when it is not an official one.
        (
            "FAST Act",
            [
                ("Official Title as Introduced", "To exempt employees."),
                ("Official Titles as Amended by Senate", "An act to authorize highways."),
                ("Display Title", "FAST Act"),
            ],
            ("An act to authorize highways.", "FAST Act"),
        ),
        (
            "Short Act",
            [
                ("Official Title as Introduced", "To do it."),
                ("Official Title as Agreed to by House and Senate", "Making it happen."),
                ("Official Titles as Amended by House", "To do more."),
            ],
            ("Making it happen.", "Short Act"),
        ),
        # Display equal to the official title: fall back to a whole-bill short title.
        (
            "To provide for reconciliation.",
            [
                ("Official Title as Introduced", "To provide for reconciliation."),
                ("Short Titles on Other Versions for portions of this bill", "A Part Act"),
                ("Short Titles as Introduced", "Whole Bill Act"),
                ("Short Titles as Enacted", "Enacted Name Act"),
            ],
            ("To provide for reconciliation.", "Enacted Name Act"),
        ),
        (
            "A resolution recognizing a day.",
            [
                ("Official Title as Introduced", "A resolution recognizing a day."),
                ("Display Title", "A resolution recognizing a day."),
            ],
            ("A resolution recognizing a day.", None),
        ),
        # A display title that is one of several official titles is not a short title.
        (
            "To do it.",
            [
                ("Official Title as Introduced", "To do it."),
                ("Official Titles as Amended by House", "To do more."),
            ],
            ("To do more.", None),
        ),
        # Only a display title (a Congress.gov detail response on its own).
        ("FedRAMP Authorization Act", [], ("FedRAMP Authorization Act", None)),
    ],
)
def test_choose_titles(
    display: str, titles: list[tuple[str, str]], expected: tuple[str, str | None]
) -> None:
    assert choose_titles(display, titles) == expected


def test_a_bill_without_any_title_is_an_error() -> None:
    with pytest.raises(BillSourceError, match="no title"):
        choose_titles("  ", [("Display Title", "")])


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One.</p> <p>Two.</p>", "One.\n\nTwo."),
        ("<p><b>Title Act</b> <p> Unclosed paragraph.", "Title Act\n\nUnclosed paragraph."),
        (
            "<p>Lists:</p><ul><li>first,</li> <li> second</li></ul><p>After.</p>",
            "Lists:\n\nfirst,\n\nsecond\n\nAfter.",
        ),
        (
            "<p>A&nbsp;B &quot;quoted&quot; it&rsquo;s &ldquo;x&rdquo; R&amp;D</p>",
            'A B "quoted" it’s “x” R&D',
        ),
        ("<p>Line<br>break</p>", "Line\n\nbreak"),
        ("<p><strong>Bold</strong> and <em>em</em> and <i>i</i></p>", "Bold and em and i"),
        ("<p>kept<!-- dropped --> text</p>", "kept text"),
        ("Plain text, no tags.", "Plain text, no tags."),
        ("  ", ""),
        ("", ""),
    ],
)
def test_summary_text(markup: str, text: str) -> None:
    assert summary_text(markup) == text


def test_latest_summary_goes_by_action_date_then_update() -> None:
    versions = [
        SummaryVersion(
            date(2025, 3, 1), datetime(2025, 3, 2, tzinfo=UTC), "<p>March, first edit</p>"
        ),
        SummaryVersion(date(2025, 5, 1), None, "<p>May</p>"),
        SummaryVersion(
            date(2025, 3, 1), datetime(2025, 3, 9, tzinfo=UTC), "<p>March, later edit</p>"
        ),
        SummaryVersion(date(2025, 1, 1), None, "<p>January</p>"),
    ]
    assert latest_summary(versions) == "May"
    assert latest_summary(versions[:1] + versions[2:]) == "March, later edit"
    assert latest_summary([]) is None


def test_an_empty_newest_summary_falls_back_to_the_one_before() -> None:
    versions = [
        SummaryVersion(date(2025, 1, 1), None, "<p>Earlier</p>"),
        SummaryVersion(date(2025, 2, 1), None, "<p> </p>"),
    ]
    assert latest_summary(versions) == "Earlier"


def test_chronological_reverses_newest_first_lists_and_drops_empty_actions() -> None:
    newest_first = [
        Action(date(2025, 1, 2), "second day"),
        Action(date(2025, 1, 1), "first day, later"),
        Action(date(2025, 1, 1), ""),
        Action(date(2025, 1, 1), "first day, earlier"),
    ]
    assert [a.text for a in chronological(newest_first)] == [
        "first day, earlier",
        "first day, later",
        "second day",
    ]


@pytest.mark.parametrize(
    ("source", "chamber"),
    [
        ("House floor actions", "House"),
        ("House committee actions", "House"),
        ("Senate", "Senate"),
        ("Library of Congress", None),
        (None, None),
    ],
)
def test_action_chamber(source: str | None, chamber: str | None) -> None:
    assert action_chamber(source) == chamber


def test_dates_and_timestamps() -> None:
    assert parse_date("2021-01-04", "x") == date(2021, 1, 4)
    assert parse_date("2021-01-04T05:00:00Z", "x") == date(2021, 1, 4)
    assert parse_date(" ", "x") is None
    assert parse_datetime("2022-03-25T01:16:59Z", "x") == datetime(
        2022, 3, 25, 1, 16, 59, tzinfo=UTC
    )
    assert parse_datetime("2022-04-03", "x") == datetime(2022, 4, 3, tzinfo=UTC)
    assert parse_datetime(None, "x") is None
    with pytest.raises(BillSourceError, match="updateDate 'yesterday' is not a timestamp"):
        parse_datetime("yesterday", "updateDate")
    with pytest.raises(BillSourceError, match="actionDate '2021-13-01' is not a date"):
        parse_date("2021-13-01", "actionDate")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("117", True),
        ("0", True),
        ("", False),
        ("1a", False),
        ("²", False),
        ("١٢", False),
        ("-1", False),
    ],
)
def test_is_number(text: str, expected: bool) -> None:
    assert is_number(text) is expected
