from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from standardwebhooks import Webhook

from briefcast.notices import Notice
from briefcast.notifications import new_webhook_secret
from briefcast.webhooks import sign, webhook_body


def test_signature_matches_the_specification_by_hand() -> None:
    key = b"0123456789abcdef0123456789abcdef"
    secret = "whsec_" + base64.b64encode(key).decode()
    expected = hmac.new(key, b'msg_1.1700000000.{"a":1}', hashlib.sha256).digest()
    assert (
        sign(secret, "msg_1", 1700000000, b'{"a":1}') == "v1," + base64.b64encode(expected).decode()
    )


def test_the_reference_library_accepts_our_signature() -> None:
    secret = new_webhook_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    now = int(datetime.now(UTC).timestamp())
    body = b'{"type":"podcast.completed"}'
    headers = {
        "webhook-id": "d-1",
        "webhook-timestamp": str(now),
        "webhook-signature": sign(secret, "d-1", now, body),
    }
    assert Webhook(secret).verify(body, headers) == {"type": "podcast.completed"}


def test_body_carries_type_timestamp_and_data() -> None:
    notice = Notice(
        delivery_id="d-1",
        event_id=7,
        kind="failed",
        podcast_id="p-1",
        episode_type="weekly",
        title=None,
        duration_seconds=None,
        error="the voice key was refused",
        bills=(("H.R. 1", "An Act"),),
        occurred_at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
        listen_url=None,
        api_url="https://x/api/podcasts/p-1",
        app_url="https://x/",
    )
    import json

    body = json.loads(webhook_body(notice))
    assert body["type"] == "podcast.failed"
    assert body["timestamp"] == "2026-11-03T09:00:00+00:00"
    assert body["data"]["error"] == "the voice key was refused"
    assert body["data"]["bills"] == [{"citation": "H.R. 1", "title": "An Act"}]
    assert notice.headline == "Your weekly deep dive could not be made"
