"""Web push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291).

The payload is encrypted for the browser's key with pywebpush, signed for the
push service with our VAPID key, and sent through :mod:`briefcast.netguard`
(a push endpoint is a URL a client gave us, so it gets the webhook rules).
The ``Topic`` header is the delivery id: a push service that still holds an
earlier copy of the same notice replaces it instead of showing it twice.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from briefcast.errors import (
    ConfigurationError,
    PermanentError,
    ProviderBusy,
    ProviderRejected,
    ProviderUnavailable,
)
from briefcast.netguard import Resolver, pinned_post, system_resolver
from briefcast.notices import Notice, TargetGone
from briefcast.settings import Settings

__all__ = ["MAX_PLAINTEXT", "VapidKeys", "push_payload", "send_push"]

# 4096 bytes of record, less the aes128gcm header (86), the tag (16) and the
# padding delimiter (1): the most a single-record push message can carry.
MAX_PLAINTEXT = 3993
_TOKEN_SECONDS = 12 * 3600


class VapidKeys:
    """Our VAPID key pair: signs each push request for the push service."""

    def __init__(self, vapid: Any) -> None:
        self._vapid = vapid

    @classmethod
    def load(cls, settings: Settings) -> VapidKeys:
        """From BRIEFCAST_VAPID_PRIVATE_KEY, or a key generated once under ``home``."""
        from py_vapid import Vapid

        configured = settings.vapid_private_key
        try:
            if configured is not None:
                text = configured.get_secret_value().strip()
                if text.startswith("-----BEGIN"):
                    return cls(Vapid.from_pem(text.encode()))
                return cls(Vapid.from_string(text))
            return cls(Vapid.from_pem(_stored_key(settings.home / "vapid_private.pem")))
        except (ValueError, TypeError) as exc:
            raise ConfigurationError("BRIEFCAST_VAPID_PRIVATE_KEY is not a P-256 key") from exc

    @property
    def public_key(self) -> str:
        """The application server key browsers subscribe with (base64url, uncompressed point)."""
        from cryptography.hazmat.primitives import serialization

        raw = self._vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def authorization(self, endpoint: str, subject: str) -> str:
        """The ``Authorization: vapid t=…, k=…`` value for one push service."""
        parts = urlsplit(endpoint)
        claims = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "sub": subject,
            "exp": int(time.time()) + _TOKEN_SECONDS,
        }
        header: str = self._vapid.sign(claims)["Authorization"]
        return header


def _stored_key(path: Path) -> bytes:
    """The PEM under ``path``, created once; two processes racing agree on one key."""
    if not path.exists():
        from py_vapid import Vapid

        fresh = Vapid()
        fresh.generate_keys()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        tmp.write_bytes(fresh.private_pem())
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # fails if another process got there first: keep theirs
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes()


def push_payload(notice: Notice) -> bytes:
    """The JSON a service worker receives: small enough for one push message."""
    payload: dict[str, Any] = {
        "type": f"podcast.{notice.kind}",
        "podcast_id": notice.podcast_id,
        "title": notice.headline,
        "body": notice.summary,
        "url": notice.app_url,
        "audio_url": notice.listen_url,
        "duration_seconds": notice.duration_seconds,
    }
    data = json.dumps(payload, separators=(",", ":")).encode()
    while len(data) > MAX_PLAINTEXT:  # only a huge title can get here
        payload["body"] = payload["body"][
            : max(0, len(payload["body"]) - (len(data) - MAX_PLAINTEXT) - 1)
        ]
        data = json.dumps(payload, separators=(",", ":")).encode()
    return data


def send_push(
    subscription: dict[str, Any],
    payload: bytes,
    *,
    keys: VapidKeys,
    subject: str,
    topic: str,
    ttl: int,
    timeout: float,
    allow_local: bool,
    resolve: Resolver = system_resolver,
) -> None:
    """Encrypt ``payload`` for the subscription and hand it to its push service."""
    from pywebpush import WebPusher, WebPushException

    if len(payload) > MAX_PLAINTEXT:
        raise PermanentError("a push payload is larger than one push message")
    try:
        body = WebPusher(subscription).encode(payload, "aes128gcm")["body"]
    except WebPushException as exc:
        raise PermanentError(f"the push subscription is unusable: {exc.message}") from exc
    endpoint = subscription["endpoint"]
    headers = {
        "authorization": keys.authorization(endpoint, subject),
        "content-encoding": "aes128gcm",
        "content-type": "application/octet-stream",
        "ttl": str(ttl),
        "topic": topic.replace("-", "")[:32],
        "urgency": "normal",
    }
    response = pinned_post(
        endpoint,
        content=body,
        headers=headers,
        timeout=timeout,
        allow_local=allow_local,
        resolve=resolve,
    )
    _judge(response.status_code, response.headers.get("retry-after", ""))


def _judge(status: int, retry_after: str) -> None:
    if 200 <= status < 300:
        return
    if status in (404, 410):
        raise TargetGone(f"the push service answered {status}: the subscription has expired")
    wait = float(retry_after) if retry_after.isdigit() else None
    if status == 429:
        raise ProviderBusy("the push service answered 429 Too Many Requests", wait)
    if status >= 500:
        raise ProviderUnavailable(f"the push service answered {status}", wait)
    if status == 413:
        raise PermanentError("the push service refused the payload as too large")
    raise ProviderRejected(f"the push service refused the message ({status})")
