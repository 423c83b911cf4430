"""Sending one notification delivery: one attempt at a time, for the durable engine.

:class:`Deliverer` implements :class:`~briefcast.engine.DeliveryRunner`. An
attempt loads the delivery, builds the :class:`~briefcast.notices.Notice`,
hands it to its channel and records what happened. A finished delivery is
never sent again, so an attempt the engine repeats after a crash only
repeats a send whose outcome was never recorded — and that send carries the
same idempotency key as before. A receiver that says the target is gone
(404/410) loses it: the push subscription is removed, the webhook disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa
import structlog

from briefcast.db import Database
from briefcast.errors import BriefcastError, ProviderUnavailable, RetryableError
from briefcast.mail import compose, send_mail
from briefcast.netguard import Resolver, system_resolver
from briefcast.notices import Notice, TargetGone
from briefcast.notifications import PushSubscription
from briefcast.retry import RetryPolicy
from briefcast.settings import Settings
from briefcast.tables import (
    bills,
    notification_deliveries,
    podcast_events,
    podcasts,
    push_subscriptions,
    users,
    webhooks,
)
from briefcast.webhooks import send_webhook, webhook_body
from briefcast.webpush import VapidKeys, push_payload, send_push

__all__ = ["FINISHED", "Deliverer", "feed_media_url"]

log = structlog.get_logger("briefcast.notifications")

FINISHED = frozenset({"delivered", "failed", "skipped"})


def feed_media_url(settings: Settings, feed_token: str, podcast_id: str) -> str:
    """The episode's MP3 as the listener's private feed serves it (no API key needed)."""
    return settings.public_link(f"/feeds/{feed_token}/{podcast_id}.mp3")


class Deliverer:
    """Makes delivery attempts (implements :class:`~briefcast.engine.DeliveryRunner`)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        vapid: VapidKeys | None = None,
        resolve: Resolver = system_resolver,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._settings = settings
        self._vapid = vapid
        self._resolve = resolve
        self._clock = clock
        self.policy = RetryPolicy(settings.notify_retry_delays, settings.retry_jitter)

    @cached_property
    def vapid(self) -> VapidKeys:
        return self._vapid or VapidKeys.load(self._settings)

    def attempt(self, delivery_id: str, attempt: int) -> float | None:
        """Try once; the pause before the next try, or None when finished. Never raises."""
        try:
            return self._attempt(delivery_id, attempt)
        except Exception as exc:  # a defect or a database hiccup: retry by the policy
            log.exception("notification.attempt_crashed", delivery_id=delivery_id)
            error = ProviderUnavailable(f"internal error: {type(exc).__name__}")
            delay = self.policy.delay(attempt, error)
            self._record_quietly(delivery_id, attempt, error, delay)
            return delay

    def _attempt(self, delivery_id: str, attempt: int) -> float | None:
        row = self._load(delivery_id)
        if row is None or row.status in FINISHED:
            return None
        try:
            sent = self._send(row, attempt)
        except TargetGone as exc:
            self._forget_target(row, exc.message)
            self._record(row.id, "failed", attempt, exc.message)
            return None
        except RetryableError as exc:
            delay = self.policy.delay(attempt, exc)
            self._record(
                row.id, "retrying" if delay is not None else "failed", attempt, exc.message
            )
            return delay
        except BriefcastError as exc:
            self._record(row.id, "failed", attempt, exc.message)
            return None
        self._record(row.id, "delivered" if sent else "skipped", attempt, None)
        return None

    # --- channels ------------------------------------------------------------
    def _send(self, row: Any, attempt: int) -> bool:
        """Send on the row's channel; False when its target no longer exists."""
        notice = self._notice(row)
        log.info(
            "notification.sending",
            delivery_id=row.id,
            channel=row.channel,
            podcast_id=row.podcast_id,
            attempt=attempt,
        )
        sender = {"push": self._push, "email": self._email, "webhook": self._webhook}[row.channel]
        return sender(row, notice)

    def _push(self, row: Any, notice: Notice) -> bool:
        with self._db.read() as conn:
            found = conn.execute(
                push_subscriptions.select().where(push_subscriptions.c.id == row.target)
            ).first()
        if found is None:
            return False
        send_push(
            PushSubscription.from_row(found).info(),
            push_payload(notice),
            keys=self.vapid,
            subject=self._settings.push_subject,
            topic=notice.delivery_id,
            ttl=self._settings.push_ttl_seconds,
            timeout=self._settings.webhook_timeout_seconds,
            allow_local=self._settings.webhooks_allow_local,
            resolve=self._resolve,
        )
        return True

    def _email(self, row: Any, notice: Notice) -> bool:
        sender = self._settings.smtp_from or ""
        send_mail(compose(notice, sender=sender, recipient=row.target), self._settings)
        return True

    def _webhook(self, row: Any, notice: Notice) -> bool:
        with self._db.read() as conn:
            hook = conn.execute(webhooks.select().where(webhooks.c.id == row.target)).first()
        if hook is None or hook.disabled_at is not None:
            return False
        send_webhook(
            hook.url,
            hook.secret,
            webhook_body(notice),
            msg_id=notice.delivery_id,
            now=self._clock(),
            timeout=self._settings.webhook_timeout_seconds,
            allow_local=self._settings.webhooks_allow_local,
            resolve=self._resolve,
        )
        return True

    # --- reading and recording -----------------------------------------------
    def _load(self, delivery_id: str) -> Any:
        with self._db.read() as conn:
            return conn.execute(
                notification_deliveries.select().where(notification_deliveries.c.id == delivery_id)
            ).first()

    def _notice(self, row: Any) -> Notice:
        with self._db.read() as conn:
            event = conn.execute(
                podcast_events.select().where(podcast_events.c.id == row.event_id)
            ).one()
            podcast = conn.execute(podcasts.select().where(podcasts.c.id == row.podcast_id)).one()
            token = conn.execute(
                sa.select(users.c.feed_token).where(users.c.id == row.user_id)
            ).scalar()
            titles = _bill_titles(conn, list(podcast.bill_ids or ()))
        data = dict(event.data)
        completed = event.type == "completed"
        return Notice(
            delivery_id=row.id,
            event_id=event.id,
            kind=event.type,
            podcast_id=podcast.id,
            episode_type=podcast.type,
            title=podcast.title,
            duration_seconds=podcast.duration_seconds if completed else None,
            error=None if completed else (data.get("error") or {}).get("message"),
            bills=titles,
            occurred_at=event.created_at,
            listen_url=feed_media_url(self._settings, token, podcast.id)
            if completed and token
            else None,
            api_url=self._settings.public_link(f"/api/podcasts/{podcast.id}"),
            app_url=self._settings.public_link("/"),
        )

    def _record(self, delivery_id: str, status: str, attempt: int, error: str | None) -> None:
        now = self._clock()
        values: dict[str, Any] = {
            "status": status,
            "attempts": attempt,
            "last_error": error,
            "updated_at": now,
        }
        if status == "delivered":
            values["delivered_at"] = now
        with self._db.write() as conn:
            conn.execute(
                notification_deliveries.update()
                .where(notification_deliveries.c.id == delivery_id)
                .values(values)
            )
        event = "notification." + ("retry_scheduled" if status == "retrying" else status)
        log.info(event, delivery_id=delivery_id, attempt=attempt, error=error)

    def _record_quietly(
        self, delivery_id: str, attempt: int, error: BriefcastError, delay: float | None
    ) -> None:
        try:
            self._record(
                delivery_id, "retrying" if delay is not None else "failed", attempt, error.message
            )
        except Exception:  # the database itself may be what failed; the engine retries anyway
            log.warning("notification.record_failed", delivery_id=delivery_id, exc_info=True)

    def _forget_target(self, row: Any, reason: str) -> None:
        with self._db.write() as conn:
            if row.channel == "push":
                conn.execute(
                    push_subscriptions.delete().where(push_subscriptions.c.id == row.target)
                )
            elif row.channel == "webhook":
                conn.execute(
                    webhooks.update()
                    .where(webhooks.c.id == row.target, webhooks.c.disabled_at.is_(None))
                    .values(disabled_at=self._clock(), disabled_reason=reason)
                )
        log.warning("notification.target_removed", delivery_id=row.id, channel=row.channel)


def _bill_titles(conn: sa.Connection, bill_ids: list[str]) -> tuple[tuple[str, str], ...]:
    """(citation, title) per bill, in the episode's order; bills since removed are skipped."""
    from briefcast.bills import Bill

    if not bill_ids:
        return ()
    rows = conn.execute(sa.select(bills.c.id, bills.c.data).where(bills.c.id.in_(bill_ids)))
    found = {r.id: Bill.from_json(r.data) for r in rows}
    return tuple((found[b].id.citation, found[b].display_title) for b in bill_ids if b in found)
