"""Congress.gov API v3: its JSON responses as :class:`~briefcast.bills.Bill`, and a small client.

A bill's detail response (``/bill/{congress}/{type}/{number}``) is a usable
bill on its own: id, display title, sponsor, latest action, policy area,
cosponsor count. Its sub-resources (``/actions``, ``/titles``, ...) enrich it
with the official title, the action history, committees, subjects and the
summary. Saved to disk, a sub-resource sits beside its detail file as
``<detail stem>_<resource>.json``.

:class:`CongressApiSource` fetches the same responses over HTTP and turns HTTP
failures into the error tree: 429, 5xx and timeouts may pass
(:class:`ProviderBusy`, :class:`ProviderUnavailable`, with ``retry_after`` from
``Retry-After``); 401/403 is a rejected key; 404 is :class:`NotFound`. The API
key travels as the ``api_key`` query parameter and never appears in an error
message or a log line.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from briefcast.bills import Action, Bill, BillId, Committee, Sponsor, derive_status
from briefcast.errors import (
    BillSourceError,
    BriefcastError,
    ConfigurationError,
    NotFound,
    ProviderBusy,
    ProviderRejected,
    ProviderUnavailable,
)
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
from briefcast.providers.http_errors import retry_after

__all__ = [
    "DEFAULT_BASE_URL",
    "ENRICHING_RESOURCES",
    "RESOURCES",
    "SOURCE",
    "CongressApiSource",
    "bill_ids_in_list",
    "check_resource",
    "detail_bill_id",
    "parse_bill_detail",
    "read_bill_detail",
    "read_json",
    "resource_paths",
    "response_kind",
]

SOURCE = "congress-api"
DEFAULT_BASE_URL = "https://api.congress.gov/v3"

#: Sub-resources of a bill, by the path segment (and file-name suffix) that names them.
RESOURCES: dict[str, str] = {
    "actions": "actions",
    "amendments": "amendments",
    "committees": "committees",
    "cosponsors": "cosponsors",
    "relatedbills": "relatedBills",
    "subjects": "subjects",
    "summaries": "summaries",
    "text": "textVersions",
    "titles": "titles",
}
#: The sub-resources a :class:`Bill` is built from; the others are recognised and unused.
ENRICHING_RESOURCES = ("actions", "committees", "cosponsors", "subjects", "summaries", "titles")

JsonObject = Mapping[str, Any]


# --- reading responses ------------------------------------------------------------------


def read_json(path: Path) -> Any:
    """A JSON file's content; :class:`BillSourceError` says why it cannot be read."""
    try:
        return json.loads(path.read_bytes())
    except OSError as exc:
        raise BillSourceError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BillSourceError(f"{path.name} is not valid JSON: {exc}") from exc


def response_kind(data: Any) -> str | None:
    """``detail``, ``list`` or a resource name from :data:`RESOURCES`; ``None`` if unknown."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("bill"), dict):
        return "detail"
    if isinstance(data.get("bills"), list):
        return "list"
    return next((name for name, key in RESOURCES.items() if key in data), None)


def resource_paths(detail_path: Path) -> dict[str, Path]:
    """The sub-resource files saved beside a detail file, by resource name."""
    candidates = {
        name: detail_path.with_name(f"{detail_path.stem}_{name}.json") for name in RESOURCES
    }
    return {name: path for name, path in candidates.items() if path.is_file()}


def read_bill_detail(path: Path) -> Bill:
    """A detail file plus whichever sub-resource files sit beside it."""
    resources = {name: read_json(p) for name, p in resource_paths(path).items()}
    return parse_bill_detail(read_json(path), resources)


def bill_ids_in_list(data: Any) -> tuple[BillId, ...]:
    """The bills named by a list response (``/bill``, ``/bill/117``, ...)."""
    if response_kind(data) != "list":
        raise BillSourceError("not a Congress.gov bill list response")
    return tuple(_valid_id(item) for item in _items(data["bills"]))


def detail_bill_id(detail: Any) -> BillId:
    """The id of the bill a detail response describes."""
    if response_kind(detail) != "detail":
        raise BillSourceError("not a Congress.gov bill detail response (no 'bill' object)")
    return _valid_id(detail["bill"])


def check_resource(name: str, data: Any, bill_id: BillId) -> JsonObject:
    """``data`` if it is the ``name`` sub-resource of ``bill_id``, else :class:`BillSourceError`."""
    key = RESOURCES.get(name)
    if key is None:
        raise BillSourceError(f"unknown bill sub-resource {name!r}")
    if not isinstance(data, dict) or key not in data:
        raise BillSourceError(f"the {name} response has no {key!r}")
    request = _obj(data.get("request"))
    if request.get("billNumber") and _valid_id(request, type_key="billType") != bill_id:
        raise BillSourceError(f"the {name} response belongs to another bill, not {bill_id}")
    return data


def parse_bill_detail(detail: Any, resources: Mapping[str, Any] | None = None) -> Bill:
    """A bill from a detail response, enriched by sub-resource responses keyed by name."""
    bill_id = detail_bill_id(detail)
    extra = {name: check_resource(name, data, bill_id) for name, data in (resources or {}).items()}
    return _bill(bill_id, detail["bill"], extra)


def _valid_id(data: JsonObject, type_key: str = "type") -> BillId:
    try:
        return _bill_id(data, type_key)
    except BillSourceError:
        raise
    except BriefcastError as exc:  # an unknown bill type, for one
        raise BillSourceError(f"Congress.gov bill is not valid: {exc}") from exc


def _bill(bill_id: BillId, bill: JsonObject, extra: Mapping[str, JsonObject]) -> Bill:
    title, short_title = _titles(bill, extra.get("titles"))
    actions = _actions(extra.get("actions"))
    latest = _action(_obj(bill.get("latestAction"))) if bill.get("latestAction") else None
    return Bill(
        id=bill_id,
        title=title,
        short_title=short_title,
        sponsor=_sponsor(bill),
        cosponsors_count=_cosponsors_count(bill, extra.get("cosponsors")),
        policy_area=_policy_area(bill, extra.get("subjects")),
        subjects=_subjects(extra.get("subjects")),
        summary=_summary(extra.get("summaries")),
        introduced_date=parse_date(bill.get("introducedDate"), "introducedDate"),
        latest_action=latest or (actions[-1] if actions else None),
        actions=actions,
        committees=_committees(extra.get("committees")),
        status=_status(bill_id, bill, actions or ((latest,) if latest else ())),
        update_date=parse_datetime(bill.get("updateDate"), "updateDate"),
        source=SOURCE,
    )


def _obj(value: Any) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[JsonObject]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return clean_text(str(value)) if value is not None else ""


def _bill_id(data: JsonObject, type_key: str = "type") -> BillId:
    congress, kind, number = (_text(data.get(k)) for k in ("congress", type_key, "number"))
    kind = kind.lower()
    number = number or _text(data.get("billNumber"))
    if not (is_number(congress) and is_number(number) and kind):
        raise BillSourceError(f"bill {congress or '?'}-{kind or '?'}-{number or '?'} is not valid")
    return BillId(int(congress), kind, int(number))


def _titles(bill: JsonObject, titles: JsonObject | None) -> tuple[str, str | None]:
    pairs = [
        (_text(item.get("titleType")), _text(item.get("title")))
        for item in _items(_obj(titles).get("titles"))
    ]
    return choose_titles(_text(bill.get("title")), pairs)


def _sponsor(bill: JsonObject) -> Sponsor | None:
    sponsors = _items(bill.get("sponsors"))
    if not sponsors:
        return None
    first = sponsors[0]
    return sponsor_from(
        _text(first.get("fullName")),
        party=_text(first.get("party")),
        state=_text(first.get("state")),
        district=first.get("district"),
        bioguide_id=_text(first.get("bioguideId")),
    )


def _cosponsors_count(bill: JsonObject, cosponsors: JsonObject | None) -> int:
    count = _obj(bill.get("cosponsors")).get("count")
    if isinstance(count, int):
        return count
    listed = _items(_obj(cosponsors).get("cosponsors"))
    return sum(1 for item in listed if not item.get("sponsorshipWithdrawnDate"))


def _policy_area(bill: JsonObject, subjects: JsonObject | None) -> str | None:
    from_subjects = _obj(_obj(subjects).get("subjects")).get("policyArea")
    name = _text(_obj(bill.get("policyArea")).get("name")) or _text(_obj(from_subjects).get("name"))
    return name or None


def _subjects(subjects: JsonObject | None) -> tuple[str, ...]:
    listed = _items(_obj(_obj(subjects).get("subjects")).get("legislativeSubjects"))
    return tuple(dict.fromkeys(name for item in listed if (name := _text(item.get("name")))))


def _summary(summaries: JsonObject | None) -> str | None:
    return latest_summary(
        SummaryVersion(
            action_date=parse_date(item.get("actionDate"), "summary actionDate"),
            update_date=parse_datetime(item.get("updateDate"), "summary updateDate"),
            markup=str(item.get("text") or ""),
        )
        for item in _items(_obj(summaries).get("summaries"))
    )


def _actions(actions: JsonObject | None) -> tuple[Action, ...]:
    return chronological(_action(item) for item in _items(_obj(actions).get("actions")))


def _action(item: JsonObject) -> Action:
    when = parse_date(item.get("actionDate"), "actionDate")
    if when is None:
        raise BillSourceError("an action has no actionDate")
    return Action(
        date=when,
        text=_text(item.get("text")),
        chamber=action_chamber(_text(_obj(item.get("sourceSystem")).get("name"))),
        code=_text(item.get("actionCode")) or None,
    )


def _committees(committees: JsonObject | None) -> tuple[Committee, ...]:
    return tuple(
        _committee(item)
        for item in _items(_obj(committees).get("committees"))
        if _text(item.get("name"))
    )


def _committee(item: JsonObject) -> Committee:
    activities = sorted(
        (_text(a.get("date")), _text(a.get("name"))) for a in _items(item.get("activities"))
    )
    return Committee(
        name=_text(item.get("name")),
        chamber=_text(item.get("chamber")) or None,
        activities=tuple(dict.fromkeys(name for _, name in activities if name)),
    )


def _status(bill_id: BillId, bill: JsonObject, actions: tuple[Action, ...]) -> str:
    # A law number settles it even when the actions were not fetched.
    if _items(bill.get("laws")):
        return "became_law"
    return derive_status(bill_id.type, actions)


# --- the live client --------------------------------------------------------------------

_API_KEY_IN_URL = re.compile(r"(api_key=)[^&\s\"']+", re.IGNORECASE)
_PAGE_SIZE = 250  # the API's largest page


class CongressApiSource:
    """Fetches bills from the Congress.gov API v3.

    ``client`` lets a caller supply its own :class:`httpx.Client` (tests pass
    one with a mock transport); otherwise one is made and closed by
    :meth:`close`.
    """

    name = SOURCE

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        client: httpx.Client | None = None,
        *,
        timeout: float = 20.0,
        max_pages: int = 20,
    ) -> None:
        if not api_key:
            raise ConfigurationError("a Congress.gov API key is required")
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=timeout)
        self._max_pages = max_pages
        _redact_api_keys_in_http_logs()

    def fetch(self, bill_id: BillId) -> Bill:
        """The bill with its actions, titles, committees, subjects, summaries and cosponsors."""
        path = f"bill/{bill_id.congress}/{bill_id.type}/{bill_id.number}"
        detail = self._get(path)
        if detail is None:
            raise NotFound(f"Congress.gov has no bill {bill_id}")
        resources = {name: self._get_all(f"{path}/{name}") for name in ENRICHING_RESOURCES}
        present = {name: data for name, data in resources.items() if data is not None}
        return parse_bill_detail(detail, present)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> CongressApiSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _get_all(self, path: str) -> dict[str, Any] | None:
        """Every page of a list resource, merged; ``None`` when the API has none."""
        merged = self._get(path, {"limit": str(_PAGE_SIZE)})
        page, pages = merged, 1
        while merged is not None and (next_url := _obj(_obj(page).get("pagination")).get("next")):
            if pages >= self._max_pages:
                raise BillSourceError(f"Congress.gov {path} has more than {pages} pages")
            page = self._get(self._own_url(str(next_url), path))
            if page is None:
                raise BillSourceError(f"Congress.gov {path} lost a page after page {pages}")
            _merge_page(merged, page)
            pages += 1
        return merged

    def _own_url(self, url: str, path: str) -> str:
        # The key goes only to the API itself, never to a host a response names.
        if not url.startswith(self._base_url + "/"):
            raise BillSourceError(f"Congress.gov {path} pointed its next page at another host")
        return url

    def _get(
        self, path_or_url: str, params: Mapping[str, str] | None = None
    ) -> dict[str, Any] | None:
        """One JSON response; ``None`` for 404. ``path_or_url`` never carries the key."""
        url = path_or_url if "://" in path_or_url else f"{self._base_url}/{path_or_url}"
        where = _describe(url)
        # Merged into the URL's own query (a next-page link has one); httpx would replace it.
        query = {**(params or {}), "format": "json", "api_key": self._api_key}
        try:
            response = self._client.get(httpx.URL(url).copy_merge_params(query))
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable(f"Congress.gov timed out on {where}") from exc
        except httpx.TransportError as exc:
            raise ProviderUnavailable(f"Congress.gov unreachable on {where}: {_kind(exc)}") from exc
        if response.status_code == 404:
            return None
        _raise_for_status(response, where)
        try:
            data = response.json()
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BillSourceError(f"Congress.gov answered {where} with invalid JSON") from exc
        if not isinstance(data, dict):
            raise BillSourceError(f"Congress.gov answered {where} with JSON that is not an object")
        return data


def _describe(url: str) -> str:
    """The URL's path without its query, for messages: the key lives in the query."""
    return httpx.URL(url).path


def _kind(exc: Exception) -> str:
    return type(exc).__name__


def _raise_for_status(response: httpx.Response, where: str) -> None:
    code = response.status_code
    if code < 300:
        return
    if code == 429:
        raise ProviderBusy(
            f"Congress.gov rate limit reached on {where}", retry_after(response.headers)
        )
    if code >= 500 or code == 408:
        message = f"Congress.gov failed on {where} (HTTP {code})"
        raise ProviderUnavailable(message, retry_after(response.headers))
    if code in (401, 403):
        raise ProviderRejected(f"Congress.gov refused the API key (HTTP {code})")
    raise ProviderRejected(f"Congress.gov rejected the request for {where} (HTTP {code})")


def _merge_page(into: dict[str, Any], page: Mapping[str, Any]) -> None:
    """Append a later page's items to the first page's lists, nested ones included."""
    for key, value in page.items():
        current = into.get(key)
        if isinstance(current, list) and isinstance(value, list):
            current.extend(value)
        elif isinstance(current, dict) and isinstance(value, dict) and key != "pagination":
            _merge_page(current, value)
        elif key == "pagination":
            into[key] = value


class _RedactApiKeys(logging.Filter):
    """Masks ``api_key=…`` in records of the ``httpx`` logger, which logs full URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        record.msg = _redacted(record.msg)
        return True


def _redacted(value: Any) -> Any:
    if isinstance(value, httpx.URL | str) and "api_key=" in str(value).lower():
        return _API_KEY_IN_URL.sub(r"\1[redacted]", str(value))
    return value


def _redact_api_keys_in_http_logs() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactApiKeys) for f in logger.filters):
        logger.addFilter(_RedactApiKeys())
