"""BILLSTATUS XML in every layout, checked against values read off the files by hand.

The table below was filled in by reading each file (its top-level ``title``
list, ``latestAction`` and ``sponsors`` elements, and its action history for
the status), not by running the parser.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

from briefcast.bills import Bill, Sponsor
from briefcast.errors import BillSourceError
from briefcast.providers.billstatus import SOURCE, parse_billstatus, read_billstatus


class Expected(NamedTuple):
    id: str
    title: str
    short_title: str | None
    sponsor: tuple[str, str, str, str | None] | None  # name, party, state, district
    latest: tuple[str, str]  # date, text
    status: str
    cosponsors: int


E = Expected
EXPECTED: dict[str, Expected] = {
    "actions-committees/BILLSTATUS-115s2979.xml": E(
        "115-s-2979",
        "A bill to rescind certain budget authority proposed to be rescinded in special messages "
        "transmitted to the Congress by the President on May 8, 2018, in accordance with title X "
        "of the Congressional Budget and Impoundment Control Act 1974.",
        "Spending Cuts to Expired and Unnecessary Programs Act",
        ("Mike Lee", "R", "UT", None),
        (
            "2018-05-24",
            "Read twice and referred concurrently to the Committees on Appropriations; the Budget "
            "pursuant to the order of January 30, 1975, as modified by the order of April 11, "
            "1986, with instructions that the Budget Committee be authorized to report its views "
            "to the Appropriations Committee, and that the latter alone be authorized to report "
            "the bill.",
        ),
        "in_committee",
        11,
    ),
    "actions-committees/BILLSTATUS-116hr3055.xml": E(
        "116-hr-3055",
        "Making further continuing appropriations for fiscal year 2020, and for other purposes.",
        "Further Continuing Appropriations Act, 2020, and Further Health Extenders Act of 2019",
        ("Jose E. Serrano", "D", "NY", "15"),
        ("2019-11-21", "Signed by President."),
        "became_law",
        0,
    ),
    "actions-committees/BILLSTATUS-116hr4907.xml": E(
        "116-hr-4907",
        "To save and strengthen critical social contract programs of the Federal Government.",
        "Time to Rescue United States Trusts Act",
        ("Mike Gallagher", "R", "WI", "8"),
        (
            "2019-10-29",
            "Referred to the Committee on Oversight and Reform, and in addition to the Committees "
            "on Rules, and the Budget, for a period to be subsequently determined by the Speaker, "
            "in each case for consideration of such provisions as fall within the jurisdiction of "
            "the committee concerned.",
        ),
        "in_committee",
        6,
    ),
    "actions-committees/BILLSTATUS-116hr5053.xml": E(
        "116-hr-5053",
        "To exempt juveniles from the requirements for suits by prisoners, and for other purposes.",
        "Justice for Juveniles Act",
        ("Mary Gay Scanlon", "D", "PA", "5"),
        ("2019-11-12", "Referred to the House Committee on the Judiciary."),
        "in_committee",
        8,
    ),
    "actions-committees/BILLSTATUS-116hr5177.xml": E(
        "116-hr-5177",
        "To amend the Runaway and Homeless Youth Act to permit services provided by grant "
        "recipients to include provision of sanitary napkins and tampons.",
        "Homeless Youth Menstrual Product Access Act of 2019",
        ("Joyce Beatty", "D", "OH", "3"),
        ("2019-11-19", "Referred to the House Committee on Education and Labor."),
        "in_committee",
        7,
    ),
    "actions-committees/BILLSTATUS-116hr5183.xml": E(
        "116-hr-5183",
        "To exempt breastfeeding women from jury duty, and for other purposes.",
        "Breastfeeding Mothers Jury Duty Exclusion Act of 2019",
        ("Eleanor Holmes Norton", "D", "DC", "At Large"),
        (
            "2019-11-19",
            "Referred to the Committee on the Judiciary, and in addition to the Committee on "
            "Oversight and Reform, for a period to be subsequently determined by the Speaker, in "
            "each case for consideration of such provisions as fall within the jurisdiction of the "
            "committee concerned.",
        ),
        "in_committee",
        0,
    ),
    "actions-committees/BILLSTATUS-116hr5240.xml": E(
        "116-hr-5240",
        "To amend the Internal Revenue Code of 1986 to make the look-thru rule for related "
        "controlled foreign corporations permanent.",
        None,
        ("Ron Kind", "D", "WI", "3"),
        ("2019-11-21", "Referred to the House Committee on Ways and Means."),
        "in_committee",
        13,
    ),
    "actions-committees/BILLSTATUS-116s2902.xml": E(
        "116-s-2902",
        "A bill to enhance the rural health workforce, and for other purposes.",
        "Strengthening Our Rural Health Workforce Act of 2019",
        ("Tina Smith", "D", "MN", None),
        (
            "2019-11-20",
            "Read twice and referred to the Committee on Health, Education, Labor, and Pensions.",
        ),
        "in_committee",
        1,
    ),
    "actions-committees/BILLSTATUS-116s790.xml": E(
        "116-s-790",
        "A bill to clarify certain provisions of Public Law 103-116, the Catawba Indian Tribe of "
        "South Carolina Land Claims Settlement Act of 1993, and for other purposes.",
        None,
        ("Lindsey Graham", "R", "SC", None),
        (
            "2019-05-01",
            "Committee on Indian Affairs. Hearings held. Hearings printed: S.Hrg. 116-77.",
        ),
        "in_committee",
        2,
    ),
    "actions-committees/BILLSTATUS-116s832.xml": E(
        "116-s-832",
        "A bill to nullify the Supplemental Treaty Between the United States of America and the "
        "Confederated Tribes and Bands of Indians of Middle Oregon, concluded on November 15, "
        "1865.",
        None,
        ("Jeff Merkley", "D", "OR", None),
        ("2019-07-03", "Referred to the Subcommittee for Indigenous Peoples of the United States."),
        "passed_senate",
        1,
    ),
    "current/BILLSTATUS-117hr1.xml": E(
        "117-hr-1",
        "To expand Americans’ access to the ballot box, reduce the influence of big money in "
        "politics, strengthen ethics rules for public servants, and implement other "
        "anti-corruption measures for the purpose of fortifying our democracy, and for other "
        "purposes.",
        "For the People Act of 2021",
        ("John P. Sarbanes", "D", "MD", "3"),
        ("2021-03-11", "Received in the Senate."),
        "passed_house",
        222,
    ),
    "current/BILLSTATUS-117hr4350.xml": E(
        "117-hr-4350",
        "To authorize appropriations for fiscal year 2022 for military activities of the "
        "Department of Defense, for military construction, and for defense activities of the "
        "Department of Energy, to prescribe military personnel strengths for such fiscal year, and "
        "for other purposes.",
        "National Defense Authorization Act for Fiscal Year 2022",
        ("Adam Smith", "D", "WA", "9"),
        ("2021-12-02", "Considered by Senate. (consideration: CR S8875-8876, S8876-8881)"),
        "passed_house",
        1,
    ),
    "current/BILLSTATUS-117hr6658.xml": E(
        "117-hr-6658",
        "To amend the Internal Revenue Code of 1986 to make permanent certain provisions of the "
        "Tax Cuts and Jobs Act affecting individuals, families, and small businesses.",
        "Protecting Family and Small Business Tax Cuts Act of 2022",
        ("Rodney Davis", "R", "IL", "13"),
        ("2022-02-09", "Referred to the House Committee on Ways and Means."),
        "in_committee",
        110,
    ),
    "current/BILLSTATUS-117s1260.xml": E(
        "117-s-1260",
        "To establish a new Directorate for Technology and Innovation in the National Science "
        "Foundation, to establish a regional technology hub program, to require a strategy and "
        "report on economic security, science, research, innovation, manufacturing, and job "
        "creation, to establish a critical supply chain resiliency program, and for other "
        "purposes.",
        "United States Innovation and Competition Act of 2021",
        ("Charles E. Schumer", "D", "NY", None),
        (
            "2021-06-08",
            "Passed Senate, under the order of 5/28/21, having achieved 60 votes in the "
            "affirmative, with an amendment by Yea-Nay Vote. 68 - 32. Record Vote Number: 226. "
            "(text: CR S4049-4499)",
        ),
        "passed_senate",
        13,
    ),
    "current/BILLSTATUS-117s35.xml": E(
        "117-s-35",
        "To award a Congressional Gold Medal to Officer Eugene Goodman.",
        "Officer Eugene Goodman Congressional Gold Medal Act",
        ("Chris Van Hollen", "D", "MD", None),
        ("2021-02-18", "Held at the desk."),
        "passed_senate",
        72,
    ),
    "current/BILLSTATUS-117sconres14.xml": E(
        "117-sconres-14",
        "A concurrent resolution setting forth the congressional budget for the United States "
        "Government for fiscal year 2022 and setting forth the appropriate budgetary levels for "
        "fiscal years 2023 through 2031.",
        None,
        ("Bernard Sanders", "I", "VT", None),
        (
            "2021-08-24",
            "Pursuant to the provisions of H. Res. 601, S. Con. Res. 14 is considered passed "
            "House. (text: CR H4372-4384)",
        ),
        "agreed_to",
        10,
    ),
    "current/BILLSTATUS-117sconres5.xml": E(
        "117-sconres-5",
        "A concurrent resolution setting forth the congressional budget for the United States "
        "Government for fiscal year 2021 and setting forth the appropriate budgetary levels for "
        "fiscal years 2022 through 2030.",
        None,
        ("Bernard Sanders", "I", "VT", None),
        (
            "2021-02-05",
            "Pursuant to the provisions of H. Res. 101, S. Con. Res. 5 is considered passed House. "
            "(consideration: CR H447-455)",
        ),
        "agreed_to",
        0,
    ),
    "current/BILLSTATUS-117sconres7.xml": E(
        "117-sconres-7",
        "A concurrent resolution recognizing the heroism of the United States Capitol personnel "
        "and journalists during the insurrectionist attack on the United States Capitol on "
        "January 6, 2021.",
        None,
        ("Amy Klobuchar", "D", "MN", None),
        ("2021-03-01", "Referred to the Committee on Rules and Administration."),
        "in_committee",
        38,
    ),
    "legacy/BILLSTATUS-114hconres70.xml": E(
        "114-hconres-70",
        "Authorizing the use of the Capitol Grounds for the District of Columbia Special Olympics "
        "Law Enforcement Torch Run.",
        None,
        ("Eleanor Holmes Norton", "D", "DC", "At Large"),
        ("2015-09-17", "Message on Senate action sent to the House."),
        "agreed_to",
        0,
    ),
    "legacy/BILLSTATUS-114hjres45.xml": E(
        "114-hjres-45",
        "Proposing an amendment to the Constitution of the United States to protect the rights of "
        "crime victims.",
        None,
        ("Trent Franks", "R", "AZ", "8"),
        ("2015-05-01", "Subcommittee Hearings Held."),
        "in_committee",
        6,
    ),
    "legacy/BILLSTATUS-114hr1155.xml": E(
        "114-hr-1155",
        "To provide for the establishment of a process for the review of rules and sets of rules, "
        "and for other purposes.",
        "SCRUB Act of 2016",
        ("Jason Smith", "R", "MO", "8"),
        (
            "2016-01-11",
            "Received in the Senate and Read twice and referred to the Committee on Homeland "
            "Security and Governmental Affairs.",
        ),
        "passed_house",
        9,
    ),
    "legacy/BILLSTATUS-114hr1314.xml": E(
        "114-hr-1314",
        "To amend the Internal Revenue Code of 1986 to provide for a right to an administrative "
        "appeal relating to adverse determinations of tax-exempt status of certain organizations.",
        "Bipartisan Budget Act of 2015",
        ("Patrick Meehan", "R", "PA", "7"),
        ("2015-11-02", "Became Public Law No: 114-74."),
        "became_law",
        2,
    ),
    "legacy/BILLSTATUS-114hr1531.xml": E(
        "114-hr-1531",
        "To amend title 5, United States Code, to provide a pathway for temporary seasonal "
        "employees in Federal land management agencies to compete for vacant permanent positions "
        "under internal merit promotion procedures, and for other purposes.",
        "Land Management Workforce Flexibility Act",
        ("Gerald E. Connolly", "D", "VA", "11"),
        (
            "2015-08-28",
            "By Senator Johnson from Committee on Homeland Security and Governmental Affairs filed "
            "written report under authority of the order of the Senate of 08/05/2015. Report No. "
            "114-123.",
        ),
        "became_law",
        16,
    ),
    "legacy/BILLSTATUS-114hr22.xml": E(
        "114-hr-22",
        "An act to authorize funds for Federal-aid highways, highway safety programs, and transit "
        "programs, and for other purposes.",
        "FAST Act",
        ("Rodney Davis", "R", "IL", "13"),
        ("2015-12-04", "Became Public Law No: 114-94."),
        "became_law",
        118,
    ),
    "legacy/BILLSTATUS-114hr2566.xml": E(
        "114-hr-2566",
        "To amend the Communications Act of 1934 to ensure the integrity of voice communications "
        "and to prevent unjust or unreasonable discrimination among areas of the United States in "
        "the delivery of such communications.",
        "Improving Rural Call Quality and Reliability Act of 2015",
        ("David Young", "R", "IA", "3"),
        ("2016-09-21", "Ordered to be Reported by Voice Vote."),
        "reported",
        16,
    ),
    "legacy/BILLSTATUS-114hr2822.xml": E(
        "114-hr-2822",
        "Making appropriations for the Department of the Interior, environment, and related "
        "agencies for the fiscal year ending September 30, 2016, and for other purposes.",
        "Department of the Interior, Environment, and Related Agencies Appropriations Act, 2016",
        ("Ken Calvert", "R", "CA", "42"),
        (
            "2015-07-08",
            "Committee of the Whole House on the state of the Union rises leaving H.R. 2822 as "
            "unfinished business.",
        ),
        "reported",
        0,
    ),
    "legacy/BILLSTATUS-114hr3106.xml": E(
        "114-hr-3106",
        "To authorize Department major medical facility construction projects for fiscal year "
        "2015, to amend title 38, United States Code, to make certain improvements in the "
        "administration of Department medical facility construction projects, and for other "
        "purposes.",
        "Construction Reform Act of 2015",
        ("Jeff Miller", "R", "FL", "1"),
        ("2015-12-03", "Placed on the Union Calendar, Calendar No. 277."),
        "reported",
        2,
    ),
    "legacy/BILLSTATUS-114hr3762.xml": E(
        "114-hr-3762",
        "To provide for reconciliation pursuant to section 2002 of the concurrent resolution on "
        "the budget for fiscal year 2016.",
        "Restoring Americans' Healthcare Freedom Reconciliation Act of 2015",
        ("Tom Price", "R", "GA", "6"),
        (
            "2016-01-08",
            "On motion to postpone consideration of the veto message until Jan. 26. Agreed to by "
            "voice vote.",
        ),
        "vetoed",
        0,
    ),
    "legacy/BILLSTATUS-114hres348.xml": E(
        "114-hres-348",
        "Supporting the right of the people of Ukraine to freely elect their government and "
        "determine their future.",
        None,
        ("David N. Cicilline", "D", "RI", "1"),
        ("2015-10-20", "Motion to reconsider laid on the table Agreed to without objection."),
        "agreed_to",
        45,
    ),
    "legacy/BILLSTATUS-114s1300.xml": E(
        "114-s-1300",
        "A bill to amend the section 221 of the Immigration and Nationality Act to provide relief "
        "for adoptive families from immigrant visa fees in certain situations.",
        "Adoptive Family Relief Act",
        ("Dianne Feinstein", "D", "CA", None),
        ("2015-10-16", "Became Public Law No: 114-70."),
        "became_law",
        21,
    ),
    "legacy/BILLSTATUS-114s2848.xml": E(
        "114-s-2848",
        "A bill to provide for the conservation and development of water and related resources, "
        "to authorize the Secretary of the Army to construct various projects for improvements to "
        "rivers and harbors of the United States, and for other purposes.",
        "Water Resources Development Act of 2016",
        None,  # an original bill reported by a committee: <sponsors /> is empty
        ("2016-09-19", "Held at the desk."),
        "passed_senate",
        1,
    ),
    "legacy/BILLSTATUS-114s469.xml": E(
        "114-s-469",
        "A bill to improve the reproductive assistance provided by the Department of Defense and "
        "the Department of Veterans Affairs to severely wounded, ill, or injured members of the "
        "Armed Forces, veterans, and their spouses or partners, and for other purposes.",
        "Women Veterans and Families Health Services Act of 2015",
        ("Patty Murray", "D", "WA", None),
        ("2015-06-24", "Committee on Veterans' Affairs. Hearings held."),
        "in_committee",
        12,
    ),
    "legacy/BILLSTATUS-114sconres11.xml": E(
        "114-sconres-11",
        "An original concurrent resolution setting forth the congressional budget for the United "
        "States Government for fiscal year 2016 and setting forth the appropriate budgetary levels "
        "for fiscal years 2017 through 2025.",
        None,
        ("Michael B. Enzi", "R", "WY", None),
        ("2015-05-06", "Message on Senate action sent to the House."),
        "agreed_to",
        0,
    ),
    "legacy/BILLSTATUS-114sjres8.xml": E(
        "114-sjres-8",
        "A joint resolution providing for congressional disapproval under chapter 8 of title 5, "
        "United States Code, of the rule submitted by the National Labor Relations Board relating "
        "to representation case procedures.",
        None,
        ("Lamar Alexander", "R", "TN", None),
        (
            "2015-05-05",
            "Motion to table the veto message to accompany S. J. Res. 8 agreed to in Senate by "
            "Yea-Nay Vote. 96 - 3. Record Vote Number: 172. (consideration: CR S2644)",
        ),
        "vetoed",
        51,
    ),
    "legacy/BILLSTATUS-114sres105.xml": E(
        "114-sres-105",
        "A resolution recognizing the 194th anniversary of the independence of Greece and "
        "celebrating democracy in Greece and the United States.",
        None,
        ("Robert Menendez", "D", "NJ", None),
        (
            "2015-03-27",
            "Resolution agreed to in Senate without amendment and with a preamble by Unanimous "
            "Consent.",
        ),
        "agreed_to",
        28,
    ),
    "legacy/BILLSTATUS-115sconres3.xml": E(
        "115-sconres-3",
        "A concurrent resolution setting forth the congressional budget for the United States "
        "Government for fiscal year 2017 and setting forth the appropriate budgetary levels for "
        "fiscal years 2018 through 2026.",
        None,
        ("Michael B. Enzi", "R", "WY", None),
        ("2017-01-13", "Motion to reconsider laid on the table Agreed to without objection."),
        "agreed_to",
        0,
    ),
    "v3/BILLSTATUS-114hr5278.xml": E(
        "114-hr-5278",
        "To establish an Oversight Board to assist the Government of Puerto Rico, including "
        "instrumentalities, in managing its public finances, and for other purposes.",
        "PROMESA",
        ("Sean P. Duffy", "R", "WI", "7"),
        (
            "2016-06-13",
            "Received in the Senate and Read twice and referred to the Committee on Energy and "
            "Natural Resources.",
        ),
        "passed_house",  # the Senate took up S. 2328 instead, which became the law
        2,
    ),
    "v3/BILLSTATUS-117hr1.xml": E(
        "117-hr-1",
        "To expand Americans’ access to the ballot box, reduce the influence of big money in "
        "politics, strengthen ethics rules for public servants, and implement other "
        "anti-corruption measures for the purpose of fortifying our democracy, and for other "
        "purposes.",
        "For the People Act of 2021",
        ("John P. Sarbanes", "D", "MD", "3"),
        ("2021-03-11", "Received in the Senate."),
        "passed_house",
        222,
    ),
    "v3/BILLSTATUS-117hr4350.xml": E(
        "117-hr-4350",
        "To authorize appropriations for fiscal year 2022 for military activities of the "
        "Department of Defense, for military construction, and for defense activities of the "
        "Department of Energy, to prescribe military personnel strengths for such fiscal year, and "
        "for other purposes.",
        "National Defense Authorization Act for Fiscal Year 2022",
        ("Adam Smith", "D", "WA", "9"),
        ("2022-03-01", "Returned to the Calendar. Calendar No. 144."),
        "passed_house",
        1,
    ),
    "v3/BILLSTATUS-117hr6658.xml": E(
        "117-hr-6658",
        "To amend the Internal Revenue Code of 1986 to make permanent certain provisions of the "
        "Tax Cuts and Jobs Act affecting individuals, families, and small businesses.",
        "Protecting Family and Small Business Tax Cuts Act of 2022",
        ("Rodney Davis", "R", "IL", "13"),
        ("2022-02-09", "Referred to the House Committee on Ways and Means."),
        "in_committee",
        111,
    ),
    "v3/BILLSTATUS-117s35.xml": E(
        "117-s-35",
        "A bill to award a Congressional Gold Medal to Officer Eugene Goodman.",
        "Officer Eugene Goodman Congressional Gold Medal Act",
        ("Chris Van Hollen", "D", "MD", None),
        ("2021-02-18", "Held at the desk."),
        "passed_senate",
        72,
    ),
    "v3/BILLSTATUS-117sconres5.xml": E(
        "117-sconres-5",
        "A concurrent resolution setting forth the congressional budget for the United States "
        "Government for fiscal year 2021 and setting forth the appropriate budgetary levels for "
        "fiscal years 2022 through 2030.",
        None,
        ("Bernard Sanders", "I", "VT", None),
        (
            "2021-02-05",
            "Pursuant to the provisions of H. Res. 101, S. Con. Res. 5 is considered passed House. "
            "(consideration: CR H447-455)",
        ),
        "agreed_to",
        0,
    ),
}


@cache
def _parsed(path: Path) -> Bill:
    return read_billstatus(path)


def _file(shared_data: Path, name: str) -> Path:
    return shared_data / "billstatus" / name


def test_the_table_covers_every_file(shared_data: Path) -> None:
    folder = shared_data / "billstatus"
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*.xml")}
    assert on_disk == set(EXPECTED)
    assert {name.split("/")[0] for name in on_disk} == {
        "legacy",
        "current",
        "actions-committees",
        "v3",
    }


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_file_yields_id_title_sponsor_and_latest_action(shared_data: Path, name: str) -> None:
    expected = EXPECTED[name]
    bill = _parsed(_file(shared_data, name))
    assert str(bill.id) == expected.id
    assert bill.title == expected.title
    assert bill.short_title == expected.short_title
    if expected.sponsor is None:
        assert bill.sponsor is None
    else:
        assert bill.sponsor is not None
        sponsor = (bill.sponsor.name, bill.sponsor.party, bill.sponsor.state, bill.sponsor.district)
        assert sponsor == expected.sponsor
    assert bill.latest_action is not None
    assert (bill.latest_action.date.isoformat(), bill.latest_action.text) == expected.latest
    assert bill.status == expected.status
    assert bill.cosponsors_count == expected.cosponsors
    assert bill.source == SOURCE


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?]")
_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_file_gives_a_coherent_bill(shared_data: Path, name: str) -> None:
    bill = _parsed(_file(shared_data, name))
    if bill.summary is not None:
        assert not _TAG.search(bill.summary), "markup left in the summary"
        assert not _ENTITY.search(bill.summary), "an entity left unresolved"
        assert "\xa0" not in bill.summary
        assert all(p.strip() == p and p for p in bill.summary.split("\n\n"))
    dates = [action.date for action in bill.actions]
    assert dates == sorted(dates)
    # One file has a subcommittee hearing on a draft two days before the bill's introduction.
    assert bill.introduced_date in dates
    assert all(action.text for action in bill.actions)
    assert bill.update_date is not None
    assert bill.update_date.tzinfo is not None
    assert Bill.from_json(bill.to_json()) == bill


def test_summary_keeps_paragraphs_and_drops_markup(shared_data: Path) -> None:
    bill = _parsed(_file(shared_data, "v3/BILLSTATUS-117s35.xml"))
    assert bill.summary == (
        "Officer Eugene Goodman Congressional Gold Medal Act\n\n"
        "This bill directs the Speaker of the House of Representatives and the President pro "
        "tempore of the Senate to arrange for the presentation of a Congressional Gold Medal to "
        "U.S. Capitol Police Officer Eugene Goodman for his actions to protect the Senate chamber "
        "during the security breach at the U.S. Capitol on January 6, 2021."
    )


def test_legacy_summary_with_unclosed_paragraphs_and_entities(shared_data: Path) -> None:
    # The newest version (Public Law, 2015-08-07) repeats the House-reported text, which has
    # "specified&nbsp;land management" and a first paragraph noting the repeat.
    summary = _parsed(_file(shared_data, "legacy/BILLSTATUS-114hr1531.xml")).summary
    assert summary is not None
    paragraphs = summary.split("\n\n")
    assert paragraphs[0] == (
        "(This measure has not been amended since it was introduced. The expanded summary of the "
        "House reported version is repeated here.)"
    )
    assert paragraphs[1] == "Land Management Workforce Flexibility Act"
    assert paragraphs[2].startswith("(Sec. 2) Makes an employee of specified land management")


@pytest.mark.parametrize(
    ("name", "policy_area", "first_subjects"),
    [
        (
            "legacy/BILLSTATUS-114hr22.xml",
            "Transportation and Public Works",
            (
                "Accidents",
                "Accounting and auditing",
                "Administrative law and regulatory procedures",
            ),
        ),
        ("legacy/BILLSTATUS-114s2848.xml", "Water Resources Development", None),
        ("legacy/BILLSTATUS-114hr2566.xml", "Science, Technology, Communications", None),
        (
            "current/BILLSTATUS-117hr1.xml",
            "Government Operations and Politics",
            (
                "Accounting and auditing",
                "Administrative law and regulatory procedures",
                "Administrative remedies",
            ),
        ),
        ("current/BILLSTATUS-117hr6658.xml", "Taxation", ()),
        ("actions-committees/BILLSTATUS-116hr5053.xml", None, ()),
        (
            "v3/BILLSTATUS-117s35.xml",
            "Congress",
            (
                "Assault and harassment offenses",
                "Civil disturbances",
                "Congressional officers and employees",
            ),
        ),
    ],
)
def test_policy_area_and_subjects_in_each_layout(
    shared_data: Path, name: str, policy_area: str | None, first_subjects: tuple[str, ...] | None
) -> None:
    bill = _parsed(_file(shared_data, name))
    assert bill.policy_area == policy_area
    if first_subjects is not None:
        assert bill.subjects[: len(first_subjects)] == first_subjects
        assert len(bill.subjects) >= len(first_subjects)


def test_committees_with_activities_in_date_order(shared_data: Path) -> None:
    bill = _parsed(_file(shared_data, "legacy/BILLSTATUS-114hr1531.xml"))
    assert [(c.name, c.chamber, c.activities) for c in bill.committees] == [
        (
            "Homeland Security and Governmental Affairs Committee",
            "Senate",
            ("Referred to", "Markup by", "Reported by"),
        ),
        (
            "Oversight and Government Reform Committee",
            "House",
            ("Referred to", "Markup by", "Reported by"),
        ),
    ]


def test_v3_committees_and_action_chambers(shared_data: Path) -> None:
    bill = _parsed(_file(shared_data, "v3/BILLSTATUS-117hr6658.xml"))
    assert [(c.name, c.chamber, c.activities) for c in bill.committees] == [
        ("Ways and Means Committee", "House", ("Referred to",)),
    ]
    chambers = {a.chamber for a in _parsed(_file(shared_data, "v3/BILLSTATUS-117s35.xml")).actions}
    assert chambers == {"House", "Senate", None}


# --- synthetic documents: layouts side by side, and broken files ------------------------

OLDER = """<?xml version="1.0" encoding="UTF-8"?>
<billStatus><bill>
  <billNumber>7</billNumber><billType>HR</billType><congress>119</congress>
  <title>Test Act</title>
  <titles>
    <item><titleType>Official Title as Introduced</titleType><title>To test.</title></item>
  </titles>
  <sponsors><item><fullName>Rep. Roe, Jane [D-OR-3]</fullName></item></sponsors>
  <summaries><billSummaries>
    <item><actionDate>2025-03-01</actionDate><updateDate>2025-03-02T00:00:00Z</updateDate>
      <versionCode>07</versionCode><text>&lt;p&gt;Newer.&lt;/p&gt;</text></item>
    <item><actionDate>2025-01-01</actionDate><updateDate>2025-01-02T00:00:00Z</updateDate>
      <versionCode>53</versionCode><text>&lt;p&gt;Older.&lt;/p&gt;</text></item>
  </billSummaries></summaries>
  <actions>
    <item><actionDate>2025-01-02</actionDate><text>Referred to the Committee on Rules.</text>
      <sourceSystem><name>House floor actions</name></sourceSystem></item>
    <item><actionDate>2025-01-01</actionDate><text>Introduced in House</text></item>
  </actions>
  <latestAction><actionDate>2025-01-02</actionDate><text>Referred.</text></latestAction>
  <updateDate>2025-03-02T10:00:00Z</updateDate>
</bill></billStatus>
"""

V3 = (
    OLDER.replace(
        "<billNumber>7</billNumber><billType>HR</billType>", "<number>7</number><type>HR</type>"
    )
    .replace("<billSummaries>", "")
    .replace("</billSummaries>", "")
    .replace("<item><actionDate>2025-03-01", "<summary><actionDate>2025-03-01")
    .replace(
        "<item><actionDate>2025-01-01</actionDate><updateDate>",
        "<summary><actionDate>2025-01-01</actionDate><updateDate>",
    )
    .replace("&lt;/p&gt;</text></item>", "&lt;/p&gt;</text></summary>")
)


@pytest.mark.parametrize("document", [OLDER, V3], ids=["older", "v3"])
def test_both_layouts_read_the_same(document: str) -> None:
    bill = parse_billstatus(document.encode())
    assert str(bill.id) == "119-hr-7"
    assert (bill.title, bill.short_title) == ("To test.", "Test Act")
    assert bill.sponsor == Sponsor("Jane Roe", "D", "OR", "3")
    assert bill.summary == "Newer."  # latest by action date, whatever the version code
    assert [a.text for a in bill.actions] == [
        "Introduced in House",
        "Referred to the Committee on Rules.",
    ]
    assert bill.actions[1].chamber == "House"
    assert bill.latest_action is not None
    assert bill.latest_action.date == date(2025, 1, 2)
    assert bill.status == "in_committee"
    assert bill.update_date == datetime(2025, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"<billStatus><bill><congress>119</congress>", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b"<rss><channel/></rss>", "root is <rss>"),
        (b"<billStatus><dublinCore/></billStatus>", "without a <bill>"),
        (OLDER.replace("<congress>119</congress>", "").encode(), "no <congress>"),
        (
            OLDER.replace("<billType>HR</billType>", "<billType>XR</billType>").encode(),
            "unknown bill type",
        ),
        (
            OLDER.replace("<billNumber>7</billNumber>", "<billNumber>seven</billNumber>").encode(),
            "not numbered",
        ),
        (
            OLDER.replace(
                "<actionDate>2025-01-02</actionDate>", "<actionDate>soon</actionDate>", 1
            ).encode(),
            "is not a date",
        ),
        (
            OLDER.replace("<title>Test Act</title>", "")
            .replace("<title>To test.</title>", "")
            .encode(),
            "no title",
        ),
    ],
)
def test_broken_documents_say_what_is_wrong(document: bytes, reason: str) -> None:
    with pytest.raises(BillSourceError, match=re.escape(reason)):
        parse_billstatus(document)


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    document = OLDER.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE billStatus [<!ENTITY x SYSTEM "file://{secret}">]>',
    ).replace("<title>Test Act</title>", "<title>Test Act &x;</title>")
    bill = parse_billstatus(document.encode())
    assert "TOP-SECRET" not in repr(bill.to_json())
    assert bill.short_title == "Test Act"


def test_read_billstatus_names_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(BillSourceError, match=r"cannot read missing\.xml"):
        read_billstatus(tmp_path / "missing.xml")
