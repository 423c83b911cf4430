"""Signed, expiring media URLs for files the API serves itself.

Episodes greet listeners by name, so media is never public: a URL carries an
expiry time and an HMAC of the key and expiry under the server's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from briefcast.settings import Settings

__all__ = ["MediaSigner", "load_secret"]


def load_secret(settings: Settings) -> bytes:
    """The configured secret, or one generated once and kept under ``home`` (development)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = settings.home / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(path, secrets.token_hex(32))
    return path.read_text().strip().encode()


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.chmod(0o600)
    tmp.replace(path)


class MediaSigner:
    def __init__(self, secret: bytes, *, prefix: str = "/media") -> None:
        self._secret = secret
        self._prefix = prefix

    def url(self, key: str, ttl_seconds: int, *, now: float | None = None) -> str:
        """A path with query string that grants access to ``key`` for ``ttl_seconds``."""
        expires = int((now if now is not None else time.time()) + ttl_seconds)
        query = urlencode({"expires": expires, "signature": self._sign(key, expires)})
        return f"{self._prefix}/{quote(key)}?{query}"

    def verify(self, key: str, expires: int, signature: str, *, now: float | None = None) -> bool:
        if expires < (now if now is not None else time.time()):
            return False
        return hmac.compare_digest(self._sign(key, expires), signature)

    def _sign(self, key: str, expires: int) -> str:
        message = f"{key}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:40]
