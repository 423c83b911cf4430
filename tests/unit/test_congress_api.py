"""Congress.gov API v3 responses as bills, from files and through the client.

Expected values were read off the JSON files by hand. The client is driven by
an ``httpx.MockTransport`` that serves those same files; nothing goes to the
network.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from briefcast.bills import Bill, BillId, Sponsor
from briefcast.errors import (
    BillSourceError,
    ConfigurationError,
    NotFound,
    ProviderBusy,
    ProviderRejected,
    ProviderUnavailable,
)
from briefcast.providers.congress_api import (
    ENRICHING_RESOURCES,
    SOURCE,
    CongressApiSource,
    bill_ids_in_list,
    check_resource,
    parse_bill_detail,
    read_bill_detail,
    read_json,
    resource_paths,
    response_kind,
)

KEY = "test-key-0123456789"
BASE = "https://api.congress.gov/v3"
HR21 = BillId.parse("117-hr-21")

FEDRAMP_OFFICIAL_TITLE = (
    "To enhance the innovation, security, and availability of cloud computing products and "
    "services used in the Federal Government by establishing the Federal Risk and Authorization "
    "Management Program within the General Services Administration and by establishing a risk "
    "management, authorization, and continuous monitoring process to enable the Federal "
    "Government to leverage cloud computing products and services using a risk-based approach "
    "consistent with the Federal Information Security Modernization Act of 2014 and cloud-based "
    "operations, and for other purposes."
)
SENATE_REFERRAL = (
    "Received in the Senate and Read twice and referred to the Committee on Homeland Security "
    "and Governmental Affairs."
)


@pytest.fixture
def api_dir(shared_data: Path) -> Path:
    return shared_data / "congress-api"


# --- files ---------------------------------------------------------------------------------


def test_a_detail_response_alone_is_a_usable_bill(api_dir: Path) -> None:
    bill = parse_bill_detail(read_json(api_dir / "bill_117_hr_21.json"))
    assert bill.id == HR21
    assert (bill.title, bill.short_title) == ("FedRAMP Authorization Act", None)
    assert bill.sponsor == Sponsor("Gerald E. Connolly", "D", "VA", "11", "C001078")
    assert bill.latest_action is not None
    assert (bill.latest_action.date, bill.latest_action.text) == (date(2021, 1, 6), SENATE_REFERRAL)
    assert bill.cosponsors_count == 2
    assert bill.policy_area == "Government Operations and Politics"
    assert bill.introduced_date == date(2021, 1, 4)
    assert bill.update_date == datetime(2022, 3, 25, 1, 16, 59, tzinfo=UTC)
    assert bill.status == "in_committee"  # all it can tell from the latest action alone
    assert (bill.actions, bill.committees, bill.subjects, bill.summary) == ((), (), (), None)
    assert bill.source == SOURCE


def test_sub_resources_beside_the_detail_enrich_it(api_dir: Path) -> None:
    bill = read_bill_detail(api_dir / "bill_117_hr_21.json")
    assert (bill.title, bill.short_title) == (FEDRAMP_OFFICIAL_TITLE, "FedRAMP Authorization Act")
    assert bill.sponsor is not None
    assert bill.sponsor.name == "Gerald E. Connolly"
    assert len(bill.actions) == 10
    assert (bill.actions[0].date, bill.actions[0].text) == (date(2021, 1, 4), "Introduced in House")
    assert (bill.actions[-1].date, bill.actions[-1].text) == (date(2021, 1, 6), SENATE_REFERRAL)
    assert bill.actions[-1].chamber == "Senate"
    assert bill.latest_action is not None
    assert bill.latest_action.text == SENATE_REFERRAL
    assert bill.status == "passed_house"
    assert [(c.name, c.chamber, c.activities) for c in bill.committees] == [
        ("Homeland Security and Governmental Affairs Committee", "Senate", ("Referred to",)),
        ("Oversight and Reform Committee", "House", ("Referred to",)),
    ]
    assert len(bill.subjects) == 13
    assert bill.subjects[0] == "Administrative law and regulatory procedures"
    assert bill.subjects[-1] == "Public participation and lobbying"
    assert bill.summary is not None
    assert bill.summary.startswith(
        "Federal Risk and Authorization Management Program Authorization Act of 2021 or the "
        "FedRAMP Authorization Act\n\nThis bill provides statutory authority for the Federal Risk"
    )
    assert bill.summary.endswith("(3) establish the Federal Secure Cloud Advisory Committee.")
    assert "<" not in bill.summary
    assert Bill.from_json(bill.to_json()) == bill


def test_resource_files_are_found_by_name(api_dir: Path) -> None:
    found = resource_paths(api_dir / "bill_117_hr_21.json")
    assert set(found) == {
        "actions",
        "amendments",
        "committees",
        "cosponsors",
        "relatedbills",
        "subjects",
        "summaries",
        "text",
        "titles",
    }
    assert found["actions"] == api_dir / "bill_117_hr_21_actions.json"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("bill.json", "list"),
        ("bill_117.json", "list"),
        ("bill_117_hr.json", "list"),
        ("bill_117_hr_21.json", "detail"),
        ("bill_117_hr_21_actions.json", "actions"),
        ("bill_117_hr_21_amendments.json", "amendments"),
        ("bill_117_hr_21_committees.json", "committees"),
        ("bill_117_hr_21_cosponsors.json", "cosponsors"),
        ("bill_117_hr_21_relatedbills.json", "relatedbills"),
        ("bill_117_hr_21_subjects.json", "subjects"),
        ("bill_117_hr_21_summaries.json", "summaries"),
        ("bill_117_hr_21_text.json", "text"),
        ("bill_117_hr_21_titles.json", "titles"),
    ],
)
def test_every_file_is_recognised(api_dir: Path, name: str, kind: str) -> None:
    data = read_json(api_dir / name)
    assert response_kind(data) == kind
    if kind not in ("list", "detail"):
        assert check_resource(kind, data, HR21) is data


def test_the_table_covers_every_file(api_dir: Path) -> None:
    assert len(list(api_dir.glob("*.json"))) == 13


@pytest.mark.parametrize(
    ("name", "first", "last", "hres"),
    [
        ("bill.json", "117-hr-3617", "117-hr-7372", {"117-hres-1020", "117-hres-1021"}),
        ("bill_117.json", "117-hr-3617", "117-hr-7372", {"117-hres-1020", "117-hres-1021"}),
        ("bill_117_hr.json", "117-hr-3617", "117-hr-7373", set()),
    ],
)
def test_list_responses_name_their_bills(
    api_dir: Path, name: str, first: str, last: str, hres: set[str]
) -> None:
    ids = bill_ids_in_list(read_json(api_dir / name))
    assert len(ids) == 20
    assert (str(ids[0]), str(ids[-1])) == (first, last)
    assert {str(i) for i in ids if i.type == "hres"} == hres


def test_a_sub_resource_of_another_bill_is_refused(api_dir: Path) -> None:
    actions = read_json(api_dir / "bill_117_hr_21_actions.json")
    actions["request"]["billNumber"] = "22"
    with pytest.raises(BillSourceError, match="belongs to another bill, not 117-hr-21"):
        check_resource("actions", actions, HR21)
    with pytest.raises(BillSourceError, match="has no 'titles'"):
        check_resource("titles", {"pagination": {}}, HR21)


def _detail(api_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = read_json(api_dir / "bill_117_hr_21.json")
    return data


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.pop("bill"), "not a Congress.gov bill detail"),
        (lambda d: d["bill"].update(type="XR"), "unknown bill type"),
        (lambda d: d["bill"].pop("number"), "117-hr-? is not valid"),
        (lambda d: d["bill"].update(title="", titles=None), "no title"),
        (
            lambda d: d["bill"].update(introducedDate="Jan 4"),
            "introducedDate 'Jan 4' is not a date",
        ),
    ],
)
def test_broken_details_say_what_is_wrong(
    api_dir: Path, change: Callable[[dict[str, Any]], object], reason: str
) -> None:
    detail = _detail(api_dir)
    change(detail)
    with pytest.raises(BillSourceError, match=re.escape(reason)):
        parse_bill_detail(detail)


def test_a_law_number_means_the_bill_became_law(api_dir: Path) -> None:
    detail = _detail(api_dir)
    detail["bill"]["laws"] = [{"number": "117-999", "type": "Public Law"}]
    assert parse_bill_detail(detail).status == "became_law"


# --- the client ------------------------------------------------------------------------


class FakeCongress:
    """Serves the saved responses for 117-hr-21 the way the API would, and records requests."""

    def __init__(self, api_dir: Path) -> None:
        self.api_dir = api_dir
        self.requests: list[httpx.Request] = []
        self.override: Callable[[httpx.Request], httpx.Response | None] = lambda _: None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        special = self.override(request)
        if special is not None:
            return special
        prefix = "/v3/bill/117/hr/21"
        path = request.url.path
        if path == prefix:
            return self._file("bill_117_hr_21.json")
        if path.startswith(prefix + "/"):
            return self._file(f"bill_117_hr_21_{path.removeprefix(prefix + '/')}.json")
        return httpx.Response(404, json={"error": "Unknown resource"})

    def _file(self, name: str) -> httpx.Response:
        path = self.api_dir / name
        if not path.is_file():
            return httpx.Response(404, json={"error": "Unknown resource"})
        return httpx.Response(200, content=path.read_bytes())


@pytest.fixture
def fake(api_dir: Path) -> FakeCongress:
    return FakeCongress(api_dir)


@pytest.fixture
def source(fake: FakeCongress) -> CongressApiSource:
    return CongressApiSource(KEY, client=httpx.Client(transport=httpx.MockTransport(fake)))


def test_fetch_builds_the_same_bill_as_the_files(
    source: CongressApiSource, fake: FakeCongress, api_dir: Path
) -> None:
    bill = source.fetch(HR21)
    assert bill == read_bill_detail(api_dir / "bill_117_hr_21.json")
    assert (bill.title, bill.short_title) == (FEDRAMP_OFFICIAL_TITLE, "FedRAMP Authorization Act")
    assert bill.status == "passed_house"
    assert bill.source == SOURCE
    paths = [r.url.path for r in fake.requests]
    assert paths == ["/v3/bill/117/hr/21"] + [
        f"/v3/bill/117/hr/21/{n}" for n in ENRICHING_RESOURCES
    ]
    for request in fake.requests:
        assert request.url.params["api_key"] == KEY
        assert request.url.params["format"] == "json"
        assert request.url.host == "api.congress.gov"


def test_a_missing_bill_is_not_found(source: CongressApiSource) -> None:
    with pytest.raises(NotFound, match="no bill 117-hr-22"):
        source.fetch(BillId.parse("117-hr-22"))


def test_a_missing_sub_resource_leaves_its_part_out(
    source: CongressApiSource, fake: FakeCongress
) -> None:
    fake.override = lambda r: httpx.Response(404) if r.url.path.endswith("/titles") else None
    bill = source.fetch(HR21)
    assert (bill.title, bill.short_title) == ("FedRAMP Authorization Act", None)
    assert len(bill.actions) == 10


def _always(response: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: response


@pytest.mark.parametrize(
    ("response", "error", "retry_after"),
    [
        (httpx.Response(429, headers={"Retry-After": "30"}), ProviderBusy, 30.0),
        (httpx.Response(429), ProviderBusy, None),
        (httpx.Response(503, headers={"Retry-After": "120"}), ProviderUnavailable, 120.0),
        (httpx.Response(500), ProviderUnavailable, None),
        (httpx.Response(502, text="<html>bad gateway</html>"), ProviderUnavailable, None),
        (httpx.Response(408), ProviderUnavailable, None),
    ],
)
def test_transient_failures_may_be_retried(
    source: CongressApiSource,
    fake: FakeCongress,
    response: httpx.Response,
    error: type[Exception],
    retry_after: float | None,
) -> None:
    fake.override = _always(response)
    with pytest.raises(error) as caught:
        source.fetch(HR21)
    assert getattr(caught.value, "retry_after", "missing") == retry_after
    assert KEY not in str(caught.value)


def test_retry_after_as_an_http_date(source: CongressApiSource, fake: FakeCongress) -> None:
    when = datetime.now(UTC) + timedelta(seconds=90)
    fake.override = _always(
        httpx.Response(429, headers={"Retry-After": format_datetime(when, usegmt=True)})
    )
    with pytest.raises(ProviderBusy) as caught:
        source.fetch(HR21)
    assert caught.value.retry_after is not None
    assert 80 <= caught.value.retry_after <= 90


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_is_permanent(
    source: CongressApiSource, fake: FakeCongress, status: int
) -> None:
    fake.override = _always(httpx.Response(status, json={"error": {"code": "API_KEY_INVALID"}}))
    with pytest.raises(
        ProviderRejected, match=f"refused the API key \\(HTTP {status}\\)"
    ) as caught:
        source.fetch(HR21)
    assert KEY not in str(caught.value)


def test_another_client_error_is_permanent(source: CongressApiSource, fake: FakeCongress) -> None:
    fake.override = _always(httpx.Response(400))
    with pytest.raises(ProviderRejected, match="/v3/bill/117/hr/21 \\(HTTP 400\\)"):
        source.fetch(HR21)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
)
def test_timeouts_and_connection_failures_are_unavailable(
    source: CongressApiSource, fake: FakeCongress, failure: httpx.TransportError
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    fake.override = fail
    with pytest.raises(ProviderUnavailable) as caught:
        source.fetch(HR21)
    assert caught.value.__cause__ is failure
    assert KEY not in str(caught.value)
    assert caught.value.retry_after is None


def test_an_answer_that_is_not_json(source: CongressApiSource, fake: FakeCongress) -> None:
    fake.override = _always(httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(BillSourceError, match="invalid JSON"):
        source.fetch(HR21)


def test_pages_are_followed_and_merged(source: CongressApiSource, fake: FakeCongress) -> None:
    everything = read_json(fake.api_dir / "bill_117_hr_21_actions.json")

    def paged(request: httpx.Request) -> httpx.Response | None:
        if not request.url.path.endswith("/actions"):
            return None
        page = copy.deepcopy(everything)
        if "offset" not in request.url.params:
            page["actions"] = everything["actions"][:4]
            page["pagination"]["next"] = (
                f"{BASE}/bill/117/hr/21/actions?offset=4&limit=4&format=json"
            )
        else:
            assert request.url.params["offset"] == "4"
            page["actions"] = everything["actions"][4:]
        return httpx.Response(200, json=page)

    fake.override = paged
    bill = source.fetch(HR21)
    assert len(bill.actions) == 10
    assert bill.status == "passed_house"
    action_requests = [r for r in fake.requests if r.url.path.endswith("/actions")]
    assert len(action_requests) == 2
    assert all(r.url.params["api_key"] == KEY for r in action_requests)


def test_the_key_never_follows_a_link_to_another_host(
    source: CongressApiSource, fake: FakeCongress
) -> None:
    def elsewhere(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.endswith("/actions"):
            page = read_json(fake.api_dir / "bill_117_hr_21_actions.json")
            page["pagination"]["next"] = "https://collector.example/steal?offset=20"
            return httpx.Response(200, json=page)
        return None

    fake.override = elsewhere
    with pytest.raises(BillSourceError, match="another host"):
        source.fetch(HR21)
    assert all(r.url.host == "api.congress.gov" for r in fake.requests)


def test_a_page_that_goes_missing_is_an_error(
    source: CongressApiSource, fake: FakeCongress
) -> None:
    def vanishing(request: httpx.Request) -> httpx.Response | None:
        if not request.url.path.endswith("/actions"):
            return None
        if "offset" in request.url.params:
            return httpx.Response(404)
        page = read_json(fake.api_dir / "bill_117_hr_21_actions.json")
        page["pagination"]["next"] = f"{BASE}/bill/117/hr/21/actions?offset=250"
        return httpx.Response(200, json=page)

    fake.override = vanishing
    with pytest.raises(BillSourceError, match="lost a page after page 1"):
        source.fetch(HR21)


def test_endless_pages_stop(fake: FakeCongress) -> None:
    def endless(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.endswith("/actions"):
            page = read_json(fake.api_dir / "bill_117_hr_21_actions.json")
            page["pagination"]["next"] = f"{BASE}/bill/117/hr/21/actions?offset=20"
            return httpx.Response(200, json=page)
        return None

    fake.override = endless
    client = httpx.Client(transport=httpx.MockTransport(fake))
    with pytest.raises(BillSourceError, match="more than 3 pages"):
        CongressApiSource(KEY, client=client, max_pages=3).fetch(HR21)


def test_the_key_stays_out_of_http_logs(
    source: CongressApiSource, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="httpx"):
        source.fetch(HR21)
    assert "/v3/bill/117/hr/21" in caplog.text  # the requests were logged ...
    assert KEY not in caplog.text  # ... without the key
    assert "api_key=[redacted]" in caplog.text


def test_a_key_is_required() -> None:
    with pytest.raises(ConfigurationError, match="API key is required"):
        CongressApiSource("")


def test_a_base_url_of_choice(fake: FakeCongress) -> None:
    def proxy(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "proxy.internal"
        rewritten = httpx.Request(
            "GET", str(request.url).replace("proxy.internal/congress", "api.congress.gov/v3")
        )
        return fake(rewritten)

    client = httpx.Client(transport=httpx.MockTransport(proxy))
    bill = CongressApiSource(KEY, "https://proxy.internal/congress/", client).fetch(HR21)
    assert bill.id == HR21


def test_closing_leaves_a_callers_client_open(fake: FakeCongress) -> None:
    client = httpx.Client(transport=httpx.MockTransport(fake))
    with CongressApiSource(KEY, client=client) as source:
        source.fetch(HR21)
    assert not client.is_closed
    own = CongressApiSource(KEY)
    own.close()
    assert own._client.is_closed


def test_saved_json_matches_what_the_client_reads(api_dir: Path) -> None:
    # The fake serves the files byte for byte; make sure they are what read_json sees.
    raw = (api_dir / "bill_117_hr_21.json").read_bytes()
    assert json.loads(raw) == read_json(api_dir / "bill_117_hr_21.json")
