"""Storage in an S3-compatible object store (AWS S3, Vultr, MinIO, R2, ...), through boto3.

Objects live under ``<prefix><key>`` in one bucket. A PUT is atomic in S3
(readers see the old object or the whole new one), which is all the publish
step needs. Media reaches listeners through presigned GET URLs that expire
after ``BRIEFCAST_MEDIA_URL_SECONDS`` (byte ranges work on them), or through a
CDN base URL in front of the bucket.

Vendor quirks handled here:

* boto3 1.36+ adds CRC checksums (and chunked uploads) to every request by
  default, which several S3-compatible services reject; checksums are only
  sent and checked when an operation requires them.
* Most S3-compatible services and local servers want path-style addressing
  (``https://host/bucket/key``); ``auto`` lets botocore choose (virtual hosts on AWS).
* A presigned URL may live at most seven days (SigV4).
* ``HeadObject`` answers a missing key with a bare 404 (no error code in the
  body), ``GetObject`` with ``NoSuchKey``: both mean "absent".

boto's own retries (standard mode) absorb single hiccups; what still fails is
translated: throttling, 5xx and connection trouble into
:class:`~briefcast.errors.StorageUnavailable` (retryable, and counted by a
circuit breaker), bad credentials or a missing bucket into
:class:`~briefcast.errors.ConfigurationError`. Messages name the operation and
key, never a credential.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import boto3
import botocore.exceptions
from botocore.config import Config

from briefcast.breaker import CircuitBreaker
from briefcast.errors import (
    BriefcastError,
    ConfigurationError,
    InvalidInput,
    NotFound,
    ProviderRejected,
    StorageUnavailable,
)
from briefcast.settings import Settings
from briefcast.storage import ObjectInfo

__all__ = ["MAX_PRESIGN_SECONDS", "S3Storage", "make_client"]

T = TypeVar("T")

#: SigV4 presigned URLs cannot live longer than a week.
MAX_PRESIGN_SECONDS = 7 * 24 * 3600

_ABSENT = frozenset({"NoSuchKey", "404", "NotFound"})
_BUSY = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "ServiceUnavailable",
        "InternalError",
        "503",
        "500",
    }
)
_MISCONFIGURED = frozenset(
    {
        "AccessDenied",
        "403",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "NoSuchBucket",
        "AllAccessDisabled",
        "PermanentRedirect",
        "AuthorizationHeaderMalformed",
    }
)


class S3Storage:
    """A :class:`~briefcast.storage.Storage` in one bucket of an S3-compatible service."""

    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        client: Any,
        prefix: str = "",
        cdn_url: str | None = None,
        cdn_signed: bool = True,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.bucket = bucket
        self._client = client
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._cdn_url = cdn_url.rstrip("/") if cdn_url else None
        self._cdn_signed = cdn_signed
        self._breaker = breaker or CircuitBreaker(
            f"object store {bucket}", error=StorageUnavailable
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        if not settings.s3_bucket:
            raise ConfigurationError("BRIEFCAST_S3_BUCKET is required when BRIEFCAST_STORAGE=s3")
        breaker = CircuitBreaker(
            f"object store {settings.s3_bucket}",
            failures=settings.breaker_failures,
            cooldown=settings.breaker_cooldown_seconds,
            error=StorageUnavailable,
        )
        return cls(
            settings.s3_bucket,
            client=make_client(settings),
            prefix=settings.s3_prefix,
            cdn_url=settings.s3_cdn_url,
            cdn_signed=settings.s3_cdn_signed,
            breaker=breaker,
        )

    def object_key(self, key: str) -> str:
        """The key inside the bucket; keys are relative paths that cannot climb out."""
        # Split by hand: a normalising path parser would let "a//b" and "./a" through.
        if any(part in ("", ".", "..") for part in key.split("/")):
            raise InvalidInput(f"invalid storage key {key!r}")
        return self._prefix + key

    def put(self, key: str, data: bytes, content_type: str) -> ObjectInfo:
        name = self.object_key(key)
        self._call(
            "put",
            key,
            lambda: self._client.put_object(
                Bucket=self.bucket, Key=name, Body=data, ContentType=content_type
            ),
        )
        return ObjectInfo(key, len(data), content_type)

    def get(self, key: str) -> bytes:
        name = self.object_key(key)

        def read() -> bytes:
            response = self._client.get_object(Bucket=self.bucket, Key=name)
            body: bytes = response["Body"].read()
            return body

        return self._call("get", key, read)

    def stat(self, key: str) -> ObjectInfo | None:
        name = self.object_key(key)
        try:
            head = self._call(
                "stat", key, lambda: self._client.head_object(Bucket=self.bucket, Key=name)
            )
        except NotFound:
            return None
        content_type = str(head.get("ContentType") or "application/octet-stream")
        return ObjectInfo(key, int(head["ContentLength"]), content_type)

    def signed_url(self, key: str, expires_in: int) -> str:
        """A presigned GET URL (or the CDN's equivalent) valid for ``expires_in`` seconds."""
        name = self.object_key(key)
        if self._cdn_url and not self._cdn_signed:
            return f"{self._cdn_url}/{quote(name)}"
        lifetime = max(1, min(int(expires_in), MAX_PRESIGN_SECONDS))
        try:
            url: str = self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": name}, ExpiresIn=lifetime
            )
        except botocore.exceptions.BotoCoreError as exc:
            raise ConfigurationError(
                f"cannot sign URLs for bucket {self.bucket}: {type(exc).__name__}"
            ) from exc
        return self._through_cdn(url) if self._cdn_url else url

    def _through_cdn(self, url: str) -> str:
        """The presigned URL with the bucket's origin swapped for the CDN's base URL."""
        parts = urlsplit(url)
        path = parts.path
        bucket_root = f"/{self.bucket}"
        if path.startswith(bucket_root + "/"):  # path-style: the bucket is in the path
            path = path[len(bucket_root) :]
        return f"{self._cdn_url}{path}?{parts.query}"

    def _call(self, operation: str, key: str, fn: Callable[[], T]) -> T:
        def guarded() -> T:
            try:
                return fn()
            except botocore.exceptions.ClientError as exc:
                raise _translate(exc, operation, key, self.bucket) from exc
            except botocore.exceptions.NoCredentialsError as exc:
                raise ConfigurationError(
                    "no object store credentials: set BRIEFCAST_S3_ACCESS_KEY_ID and "
                    "BRIEFCAST_S3_SECRET_ACCESS_KEY"
                ) from exc
            except botocore.exceptions.BotoCoreError as exc:
                # Connection refused or reset, timeouts, truncated bodies.
                raise StorageUnavailable(
                    f"object store unreachable during {operation} {key}: {type(exc).__name__}"
                ) from exc

        return self._breaker.call(guarded)


def _translate(
    exc: botocore.exceptions.ClientError, operation: str, key: str, bucket: str
) -> BriefcastError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    where = f"{operation} {key}"
    if code in _ABSENT:
        return NotFound(f"no stored object {key}")
    if code in _BUSY or status >= 500 or status == 429:
        return StorageUnavailable(f"object store busy or failing during {where} ({code or status})")
    if code in _MISCONFIGURED or status in (301, 403):
        return ConfigurationError(
            f"the object store refused {where} in bucket {bucket} ({code or status}): check "
            "BRIEFCAST_S3_BUCKET, BRIEFCAST_S3_ENDPOINT_URL, BRIEFCAST_S3_REGION and the "
            "access key"
        )
    return ProviderRejected(f"the object store rejected {where} ({code or status})")


def make_client(settings: Settings) -> Any:
    """A boto3 S3 client for the configured service."""
    config = Config(
        region_name=settings.s3_region,
        signature_version="s3v4",
        s3={"addressing_style": settings.s3_addressing_style},
        connect_timeout=min(10.0, settings.s3_timeout_seconds),
        read_timeout=settings.s3_timeout_seconds,
        retries={"mode": "standard", "total_max_attempts": settings.s3_max_attempts},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    key, secret = settings.s3_access_key_id, settings.s3_secret_access_key
    credentials = (
        {
            "aws_access_key_id": key.get_secret_value(),
            "aws_secret_access_key": secret.get_secret_value(),
        }
        if key is not None and secret is not None
        else {}
    )
    # A session of its own: boto3's default session is shared, process-wide state.
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=settings.s3_endpoint_url, config=config, **credentials)
