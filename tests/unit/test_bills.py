"""Bill ids, citations, JSON round trips and status from actions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from briefcast.bills import (
    BILL_ID_PATTERN,
    BILL_STATUSES,
    BILL_TYPES,
    Action,
    Bill,
    BillId,
    Committee,
    Sponsor,
    classify_action,
    derive_status,
)
from briefcast.errors import InvalidBillId, InvalidInput
from tests.support.accepting import accepts

# --- ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "congress", "kind", "number", "citation", "chamber"),
    [
        ("119-hr-1234", 119, "hr", 1234, "H.R. 1234", "House"),
        ("119-s-5", 119, "s", 5, "S. 5", "Senate"),
        ("118-hjres-7", 118, "hjres", 7, "H.J.Res. 7", "House"),
        ("117-sjres-45", 117, "sjres", 45, "S.J.Res. 45", "Senate"),
        ("114-hconres-70", 114, "hconres", 70, "H.Con.Res. 70", "House"),
        ("117-sconres-14", 117, "sconres", 14, "S.Con.Res. 14", "Senate"),
        ("114-hres-348", 114, "hres", 348, "H.Res. 348", "House"),
        ("114-sres-105", 114, "sres", 105, "S.Res. 105", "Senate"),
        ("1-hr-1", 1, "hr", 1, "H.R. 1", "House"),
        ("999-s-999999", 999, "s", 999_999, "S. 999999", "Senate"),
    ],
)
def test_parse_reads_every_type(
    text: str, congress: int, kind: str, number: int, citation: str, chamber: str
) -> None:
    bill_id = BillId.parse(text)
    assert (bill_id.congress, bill_id.type, bill_id.number) == (congress, kind, number)
    assert bill_id.citation == citation
    assert bill_id.chamber == chamber
    assert str(bill_id) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "119-xx-1",  # unknown type
        "119-bill-1",
        "119-hr-0",  # zero
        "0-hr-1",
        "000-hr-1",
        "119-hr-01",  # leading zero: one spelling per bill
        "0119-hr-1",
        "1000-hr-1",  # out of range
        "119-hr-1000000",
        "119-hr",  # junk
        "hr-119-1",
        "119_hr_1",
        "119-hr-1-2",
        "119-hr--1",
        "119-hr-+1",
        "119-hr-1a",
        "119-hr-١٢",  # digits, but not ASCII ones
        "H.R. 1234",
        " 119-hr-1",  # whitespace
        "119-hr-1 ",
        "119-hr-1\n",
        "119 -hr-1",
        "119-h r-1",
        "119-HR-1",  # upper case: rejected, ids have one spelling
        "119-Hr-1",
        "119-S-5",
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidBillId) as caught:
        BillId.parse(text)
    assert isinstance(caught.value, InvalidInput)  # the API's 422
    assert caught.value.code == "invalid_bill_id"


@pytest.mark.parametrize("value", [None, 119, b"119-hr-1", ["119-hr-1"]])
def test_parse_rejects_what_is_not_text(value: object) -> None:
    with pytest.raises(InvalidBillId):
        BillId.parse(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("congress", "kind", "number"),
    [(119, "xx", 1), (119, "HR", 1), (0, "hr", 1), (1000, "hr", 1), (119, "hr", 0), (119, "s", -3)],
)
def test_constructor_rejects(congress: int, kind: str, number: int) -> None:
    with pytest.raises(InvalidBillId):
        BillId(congress, kind, number)


@given(
    st.integers(1, 999),
    st.sampled_from(sorted(BILL_TYPES)),
    st.integers(1, 999_999),
)
def test_format_then_parse_round_trips(congress: int, kind: str, number: int) -> None:
    bill_id = BillId(congress, kind, number)
    text = str(bill_id)
    assert text == f"{congress}-{kind}-{number}"
    assert BillId.parse(text) == bill_id


@given(st.text(alphabet="0123456789-hrsjconeHRS \t", max_size=16))
def test_parse_accepts_only_the_canonical_spelling(text: str) -> None:
    try:
        bill_id = BillId.parse(text)
    except InvalidBillId:
        return
    assert str(bill_id) == text


# pydantic's regular expressions read ``$`` as JSON Schema validators do: the very end.
_DOCUMENTED_ID = TypeAdapter(Annotated[str, Field(pattern=BILL_ID_PATTERN)])


@given(st.text(alphabet="0123456789-hrsjconeHRSx \t\n", max_size=16))
@example("119-hr-1\n")
@example("119-sconres-999999")
@example("999-s-1")
def test_the_documented_pattern_accepts_exactly_what_parse_does(text: str) -> None:
    documented = accepts(_DOCUMENTED_ID.validate_python, text, ValidationError)
    assert documented == accepts(BillId.parse, text, InvalidBillId), text


def test_ids_order_by_congress_then_type_then_number() -> None:
    ids = [BillId.parse(t) for t in ("119-s-2", "118-s-9", "119-hr-10", "119-hr-9")]
    assert [str(i) for i in sorted(ids)] == ["118-s-9", "119-hr-9", "119-hr-10", "119-s-2"]


# --- JSON ----------------------------------------------------------------------------------


def test_bill_json_round_trip_keeps_every_field() -> None:
    bill = Bill(
        id=BillId.parse("119-hr-42"),
        title="To do a thing, and for other purposes.",
        short_title="Thing Act",
        sponsor=Sponsor("Ada Example", "D", "VT", "At Large", "X000001"),
        cosponsors_count=3,
        policy_area="Health",
        subjects=("Hospitals", "Rural conditions and development"),
        summary="First paragraph.\n\nSecond paragraph.",
        introduced_date=date(2025, 2, 3),
        latest_action=Action(date(2025, 2, 4), "Referred to the Committee.", "House", "H11100"),
        actions=(
            Action(date(2025, 2, 3), "Introduced in House", None, "1000"),
            Action(date(2025, 2, 4), "Referred to the Committee.", "House", "H11100"),
        ),
        committees=(Committee("Energy and Commerce Committee", "House", ("Referred to",)),),
        status="in_committee",
        update_date=datetime(2025, 2, 5, 9, 30, tzinfo=UTC),
        source="demo",
    )
    assert Bill.from_json(bill.to_json()) == bill


# --- status --------------------------------------------------------------------------------

INTRO_H = "Introduced in House"
REFER_H = "Referred to the House Committee on Ways and Means."
REFER_S = "Read twice and referred to the Committee on Finance."
PASS_H = "Passed/agreed to in House: On passage Passed by recorded vote: 220 - 210 (Roll no. 9)."
PASS_S = "Passed Senate without amendment by Unanimous Consent."
PASS_S_LOC = "Passed/agreed to in Senate: Passed Senate without amendment by Unanimous Consent."


def _actions(*texts: str) -> list[Action]:
    start = date(2025, 1, 6)
    return [Action(start + timedelta(days=i), text) for i, text in enumerate(texts)]


@pytest.mark.parametrize(
    ("kind", "texts", "expected"),
    [
        ("hr", [], "introduced"),
        ("hr", [INTRO_H], "introduced"),
        ("hr", [INTRO_H, REFER_H], "in_committee"),
        ("s", ["Introduced in Senate", REFER_S], "in_committee"),
        ("hr", [INTRO_H, REFER_H, "Subcommittee Hearings Held."], "in_committee"),
        ("hr", [INTRO_H, REFER_H, "Ordered to be Reported (Amended) by Voice Vote."], "reported"),
        (
            "s",
            [REFER_S, "Committee on Finance. Reported by Senator Roe without amendment."],
            "reported",
        ),
        ("hr", [REFER_H, "Placed on the Union Calendar, Calendar No. 12."], "reported"),
        ("hr", [REFER_H, "Committee on Ways and Means discharged."], "reported"),
        ("hr", [INTRO_H, REFER_H, PASS_H], "passed_house"),
        (
            "hr",
            [
                INTRO_H,
                "On motion to suspend the rules and pass the bill Agreed to by voice vote.",
            ],
            "passed_house",
        ),
        ("s", [REFER_S, PASS_S], "passed_senate"),
        (
            "s",
            [REFER_S, PASS_S_LOC, "Received in the House.", "Held at the desk."],
            "passed_senate",
        ),
        ("hr", [INTRO_H, PASS_H, "Received in the Senate.", PASS_S_LOC], "passed_both"),
        ("hr", [PASS_H, PASS_S, "Presented to President."], "to_president"),
        ("hr", [PASS_H, PASS_S, "Presented to President.", "Signed by President."], "became_law"),
        ("s", [PASS_S, PASS_H, "Became Public Law No: 119-1."], "became_law"),
        ("hr", [PASS_H, PASS_S, "Presented to President.", "Vetoed by President."], "vetoed"),
        (
            "sjres",
            [PASS_S, PASS_H, "Presented to President.", "Pocket Vetoed by President."],
            "vetoed",
        ),
        (
            "hr",
            [
                PASS_H,
                PASS_S,
                "Vetoed by President.",
                "Passed House over veto by the Yeas and Nays: 300 - 120.",
                "Passed Senate over veto by Yea-Nay Vote. 70 - 28.",
                "Became Public Law No: 119-9.",
            ],
            "became_law",
        ),
        (
            "hres",
            ["On motion to suspend the rules and agree to the resolution Agreed to by voice vote."],
            "agreed_to",
        ),
        ("hres", ["On agreeing to the resolution Agreed to without objection."], "agreed_to"),
        (
            "sres",
            [
                "Submitted in the Senate, considered, and agreed to without amendment by Unanimous "
                "Consent."
            ],
            "agreed_to",
        ),
        (
            "sres",
            ["Resolution agreed to in Senate without amendment by Unanimous Consent."],
            "agreed_to",
        ),
        ("hconres", [REFER_H, PASS_H], "passed_house"),
        (
            "hconres",
            [PASS_H, "Resolution agreed to in Senate without amendment by Unanimous Consent."],
            "agreed_to",
        ),
        (
            "sconres",
            [PASS_S_LOC, "S. Con. Res. 14 is considered passed House. (text: CR H4372-4384)"],
            "agreed_to",
        ),
        ("hjres", [PASS_H, PASS_S], "passed_both"),
        (
            "hr",
            [
                REFER_H,
                "Failed of passage/not agreed to in House: On passage Failed by the Yeas and Nays: "
                "190 - 235 (Roll no. 88).",
            ],
            "failed",
        ),
        (
            "hr",
            [REFER_H, "On motion to suspend the rules and pass the bill Failed by voice vote."],
            "failed",
        ),
        (
            "hr",
            [
                "On motion to suspend the rules and pass the bill Failed by the Yeas and Nays.",
                "On passage Passed by recorded vote: 230 - 200 (Roll no. 91).",
            ],
            "passed_house",
        ),
        # Noise that must not move a bill: amendment votes, procedural motions, rules.
        (
            "hr",
            [
                INTRO_H,
                REFER_H,
                "House amendment not agreed to: On agreeing to the Roe amendment (A004) Failed by "
                "recorded vote: 150 - 270 (Roll no. 30).",
                "Motion to reconsider laid on the table Agreed to without objection.",
                "Cloture on the motion to proceed to the measure not invoked in Senate by "
                "Yea-Nay Vote. 52 - 47.",
                "Received in the Senate.",
            ],
            "in_committee",
        ),
    ],
)
def test_derive_status(kind: str, texts: list[str], expected: str) -> None:
    assert expected in BILL_STATUSES
    assert derive_status(kind, _actions(*texts)) == expected


def test_derive_status_takes_actions_in_date_order_whatever_the_input_order() -> None:
    actions = _actions(INTRO_H, REFER_H, PASS_H, PASS_S_LOC, "Presented to President.")
    assert derive_status("hr", list(reversed(actions))) == "to_president"


def test_a_passing_vote_without_a_chamber_counts_for_the_chamber_the_bill_started_in() -> None:
    # "considered, and agreed to" names no chamber: a Senate resolution is agreed to there.
    texts = ["Submitted in the Senate, considered, and agreed to by Unanimous Consent."]
    first = derive_status("sconres", _actions(*texts))
    assert first == "passed_senate"
    assert derive_status("sconres", _actions(*texts, PASS_H)) == "agreed_to"


@pytest.mark.parametrize(
    ("text", "event", "chamber"),
    [
        ("Became Public Law No: 114-94.", "law", None),
        ("Presented to President.", "presented", None),
        ("Passed/agreed to in Senate: Passed Senate with an amendment.", "passed", "Senate"),
        ("Passed Senate with an amendment by Unanimous Consent.", "passed", "Senate"),
        (
            "Conference report agreed to in House: On agreeing to the conference report",
            "passed",
            "House",
        ),
        ("Referred to the Subcommittee on Health.", "referred", None),
        ("DEBATE - The House proceeded with forty minutes of debate on H.R. 21.", None, None),
        ("Message on Senate action sent to the House.", None, None),
    ],
)
def test_classify_action(text: str, event: str | None, chamber: str | None) -> None:
    assert classify_action(Action(date(2025, 1, 1), text)) == (event, chamber)
