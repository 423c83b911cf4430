"""Webhook deliveries, signed as the Standard Webhooks specification describes.

Each request carries ``webhook-id`` (the delivery id, the same on every
retry, so receivers can drop duplicates), ``webhook-timestamp`` (seconds
since the epoch, fresh on every attempt, so receivers can refuse replays)
and ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256 of
``{id}.{timestamp}.{body}`` under the endpoint's secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime

import httpx

from briefcast import __version__
from briefcast.errors import ConfigurationError, ProviderBusy, ProviderUnavailable
from briefcast.netguard import Resolver, pinned_post, system_resolver
from briefcast.notices import Notice, TargetGone

__all__ = ["SECRET_PREFIX", "send_webhook", "sign", "webhook_body"]

SECRET_PREFIX = "whsec_"  # noqa: S105  # a format marker, not a secret


def _key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigurationError("a webhook secret is not valid base64") from exc


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one request."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def webhook_body(notice: Notice) -> bytes:
    """The JSON payload: ``type``, ``timestamp`` and the notice as ``data``."""
    payload = {
        "type": f"podcast.{notice.kind}",
        "timestamp": notice.occurred_at.isoformat(),
        "data": notice.to_json(),
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def send_webhook(
    url: str,
    secret: str,
    body: bytes,
    *,
    msg_id: str,
    now: datetime,
    timeout: float,
    allow_local: bool,
    resolve: Resolver = system_resolver,
) -> None:
    """POST one signed delivery; raise unless the endpoint answered 2xx.

    410 Gone raises :class:`TargetGone` (the endpoint should be disabled);
    any other answer, a redirect included, is a failure worth retrying.
    """
    timestamp = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": f"briefcast-webhooks/{__version__}",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }
    response = pinned_post(
        url,
        content=body,
        headers=headers,
        timeout=timeout,
        allow_local=allow_local,
        resolve=resolve,
    )
    _judge(response)


def _judge(response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 410:
        raise TargetGone("the endpoint answered 410 Gone")
    retry_after = _retry_after(response)
    if status == 429:
        raise ProviderBusy("the endpoint answered 429 Too Many Requests", retry_after)
    if 300 <= status < 400:
        raise ProviderUnavailable(f"the endpoint answered {status} (redirects are not followed)")
    raise ProviderUnavailable(f"the endpoint answered {status}", retry_after)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None
