"""Reading vendors' error answers: Retry-After, error bodies, redaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from briefcast.providers.http_errors import redact, retry_after, vendor_detail

NOW = datetime(2026, 3, 4, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": " 2.5 "}, 2.5),
        ({"Retry-After": "Wed, 04 Mar 2026 12:00:30 GMT"}, 30.0),
        ({"Retry-After": "Wed, 04 Mar 2026 11:00:00 GMT"}, 0.0),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after(headers: dict[str, str] | None, expected: float | None) -> None:
    assert retry_after(headers, now=NOW) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"detail": {"status": "quota_exceeded", "message": "No credits"}},
            ("quota_exceeded", "No credits"),
        ),
        (
            {
                "detail": {
                    "type": "rate_limit",
                    "code": "concurrent_limit_exceeded",
                    "status": "x",
                    "message": "m",
                }
            },
            ("concurrent_limit_exceeded", "m"),
        ),
        (
            {"error": {"message": "Quota", "type": "insufficient_quota", "code": None}},
            ("insufficient_quota", "Quota"),
        ),
        ({"detail": "Not authenticated"}, ("", "Not authenticated")),
        ("plain text", ("", "")),
        ({"other": 1}, ("", "")),
    ],
)
def test_vendor_detail(body: object, expected: tuple[str, str]) -> None:
    assert vendor_detail(body) == expected


def test_vendor_messages_are_kept_short() -> None:
    code, message = vendor_detail({"detail": {"code": "c", "message": "x" * 5000}})
    assert (code, len(message)) == ("c", 240)


def test_redact_replaces_every_secret() -> None:
    assert redact("key sk-123 and sk-123 again", ["sk-123", None, ""]) == (
        "key [redacted] and [redacted] again"
    )
