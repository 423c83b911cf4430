"""A real S3 API on loopback for tests: moto's server mode (``ThreadedMotoServer``).

Every client it sees signs with the test credentials below; buckets and
objects live in the server's memory and disappear with it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.server import free_port

ACCESS_KEY_ID = "AKIABRIEFCASTTEST01"
SECRET_ACCESS_KEY = "s3-secret-that-must-never-be-logged-7f1c"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def settings(self, bucket: str, **extra: Any) -> dict[str, Any]:
        """Settings values that point briefcast's S3 storage at this server."""
        return {
            "storage": "s3",
            "s3_bucket": bucket,
            "s3_endpoint_url": self.endpoint,
            "s3_access_key_id": ACCESS_KEY_ID,
            "s3_secret_access_key": SECRET_ACCESS_KEY,
            "s3_addressing_style": "path",
            **extra,
        }

    def environment(self, bucket: str) -> dict[str, str]:
        """The same as ``BRIEFCAST_*`` environment variables, for a subprocess."""
        return {
            f"BRIEFCAST_{name.upper()}": str(value) for name, value in self.settings(bucket).items()
        }

    def require_auth(self, enabled: bool) -> None:
        """Make the server check credentials (it accepts anything by default)."""
        count = b"0" if enabled else b"inf"
        httpx.post(f"{self.endpoint}/moto-api/reset-auth", content=count).raise_for_status()


@contextmanager
def moto_server() -> Iterator[S3Server]:
    from moto.server import ThreadedMotoServer

    # The server's own request log is noise in test output.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        server.stop()
