"""The API's request and response bodies (they also make the OpenAPI document)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from briefcast.bills import BILL_ID_PATTERN, Bill
from briefcast.podcasts import Podcast
from briefcast.runtime import Runtime
from briefcast.scheduling import Ticket

__all__ = [
    "BILL_ID_DOC",
    "ERROR_JSON",
    "BillOut",
    "BillPageOut",
    "EnqueueIn",
    "ErrorOut",
    "FeedTokenOut",
    "MeOut",
    "NotificationsIn",
    "NotificationsOut",
    "PodcastListOut",
    "PodcastOut",
    "PushKeysIn",
    "PushSubscriptionIn",
    "PushSubscriptionOut",
    "PushSubscriptionsOut",
    "PushUnsubscribeIn",
    "WebhookCreatedOut",
    "WebhookIn",
    "WebhookListOut",
    "WebhookOut",
    "podcast_out",
    "present",
]


#: How a bill id is documented wherever the API takes one. The routes parse ids with
#: :meth:`~briefcast.bills.BillId.parse`, which accepts exactly this pattern and says what
#: is wrong with anything else (``invalid_bill_id``); the pattern tells clients up front.
BILL_ID_DOC: dict[str, Any] = {"pattern": BILL_ID_PATTERN}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnqueueIn(_Strict):
    type: Literal["daily", "weekly"]
    bills: list[Annotated[str, Field(json_schema_extra=BILL_ID_DOC)]] | None = Field(
        None,
        max_length=40,
        description="Bill ids such as 119-hr-1234; omit to let briefcast choose.",
    )


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


#: An error answer's content, for responses whose success is not JSON (an event stream):
#: FastAPI would document a ``model`` there under the success's media type.
ERROR_JSON: dict[str, Any] = {
    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
}


class RetryOut(BaseModel):
    stage: str
    attempt: int
    max_attempts: int
    delay_seconds: float
    next_attempt_at: str
    reason: str
    code: str


class ChapterOut(BaseModel):
    title: str
    start: float
    end: float
    bill_id: str | None = None


class PodcastError(BaseModel):
    code: str | None
    message: str | None
    stage: str | None


class PodcastOut(BaseModel):
    id: str
    type: str
    status: Literal["queued", "processing", "completed", "failed", "cancelled"]
    stage: str | None
    progress: float
    position: int | None = Field(None, description="0 while processing; N ≥ 1 while queued.")
    eta_seconds: float | None = Field(
        None, description="Seconds until the episode should be ready."
    )
    held: bool = Field(description="Waiting for this listener's earlier episode to finish.")
    message: str | None = None
    title: str | None
    bills: list[str]
    requested_bills: list[str]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    timings: dict[str, float]
    attempt: int
    retry: RetryOut | None
    error: PodcastError | None
    audio_url: str | None
    transcript_url: str | None
    chapters_url: str | None
    duration_seconds: float | None
    audio_bytes: int | None
    chapters: list[ChapterOut]
    characters: dict[str, int]
    notes: list[str]


class PodcastListOut(BaseModel):
    view: Literal["queue", "history"]
    podcasts: list[PodcastOut]


class BillOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    citation: str
    title: str
    short_title: str | None
    status: str
    policy_area: str | None


class BillPageOut(BaseModel):
    bills: list[BillOut]
    total: int
    limit: int
    offset: int


def bill_out(bill: Bill) -> dict[str, Any]:
    return bill.to_json()


def podcast_out(
    podcast: Podcast,
    ticket: Ticket | None,
    link: Callable[[str], str],
    message: str | None = None,
) -> PodcastOut:
    """The listener's view of a podcast; ``link`` turns a storage key into a signed, expiring URL."""
    ready = podcast.status == "completed" and podcast.audio_key is not None
    base = f"episodes/{podcast.user_id}/{podcast.id}"
    error = None
    if podcast.status == "failed":
        error = PodcastError(
            code=podcast.error_code, message=podcast.error_message, stage=podcast.failed_stage
        )
    return PodcastOut(
        id=podcast.id,
        type=podcast.type,
        status=podcast.status,
        stage=podcast.stage if podcast.status == "processing" else None,
        progress=round(podcast.progress, 3),
        position=ticket.position if ticket else None,
        eta_seconds=round(ticket.eta_seconds, 1) if ticket else None,
        held=podcast.held,
        message=message,
        title=podcast.title,
        bills=list(podcast.bill_ids),
        requested_bills=list(podcast.requested_bills),
        created_at=podcast.created_at,
        started_at=podcast.started_at,
        finished_at=podcast.finished_at,
        timings=podcast.timings,
        attempt=podcast.attempt,
        retry=RetryOut(**podcast.retry)
        if podcast.retry and podcast.status == "processing"
        else None,
        error=error,
        audio_url=link(podcast.audio_key) if ready and podcast.audio_key else None,
        transcript_url=link(f"{base}/transcript.vtt") if ready else None,
        chapters_url=link(f"{base}/chapters.json") if ready else None,
        duration_seconds=podcast.duration_seconds,
        audio_bytes=podcast.audio_bytes,
        chapters=[ChapterOut(**c) for c in podcast.chapters],
        characters={
            "synthesized": podcast.characters_synthesized,
            "cached": podcast.characters_cached,
        },
        notes=list(podcast.notes),
    )


# --- notifications and the feed ------------------------------------------------


class NotificationsIn(_Strict):
    push: bool = Field(description="Web push to the browsers you subscribed.")
    email: bool = Field(description="E-mail; needs an address (given here or before).")
    webhook: bool = Field(description="Signed POSTs to your registered webhooks.")
    email_address: str | None = Field(
        None, max_length=254, description="Where e-mail notifications go."
    )


class DeliveryOut(BaseModel):
    id: str
    podcast_id: str
    channel: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class NotificationsOut(BaseModel):
    push: bool
    email: bool
    webhook: bool
    email_address: str | None
    available: dict[str, bool] = Field(
        description="Channels this server can use (e-mail needs an SMTP server)."
    )
    push_subscriptions: int
    webhooks: int
    recent_deliveries: list[DeliveryOut]


class PushKeysIn(BaseModel):
    p256dh: str = Field(max_length=128)
    auth: str = Field(max_length=64)


class PushSubscriptionIn(BaseModel):
    """What the browser's ``PushSubscription.toJSON()`` returns."""

    endpoint: str = Field(max_length=2000)
    expirationTime: float | None = None  # the browser's own field name
    keys: PushKeysIn


class PushUnsubscribeIn(BaseModel):
    endpoint: str = Field(max_length=2000)


class PushSubscriptionOut(BaseModel):
    id: str
    endpoint: str
    created_at: datetime


class PushSubscriptionsOut(BaseModel):
    public_key: str = Field(
        description="The VAPID public key: pass it as applicationServerKey to pushManager.subscribe."
    )
    subscriptions: list[PushSubscriptionOut]


class WebhookIn(_Strict):
    url: str = Field(max_length=2000, description="Where to POST signed notifications.")


class WebhookOut(BaseModel):
    id: str
    url: str
    enabled: bool
    disabled_reason: str | None
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(
        description="The signing secret (Standard Webhooks, whsec_…). Shown only now."
    )


class WebhookListOut(BaseModel):
    webhooks: list[WebhookOut]


class FeedTokenOut(BaseModel):
    feed_url: str


class MeOut(BaseModel):
    id: str
    name: str
    email: str | None
    state: str | None
    premium: bool
    admin: bool
    interests: list[str]
    created_at: str = Field(description="ISO 8601.")
    tracked_bills: list[str]
    feed_url: str = Field(description="Your private podcast feed; keep it to yourself.")


def present(
    runtime: Runtime, podcast: Podcast, ticket: Ticket | None, message: str | None = None
) -> PodcastOut:
    """A podcast for its listener (or an operator), with media links valid for a while."""
    ttl = runtime.settings.media_url_seconds

    def link(key: str) -> str:
        # Object stores sign their own URLs; files the API serves itself get /media/ links.
        return runtime.storage.signed_url(key, ttl) or runtime.media.url(key, ttl)

    return podcast_out(podcast, ticket, link, message)
