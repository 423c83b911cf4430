"""Importing folders of bill files, and the packaged demo bills."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import pytest

from briefcast.bill_import import DEMO_SOURCE, ImportReport, import_paths, load_demo_bills
from briefcast.bills import BILL_STATUSES, BILL_TYPES, Bill, BillId, derive_status

# --- the real data ---------------------------------------------------------------------------


def _ids_from_file_names(folder: Path) -> set[str]:
    """Bill ids spelled out in BILLSTATUS file names, e.g. BILLSTATUS-117sconres5.xml."""
    ids = set()
    for path in folder.rglob("BILLSTATUS-*.xml"):
        match = re.fullmatch(r"BILLSTATUS-(\d+)([a-z]+)(\d+)\.xml", path.name)
        assert match, path.name
        ids.add(f"{match[1]}-{match[2]}-{match[3]}")
    return ids


def _reasons(report: ImportReport) -> dict[str, str]:
    return {str(path): reason for path, reason in report.skipped}


def test_importing_all_the_real_data(shared_data: Path) -> None:
    report = import_paths([shared_data])
    expected_ids = _ids_from_file_names(shared_data / "billstatus") | {"117-hr-21"}
    ids = [str(bill.id) for bill in report.bills]
    assert sorted(ids) == sorted(expected_ids)  # one bill per id
    reasons = _reasons(report)
    api = shared_data / "congress-api"
    for name in ("bill.json", "bill_117.json", "bill_117_hr.json"):
        assert "Congress.gov bill list (20 bills)" in reasons.pop(str(api / name))
    # Sub-resource files were read with their detail file, so none is reported.
    # What remains are the copies that another file supersedes.
    billstatus = shared_data / "billstatus"
    assert set(reasons) == {
        str(billstatus / "current" / name)
        for name in (
            "BILLSTATUS-117hr4350.xml",
            "BILLSTATUS-117hr6658.xml",
            "BILLSTATUS-117s35.xml",
            "BILLSTATUS-117sconres5.xml",
        )
    } | {str(billstatus / "v3" / "BILLSTATUS-117hr1.xml")}
    assert all(reason.startswith("superseded") for reason in reasons.values())


def test_the_newest_copy_of_a_bill_wins(shared_data: Path) -> None:
    bills = {str(b.id): b for b in import_paths([shared_data / "billstatus"]).bills}
    # <updateDate> of the v3 files, which are newer than the "current" ones.
    assert bills["117-hr-4350"].update_date == datetime(2022, 10, 21, 18, 41, 12, tzinfo=UTC)
    assert bills["117-hr-6658"].update_date == datetime(2022, 11, 17, 8, 15, 24, tzinfo=UTC)
    assert bills["117-s-35"].update_date == datetime(2022, 9, 7, 13, 36, 3, tzinfo=UTC)
    assert bills["117-sconres-5"].update_date == datetime(2022, 10, 13, 21, 56, 10, tzinfo=UTC)
    # Both copies of H.R. 1 carry the same update; the first one read ("current") stays.
    assert bills["117-hr-1"].title.startswith("To expand Americans’ access")


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


@pytest.fixture
def mixed_folder(shared_data: Path, tmp_path: Path) -> Path:
    """Real files and deliberately broken ones, in a folder with a subfolder."""
    folder = tmp_path / "incoming"
    status = shared_data / "billstatus"
    _copy(status / "legacy" / "BILLSTATUS-114hr22.xml", folder / "BILLSTATUS-114hr22.xml")
    _copy(status / "v3" / "BILLSTATUS-117s35.xml", folder / "deeper" / "BILLSTATUS-117s35.xml")
    for path in (shared_data / "congress-api").glob("bill_117_hr_21*.json"):
        _copy(path, folder / "api" / path.name)
    (folder / "broken.xml").write_text("<billStatus><bill><congress>119</congress>")
    (folder / "truncated.json").write_text('{"bill": {"congress": 119,')
    (folder / "notes.txt").write_text("remember to import the rest\n")
    (folder / "settings.json").write_text('{"theme": "dark"}')
    (folder / "feed.xml").write_text("<rss><channel/></rss>")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    _copy(
        shared_data / "congress-api" / "bill_117_hr_21_actions.json",
        folder / "orphans" / "bill_117_hr_99_actions.json",
    )
    return folder


def test_a_folder_with_bad_files_reports_each_and_imports_the_rest(mixed_folder: Path) -> None:
    report = import_paths([mixed_folder])
    assert sorted(str(b.id) for b in report.bills) == ["114-hr-22", "117-hr-21", "117-s-35"]
    reasons = {path.name: reason for path, reason in report.skipped}
    assert set(reasons) == {
        "broken.xml",
        "truncated.json",
        "notes.txt",
        "settings.json",
        "feed.xml",
        "bill_117_hr_99_actions.json",
    }
    assert reasons["broken.xml"].startswith("not well-formed XML")
    assert reasons["truncated.json"].startswith("not valid JSON")
    assert reasons["notes.txt"].startswith("not a bill file")
    assert reasons["settings.json"] == "JSON that is not a Congress.gov bill response"
    assert "not a BILLSTATUS" in reasons["feed.xml"]
    assert "without its bill detail" in reasons["bill_117_hr_99_actions.json"]
    paths = {path for path, _ in report.skipped}
    assert mixed_folder / "broken.xml" in paths  # reported by its full name
    fedramp = next(b for b in report.bills if str(b.id) == "117-hr-21")
    assert fedramp.short_title == "FedRAMP Authorization Act"  # enriched by its neighbours
    assert len(fedramp.actions) == 10


def test_a_broken_sub_resource_is_reported_and_the_bill_still_imports(
    shared_data: Path, tmp_path: Path
) -> None:
    for path in (shared_data / "congress-api").glob("bill_117_hr_21*.json"):
        _copy(path, tmp_path / path.name)
    (tmp_path / "bill_117_hr_21_titles.json").write_text("{not json")
    subjects = json.loads((tmp_path / "bill_117_hr_21_subjects.json").read_text())
    subjects["request"]["billNumber"] = "22"
    (tmp_path / "bill_117_hr_21_subjects.json").write_text(json.dumps(subjects))

    report = import_paths([tmp_path])
    assert [str(b.id) for b in report.bills] == ["117-hr-21"]
    bill = report.bills[0]
    assert (bill.title, bill.short_title) == ("FedRAMP Authorization Act", None)  # no titles
    assert bill.subjects == ()  # the other bill's subjects were not used
    assert len(bill.actions) == 10
    reasons = {path.name: reason for path, reason in report.skipped}
    assert reasons["bill_117_hr_21_titles.json"].startswith("not valid JSON")
    assert "belongs to another bill" in reasons["bill_117_hr_21_subjects.json"]
    assert len(report.skipped) == 2


def test_a_detail_file_named_alone_still_reads_its_neighbours(shared_data: Path) -> None:
    report = import_paths([shared_data / "congress-api" / "bill_117_hr_21.json"])
    assert report.skipped == ()
    assert [b.short_title for b in report.bills] == ["FedRAMP Authorization Act"]


def test_a_sub_resource_named_without_its_detail_is_reported(shared_data: Path) -> None:
    path = shared_data / "congress-api" / "bill_117_hr_21_actions.json"
    report = import_paths([path])
    assert report.bills == ()
    assert [(p, "without its bill detail" in r) for p, r in report.skipped] == [(path, True)]


def test_missing_paths_and_repeats(shared_data: Path, tmp_path: Path) -> None:
    xml = shared_data / "legacy" / "missing.xml"
    real = shared_data / "billstatus" / "legacy" / "BILLSTATUS-114s1300.xml"
    report = import_paths([xml, real, real, real.parent / ".." / "legacy" / real.name])
    assert [str(b.id) for b in report.bills] == ["114-s-1300"]
    assert report.skipped == ((xml, "no such file or folder"),)
    assert import_paths([]) == ImportReport((), ())
    assert import_paths([tmp_path]) == ImportReport((), ())


def _with_update(source: Path, stamp: str) -> str:
    text = source.read_text(encoding="utf-8")
    old = re.search(r"^    <updateDate>[^<]+</updateDate>", text, re.MULTILINE)
    assert old is not None
    return text.replace(old[0], f"    <updateDate>{stamp}</updateDate>", 1)


@pytest.mark.parametrize(("first", "second"), [("new", "old"), ("old", "new")])
def test_the_newest_update_wins_whatever_the_order(
    shared_data: Path, tmp_path: Path, first: str, second: str
) -> None:
    source = shared_data / "billstatus" / "legacy" / "BILLSTATUS-114s1300.xml"
    stamps = {"new": "2024-05-01T00:00:00Z", "old": "2016-01-01T00:00:00Z"}
    (tmp_path / f"a-{first}.xml").write_text(_with_update(source, stamps[first]), encoding="utf-8")
    (tmp_path / f"b-{second}.xml").write_text(
        _with_update(source, stamps[second]), encoding="utf-8"
    )
    report = import_paths([tmp_path])
    assert [b.update_date for b in report.bills] == [datetime(2024, 5, 1, tzinfo=UTC)]
    [(path, reason)] = report.skipped
    assert "old" in path.name
    assert reason.startswith("superseded: 114-s-1300")


# --- demo bills ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> tuple[Bill, ...]:
    return load_demo_bills()


def test_demo_file_ships_inside_the_package() -> None:
    packaged = resources.files("briefcast").joinpath("data", "demo_bills.json")
    assert packaged.is_file()
    assert len(json.loads(packaged.read_text(encoding="utf-8"))["bills"]) >= 12


def test_demo_bills_are_many_distinct_and_marked(demo: tuple[Bill, ...]) -> None:
    assert len(demo) >= 12
    assert len({b.id for b in demo}) == len(demo)
    assert {b.source for b in demo} == {DEMO_SOURCE}
    assert {b.id.congress for b in demo} == {119}


def test_demo_bills_mix_types_statuses_and_topics(demo: tuple[Bill, ...]) -> None:
    types = {b.id.type for b in demo}
    assert {"hr", "s"} <= types
    assert types & {"hres", "sres"}
    assert types & {"hjres", "sjres"}
    assert types <= set(BILL_TYPES)
    statuses = {b.status for b in demo}
    assert {"introduced", "in_committee", "reported", "passed_both", "became_law"} <= statuses
    assert statuses & {"passed_house", "passed_senate"}
    assert statuses <= set(BILL_STATUSES)
    areas = Counter(b.policy_area for b in demo)
    assert len(areas) >= 6
    assert sum(1 for count in areas.values() if count >= 2) >= 4  # interests overlap


@pytest.mark.parametrize("index", range(12))
def test_each_demo_bill_has_what_a_script_needs(demo: tuple[Bill, ...], index: int) -> None:
    for bill in demo[index::12]:
        _check_demo_bill(bill)


def _check_demo_bill(bill: Bill) -> None:
    assert bill.title
    assert bill.display_title
    assert bill.sponsor is not None
    assert bill.sponsor.name
    assert bill.sponsor.party in {"D", "R", "I"}
    assert bill.sponsor.state is not None
    assert re.fullmatch(r"[A-Z]{2}", bill.sponsor.state)
    assert (bill.sponsor.district is not None) == (bill.id.chamber == "House")
    assert bill.policy_area
    assert len(bill.subjects) >= 3
    assert bill.cosponsors_count >= 0
    _check_summary(bill.summary)
    _check_history(bill)
    assert Bill.from_json(bill.to_json()) == bill
    assert Bill.from_json(json.loads(json.dumps(bill.to_json()))) == bill


def _check_summary(summary: str | None) -> None:
    assert summary is not None
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", summary)
    assert 3 <= len(sentences) <= 6, sentences
    assert re.search(r"\d", summary), "a summary should be concrete: money, dates, counts"
    assert "<" not in summary
    assert "  " not in summary


def _check_history(bill: Bill) -> None:
    assert bill.actions
    dates = [a.date for a in bill.actions]
    assert dates == sorted(dates)
    assert dates[0] >= date(2025, 1, 3)  # the 119th Congress began on January 3, 2025
    assert dates[-1] <= date(2026, 12, 31)
    assert bill.introduced_date == dates[0]
    assert bill.latest_action == bill.actions[-1]
    assert bill.status == derive_status(bill.id.type, bill.actions)
    assert bill.update_date is not None
    assert bill.update_date.date() >= dates[-1]
    if bill.status not in ("introduced", "agreed_to"):
        assert bill.committees


def test_demo_ids_are_valid_bill_ids(demo: tuple[Bill, ...]) -> None:
    for bill in demo:
        assert BillId.parse(str(bill.id)) == bill.id
