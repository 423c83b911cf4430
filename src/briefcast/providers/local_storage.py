"""Storage in a local directory (the embedded default), served by the API."""

from __future__ import annotations

import mimetypes
import os
import tempfile
from pathlib import Path, PurePosixPath

from briefcast.errors import InvalidInput, NotFound, StorageUnavailable
from briefcast.storage import ObjectInfo

__all__ = ["LocalStorage"]


class LocalStorage:
    """Files under ``root``; writes are atomic (temp file + rename)."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def path(self, key: str) -> Path:
        """The file for ``key``; keys cannot escape the root."""
        parts = PurePosixPath(key).parts
        if not parts or key.startswith("/") or any(p in ("..", ".", "") for p in parts):
            raise InvalidInput(f"invalid storage key {key!r}")
        return self.root.joinpath(*parts)

    def put(self, key: str, data: bytes, content_type: str) -> ObjectInfo:
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except OSError as exc:
            raise StorageUnavailable(f"could not write {key}: {exc.strerror}") from exc
        return ObjectInfo(key, len(data), content_type)

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(f"no stored object {key}") from exc
        except OSError as exc:
            raise StorageUnavailable(f"could not read {key}: {exc.strerror}") from exc

    def stat(self, key: str) -> ObjectInfo | None:
        try:
            size = self.path(key).stat().st_size
        except FileNotFoundError:
            return None
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        return ObjectInfo(key, size, content_type)

    def signed_url(self, key: str, expires_in: int) -> str | None:
        # The API signs and serves local files itself.
        return None
