"""What the template writer's hosts say: phrasings to vary between, and the next step
a bill or resolution faces, by its type and status.

Phrasings never name the listener and never state a fact about a bill; the facts are
filled in from the bill record by :mod:`briefcast.providers.template_writer`. Options
for a bill segment work in any position in the episode ("Let's look at", never
"Next up"), so a segment reads the same whoever hears it and wherever it falls.
"""

from __future__ import annotations

import re

from briefcast.bills import Bill

__all__ = ["next_step"]

NOUNS = {
    "hr": "bill",
    "s": "bill",
    "hjres": "joint resolution",
    "sjres": "joint resolution",
    "hconres": "concurrent resolution",
    "sconres": "concurrent resolution",
    "hres": "resolution",
    "sres": "resolution",
}

# --- bill segments -----------------------------------------------------------------------

OPENERS = (
    "Let's look at {cite}, {title}.",
    "Here's one to know: {cite}, {title}.",
    "Now for {cite}, {title}.",
    "On the list: {cite}, {title}.",
    "Let's talk about {cite}, {title}.",
    "This one is {cite}, {title}.",
)
CONGRESS = "It's a {chamber} {noun} from the {congress} Congress."
SUMMARY_SUBJECTS = ("bill", "joint resolution", "concurrent resolution", "resolution")
SUMMARY_FIRST = (
    "Here's the short version. ",
    "In a nutshell: ",
    "The summary puts it this way. ",
    "What it does: ",
    "",
)
#: Opening words of a summary sentence that already link it to the one before.
CONNECTIVES = frozenset(
    {"additionally", "further", "furthermore", "also", "specifically", "moreover", "finally",
     "likewise", "similarly", "however", "among", "besides", "lastly", "next", "then", "in"}
)  # fmt: skip
LONG_SENTENCE = 70
AMONG_OTHERS = ", among other things."
SUMMARY_MORE = ("", "", "Also: ", "And there's more. ", "On top of that: ", "Beyond that: ")
WHO_CUES = ("Who's behind it?", "Who introduced it?", "And who brought it forward?")
SPONSOR = (
    "{member} introduced it{on}.",
    "It comes from {member} who introduced it{on}.",
    "That would be {member} who introduced it{on}.",
)
COSPONSORS = (
    "It has {count} cosponsors so far.",
    "{count} other members have signed on as cosponsors.",
)
ONE_COSPONSOR = "One other member has signed on as a cosponsor."
NO_COSPONSORS = "No other members have signed on as cosponsors so far."
MEMBER_TITLES = {
    "Sen.": "Senator",
    "Rep.": "Representative",
    "Del.": "Delegate",
    "Res. Comm.": "Resident Commissioner",
    "Resident Commissioner": "Resident Commissioner",
}
DELEGATES = {code: "Delegate" for code in ("DC", "GU", "VI", "AS", "MP")}
COMMITTEES = (
    "It was referred to {names}.",
    "It went to {names} for review.",
    "On the committee side, it was sent to {names}.",
)
#: Committee activity names in bill records, by prefix, and what a host says.
ACTIVITIES = (
    ("hearings", "held hearings on it"),
    ("markup", "marked it up"),
    ("reported", "reported it"),
    ("discharged", "was discharged from it"),
)
HISTORY = ("Here's how it got there: ", "The recent history: ", "A quick look back: ")
#: Floor procedure that says nothing about where a bill stands.
PROCEDURAL = (
    "motion to reconsider",
    "debate",
    "pursuant to",
    "the house proceeded",
    "the house resumed",
    "postponed",
    "considered as unfinished business",
    "on motion",
    "the speaker",
    "the chair",
    "the previous question",
    "point of order",
    "order of business",
    "cloture motion",
    "mr. ",
    "ms. ",
    "mrs. ",
)
ACTION_NOISE = (
    re.compile(r"\s*Record Vote Number:\s*\d+\.?", re.IGNORECASE),
    re.compile(r"\s*Roll no\.\s*\d+\.?", re.IGNORECASE),
)
STATUS = (
    "{as_of}it {status}.",
    "{as_of}the {noun} {status}.",
)
LATEST = (
    "The latest action on record{on}: {action}.",
    "The last recorded step{on}: {action}.",
)
NEXT_CUES = ("So what happens next?", "What's the next step?", "Where does it go from here?")
CLOSERS = ("One to watch.", "Worth keeping an eye on.", "Noted.", "We'll see where it goes.")
WHY = (
    "Why it matters: it's filed under {area}.",
    "As for who it touches, the record files it under {area}.",
    "The policy area on record is {area}.",
)
SUBJECTS = (
    "Its subject tags include {subjects}, so that's who would feel it most.",
    "The subjects it touches include {subjects}.",
    "If you follow {subjects}, this one is for you.",
)
MANY_SUBJECTS = 12
SPRAWLING = "It's a sprawling one: the record tags it with {count} subjects."
MORE_SUBJECTS = ("It's also tagged with {subjects}.", "Other subjects on the record: {subjects}.")

# --- intro and outro ------------------------------------------------------------------

HELLO = {
    "daily": (
        "Hi {name}, welcome to your daily brief. I'm {host}.",
        "Hello {name}, and welcome to today's brief. I'm {host}.",
    ),
    "weekly": (
        "Hi {name}, welcome to your weekly deep dive. I'm {host}.",
        "Hello {name}, and welcome to the week in Congress. I'm {host}.",
    ),
}
WITH_YOU = "Glad to have you with us in {place}."
DATE_LINE = "And I'm {host}. It's {weekday}, {day}."
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
COVERAGE = {
    "daily": "Today we've got {bills}{topics}.",
    "weekly": "This week we're going deeper on {bills}{topics}.",
}
NOTHING_NEW = "There's nothing new on the bills you follow, so this one is short."
LETS_GO = ("Let's get into it.", "Let's dive in.", "Here we go.")
GOODBYE = {
    "daily": ("That's your brief for today, {name}.", "And that's the brief, {name}."),
    "weekly": ("That's the week in review, {name}.", "And that's the week, {name}."),
}
DISCLOSURE = (
    "A quick note: {first} and {second} are synthetic voices, and this episode was "
    "produced with computer-generated speech."
)
CRS_SOURCE = (
    "The bill summaries come from the Congressional Research Service, and the rest "
    "from public congressional records."
)
RECORD_SOURCE = "The bill details come from public congressional records."
SEE_YOU = ("Talk to you next time.", "Until next time.", "See you next time.")

# --- what happens next -------------------------------------------------------------------

_TO_PRESIDENT = (
    "The President has ten days, not counting Sundays, to sign it or veto it. If Congress "
    "is in session and the President does neither, it becomes law without a signature."
)


def next_step(bill: Bill) -> str | None:
    """The next step in the legislative process for ``bill``, or None when unknown."""
    kind = bill.id.type
    if kind in ("hres", "sres"):
        return _simple_resolution(bill)
    if kind in ("hconres", "sconres"):
        return _concurrent_resolution(bill)
    return _lawmaking(bill)


def _other(chamber: str) -> str:
    return "Senate" if chamber == "House" else "House"


def _passed_in(bill: Bill) -> str | None:
    status = bill.status
    if status == "agreed_to":
        return bill.id.chamber
    return {"passed_house": "House", "passed_senate": "Senate"}.get(status)


def _simple_resolution(bill: Bill) -> str | None:
    chamber = bill.id.chamber
    if bill.status in ("agreed_to", "passed_house", "passed_senate", "passed_both"):
        return (
            f"A simple resolution only needs the {chamber} to agree, so that was the final "
            "step. It doesn't go to the other chamber or to the President."
        )
    if bill.status == "failed":
        return "It didn't get the votes, so that's the end of it unless its supporters try again."
    return (
        f"As a simple resolution, it only needs a vote in the {chamber}. It never goes to "
        "the other chamber or to the President, but it has to get to the floor first."
    )


def _concurrent_resolution(bill: Bill) -> str | None:
    passed = _passed_in(bill)
    if bill.status == "passed_both":
        return (
            "Both chambers have agreed to it, and concurrent resolutions don't go to the "
            "President, so it takes effect as it stands."
        )
    if passed:
        return (
            f"Next, the {_other(passed)} would have to agree to it too. Concurrent "
            "resolutions never go to the President."
        )
    if bill.status == "failed":
        return "It didn't get the votes, so it's stalled unless its supporters try again."
    return (
        f"It needs a vote in the {bill.id.chamber} and then in the "
        f"{_other(bill.id.chamber)}. Concurrent resolutions never go to the President."
    )


def _lawmaking(bill: Bill) -> str | None:
    origin, status = bill.id.chamber, bill.status
    passed = _passed_in(bill)
    if passed == origin:
        return (
            f"Next it goes to the {_other(origin)}, which can pass it as is, change it, or "
            "let it sit."
        )
    if passed is not None:
        return (
            "With both chambers on record, any differences have to be worked out before it "
            "can go to the President."
        )
    return _LAWMAKING.get(status, "").format(origin=origin) or None


_LAWMAKING = {
    "introduced": (
        "Next it has to get through committee: hearings, a markup, and a vote to report it. "
        "Most bills never make it past that stage."
    ),
    "in_committee": (
        "The committee has to act before anything else happens: hearings, a markup, and a "
        "vote to report it. Most bills never make it past that stage."
    ),
    "reported": (
        "It has cleared committee, so the next step is a vote on the {origin} floor, if "
        "leaders schedule one."
    ),
    "passed_both": (
        "Both chambers have passed it. Once they've settled on identical text, it goes to "
        "the President to sign or veto."
    ),
    "to_president": _TO_PRESIDENT,
    "became_law": "It's law now, so the next chapter is putting it into effect.",
    "vetoed": (
        "Congress can still override the veto, but that takes a two-thirds vote in both the "
        "House and the Senate."
    ),
    "failed": "It failed a vote, so it's stalled unless its supporters try again.",
}
