"""The HTTP contract on a real database, with no worker running (everything stays queued)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from briefcast.notifications import NotificationStore
from briefcast.runtime import Runtime
from briefcast.web import create_app
from tests.support.databases import database
from tests.support.fakes import sample_bills
from tests.support.runtime import make_runtime


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = make_runtime(tmp_path, f"sqlite:///{tmp_path / 'api.sqlite3'}", user_queue_limit=2)
    rt.bills.upsert(sample_bills())
    yield rt
    rt.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as c:
        yield c


def auth(runtime: Runtime, name: str, premium: bool = False) -> dict[str, str]:
    _, key = runtime.users.create(name, premium=premium)
    return {"Authorization": f"Bearer {key}"}


def test_request_is_answered_with_position_eta_and_message(
    client: TestClient, runtime: Runtime
) -> None:
    headers = auth(runtime, "ada")
    response = client.post(
        "/api/podcasts", json={"type": "daily", "bills": ["119-hr-100"]}, headers=headers
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert body["position"] == 1
    assert body["eta_seconds"] > 0
    assert body["message"].startswith("Queued! Position #1")
    assert response.headers["Location"] == f"/api/podcasts/{body['id']}"
    fetched = client.get(f"/api/podcasts/{body['id']}", headers=headers).json()
    assert fetched["id"] == body["id"]
    assert fetched["bills"] == ["119-hr-100"]
    assert fetched["audio_url"] is None


def test_positions_are_global_across_listeners(client: TestClient, runtime: Runtime) -> None:
    first = client.post(
        "/api/podcasts", json={"type": "daily"}, headers=auth(runtime, "one")
    ).json()
    second = client.post(
        "/api/podcasts", json={"type": "daily"}, headers=auth(runtime, "two")
    ).json()
    assert (first["position"], second["position"]) == (1, 2)
    assert second["eta_seconds"] >= first["eta_seconds"]


def test_missing_or_wrong_key_is_401(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.post("/api/podcasts", json={"type": "daily"}, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    assert client.get("/api/bills").status_code == 401


def test_another_listeners_podcast_is_404(client: TestClient, runtime: Runtime) -> None:
    owner, stranger = auth(runtime, "owner"), auth(runtime, "stranger")
    podcast = client.post("/api/podcasts", json={"type": "daily"}, headers=owner).json()
    for method, path in (
        ("GET", f"/api/podcasts/{podcast['id']}"),
        ("POST", f"/api/podcasts/{podcast['id']}/cancel"),
        ("POST", f"/api/podcasts/{podcast['id']}/retry"),
        ("GET", f"/api/podcasts/{podcast['id']}/audio"),
        ("GET", f"/api/podcasts/{podcast['id']}/transcript.vtt"),
    ):
        response = client.request(method, path, headers=stranger)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert client.get("/api/podcasts/not-a-real-id", headers=owner).status_code == 404


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"type": "daily", "bills": ["119-hr"]}, "not a bill id"),
        ({"type": "daily", "bills": ["119-xx-12"]}, "unknown bill type 'xx'"),
        ({"type": "daily", "bills": ["119-hr-999"]}, "unknown bill: 119-hr-999"),
        ({"type": "monthly"}, "type"),
        ({"type": "daily", "bills": "119-hr-100"}, "bills"),
        ({"type": "daily", "extra": 1}, "extra"),
        ({}, "type"),
    ],
)
def test_bad_requests_are_422_with_a_reason(
    client: TestClient, runtime: Runtime, payload: dict[str, object], needle: str
) -> None:
    response = client.post("/api/podcasts", json=payload, headers=auth(runtime, "careful"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] in ("invalid_input", "invalid_bill_id")
    assert needle in error["message"]


def test_non_json_body_is_422_not_500(client: TestClient, runtime: Runtime) -> None:
    response = client.post(
        "/api/podcasts",
        content=b"{not json",
        headers=auth(runtime, "typo") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "Traceback" not in response.text


def test_body_that_is_not_even_text_is_422_like_any_bad_body(
    client: TestClient, runtime: Runtime
) -> None:
    response = client.post(
        "/api/podcasts",
        content=b'{"type": "daily\xff"}',
        headers=auth(runtime, "binary") | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_nul_characters_never_reach_the_database(kind: str, tmp_path: Path) -> None:
    """PostgreSQL refuses text holding NUL; the answers are the same on either database."""
    with database(kind, tmp_path) as url:
        rt = make_runtime(tmp_path, url)
        rt.notifications = NotificationStore(rt.db, rt.settings, resolve=lambda h, p: ["8.8.8.8"])
        rt.bills.upsert(sample_bills())
        try:
            with TestClient(create_app(rt), raise_server_exceptions=False) as client:
                headers = auth(rt, "nul")
                for path in ("/api/podcasts/a%00b", "/api/webhooks/%00", "/feeds/%00.xml"):
                    response = client.get(path, headers=headers)
                    assert response.status_code == 404, path
                    assert response.json()["error"]["code"] == "not_found"
                for params in ({"q": "sample\x00"}, {"policy_area": "\x00"}):
                    found = client.get("/api/bills", params=params, headers=headers)
                    assert (found.status_code, found.json()["total"]) == (200, 0)
                refused = [
                    client.post(
                        "/api/webhooks", json={"url": "https://a.example/\x00"}, headers=headers
                    ),
                    client.put(
                        "/api/me/notifications",
                        json={
                            "push": False,
                            "email": True,
                            "webhook": False,
                            "email_address": "a\x00@b.org",
                        },
                        headers=headers,
                    ),
                ]
                assert [r.status_code for r in refused] == [422, 422]
        finally:
            rt.close()


def test_queue_limit_answers_429_with_retry_after(client: TestClient, runtime: Runtime) -> None:
    headers = auth(runtime, "greedy")
    for bill in ("119-hr-100", "119-hr-101"):
        assert (
            client.post(
                "/api/podcasts", json={"type": "daily", "bills": [bill]}, headers=headers
            ).status_code
            == 202
        )
    response = client.post(
        "/api/podcasts", json={"type": "daily", "bills": ["119-hr-102"]}, headers=headers
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "queue_limit_reached"


def test_same_request_same_day_returns_the_existing_podcast(
    client: TestClient, runtime: Runtime
) -> None:
    headers = auth(runtime, "repeat")
    payload = {"type": "weekly", "bills": ["119-hr-101", "119-hr-100"]}
    first = client.post("/api/podcasts", json=payload, headers=headers)
    same = client.post(
        "/api/podcasts",
        json={"type": "weekly", "bills": ["119-hr-100", "119-hr-101"]},
        headers=headers,
    )
    assert first.status_code == 202
    assert same.status_code == 200
    assert same.json()["id"] == first.json()["id"]


def test_idempotency_key_makes_a_post_safe_to_repeat(client: TestClient, runtime: Runtime) -> None:
    headers = auth(runtime, "flaky-network") | {"Idempotency-Key": "abc-123"}
    first = client.post(
        "/api/podcasts", json={"type": "daily", "bills": ["119-hr-102"]}, headers=headers
    )
    again = client.post(
        "/api/podcasts", json={"type": "daily", "bills": ["119-hr-102"]}, headers=headers
    )
    assert again.json()["id"] == first.json()["id"]
    different = client.post("/api/podcasts", json={"type": "weekly"}, headers=headers)
    assert different.status_code == 422


def test_list_views_and_cancel(client: TestClient, runtime: Runtime) -> None:
    headers = auth(runtime, "lister")
    a = client.post(
        "/api/podcasts", json={"type": "daily", "bills": ["119-hr-100"]}, headers=headers
    ).json()
    b = client.post("/api/podcasts", json={"type": "weekly"}, headers=headers).json()
    queue = client.get("/api/podcasts", params={"view": "queue"}, headers=headers).json()
    assert [p["id"] for p in queue["podcasts"]] == [b["id"], a["id"]]
    assert queue["podcasts"][0]["held"] is True
    cancelled = client.post(f"/api/podcasts/{a['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/podcasts/{a['id']}/cancel", headers=headers).status_code == 409
    history = client.get("/api/podcasts", params={"view": "history"}, headers=headers).json()
    assert [p["id"] for p in history["podcasts"]] == [a["id"]]
    assert (
        client.get("/api/podcasts", params={"view": "everything"}, headers=headers).status_code
        == 422
    )
    # The held weekly was released when the daily was cancelled.
    assert client.get(f"/api/podcasts/{b['id']}", headers=headers).json()["held"] is False


def test_files_of_an_unfinished_podcast_are_404(client: TestClient, runtime: Runtime) -> None:
    headers = auth(runtime, "impatient")
    podcast = client.post("/api/podcasts", json={"type": "daily"}, headers=headers).json()
    response = client.get(f"/api/podcasts/{podcast['id']}/audio", headers=headers)
    assert response.status_code == 404
    assert "queued" in response.json()["error"]["message"]


def test_bills_browse_search_detail_and_tracking(client: TestClient, runtime: Runtime) -> None:
    headers = auth(runtime, "reader")
    page = client.get("/api/bills", params={"limit": 2}, headers=headers).json()
    assert page["total"] == 5
    assert len(page["bills"]) == 2
    # Most recently active first.
    assert page["bills"][0]["id"] == "119-hr-104"
    found = client.get("/api/bills", params={"q": "number 2"}, headers=headers).json()
    assert [b["id"] for b in found["bills"]] == ["119-hr-102"]
    detail = client.get("/api/bills/119-hr-103", headers=headers).json()
    assert detail["citation"] == "H.R. 103"
    assert detail["tracked"] is False
    assert client.get("/api/bills/119-hr-999", headers=headers).status_code == 404
    assert client.get("/api/bills/hr-12", headers=headers).status_code == 422
    assert client.put("/api/me/bills/119-hr-103", headers=headers).status_code == 204
    assert client.get("/api/me", headers=headers).json()["tracked_bills"] == ["119-hr-103"]
    assert client.delete("/api/me/bills/119-hr-103", headers=headers).status_code == 204
    assert client.get("/api/me", headers=headers).json()["tracked_bills"] == []


def test_health_metrics_and_openapi(client: TestClient) -> None:
    assert client.get("/livez").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    assert "briefcast_enqueue_seconds" in client.get("/metrics").text
    spec = client.get("/openapi.json").json()
    assert "/api/podcasts" in spec["paths"]


def test_the_document_gives_every_error_the_error_shape(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert answer.get("content") == error, (method, path, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    [bill_id] = spec["paths"]["/api/bills/{bill_id}"]["get"]["parameters"]
    assert bill_id["schema"]["pattern"].startswith("^[1-9]")


def test_media_urls_must_be_signed(client: TestClient, runtime: Runtime) -> None:
    key = "episodes/u/p/episode.mp3"
    runtime.storage.put(key, b"ID3 fake", "audio/mpeg")
    good = runtime.media.url(key, 60)
    assert client.get(good).content == b"ID3 fake"
    assert client.get(good.replace("signature=", "signature=0")).status_code == 404
    assert client.get(f"/media/{key}?expires=9999999999&signature=abc").status_code == 404
    assert client.get(f"/media/{key}").status_code == 422


def test_a_rotated_key_stops_working_at_once(client: TestClient, runtime: Runtime) -> None:
    user, key = runtime.users.create("rotator")
    old = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/me", headers=old).status_code == 200
    new_key = runtime.users.rotate_key(user.id)
    assert client.get("/api/me", headers=old).status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {new_key}"}).status_code == 200
