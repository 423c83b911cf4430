"""GovInfo BILLSTATUS XML files as :class:`~briefcast.bills.Bill` values.

GovInfo has published the bulk bill status data in several layouts over the
years. They agree on most of the tree and differ in a few names, which each
field reader below tries in turn:

=====================  ==================================  ==========================
field                  older layouts                       3.0.0 layout
=====================  ==================================  ==========================
type, number           ``billType``, ``billNumber``        ``type``, ``number``
summaries              ``summaries/billSummaries/item``    ``summaries/summary``
committees             ``committees/billCommittees/item``  ``committees/item``
subjects               ``subjects/billSubjects/…``         ``subjects/…``
policy area            ``policyArea`` or ``primarySubject``  ``policyArea``
sponsor party, state   often only in ``fullName``          elements
=====================  ==================================  ==========================

Only the bill's own elements are read (direct paths from ``bill``): amendments
nest their own sponsors, actions and titles, which must not leak into the bill.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from briefcast.bills import Action, Bill, BillId, Committee, Sponsor, derive_status
from briefcast.errors import BillSourceError, BriefcastError
from briefcast.providers.congress_fields import (
    SummaryVersion,
    action_chamber,
    choose_titles,
    chronological,
    clean_text,
    is_number,
    latest_summary,
    parse_date,
    parse_datetime,
    sponsor_from,
)

__all__ = ["SOURCE", "is_billstatus", "parse_billstatus", "read_billstatus"]

SOURCE = "govinfo-billstatus"

Element = Any  # an lxml element; lxml has no type information to name it by


def read_billstatus(path: Path) -> Bill:
    """Read one BILLSTATUS file. Raises :class:`BillSourceError` naming what is wrong."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BillSourceError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    return parse_billstatus(data)


def parse_billstatus(data: bytes) -> Bill:
    """Parse a BILLSTATUS document of any layout into a bill."""
    root = _parse_xml(data)
    if not is_billstatus(root):
        raise BillSourceError(f"XML whose root is <{root.tag}>, not a BILLSTATUS <billStatus>")
    bill = root.find("bill")
    if bill is None:
        raise BillSourceError("BILLSTATUS document without a <bill> element")
    try:
        return _bill(bill)
    except BillSourceError:
        raise
    except BriefcastError as exc:  # an impossible bill id, for one
        raise BillSourceError(f"BILLSTATUS bill is not valid: {exc}") from exc


def is_billstatus(root: Element) -> bool:
    """Whether a parsed XML root is a BILLSTATUS document."""
    return bool(root.tag == "billStatus")


def _parse_xml(data: bytes) -> Element:
    # No entity expansion and no network: the files come from outside.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BillSourceError(f"not well-formed XML: {exc}") from exc


def _bill(bill: Element) -> Bill:
    bill_id = _bill_id(bill)
    title, short_title = _titles(bill)
    actions = _actions(bill)
    latest = _latest_action(bill) or (actions[-1] if actions else None)
    return Bill(
        id=bill_id,
        title=title,
        short_title=short_title,
        sponsor=_sponsor(bill),
        cosponsors_count=_cosponsors_count(bill),
        policy_area=_policy_area(bill),
        subjects=_subjects(bill),
        summary=_summary(bill),
        introduced_date=parse_date(bill.findtext("introducedDate"), "introducedDate"),
        latest_action=latest,
        actions=actions,
        committees=_committees(bill),
        status=_status(bill, bill_id, actions or ((latest,) if latest else ())),
        update_date=parse_datetime(bill.findtext("updateDate"), "updateDate"),
        source=SOURCE,
    )


def _first_text(element: Element, *paths: str) -> str:
    """The first non-empty text among ``paths``, whitespace tidied; ``""`` if none."""
    for path in paths:
        text = clean_text(element.findtext(path))
        if text:
            return text
    return ""


def _required(element: Element, *paths: str) -> str:
    text = _first_text(element, *paths)
    if not text:
        raise BillSourceError(f"BILLSTATUS bill has no <{'> or <'.join(paths)}>")
    return text


def _bill_id(bill: Element) -> BillId:
    congress = _required(bill, "congress")
    kind = _required(bill, "billType", "type")
    number = _required(bill, "billNumber", "number")
    if not (is_number(congress) and is_number(number)):
        raise BillSourceError(f"BILLSTATUS bill {congress}-{kind}-{number} is not numbered")
    return BillId(int(congress), kind.lower(), int(number))


def _titles(bill: Element) -> tuple[str, str | None]:
    pairs = [
        (item.findtext("titleType") or "", item.findtext("title") or "")
        for item in bill.iterfind("titles/item")
    ]
    return choose_titles(bill.findtext("title"), pairs)


def _sponsor(bill: Element) -> Sponsor | None:
    item = bill.find("sponsors/item")
    if item is None:
        return None
    return sponsor_from(
        item.findtext("fullName") or item.findtext("name"),
        party=item.findtext("party"),
        state=item.findtext("state"),
        district=item.findtext("district"),
        bioguide_id=item.findtext("bioguideId"),
    )


def _cosponsors_count(bill: Element) -> int:
    """Cosponsors who have not withdrawn."""
    return sum(
        1
        for item in bill.iterfind("cosponsors/item")
        if not clean_text(item.findtext("sponsorshipWithdrawnDate"))
    )


def _policy_area(bill: Element) -> str | None:
    # Early files call the policy area the "primary subject".
    return (
        _first_text(
            bill,
            "policyArea/name",
            "subjects/policyArea/name",
            "subjects/billSubjects/policyArea/name",
            "primarySubject/name",
            "subjects/billSubjects/primarySubject/name",
        )
        or None
    )


def _subjects(bill: Element) -> tuple[str, ...]:
    paths = (
        "subjects/legislativeSubjects/item/name",
        "subjects/billSubjects/legislativeSubjects/item/name",
        "subjects/billSubjects/otherSubjects/item/name",
    )
    names = (clean_text(name.text) for path in paths for name in bill.iterfind(path))
    return tuple(dict.fromkeys(name for name in names if name))


def _summary(bill: Element) -> str | None:
    items = [*bill.iterfind("summaries/billSummaries/item"), *bill.iterfind("summaries/summary")]
    return latest_summary(
        SummaryVersion(
            action_date=parse_date(item.findtext("actionDate"), "summary actionDate"),
            update_date=parse_datetime(item.findtext("updateDate"), "summary updateDate"),
            markup=item.findtext("text") or "",
        )
        for item in items
    )


def _actions(bill: Element) -> tuple[Action, ...]:
    return chronological(_action(item) for item in bill.iterfind("actions/item"))


def _action(item: Element) -> Action:
    when = parse_date(item.findtext("actionDate"), "actionDate")
    if when is None:
        raise BillSourceError("BILLSTATUS action without an <actionDate>")
    return Action(
        date=when,
        text=clean_text(item.findtext("text")),
        chamber=action_chamber(item.findtext("sourceSystem/name")),
        code=clean_text(item.findtext("actionCode")) or None,
    )


def _latest_action(bill: Element) -> Action | None:
    latest = bill.find("latestAction")
    if latest is None:
        return None
    when = parse_date(latest.findtext("actionDate"), "latestAction actionDate")
    text = clean_text(latest.findtext("text"))
    return Action(date=when, text=text) if when and text else None


def _committees(bill: Element) -> tuple[Committee, ...]:
    items = [*bill.iterfind("committees/billCommittees/item"), *bill.iterfind("committees/item")]
    return tuple(_committee(item) for item in items if clean_text(item.findtext("name")))


def _committee(item: Element) -> Committee:
    activities = sorted(
        (clean_text(a.findtext("date")), clean_text(a.findtext("name")))
        for a in item.iterfind("activities/item")
    )
    names = dict.fromkeys(name for _, name in activities if name)
    return Committee(
        name=clean_text(item.findtext("name")),
        chamber=clean_text(item.findtext("chamber")) or None,
        activities=tuple(names),
    )


def _status(bill: Element, bill_id: BillId, actions: tuple[Action, ...]) -> str:
    # A law number settles it even when the file stops short of the signing action.
    if bill.find("laws/item") is not None:
        return "became_law"
    return derive_status(bill_id.type, actions)
