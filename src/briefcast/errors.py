"""Every error briefcast raises on purpose, in one tree.

The split at the top decides what the engine does with a failure: a
:class:`RetryableError` is worth another attempt after a pause, a
:class:`PermanentError` fails the job at once with a reason the listener can
read. Adapters translate vendor errors into this tree with ``raise ... from exc``
so the rest of the code never inspects a vendor's exception.

::

    BriefcastError
    ├── RetryableError                 try again later (backoff with jitter)
    │   ├── ProviderUnavailable        5xx, timeouts, connection refused, open circuit
    │   ├── ProviderBusy               429 or "busy"; may carry ``retry_after``
    │   ├── StorageUnavailable         object store or disk temporarily failing
    │   └── DatabaseUnavailable        the database is restarting or unreachable
    └── PermanentError                 retrying cannot help
        ├── ConfigurationError         missing or invalid settings
        ├── InvalidInput               a request the listener can fix (HTTP 422)
        │   └── InvalidBillId          not ``{congress}-{type}-{number}``
        ├── NotFound                   no such thing *for this caller* (HTTP 404)
        ├── Conflict                   the thing is in the wrong state (HTTP 409)
        ├── QueueLimitReached          too much queued for this user (HTTP 429)
        ├── ProviderRejected           bad key, quota exhausted, invalid voice
        ├── ScriptInvalid              a script failed validation before any audio
        ├── AudioQualityError          a rendered episode failed its QA check
        ├── BillSourceError            a bill file or response could not be read
        └── JobCancelled               the listener cancelled; stop without paying
"""

from __future__ import annotations

__all__ = [
    "AudioQualityError",
    "BillSourceError",
    "BriefcastError",
    "ConfigurationError",
    "Conflict",
    "DatabaseUnavailable",
    "InvalidBillId",
    "InvalidInput",
    "JobCancelled",
    "NotFound",
    "PermanentError",
    "ProviderBusy",
    "ProviderRejected",
    "ProviderUnavailable",
    "QueueLimitReached",
    "RetryableError",
    "ScriptInvalid",
    "StorageUnavailable",
]


class BriefcastError(Exception):
    """Base of every deliberate briefcast error.

    ``code`` is a stable machine-readable name (it reaches API clients in
    ``{"error": {"code", "message"}}``); the message is written for a person.
    Errors keep their constructor arguments in ``args`` so they survive
    pickling, which the durable engine uses to checkpoint a failed step.
    """

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RetryableError(BriefcastError):
    """A failure that may pass: retry with backoff, honouring ``retry_after``."""

    code = "temporarily_unavailable"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.args = (message, retry_after)
        self.retry_after = retry_after


class ProviderUnavailable(RetryableError):
    code = "provider_unavailable"


class ProviderBusy(RetryableError):
    code = "provider_busy"


class StorageUnavailable(RetryableError):
    code = "storage_unavailable"


class DatabaseUnavailable(RetryableError):
    code = "database_unavailable"


class PermanentError(BriefcastError):
    """A failure that another attempt cannot fix."""

    code = "failed"


class ConfigurationError(PermanentError):
    code = "configuration_error"


class InvalidInput(PermanentError):
    code = "invalid_input"


class InvalidBillId(InvalidInput):
    code = "invalid_bill_id"


class NotFound(PermanentError):
    code = "not_found"


class Conflict(PermanentError):
    code = "conflict"


class QueueLimitReached(PermanentError):
    """The caller already has as much queued work as allowed."""

    code = "queue_limit_reached"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.args = (message, retry_after)
        self.retry_after = retry_after


class ProviderRejected(PermanentError):
    code = "provider_rejected"


class ScriptInvalid(PermanentError):
    """A script broke the rules; ``problems`` lists every broken rule."""

    code = "script_invalid"

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.args = (message, problems)
        self.problems = problems


class AudioQualityError(PermanentError):
    code = "audio_quality"


class BillSourceError(PermanentError):
    code = "bill_source_error"


class JobCancelled(PermanentError):
    code = "cancelled"
