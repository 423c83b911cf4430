"""Live podcast events for connected listeners: one poller per process, fanned out.

Events are rows (see :mod:`briefcast.events`), so a worker in another process
or on another machine is heard the moment its transaction commits. An
:class:`EventHub` reads new rows in id order — every ``events_poll_seconds``,
or at once when Postgres sends a ``NOTIFY`` (a trigger on the table raises
one per committed batch) — and hands each to the subscriptions it concerns.

Ids on Postgres come from a sequence, so a transaction can commit after a
later-numbered one: the hub never skips a missing id until it has waited
``gap_seconds`` for it (a rolled-back insert leaves a permanent hole), and a
stream therefore sees its events in id order, which is what makes
``Last-Event-ID`` resumption exact.

Positions are not stored: after any event that changes the queue (and every
few seconds, for changes like a worker joining) the hub asks the
:class:`~briefcast.tickets.TicketOffice` and sends a :class:`PositionChange`
to each subscription whose waiting podcast moved. A position's id is the
hub's cursor when it was computed and the position itself (``"57.p3"``): it
resumes like event 57, and tells the server which position the client last saw.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog

from briefcast import events
from briefcast.db import Database
from briefcast.errors import InvalidInput
from briefcast.events import Event
from briefcast.podcasts import Podcast
from briefcast.tables import podcasts
from briefcast.tickets import TicketOffice

__all__ = [
    "FINAL_EVENTS",
    "LAST_EVENT_ID_PATTERN",
    "EventHub",
    "PositionChange",
    "Resume",
    "StreamEnd",
    "Subscription",
    "parse_last_event_id",
]

log = structlog.get_logger("briefcast.live")

FINAL_EVENTS = frozenset({"completed", "failed", "cancelled"})
_QUEUE_CHANGES = frozenset({"queued", "retry", *FINAL_EVENTS})
#: What a Last-Event-ID header may hold, as a JSON Schema ``pattern``: nothing (spaces and
#: tabs at most), or an id this server sent ("57", "57.p3").
LAST_EVENT_ID_PATTERN = r"^[ \t]*(?:[0-9]{1,18}(?:\.p[0-9]{1,9})?)?[ \t]*$"
_LAST_EVENT_ID = re.compile(r"([0-9]{1,18})(?:\.p([0-9]{1,9}))?")
_CHANNEL = "briefcast_events"


@dataclass(frozen=True)
class PositionChange:
    """A waiting podcast's new place in line (derived, never stored)."""

    podcast_id: str
    position: int
    eta_seconds: float
    cursor: int
    at: datetime

    @property
    def id(self) -> str:
        return f"{self.cursor}.p{self.position}"

    def to_json(self) -> dict[str, Any]:
        return {
            "podcast_id": self.podcast_id,
            "type": "position",
            "at": self.at.isoformat(),
            "status": "queued",
            "position": self.position,
            "eta_seconds": round(self.eta_seconds, 1),
        }


@dataclass(frozen=True)
class StreamEnd:
    """Tells a stream to close (server shutting down, or the client fell too far behind)."""

    reason: str


Item = Event | PositionChange | StreamEnd


@dataclass(frozen=True)
class Resume:
    """Where a reconnecting client left off, from its ``Last-Event-ID``."""

    after_id: int
    position: int | None = None


def parse_last_event_id(value: str | None) -> Resume | None:
    """``"57"`` or ``"57.p3"`` → :class:`Resume`; None for no header."""
    text = value.strip(" \t") if value is not None else ""
    if not text:
        return None
    match = _LAST_EVENT_ID.fullmatch(text)
    if match is None:
        raise InvalidInput("Last-Event-ID is not an id this server sent")
    position = int(match.group(2)) if match.group(2) else None
    return Resume(int(match.group(1)), position)


@dataclass(eq=False)
class Subscription:
    """One stream's interest: a listener's events, or one podcast's.

    ``cursor`` is the hub's position when the stream subscribed: events up to
    it are the stream's to replay from the database, later ones arrive here.
    """

    user_id: str
    podcast_id: str | None
    deliver: Callable[[Item], None]
    cursor: int = 0
    positions: dict[str, int] = field(default_factory=dict)
    wants_snapshot: bool = True

    def matches(self, event: Event) -> bool:
        if event.user_id != self.user_id:
            return False
        return self.podcast_id is None or event.podcast_id == self.podcast_id


class EventHub:
    """Reads new events once per process and fans them out to subscriptions."""

    def __init__(
        self,
        db: Database,
        tickets: TicketOffice,
        *,
        poll_seconds: float = 0.1,
        gap_seconds: float = 0.5,
        recheck_seconds: float = 5.0,
        listen_url: str | None = None,
    ) -> None:
        self._db = db
        self._tickets = tickets
        self._poll = poll_seconds
        self._gap_seconds = gap_seconds
        self._recheck = recheck_seconds
        self._listen_url = listen_url
        self._lock = threading.Lock()
        self._subs: set[Subscription] = set()
        self._cursor = 0
        self._gaps: dict[int, float] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._last_positions = 0.0
        self.started = False

    # --- lifecycle -----------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._threads = []
        with self._db.read() as conn:
            self._cursor = events.latest_id(conn)
        self._spawn(self._run, "event-hub")
        if self._listen_url:
            self._spawn(self._listen, "event-listen")
        self.started = True

    def stop(self) -> None:
        """Stop polling and close every open stream."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=5)
        with self._lock:
            subs, self._subs = list(self._subs), set()
        for sub in subs:
            _safely(sub.deliver, StreamEnd("server shutting down"))

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=f"briefcast-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    # --- subscriptions -------------------------------------------------------
    def subscribe(
        self,
        user_id: str,
        podcast_id: str | None,
        deliver: Callable[[Item], None],
        *,
        seen_position: int | None = None,
    ) -> Subscription:
        """Start receiving; ``deliver`` is called from the hub's thread, in order."""
        sub = Subscription(user_id, podcast_id, deliver)
        if podcast_id is not None and seen_position is not None:
            sub.positions[podcast_id] = seen_position
        with self._lock:
            sub.cursor = self._cursor
            self._subs.add(sub)
        self._wake.set()  # its first positions come from the hub's thread
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subs.discard(sub)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subs)

    def wake(self) -> None:
        self._wake.set()

    # --- the poller ----------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            waiting = False
            try:
                waiting = self.poll_once()
            except Exception:  # a database restart must not end live events for good
                log.warning("live.poll_failed", exc_info=True)
                self._stop.wait(1.0)
            self._wake.wait(0.02 if waiting else self._poll)
            self._wake.clear()

    def poll_once(self) -> bool:
        """Read and dispatch new events, then positions; True while waiting on a gap."""
        found = self._read_new()
        accepted, waiting = self._in_order(found)
        changed = self._dispatch(accepted)
        self._publish_positions(force=changed)
        return waiting

    def _read_new(self) -> list[Event]:
        with self._db.read() as conn:
            return events.since(conn, after_id=self._cursor, limit=1000)

    def _in_order(self, found: list[Event]) -> tuple[list[Event], bool]:
        """The events that may go out now; a hole in the ids holds back what follows it."""
        accepted: list[Event] = []
        expected = self._cursor + 1
        now = time.monotonic()
        for event in found:
            if event.id != expected:
                first_seen = self._gaps.setdefault(expected, now)
                if now - first_seen < self._gap_seconds:
                    return accepted, True
            accepted.append(event)
            expected = event.id + 1
        self._gaps = {k: v for k, v in self._gaps.items() if k >= expected}
        return accepted, False

    def _dispatch(self, accepted: list[Event]) -> bool:
        changed = False
        with self._lock:
            for event in accepted:
                for sub in list(self._subs):
                    if sub.matches(event):
                        self._send(sub, event)
                self._cursor = event.id
                changed = changed or _changes_queue(event)
        return changed

    def _send(self, sub: Subscription, item: Item) -> None:
        if not _safely(sub.deliver, item):
            self._subs.discard(sub)

    # --- positions -----------------------------------------------------------
    def _publish_positions(self, *, force: bool) -> None:
        with self._lock:
            subs = list(self._subs)
        fresh = [s for s in subs if s.wants_snapshot]
        due = time.monotonic() - self._last_positions >= self._recheck
        if not subs or not (force or fresh or due):
            return
        self._last_positions = time.monotonic()
        if force:
            self._tickets.invalidate()
        queued = self._waiting({s.user_id for s in subs})
        tickets = self._tickets.for_podcasts(queued)
        waiting = {p.id: p.user_id for p in queued}
        now = datetime.now(UTC)
        with self._lock:
            for sub in subs:
                sub.wants_snapshot = False
                for podcast_id in _watched(sub, waiting):
                    ticket = tickets.get(podcast_id)
                    if ticket is None or sub.positions.get(podcast_id) == ticket.position:
                        continue
                    sub.positions[podcast_id] = ticket.position
                    change = PositionChange(
                        podcast_id, ticket.position, ticket.eta_seconds, self._cursor, now
                    )
                    self._send(sub, change)

    def _waiting(self, user_ids: set[str]) -> list[Podcast]:
        """Queued podcasts of these listeners."""
        query = podcasts.select().where(
            podcasts.c.status == "queued", podcasts.c.user_id.in_(user_ids)
        )
        with self._db.read() as conn:
            return [Podcast.from_row(row) for row in conn.execute(query)]

    # --- Postgres wake-ups ---------------------------------------------------
    def _listen(self) -> None:
        """Wake the poller on every NOTIFY; reconnect after failures."""
        import psycopg

        assert self._listen_url is not None
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._listen_url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {_CHANNEL}")
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self._wake.set()
            except psycopg.Error:
                log.warning("live.listen_failed", exc_info=True)
                self._stop.wait(2.0)


def _watched(sub: Subscription, waiting: dict[str, str]) -> list[str]:
    if sub.podcast_id is not None:
        return [sub.podcast_id] if sub.podcast_id in waiting else []
    return [pid for pid, user in waiting.items() if user == sub.user_id]


def _changes_queue(event: Event) -> bool:
    if event.type in _QUEUE_CHANGES:
        return True
    return event.type == "stage" and not event.data.get("progress")


def _safely(deliver: Callable[[Item], None], item: Item) -> bool:
    try:
        deliver(item)
    except Exception:  # a closed stream's loop is gone; drop the subscription
        log.debug("live.deliver_failed", exc_info=True)
        return False
    return True
