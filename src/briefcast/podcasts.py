"""The podcasts service: each listener's requests, in one place.

It owns what the listener sees — enqueue (answered in milliseconds with a
position and an ETA), status, the listener's queue and history, cancel and
retry — in the app's own tables, written in transactions. The engine owns
execution; a podcast row and its workflow share one id and are created in the
same transaction, so neither exists without the other.

One listener's episodes run one at a time: a new request while another of
theirs is active is *held*; when the active one ends, :func:`release_next`
lets the next one take its place in the global line.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
import structlog

from briefcast import events
from briefcast.bills import BillId
from briefcast.db import Database
from briefcast.engine import JobQueue
from briefcast.errors import Conflict, InvalidInput, NotFound, QueueLimitReached
from briefcast.scheduling import Ticket, priority_for
from briefcast.settings import Settings
from briefcast.tables import bills, podcasts
from briefcast.tickets import TicketOffice
from briefcast.users import User

__all__ = [
    "ACTIVE",
    "FINAL",
    "Enqueued",
    "Podcast",
    "PodcastService",
    "describe_wait",
    "release_next",
]

log = structlog.get_logger("briefcast.podcasts")

# Hot statements, built once (re-building SQL per request costs more than running it).
_STANDING = podcasts.select().where(
    podcasts.c.user_id == sa.bindparam("user_id"),
    sa.or_(
        podcasts.c.status.in_(("queued", "processing")),
        podcasts.c.dedup_key == sa.bindparam("dedup_key"),
        # NULL when no key was sent: compares false, as it should.
        podcasts.c.idempotency_key == sa.bindparam("idempotency_key"),
    ),
)
_INSERT = podcasts.insert()

FINAL = frozenset({"completed", "failed", "cancelled"})
ACTIVE = frozenset({"queued", "processing"})
EPISODE_TYPES = ("daily", "weekly")
_MAX_BILLS = 40


@dataclass(frozen=True)
class Podcast:
    """One requested episode, as stored."""

    id: str
    user_id: str
    type: str
    status: str
    stage: str | None
    progress: float
    priority: int
    held: bool
    requested_bills: tuple[str, ...]
    bill_ids: tuple[str, ...]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempt: int
    retry: dict[str, Any] | None
    error_code: str | None
    error_message: str | None
    failed_stage: str | None
    worker: str | None
    title: str | None
    audio_key: str | None
    audio_bytes: int | None
    duration_seconds: float | None
    chapters: tuple[dict[str, Any], ...]
    characters_synthesized: int
    characters_cached: int
    timings: dict[str, float]
    notes: tuple[str, ...]

    @classmethod
    def from_row(cls, row: Any) -> Podcast:
        return cls(
            id=row.id,
            user_id=row.user_id,
            type=row.type,
            status=row.status,
            stage=row.stage,
            progress=row.progress or 0.0,
            priority=row.priority,
            held=row.held,
            requested_bills=tuple(row.requested_bills or ()),
            bill_ids=tuple(row.bill_ids or ()),
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            attempt=row.attempt or 1,
            retry=row.retry,
            error_code=row.error_code,
            error_message=row.error_message,
            failed_stage=row.failed_stage,
            worker=row.worker,
            title=row.title,
            audio_key=row.audio_key,
            audio_bytes=row.audio_bytes,
            duration_seconds=row.duration_seconds,
            chapters=tuple(row.chapters or ()),
            characters_synthesized=row.characters_synthesized or 0,
            characters_cached=row.characters_cached or 0,
            timings=dict(row.timings or {}),
            notes=tuple(row.notes or ()),
        )

    @property
    def is_final(self) -> bool:
        return self.status in FINAL


@dataclass(frozen=True)
class _Standing:
    """What one listener has in flight, and any earlier answer to the same request."""

    podcasts: tuple[Podcast, ...]
    rows: tuple[Any, ...]

    @property
    def queued(self) -> int:
        return sum(1 for p in self.podcasts if p.status == "queued")

    @property
    def busy(self) -> bool:
        """An episode of theirs is running or next in line: a new one must wait behind it."""
        return any(p.status in ACTIVE and not p.held for p in self.podcasts)

    def existing(
        self, idempotency_key: str | None, dedup_key: str, request_hash: str
    ) -> Podcast | None:
        if idempotency_key is not None:
            for podcast, row in zip(self.podcasts, self.rows, strict=True):
                if row.idempotency_key == idempotency_key:
                    if row.request_hash != request_hash:
                        raise InvalidInput(
                            "this Idempotency-Key was already used for a different request"
                        )
                    return podcast
        return next(
            (
                p
                for p, row in zip(self.podcasts, self.rows, strict=True)
                if row.dedup_key == dedup_key
            ),
            None,
        )


class _RowView:
    """Attribute access to a freshly inserted row, with unset columns as None."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        return self._values.get(name)


@dataclass(frozen=True)
class Enqueued:
    """The answer to "Generate": the podcast, where it stands, and what to tell the listener."""

    podcast: Podcast
    ticket: Ticket | None
    created: bool
    message: str


class PodcastService:
    """Listener-facing operations on podcasts. Thread-safe."""

    def __init__(
        self,
        db: Database,
        queue: JobQueue,
        settings: Settings,
        tickets: TicketOffice,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._queue = queue
        self._settings = settings
        self.tickets = tickets
        self._clock = clock
        self._known_bills: set[str] = set()

    # --- enqueue -------------------------------------------------------------
    def enqueue(
        self,
        user: User,
        episode_type: str,
        bill_ids: Sequence[str] | None = None,
        idempotency_key: str | None = None,
    ) -> Enqueued:
        """Queue an episode, or return the one this request already made."""
        ids = self._validate_request(episode_type, bill_ids, idempotency_key)
        request_hash = _request_hash(episode_type, ids)
        now = self._clock()
        dedup_key = f"{episode_type}:{now.date().isoformat()}:{request_hash[:40]}"
        with self._db.write() as conn:
            self._db.lock_user(conn, user.id)
            standing = self._standing(conn, user.id, dedup_key, idempotency_key)
            existing = standing.existing(idempotency_key, dedup_key, request_hash)
            if existing is None and standing.queued < self._settings.user_queue_limit:
                row = self._insert(
                    conn,
                    user,
                    episode_type,
                    ids,
                    dedup_key,
                    idempotency_key,
                    request_hash,
                    standing.busy,
                    now,
                )
                self._queue.enqueue(conn, row["id"], priority=row["priority"], hold=standing.busy)
        if existing is not None:
            return self._answer(existing, created=False)
        if standing.queued >= self._settings.user_queue_limit:
            raise self._limit_reached(user.id)
        return self._answer(Podcast.from_row(_RowView(row)), created=True)

    def _standing(
        self, conn: sa.Connection, user_id: str, dedup_key: str, idempotency_key: str | None
    ) -> _Standing:
        """The listener's active episodes and any earlier answer to this request, in one read."""
        params = {"user_id": user_id, "dedup_key": dedup_key, "idempotency_key": idempotency_key}
        rows = conn.execute(_STANDING, params).all()
        return _Standing(tuple(Podcast.from_row(r) for r in rows), tuple(rows))

    def _validate_request(
        self, episode_type: str, bill_ids: Sequence[str] | None, idempotency_key: str | None
    ) -> tuple[str, ...]:
        if episode_type not in EPISODE_TYPES:
            raise InvalidInput(f"type must be one of {', '.join(EPISODE_TYPES)}")
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= 128:
            raise InvalidInput("Idempotency-Key must be 1 to 128 characters")
        ids = tuple(dict.fromkeys(str(BillId.parse(b)) for b in (bill_ids or ())))
        if len(ids) > _MAX_BILLS:
            raise InvalidInput(f"at most {_MAX_BILLS} bills per episode")
        self._require_known_bills(ids)
        return ids

    def _require_known_bills(self, ids: tuple[str, ...]) -> None:
        # Bills are imported, never deleted, so a bill seen once is known for good.
        unseen = [b for b in ids if b not in self._known_bills]
        if not unseen:
            return
        with self._db.read() as conn:
            known = set(conn.execute(sa.select(bills.c.id).where(bills.c.id.in_(unseen))).scalars())
        self._known_bills |= known
        unknown = [b for b in unseen if b not in known]
        if unknown:
            raise InvalidInput(
                f"unknown bill{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
            )

    def _has_released(self, conn: sa.Connection, user_id: str) -> bool:
        """Whether the listener already has an episode running or next in line."""
        query = sa.select(podcasts.c.id).where(
            podcasts.c.user_id == user_id,
            podcasts.c.status.in_(ACTIVE),
            podcasts.c.held.is_(False),
        )
        return conn.execute(query.limit(1)).first() is not None

    def _insert(
        self,
        conn: sa.Connection,
        user: User,
        episode_type: str,
        ids: tuple[str, ...],
        dedup_key: str,
        idempotency_key: str | None,
        request_hash: str,
        held: bool,
        now: datetime,
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "user_id": user.id,
            "type": episode_type,
            "status": "queued",
            "progress": 0.0,
            "priority": priority_for(premium=user.is_premium, episode_type=episode_type),
            "held": held,
            "requested_bills": list(ids),
            "bill_ids": list(ids),
            "dedup_key": dedup_key,
            "idempotency_key": idempotency_key,
            "request_hash": request_hash,
            "created_at": now,
            "updated_at": now,
            "attempt": 1,
            "timings": {},
            "notes": [],
            "characters_synthesized": 0,
            "characters_cached": 0,
        }
        conn.execute(_INSERT, row)
        events.append(
            conn,
            podcast_id=row["id"],
            user_id=user.id,
            type="queued",
            data={"status": "queued", "type": episode_type, "held": held},
            at=now,
        )
        return row

    def _limit_reached(self, user_id: str) -> QueueLimitReached:
        limit = self._settings.user_queue_limit
        waiting = [p for p in self.list(user_id, "queue") if p.status == "queued"]
        tickets = self.tickets.for_podcasts(waiting)
        starts = [
            tickets[p.id].eta_seconds - self.tickets.service_times(p.type)
            for p in waiting
            if p.id in tickets
        ]
        retry_after = max(1.0, min(starts, default=30.0))
        return QueueLimitReached(
            f"you already have {limit} episodes waiting; try again when one has started",
            retry_after=retry_after,
        )

    def _answer(self, podcast: Podcast, *, created: bool) -> Enqueued:
        ticket = self.tickets.for_podcast(podcast)
        return Enqueued(podcast, ticket, created, _message(podcast, ticket, created))

    # --- reading -------------------------------------------------------------
    def get(self, user_id: str, podcast_id: str) -> tuple[Podcast, Ticket | None]:
        """The caller's podcast; another listener's podcast does not exist for them."""
        podcast = self._load(podcast_id)
        if podcast.user_id != user_id:
            raise NotFound("no such podcast")
        return podcast, self.tickets.for_podcast(podcast)

    def list(
        self, user_id: str, view: Literal["queue", "history"], limit: int = 50
    ) -> list[Podcast]:
        """The caller's active episodes or finished ones, newest first."""
        statuses = ACTIVE if view == "queue" else FINAL
        order = podcasts.c.created_at if view == "queue" else podcasts.c.finished_at
        query = (
            podcasts.select()
            .where(podcasts.c.user_id == user_id, podcasts.c.status.in_(statuses))
            .order_by(order.desc(), podcasts.c.id.desc())
            .limit(limit)
        )
        with self._db.read() as conn:
            return [Podcast.from_row(r) for r in conn.execute(query)]

    def _load(self, podcast_id: str) -> Podcast:
        with self._db.read() as conn:
            row = conn.execute(podcasts.select().where(podcasts.c.id == podcast_id)).first()
        if row is None:
            raise NotFound("no such podcast")
        return Podcast.from_row(row)

    # --- changing ------------------------------------------------------------
    def cancel(self, user_id: str, podcast_id: str) -> Podcast:
        """Cancel queued or processing work; a finished podcast is a conflict."""
        now = self._clock()
        with self._db.write() as conn:
            self._db.lock_user(conn, user_id)
            podcast = self._owned(conn, user_id, podcast_id)
            if podcast.is_final:
                raise Conflict(f"this podcast is already {podcast.status}")
            conn.execute(
                podcasts.update()
                .where(podcasts.c.id == podcast_id)
                .values(
                    status="cancelled",
                    stage=None,
                    held=False,
                    dedup_key=None,
                    finished_at=now,
                    updated_at=now,
                )
            )
            events.append(
                conn,
                podcast_id=podcast_id,
                user_id=user_id,
                type="cancelled",
                data={"status": "cancelled", "stage": podcast.stage},
                at=now,
            )
        # The row is the listener's truth; the engine follows (and the janitor
        # finishes the job if this fails or this process dies right here).
        _follow(self._queue.cancel, podcast_id)
        self.tickets.invalidate()
        release_next(self._db, self._queue, user_id, clock=self._clock)
        return self._load(podcast_id)

    def retry(self, user_id: str, podcast_id: str) -> Podcast:
        """Run a failed podcast again from the stage that failed."""
        now = self._clock()
        with self._db.write() as conn:
            self._db.lock_user(conn, user_id)
            podcast = self._owned(conn, user_id, podcast_id)
            if podcast.status != "failed":
                raise Conflict(
                    f"only a failed podcast can be retried; this one is {podcast.status}"
                )
            held = self._has_released(conn, user_id)
            conn.execute(
                podcasts.update()
                .where(podcasts.c.id == podcast_id)
                .values(
                    status="queued",
                    held=held,
                    error_code=None,
                    error_message=None,
                    retry=None,
                    finished_at=None,
                    attempt=podcast.attempt + 1,
                    updated_at=now,
                )
            )
            events.append(
                conn,
                podcast_id=podcast_id,
                user_id=user_id,
                type="queued",
                data={"status": "queued", "retry_of_stage": podcast.failed_stage, "held": held},
                at=now,
            )
        if not held:
            self._queue.restart(podcast_id, podcast.failed_stage or "gather")
        self.tickets.invalidate()
        return self._load(podcast_id)

    def _owned(self, conn: sa.Connection, user_id: str, podcast_id: str) -> Podcast:
        row = conn.execute(podcasts.select().where(podcasts.c.id == podcast_id)).first()
        if row is None or row.user_id != user_id:
            raise NotFound("no such podcast")
        return Podcast.from_row(row)

    def retry_for_operator(self, podcast_id: str) -> Podcast:
        """An operator's retry of any listener's failed podcast: as if its listener pressed Retry."""
        return self.retry(self._load(podcast_id).user_id, podcast_id)


def release_next(
    db: Database,
    queue: JobQueue,
    user_id: str,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> str | None:
    """Let the listener's next held episode start, if nothing of theirs is running.

    Idempotent; safe to call from any process at any time (the janitor does).
    Returns the released podcast's id.
    """
    with db.write() as conn:
        db.lock_user(conn, user_id)
        busy = conn.execute(
            sa.select(podcasts.c.id)
            .where(
                podcasts.c.user_id == user_id,
                podcasts.c.status.in_(ACTIVE),
                podcasts.c.held.is_(False),
            )
            .limit(1)
        ).first()
        if busy is not None:
            return None
        row = conn.execute(
            podcasts.select()
            .where(
                podcasts.c.user_id == user_id,
                podcasts.c.status == "queued",
                podcasts.c.held.is_(True),
            )
            .order_by(podcasts.c.priority, podcasts.c.created_at, podcasts.c.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        conn.execute(
            podcasts.update().where(podcasts.c.id == row.id).values(held=False, updated_at=clock())
        )
    _follow(start_released, queue, Podcast.from_row(row))
    return str(row.id)


def start_released(queue: JobQueue, podcast: Podcast) -> None:
    """Tell the engine a released podcast may run: a new one starts, a retried one resumes."""
    if podcast.failed_stage is not None and podcast.attempt > 1:
        queue.restart(podcast.id, podcast.failed_stage)
    else:
        queue.release(podcast.id)


def _follow(action: Callable[..., None], *args: Any) -> None:
    """Bring the engine in line with a committed row; on failure the janitor will."""
    try:
        action(*args)
    except Exception:  # the row is already right; log and let the janitor reconcile
        log.warning("engine.follow_failed", action=getattr(action, "__name__", "?"), exc_info=True)


def _request_hash(episode_type: str, ids: tuple[str, ...]) -> str:
    payload = json.dumps({"type": episode_type, "bills": sorted(ids) or "auto"}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def describe_wait(seconds: float) -> str:
    """A duration as a listener would say it: "about 40 seconds", "about 3 minutes"."""
    seconds = max(0.0, seconds)
    if seconds < 10:
        return "a few seconds"
    if seconds < 90:
        return f"about {int(round(seconds / 5.0) * 5)} seconds"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} minutes"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} hour{'s' if hours > 1 else ''}" + (
        f" {minutes} minutes" if minutes else ""
    )


def _message(podcast: Podcast, ticket: Ticket | None, created: bool) -> str:
    kind = "daily brief" if podcast.type == "daily" else "weekly deep dive"
    if not created:
        prefix = f"You already asked for this {kind} today; it is {podcast.status}."
        if ticket is None:
            return prefix
        return f"{prefix} {_where(podcast, ticket)}"
    return f"Queued! {_where(podcast, ticket)}" if ticket else "Queued!"


def _where(podcast: Podcast, ticket: Ticket) -> str:
    ready = f"ready in {describe_wait(ticket.eta_seconds)}"
    if podcast.status == "processing":
        return f"In production now, {ready}."
    behind = " (after your earlier episode)" if podcast.held else ""
    return f"Position #{ticket.position}{behind}, {ready}."
