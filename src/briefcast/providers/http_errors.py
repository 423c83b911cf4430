"""Small helpers network adapters share to turn vendor answers into the error tree."""

from __future__ import annotations

import email.utils
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["redact", "retry_after", "vendor_detail"]

_MAX_MESSAGE = 240


def retry_after(headers: Mapping[str, str] | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date); ``None`` if absent."""
    value = _header(headers, "retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return str(value).strip()
    return ""


def vendor_detail(body: Any) -> tuple[str, str]:
    """``(code, message)`` from an error body shaped ``{"detail": {...}}`` or ``{"error": {...}}``.

    Both ElevenLabs (``detail.code``, or the older ``detail.status``) and
    OpenAI-compatible APIs (``error.code`` / ``error.type``) are understood;
    anything else gives empty strings.
    """
    if not isinstance(body, Mapping):
        return "", ""
    inner = body.get("detail", body.get("error"))
    if isinstance(inner, str):
        return "", inner[:_MAX_MESSAGE]
    if not isinstance(inner, Mapping):
        return "", ""
    code = inner.get("code") or inner.get("status") or inner.get("type") or ""
    message = inner.get("message") or ""
    return str(code), str(message)[:_MAX_MESSAGE]


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-empty secret replaced, for messages that quote a vendor."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text
