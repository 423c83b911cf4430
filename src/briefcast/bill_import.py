"""Importing bills from files, and the demo bills that ship with briefcast.

:func:`import_paths` takes files and folders, tells each file's format from
its content (GovInfo BILLSTATUS XML of any layout, or a Congress.gov API v3
bill detail response with its sub-resource files beside it) and returns the
bills together with every file it could not use and why. One bad file never
stops the others. Storing the bills is the caller's business.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from briefcast.bills import Bill
from briefcast.errors import BillSourceError, BriefcastError
from briefcast.providers import congress_api
from briefcast.providers.billstatus import parse_billstatus

__all__ = ["DEMO_SOURCE", "ImportReport", "import_paths", "load_demo_bills"]

DEMO_SOURCE = "demo"

_BYTE_ORDER_MARK_AND_SPACE = b"\xef\xbb\xbf \t\r\n"


@dataclass(frozen=True)
class ImportReport:
    """The bills read, one per id, and each file that was not used, with the reason."""

    bills: tuple[Bill, ...]
    skipped: tuple[tuple[Path, str], ...]


@dataclass(frozen=True)
class _Loaded:
    """One file after its first read: a bill, a JSON response of some kind, or a reason."""

    kind: str  # "bill", "detail", "list", a sub-resource name, or "skip"
    data: Any = None
    reason: str = ""


def import_paths(paths: Iterable[Path]) -> ImportReport:
    """Read every bill under ``paths`` (files, or folders searched recursively).

    Hidden files and folders inside a folder are passed over. Sub-resource
    files beside a detail file are read with it; one without its detail file is
    reported. When a bill turns up more than once, the copy with the newest
    ``update_date`` is kept (the first one read on a tie) and the others are
    reported as superseded.
    """
    files, skipped = _expand(paths)
    loaded = {path: _load(path) for path in files}
    found: list[tuple[Path, Bill]] = []
    consumed: set[Path] = set()
    for path, item in loaded.items():
        if item.kind == "bill":
            found.append((path, item.data))
        elif item.kind == "detail":
            bill, used, problems = _detail_bill(path, item.data, loaded)
            consumed |= used
            skipped += problems
            if bill is not None:
                found.append((path, bill))
    skipped += [
        (path, reason) for path, item in loaded.items() if (reason := _unused(item, path, consumed))
    ]
    bills, superseded = _newest_per_id(found)
    return ImportReport(tuple(bills), tuple(skipped + superseded))


def load_demo_bills() -> tuple[Bill, ...]:
    """The fictional demo bills packaged with briefcast (``source`` is ``"demo"``)."""
    packaged = resources.files("briefcast").joinpath("data", "demo_bills.json")
    try:
        data = json.loads(packaged.read_text(encoding="utf-8"))
        return tuple(Bill.from_json(item) for item in data["bills"])
    except (OSError, ValueError, KeyError, TypeError, BriefcastError) as exc:
        raise BillSourceError(f"the packaged demo bills cannot be read: {exc}") from exc


# --- finding and loading files ---------------------------------------------------------


def _expand(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Every file named or found under a named folder, once each, in a stable order."""
    files: dict[Path, Path] = {}
    missing: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for found in _walk(path):
                files.setdefault(found.resolve(), found)
        elif path.is_file():
            files.setdefault(path.resolve(), path)
        else:
            missing.append((path, "no such file or folder"))
    return list(files.values()), missing


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(root, name)


def _load(path: Path) -> _Loaded:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _Loaded("skip", reason=f"cannot be read: {exc.strerror or exc}")
    start = data.lstrip(_BYTE_ORDER_MARK_AND_SPACE)[:1]
    try:
        if start == b"<":
            return _Loaded("bill", parse_billstatus(data))
        if start in (b"{", b"["):
            return _json_kind(data)
    except BillSourceError as exc:
        return _Loaded("skip", reason=exc.message)
    return _Loaded("skip", reason="not a bill file: neither BILLSTATUS XML nor Congress.gov JSON")


def _json_kind(data: bytes) -> _Loaded:
    try:
        parsed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _Loaded("skip", reason=f"not valid JSON: {exc}")
    kind = congress_api.response_kind(parsed)
    if kind is None:
        return _Loaded("skip", reason="JSON that is not a Congress.gov bill response")
    return _Loaded(kind, parsed)


# --- Congress.gov detail files and their sub-resources ---------------------------------


def _detail_bill(
    path: Path, detail: Any, loaded: dict[Path, _Loaded]
) -> tuple[Bill | None, set[Path], list[tuple[Path, str]]]:
    """The bill of a detail file, the sibling files it used, and problems with them."""
    try:
        bill_id = congress_api.detail_bill_id(detail)
    except BillSourceError as exc:
        return None, set(), [(path, exc.message)]
    extra: dict[str, Any] = {}
    used: set[Path] = set()
    problems: list[tuple[Path, str]] = []
    known = {p.resolve(): p for p in loaded}
    for name, found in congress_api.resource_paths(path).items():
        sibling = known.get(found.resolve(), found)
        item = loaded.get(sibling) or _load(sibling)
        if item.kind == "skip" and sibling not in loaded:
            problems.append((sibling, item.reason))
        if item.kind != name:
            continue
        used.add(sibling)
        try:
            extra[name] = congress_api.check_resource(name, item.data, bill_id)
        except BillSourceError as exc:
            problems.append((sibling, exc.message))
    try:
        return congress_api.parse_bill_detail(detail, extra), used, problems
    except BillSourceError as exc:
        return None, used, [*problems, (path, exc.message)]


def _unused(item: _Loaded, path: Path, consumed: set[Path]) -> str | None:
    """Why a loaded file gave no bill, or ``None`` when it did (or was read by another)."""
    if item.kind == "skip":
        return item.reason
    if item.kind == "list":
        count = len(item.data.get("bills") or [])
        return (
            f"a Congress.gov bill list ({count} bills) names bills without their details;"
            " import each bill's detail response instead"
        )
    if item.kind in congress_api.RESOURCES and path not in consumed:
        return (
            f"a Congress.gov {item.kind} response without its bill detail beside it"
            " (expected <detail>.json next to <detail>_<resource>.json)"
        )
    return None


# --- one copy per bill ------------------------------------------------------------------

_NEVER = datetime.min.replace(tzinfo=UTC)


def _newest_per_id(found: list[tuple[Path, Bill]]) -> tuple[list[Bill], list[tuple[Path, str]]]:
    kept: dict[str, tuple[Path, Bill]] = {}
    superseded: list[tuple[Path, str]] = []
    for path, bill in found:
        key = str(bill.id)
        previous = kept.get(key)
        if previous is None:
            kept[key] = (path, bill)
        elif _updated(bill) > _updated(previous[1]):
            superseded.append((previous[0], f"superseded: {key} has a newer update in {path}"))
            kept[key] = (path, bill)
        else:
            superseded.append(
                (path, f"superseded: {key} is already imported, as recent, from {previous[0]}")
            )
    return [bill for _, bill in kept.values()], superseded


def _updated(bill: Bill) -> datetime:
    when = bill.update_date
    if when is None:
        return _NEVER
    return when if when.tzinfo else when.replace(tzinfo=UTC)
