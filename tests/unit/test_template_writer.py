"""The template writer: a two-host episode built only from the bills' own records."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefcast.bills import BILL_STATUSES, BILL_TYPES, Action, Bill, BillId, Committee, Sponsor
from briefcast.prose import split_sentences
from briefcast.providers.template_writer import TemplateWriter
from briefcast.scripts import Budget, Script, validate
from briefcast.speech import STATE_NAMES
from briefcast.writers import EpisodeType, Listener, ScriptRequest, ScriptWriter

WPM = 165.0
DAY = date(2026, 3, 5)
PRIYA = Listener("Priya", "OR")
JONAS = Listener("Jonas", "GA")


def _d(text: str) -> date:
    return date.fromisoformat(text)


# --- realistic bills, written out by hand -----------------------------------------------

BROADBAND = Bill(
    id=BillId(119, "hr", 2417),
    title="Rural Broadband Access Act of 2025",
    sponsor=Sponsor("Rep. Garcia, Maria [D-NM-3]", "D", "NM", "3"),
    cosponsors_count=14,
    policy_area="Science, Technology, Communications",
    subjects=(
        "Broadband",
        "Rural conditions and development",
        "Telephone and wireless communication",
        "Grants-in-aid",
        "Indian lands and resources rights",
    ),
    summary=(
        "<p><b>Rural Broadband Access Act of 2025</b></p><p>This bill establishes a grant program "
        "at the National Telecommunications and Information Administration (NTIA) to extend "
        "high-speed internet service to rural areas. Grants may cover up to 75% of a project's "
        "cost, and $1.2 billion is authorized for each of FY2026-FY2030. Priority goes to "
        "projects that serve tribal lands or areas where no provider offers speeds of at least "
        "25 megabits per second. (Sec. 4) Grant recipients must report annually on the number "
        "of subscribers served and the prices they charge. The Government Accountability Office "
        "must review the program by December 31, 2028.</p>"
    ),
    introduced_date=_d("2025-06-30"),
    latest_action=Action(
        _d("2025-09-17"),
        "Reported (Amended) by the Committee on Energy and Commerce. H. Rept. 119-245.",
    ),
    actions=(
        Action(_d("2025-06-30"), "Introduced in House"),
        Action(_d("2025-06-30"), "Referred to the House Committee on Energy and Commerce."),
        Action(_d("2025-07-22"), "Subcommittee Hearings Held."),
        Action(_d("2025-09-10"), "Ordered to be Reported (Amended) by the Yeas and Nays: 30 - 22."),
        Action(
            _d("2025-09-17"),
            "Reported (Amended) by the Committee on Energy and Commerce. H. Rept. 119-245.",
        ),
    ),
    committees=(
        Committee(
            "Energy and Commerce Committee",
            "House",
            ("Reported by", "Markup by", "Hearings by", "Referred to"),
        ),
    ),
    status="reported",
    source="billstatus",
)

VETERANS = Bill(
    id=BillId(119, "s", 1182),
    title=(
        "A bill to require outreach to recently separated veterans on mental health care, and "
        "for other purposes."
    ),
    short_title="Veterans Mental Health Outreach Act",
    sponsor=Sponsor("Sen. Whitaker, Paul [R-KS]", "R", "KS"),
    cosponsors_count=6,
    policy_area="Armed Forces and National Security",
    subjects=(
        "Veterans' medical care",
        "Mental health",
        "Health care coverage and access",
        "Rural conditions and development",
        "Grants-in-aid",
    ),
    summary=(
        "This bill requires the Department of Veterans Affairs (VA) to expand outreach on mental "
        "health services to veterans who recently left the Armed Forces. The VA must contact each "
        "veteran within 90 days of discharge and offer a screening for depression, post-traumatic "
        "stress, and substance use. The bill also authorizes $75 million per year for "
        "FY2026-FY2028 "
        "for grants to community organizations that connect veterans with care. Grant recipients "
        "must serve rural veterans or veterans in areas with a shortage of mental health "
        "professionals. The VA must report to Congress each year on the number of veterans "
        "contacted and screened."
    ),
    introduced_date=_d("2025-04-02"),
    latest_action=Action(_d("2025-06-11"), "Committee on Veterans' Affairs. Hearings held."),
    actions=(
        Action(_d("2025-04-02"), "Introduced in Senate"),
        Action(_d("2025-04-02"), "Read twice and referred to the Committee on Veterans' Affairs."),
        Action(_d("2025-06-11"), "Committee on Veterans' Affairs. Hearings held."),
    ),
    committees=(
        Committee("Veterans' Affairs Committee", "Senate", ("Hearings by", "Referred to")),
    ),
    status="in_committee",
    source="billstatus",
)

SMALL_BUSINESS = Bill(
    id=BillId(119, "hr", 905),
    title="Small Business Tax Filing Simplification Act",
    sponsor=Sponsor("Rep. Okafor, Grace [R-OH-7]", "R", "OH", "7"),
    cosponsors_count=41,
    policy_area="Taxation",
    subjects=(
        "Small business",
        "Income tax deductions",
        "Accounting and auditing",
        "Tax administration and collection, taxpayers",
    ),
    summary=(
        "This bill simplifies federal tax filing for small businesses with gross receipts of "
        "$5 million or less. Such businesses may use cash-method accounting and may deduct the "
        "full cost of equipment purchases of up to $250,000 in the year the equipment is placed "
        "in service. The Internal Revenue Service (IRS) must create a simplified return for these "
        "businesses and make it available electronically at no cost. The bill also extends the "
        "deadline for filing an S corporation election to the due date of the tax return. The "
        "IRS must report on the number of businesses using the simplified return by the end "
        "of 2028."
    ),
    introduced_date=_d("2025-02-10"),
    latest_action=Action(_d("2025-06-26"), "Received in the Senate."),
    actions=(
        Action(_d("2025-02-10"), "Introduced in House"),
        Action(_d("2025-02-10"), "Referred to the House Committee on Ways and Means."),
        Action(_d("2025-05-14"), "Ordered to be Reported by the Yeas and Nays: 25 - 18."),
        Action(_d("2025-06-03"), "Reported by the Committee on Ways and Means. H. Rept. 119-132."),
        Action(
            _d("2025-06-25"),
            "Passed/agreed to in House: On passage Passed by the Yeas and Nays: 268 - 160 "
            "(Roll no. 188).",
        ),
        Action(
            _d("2025-06-25"), "On passage Passed by the Yeas and Nays: 268 - 160 (Roll no. 188)."
        ),
        Action(
            _d("2025-06-25"), "Motion to reconsider laid on the table Agreed to without objection."
        ),
        Action(_d("2025-06-26"), "Received in the Senate."),
    ),
    committees=(
        Committee("Ways and Means Committee", "House", ("Referred to", "Markup by", "Reported by")),
    ),
    status="passed_house",
    source="billstatus",
)

APPRENTICESHIP = Bill(
    id=BillId(119, "hres", 312),
    title=(
        "Supporting the designation of the week of November 10 through November 16, 2025, as "
        "National Apprenticeship Week."
    ),
    sponsor=Sponsor("Rep. Lindqvist, Erik [D-MN-4]", "D", "MN", "4"),
    cosponsors_count=1,
    policy_area="Labor and Employment",
    subjects=(
        "Employment and training programs",
        "Commemorative events and holidays",
        "Vocational and technical education",
    ),
    summary=(
        "This resolution supports the designation of National Apprenticeship Week. It recognizes "
        "the role of registered apprenticeship programs in preparing workers for skilled careers "
        "in construction, manufacturing, health care, and information technology. The resolution "
        "also encourages employers, labor organizations, and schools to expand apprenticeship "
        "opportunities for young people and veterans."
    ),
    introduced_date=_d("2025-11-12"),
    latest_action=Action(
        _d("2025-11-18"), "On agreeing to the resolution Agreed to without objection."
    ),
    actions=(
        Action(_d("2025-11-12"), "Referred to the House Committee on Education and Workforce."),
        Action(
            _d("2025-11-18"),
            "Mr. Lindqvist asked unanimous consent to discharge from committee and agree to "
            "the resolution.",
        ),
        Action(_d("2025-11-18"), "On agreeing to the resolution Agreed to without objection."),
    ),
    committees=(
        Committee("Education and Workforce Committee", "House", ("Referred to", "Discharged from")),
    ),
    status="agreed_to",
    source="billstatus",
)

METHANE = Bill(
    id=BillId(119, "sjres", 21),
    title=(
        "A joint resolution providing for congressional disapproval under chapter 8 of title 5, "
        "United States Code, of the rule submitted by the Environmental Protection Agency relating "
        "to methane emissions reporting for oil and natural gas facilities."
    ),
    sponsor=Sponsor("Sen. Hollis, Ruth [R-WY]", "R", "WY"),
    cosponsors_count=22,
    policy_area="Environmental Protection",
    subjects=(
        "Air quality",
        "Climate change and greenhouse gases",
        "Oil and gas",
        "Administrative law and regulatory procedures",
        "Congressional oversight",
    ),
    summary=(
        "This joint resolution nullifies the rule issued by the Environmental Protection Agency "
        "(EPA) on March 3, 2025, that sets new reporting requirements for methane emissions from "
        "oil and natural gas facilities. Under the rule, operators of facilities that emit more "
        "than 25,000 metric tons of carbon dioxide equivalent per year must report leaks within "
        "30 days. The rule was scheduled to take effect on January 1, 2026. Under the "
        "Congressional Review Act, a disapproved rule has no force or effect, and the agency may "
        "not issue a substantially similar rule without new authorization from Congress."
    ),
    introduced_date=_d("2025-04-08"),
    latest_action=Action(_d("2025-05-27"), "Received in the House."),
    actions=(
        Action(
            _d("2025-04-08"),
            "Read twice and referred to the Committee on Environment and Public Works.",
        ),
        Action(
            _d("2025-05-20"),
            "Committee on Environment and Public Works discharged by petition pursuant to 5 "
            "U.S.C. 802(c).",
        ),
        Action(
            _d("2025-05-22"),
            "Passed Senate without amendment by Yea-Nay Vote. 52 - 47. Record Vote Number: 143.",
        ),
        Action(_d("2025-05-27"), "Received in the House."),
    ),
    committees=(
        Committee(
            "Environment and Public Works Committee", "Senate", ("Referred to", "Discharged from")
        ),
    ),
    status="passed_senate",
    source="billstatus",
)

WILDFIRE = Bill(
    id=BillId(119, "hr", 6120),
    title="Wildfire Resilience and Forest Health Act",
    sponsor=Sponsor("Rep. Tanaka, Ken [R-CA-1]", "R", "CA", "1"),
    cosponsors_count=37,
    policy_area="Public Lands and Natural Resources",
    subjects=(
        "Forests, forestry, trees",
        "Fires",
        "Emergency planning and evacuation",
        "Federal lands",
        "Environmental assessment, monitoring, research",
        "Grants-in-aid",
    ),
    summary=(
        "This bill directs the Forest Service and the Department of the Interior to carry out fuel "
        "reduction projects on federal land at high risk of wildfire. The agencies must treat at "
        "least 2 million acres per year through thinning, prescribed burning, and removal of dead "
        "trees. The bill establishes a grant program for states and tribes to support community "
        "wildfire protection plans, with $500 million authorized for each of FY2026 through "
        "FY2030. "
        "It also expands a categorical exclusion from environmental review for projects of up to "
        "3,000 acres in the wildland-urban interface. The bill requires the agencies to hire and "
        "train additional year-round firefighters. Finally, the Government Accountability Office "
        "must evaluate the effectiveness of the projects within five years."
    ),
    introduced_date=_d("2025-09-15"),
    latest_action=Action(_d("2026-02-24"), "Presented to President."),
    actions=(
        Action(
            _d("2025-09-15"),
            "Referred to the Committee on Natural Resources, and in addition to the "
            "Committee on Agriculture.",
        ),
        Action(_d("2025-10-22"), "Ordered to be Reported (Amended) by Unanimous Consent."),
        Action(
            _d("2025-12-04"),
            "Passed House (Amended) by the Yeas and Nays: 301 - 122 (Roll no. 322).",
        ),
        Action(_d("2026-01-28"), "Passed Senate without amendment by Voice Vote."),
        Action(_d("2026-02-24"), "Presented to President."),
    ),
    committees=(
        Committee(
            "Natural Resources Committee", "House", ("Referred to", "Markup by", "Reported by")
        ),
        Committee("Agriculture Committee", "House", ("Referred to",)),
    ),
    status="to_president",
    source="billstatus",
)

DRUG_PRICES = Bill(
    id=BillId(119, "s", 77),
    title="Prescription Drug Price Transparency Act",
    sponsor=Sponsor("Sen. Boyd, Alana [I-ME]", "I", "ME"),
    cosponsors_count=3,
    policy_area="Health",
    subjects=(
        "Prescription drugs",
        "Drug safety, medical device, and laboratory regulation",
        "Consumer affairs",
        "Government information and archives",
    ),
    summary=(
        "This bill requires manufacturers of prescription drugs to report to the Department of "
        "Health and Human Services (HHS) any increase of more than 10% in a year in the list price "
        "of a drug. Reports must explain the reasons for the increase, including research, "
        "development, and marketing costs. HHS must publish the reports on a public website within "
        "30 days. Manufacturers that fail to report are subject to a civil penalty of up to "
        "$10,000 per day."
    ),
    introduced_date=_d("2025-01-09"),
    latest_action=Action(_d("2025-01-09"), "Read twice and referred to the Committee on Finance."),
    actions=(
        Action(_d("2025-01-09"), "Introduced in Senate"),
        Action(_d("2025-01-09"), "Read twice and referred to the Committee on Finance."),
    ),
    committees=(Committee("Finance Committee", "Senate", ("Referred to",)),),
    status="introduced",
    source="billstatus",
)

BUDGET = Bill(
    id=BillId(119, "hconres", 9),
    title=(
        "Establishing the congressional budget for the United States Government for fiscal year "
        "2026 and setting forth the appropriate budgetary levels for fiscal years 2027 "
        "through 2035."
    ),
    sponsor=Sponsor("Rep. Marsh, Dana [R-IN-5]", "R", "IN", "5"),
    cosponsors_count=0,
    policy_area="Economics and Public Finance",
    subjects=(
        "Budget process",
        "Budget deficits and national debt",
        "Border security and unlawful immigration",
    ),
    summary=(
        "This concurrent resolution establishes the congressional budget for the federal "
        "government for FY2026 and sets budgetary levels for FY2027-FY2035. It sets total new "
        "budget authority for FY2026 at $5.1 trillion and total revenues at $3.9 trillion. The "
        "resolution includes reconciliation instructions directing the House Committee on Ways and "
        "Means to report legislation reducing the deficit by at least $1.5 trillion over 10 years. "
        "It also establishes a reserve fund for legislation that improves border security, "
        "provided such legislation does not increase the deficit."
    ),
    introduced_date=_d("2025-03-31"),
    latest_action=Action(_d("2025-04-14"), "Received in the Senate."),
    actions=(
        Action(_d("2025-03-31"), "Referred to the House Committee on the Budget."),
        Action(_d("2025-04-03"), "Reported by the Committee on the Budget. H. Rept. 119-50."),
        Action(
            _d("2025-04-10"),
            "On agreeing to the resolution Agreed to by the Yeas and Nays: 217 - 212 (Roll "
            "no. 97).",
        ),
        Action(_d("2025-04-14"), "Received in the Senate."),
    ),
    committees=(
        Committee("Budget Committee", "House", ("Referred to", "Markup by", "Reported by")),
    ),
    status="passed_house",
    source="billstatus",
)

DAILY_BILLS = (BROADBAND, VETERANS, SMALL_BUSINESS)
WEEKLY_BILLS = (
    BROADBAND,
    VETERANS,
    SMALL_BUSINESS,
    APPRENTICESHIP,
    METHANE,
    WILDFIRE,
    DRUG_PRICES,
    BUDGET,
)


def _request(
    bills: tuple[Bill, ...],
    kind: EpisodeType = "daily",
    listener: Listener = PRIYA,
    day: date = DAY,
) -> ScriptRequest:
    seconds = 300.0 if kind == "daily" else 900.0
    return ScriptRequest(listener, kind, day, bills, ("Maya", "Theo"), seconds, WPM)


def _write(*args: object, **kwargs: object) -> Script:
    return TemplateWriter().write(_request(*args, **kwargs))  # type: ignore[arg-type]


def _segment_text(script: Script, kind: str) -> str:
    return " ".join(t.text for s in script.segments if s.kind == kind for t in s.turns)


# --- the port -------------------------------------------------------------------------


def test_it_is_a_script_writer() -> None:
    writer = TemplateWriter()
    assert isinstance(writer, ScriptWriter)
    assert writer.name == "template"


# --- length -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "bills", "target_words"),
    [("daily", DAILY_BILLS, 300 * WPM / 60), ("weekly", WEEKLY_BILLS, 900 * WPM / 60)],
)
def test_episode_lands_within_twenty_percent_of_its_word_budget(
    kind: EpisodeType, bills: tuple[Bill, ...], target_words: float
) -> None:
    script = _write(bills, kind)
    assert 0.8 * target_words <= script.words <= 1.2 * target_words, script.words
    assert script.notes == ()


def test_weekly_goes_deeper_than_daily_on_the_same_bill() -> None:
    daily = _write(DAILY_BILLS, "daily").segments[1]
    weekly = _write(WEEKLY_BILLS, "weekly").segments[1]
    assert daily.bill_id == weekly.bill_id == "119-hr-2417"
    daily_words = sum(len(t.text.split()) for t in daily.turns)
    weekly_words = sum(len(t.text.split()) for t in weekly.turns)
    assert weekly_words > daily_words


def test_thin_material_gives_a_shorter_script_with_a_note_and_no_padding() -> None:
    thin = tuple(
        Bill(
            id=BillId(119, "hr", 100 + n),
            title=f"Thin Bill Act number {n}",
            summary=f"This bill renames the post office on Main Street in town number {n}.",
            status="introduced",
            source="billstatus",
        )
        for n in range(3)
    )
    script = _write(thin)
    minutes = script.words / WPM
    assert script.words < 0.8 * 825
    assert script.notes == (f"3 bills with short summaries: {minutes:.1f} of 5 minutes",)
    for segment in script.segments:
        sentences = [s for t in segment.turns for s in split_sentences(t.text)]
        assert len(sentences) == len(set(sentences)), segment
    summaries = [s for t in script.turns for s in split_sentences(t.text) if "post office" in s]
    assert len(summaries) == 3  # each summary said once, none repeated to fill time


def test_missing_summaries_are_named_in_the_note() -> None:
    bare = Bill(BillId(119, "s", 5), "A bill to do a thing.", source="billstatus")
    script = _write((bare,))
    assert script.notes[0].startswith("1 bill without summaries: ")


def test_an_empty_episode_still_has_intro_and_outro() -> None:
    script = _write(())
    assert [s.kind for s in script.segments] == ["intro", "outro"]
    assert script.notes[0].startswith("no bills to cover: ")
    assert "nothing new" in _segment_text(script, "intro")


def test_too_many_bills_for_the_time_covers_those_that_fit_in_order_and_names_the_rest() -> None:
    crowd = tuple(WEEKLY_BILLS[i % 8].with_(id=BillId(119, "hr", 3000 + i)) for i in range(40))
    script = _write(crowd)
    covered = [s.bill_id for s in script.segments[1:-1]]
    assert 3 <= len(covered) < 40
    assert covered[:3] == [str(b.id) for b in crowd[:3]]
    assert covered == sorted(covered, key=[str(b.id) for b in crowd].index)  # in order
    assert script.words <= 1.2 * 300 * WPM / 60
    left = [str(b.id) for b in crowd if str(b.id) not in covered]
    assert f"left out {len(left)} bill(s) for time: {', '.join(left)}" in script.notes


# --- structure --------------------------------------------------------------------------


def test_one_segment_per_bill_in_order_between_intro_and_outro() -> None:
    script = _write(WEEKLY_BILLS, "weekly")
    assert [s.kind for s in script.segments] == ["intro", *["bill"] * 8, "outro"]
    assert [s.bill_id for s in script.segments[1:-1]] == [str(b.id) for b in WEEKLY_BILLS]
    assert script.segments[1].title == "H.R. 2417: Rural Broadband Access Act of 2025"
    assert script.hosts == ("Maya", "Theo")
    assert {t.speaker for t in script.turns} == {"Maya", "Theo"}
    assert script.title == "Weekly deep dive: March 5, 2026"


def test_hosts_take_turns() -> None:
    for segment in _write(WEEKLY_BILLS, "weekly").segments:
        speakers = [t.speaker for t in segment.turns]
        assert all(a != b for a, b in itertools.pairwise(speakers)), segment.title


def test_repeated_bills_are_covered_once_and_noted() -> None:
    script = _write((BROADBAND, VETERANS, BROADBAND))
    assert [s.bill_id for s in script.segments[1:-1]] == ["119-hr-2417", "119-s-1182"]
    assert "skipped 1 repeated bill(s)" in script.notes


def test_request_hosts_are_the_speakers() -> None:
    request = _request(DAILY_BILLS)
    request = ScriptRequest(request.listener, "daily", DAY, DAILY_BILLS, ("Ana", "Ben"), 300, WPM)
    script = TemplateWriter().write(request)
    assert {t.speaker for t in script.turns} == {"Ana", "Ben"}
    assert "Ana and Ben are synthetic voices" in _segment_text(script, "outro")


# --- personal words stay in the intro and outro ------------------------------------------


def test_bill_segments_are_identical_for_two_listeners() -> None:
    priya = _write(DAILY_BILLS, listener=PRIYA)
    jonas = _write(DAILY_BILLS, listener=JONAS)
    assert priya.segments[1:-1] == jonas.segments[1:-1]
    assert priya.segments[0] != jonas.segments[0]


@pytest.mark.parametrize("seconds", range(200, 1000, 40))
def test_personal_words_never_change_how_deep_a_bill_goes(seconds: int) -> None:
    """A long name and no state leave more room than "Priya in Oregon", yet bills match."""
    long_name = Listener("Maria Josefina de la Cruz Villanueva", None)
    scripts = [
        TemplateWriter().write(
            ScriptRequest(who, "weekly", DAY, WEEKLY_BILLS, ("Maya", "Theo"), seconds, WPM)
        )
        for who in (PRIYA, long_name)
    ]
    assert scripts[0].segments[1:-1] == scripts[1].segments[1:-1]


def test_bill_segments_do_not_depend_on_the_day_or_episode_type() -> None:
    today = _write(DAILY_BILLS)
    later = _write(DAILY_BILLS, day=date(2026, 3, 9))
    assert today.segments[1:-1] == later.segments[1:-1]


def test_listener_name_and_state_appear_in_intro_and_outro_only() -> None:
    script = _write(WEEKLY_BILLS, "weekly")
    intro, outro = _segment_text(script, "intro"), _segment_text(script, "outro")
    assert "Priya" in intro
    assert "Priya" in outro
    assert "Oregon" in intro
    for segment in script.segments[1:-1]:
        text = " ".join(t.text for t in segment.turns)
        assert "Priya" not in text
        assert "Oregon" not in text


def test_intro_speaks_the_date_and_what_is_covered() -> None:
    intro = _segment_text(_write(DAILY_BILLS), "intro")
    assert "Thursday, March fifth, twenty twenty-six" in intro
    assert "three bills" in intro
    for area in (
        "Science, Technology, Communications",
        "Armed Forces and National Security",
        "Taxation",
    ):
        assert area in intro


def test_an_unreadable_name_is_not_spoken_and_is_noted() -> None:
    script = _write(DAILY_BILLS, listener=Listener("MAYA:", "OR"))
    assert "MAYA" not in " ".join(t.text for t in script.turns)
    assert "Hi there" in _segment_text(script, "intro") or "Hello there" in _segment_text(
        script, "intro"
    )
    assert "the listener's name could not be read aloud; greeted without it" in script.notes


def test_unknown_state_is_simply_left_out() -> None:
    for listener in (Listener("Sam"), Listener("Sam", "ZZ"), Listener("Sam", "Atlantis")):
        intro = _segment_text(_write(DAILY_BILLS, listener=listener), "intro")
        assert "Sam" in intro
        assert "Glad to have you with us" not in intro


# --- disclosure ---------------------------------------------------------------------------


def test_outro_discloses_synthetic_voices_and_sources() -> None:
    outro = _segment_text(_write(DAILY_BILLS), "outro")
    assert "Maya and Theo are synthetic voices" in outro
    assert "computer-generated speech" in outro
    assert "Congressional Research Service" in outro


def test_no_research_service_credit_when_the_source_is_not_a_public_record() -> None:
    private = tuple(b.with_(source="fixture") for b in DAILY_BILLS)
    outro = _segment_text(_write(private), "outro")
    assert "synthetic voices" in outro
    assert "Congressional Research Service" not in outro
    no_summaries = tuple(b.with_(summary=None) for b in DAILY_BILLS)
    outro = _segment_text(_write(no_summaries), "outro")
    assert "Congressional Research Service" not in outro
    assert "public congressional records" in outro


# --- grounded content -----------------------------------------------------------------------


def _bill_text(script: Script, bill: Bill) -> str:
    [segment] = [s for s in script.segments if s.bill_id == str(bill.id)]
    return " ".join(t.text for t in segment.turns)


def test_bill_segment_says_what_who_where_and_next() -> None:
    text = _bill_text(_write(WEEKLY_BILLS, "weekly"), SMALL_BUSINESS)
    assert "H.R. nine oh five" in text
    assert "Small Business Tax Filing Simplification Act" in text
    assert "gross receipts of five million dollars or less" in text
    assert "Representative Grace Okafor, a Republican from Ohio's seventh district" in text
    assert "forty-one" in text
    assert "cosponsors" in text
    assert "the House Ways and Means Committee" in text
    assert "has passed the House" in text
    assert "Next it goes to the Senate" in text
    assert "Taxation" in text


@pytest.mark.parametrize(
    ("bill", "expected"),
    [
        (APPRENTICESHIP, "doesn't go to the other chamber or to the President"),
        (WILDFIRE, "ten days, not counting Sundays"),
        (METHANE, "Next it goes to the House"),
        (BUDGET, "the Senate would have to agree to it too"),
        (VETERANS, "The committee has to act"),
        (DRUG_PRICES, "it has to get through committee"),
        (BROADBAND, "a vote on the House floor"),
    ],
)
def test_next_step_follows_type_and_status(bill: Bill, expected: str) -> None:
    assert expected in _bill_text(_write(WEEKLY_BILLS, "weekly"), bill)


def test_titles_read_naturally() -> None:
    script = _write(WEEKLY_BILLS, "weekly")
    assert "the Rural Broadband Access Act of twenty twenty-five" in _bill_text(script, BROADBAND)
    assert "House Resolution three twelve, a resolution supporting the designation" in _bill_text(
        script, APPRENTICESHIP
    )
    assert "Senate Joint Resolution twenty-one" in _bill_text(script, METHANE)
    assert "an Independent from Maine" in _bill_text(script, DRUG_PRICES)


def test_record_noise_is_not_read() -> None:
    script = _write(WEEKLY_BILLS, "weekly")
    text = " ".join(t.text for t in script.turns)
    assert "Roll no" not in text
    assert "Record Vote Number" not in text
    assert "Motion to reconsider" not in text
    assert "Sec." not in text
    assert "section four" not in text
    assert not re.search(r"[0-9]", text)


def test_every_summary_sentence_is_said_at_most_once() -> None:
    text = " ".join(t.text for t in _write(WEEKLY_BILLS, "weekly").turns)
    assert text.count("must report to Congress each year") == 1
    assert text.count("The rule was scheduled to take effect") == 1


def test_phrasing_varies_between_bills_but_not_between_runs() -> None:
    first = _write(WEEKLY_BILLS, "weekly")
    again = TemplateWriter().write(_request(WEEKLY_BILLS, "weekly"))
    assert first == again
    openers = {s.turns[0].text.split(" H.R.")[0].split(" S")[0][:12] for s in first.segments[1:-1]}
    assert len(openers) >= 3


def test_missing_fields_are_handled() -> None:
    bare = Bill(BillId(119, "sres", 40), "", status="not-a-status")
    script = _write((bare,))
    text = _bill_text(script, bare)
    assert text.startswith(tuple(o.split("{")[0] for o in _openers()))
    assert "Senate Resolution forty" in text
    validate(script, Budget.for_duration(300, WPM))


def _openers() -> tuple[str, ...]:
    from briefcast.providers import template_phrases

    return template_phrases.OPENERS


# --- anything a record may hold still yields a valid script --------------------------------

_SENTENCES = [s for b in WEEKLY_BILLS for s in split_sentences(b.summary or "")]
_free_text = st.text(max_size=40)
_sentence = (
    st.sampled_from(_SENTENCES)
    | _free_text
    | st.sampled_from(
        [
            "MAYA: read this",
            "See https://congress.gov.",
            "(laughs) [nodding] *sighs*",
            "Call 555-0100 🎉",
            "Write to a@b.gov",
            "<p><b>Heading</b></p>",
            "Theo:",
            "   ",
            "H.R. 12 (D-ZZ) [R-TX-0]",
        ]
    )
)
_dates = st.dates(date(1990, 1, 1), date(2030, 12, 31))
bills = st.builds(
    Bill,
    id=st.builds(
        BillId, st.integers(93, 119), st.sampled_from(sorted(BILL_TYPES)), st.integers(1, 9999)
    ),
    title=_sentence,
    short_title=st.none() | _sentence,
    sponsor=st.none()
    | st.builds(
        Sponsor,
        name=st.sampled_from(["Rep. Doe, Jane [D-VA-8]", "Sen. Roe, Sam", "Del. Ko, Lee", ""])
        | _free_text,
        party=st.none() | st.sampled_from(["D", "R", "I", "X"]),
        state=st.none() | st.sampled_from([*sorted(STATE_NAMES), "ZZ", "Texas"]),
        district=st.none() | st.sampled_from(["1", "12", "0", "At Large"]),
    ),
    cosponsors_count=st.integers(0, 300),
    policy_area=st.none() | _sentence,
    subjects=st.lists(_sentence, max_size=15).map(tuple),
    summary=st.none() | st.lists(_sentence, max_size=7).map(" ".join),
    introduced_date=st.none() | _dates,
    latest_action=st.none() | st.builds(Action, _dates, _sentence),
    actions=st.lists(st.builds(Action, _dates, _sentence), max_size=6).map(tuple),
    committees=st.lists(
        st.builds(
            Committee,
            _sentence,
            st.none() | st.sampled_from(["House", "Senate"]),
            st.lists(
                st.sampled_from(["Referred to", "Markup by", "Reported by", "Hearings by"]),
                max_size=3,
            ).map(tuple),
        ),
        max_size=4,
    ).map(tuple),
    status=st.sampled_from([*BILL_STATUSES, "unknown"]),
    source=st.sampled_from(["billstatus", "congress.gov", "fixture"]),
)


@given(
    st.lists(bills, max_size=3, unique_by=lambda b: str(b.id)),
    st.sampled_from(["daily", "weekly"]),
    st.builds(
        Listener,
        st.sampled_from(["Priya", "Jonas"]) | _free_text,
        st.none() | st.sampled_from(["VA", "ZZ"]),
    ),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_bills_always_yield_a_valid_script(
    generated: list[Bill], kind: EpisodeType, listener: Listener
) -> None:
    request = _request(tuple(generated), kind, listener)
    script = TemplateWriter().write(request)
    validate(script, Budget.for_duration(request.target_seconds, WPM))
    assert [s.bill_id for s in script.segments[1:-1]] == [str(b.id) for b in generated]
    assert "synthetic voices" in _segment_text(script, "outro")
    assert not re.search(r"[0-9]", " ".join(t.text for t in script.turns))
