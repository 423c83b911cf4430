"""Where a listener wants to hear that an episode is ready, and the deliveries that follow.

A listener chooses channels (web push, e-mail, webhooks), registers push
subscriptions from their browsers and webhook endpoints. When an episode
completes or fails, :class:`DeliveryPlanner` — called inside the very
transaction that records the outcome — writes one delivery row per (event,
channel, target) and queues each as durable work of its own. The unique key
makes "once per channel" a database fact; the delivery id doubles as the
idempotency key every channel passes on (webhook-id, push Topic, Message-ID).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from briefcast.db import Database
from briefcast.engine import DeliveryQueue
from briefcast.errors import InvalidInput, NotFound
from briefcast.netguard import Resolver, check_url, system_resolver
from briefcast.settings import Settings
from briefcast.tables import (
    notification_deliveries,
    notification_prefs,
    push_subscriptions,
    users,
    webhooks,
)
from briefcast.users import User

__all__ = [
    "CHANNELS",
    "DeliveryPlanner",
    "NotificationStore",
    "Preferences",
    "PushSubscription",
    "Webhook",
    "new_webhook_secret",
]

CHANNELS = ("push", "email", "webhook")
NOTIFIED_EVENTS = ("completed", "failed")
_MAX_PUSH_SUBSCRIPTIONS = 20
_MAX_WEBHOOKS = 10
# One @, a dot in the domain, no spaces or control characters (PostgreSQL refuses NUL).
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s.\x00-\x1f\x7f]+$")


@dataclass(frozen=True)
class Preferences:
    """Which channels are on, and where e-mail goes."""

    push: bool
    email: bool
    webhook: bool
    email_address: str | None

    def wants(self, channel: str) -> bool:
        return bool(getattr(self, channel))


DEFAULT_PREFERENCES = {"push": True, "email": True, "webhook": True}


@dataclass(frozen=True)
class PushSubscription:
    """A browser's push subscription (the ``PushSubscription.toJSON()`` it sent us)."""

    id: str
    user_id: str
    endpoint: str
    p256dh: str
    auth: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> PushSubscription:
        return cls(row.id, row.user_id, row.endpoint, row.p256dh, row.auth, row.created_at)

    def info(self) -> dict[str, Any]:
        """The subscription as web push libraries take it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass(frozen=True)
class Webhook:
    """A registered endpoint. Its signing secret is never part of this value."""

    id: str
    user_id: str
    url: str
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None

    @classmethod
    def from_row(cls, row: Any) -> Webhook:
        return cls(
            row.id, row.user_id, row.url, row.created_at, row.disabled_at, row.disabled_reason
        )

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _b64url(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"{what} is not base64url") from exc


def _check_push_keys(p256dh: str, auth: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url(p256dh, "p256dh"))
    except ValueError as exc:
        raise InvalidInput("keys.p256dh is not a P-256 public key") from exc
    if len(_b64url(auth, "auth")) != 16:
        raise InvalidInput("keys.auth must be 16 bytes")


class NotificationStore:
    """A listener's channels, push subscriptions and webhooks."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        resolve: Resolver = system_resolver,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = db
        self._settings = settings
        self._resolve = resolve
        self._clock = clock

    # --- preferences ---------------------------------------------------------
    def preferences(self, user_id: str) -> Preferences:
        with self._db.read() as conn:
            return _preferences(conn, user_id)

    def set_preferences(
        self,
        user: User,
        *,
        push: bool,
        email: bool,
        webhook: bool,
        email_address: str | None = None,
    ) -> Preferences:
        """Turn channels on or off; e-mail needs an address (given now or before)."""
        address = email_address.strip() if email_address else None
        if address is not None and (len(address) > 254 or not _EMAIL.match(address)):
            raise InvalidInput("email_address is not an e-mail address")
        values = {"push": push, "email": email, "webhook": webhook, "updated_at": self._clock()}
        with self._db.write() as conn:
            current = conn.execute(sa.select(users.c.email).where(users.c.id == user.id)).scalar()
            if email and not (address or current):
                raise InvalidInput("e-mail notifications need an email_address")
            if address is not None:
                conn.execute(users.update().where(users.c.id == user.id).values(email=address))
            updated = conn.execute(
                notification_prefs.update()
                .where(notification_prefs.c.user_id == user.id)
                .values(values)
            ).rowcount
            if not updated:
                conn.execute(notification_prefs.insert().values(user_id=user.id, **values))
            return _preferences(conn, user.id)

    # --- web push ------------------------------------------------------------
    def subscribe_push(
        self, user_id: str, endpoint: str, p256dh: str, auth: str
    ) -> PushSubscription:
        """Register a browser; the same endpoint again replaces its keys (and owner)."""
        check_url(endpoint, allow_local=self._settings.webhooks_allow_local, resolve=self._resolve)
        _check_push_keys(p256dh, auth)
        digest = hashlib.sha256(endpoint.encode()).hexdigest()
        with self._db.write() as conn:
            self._db.lock_user(conn, user_id)
            conn.execute(
                push_subscriptions.delete().where(push_subscriptions.c.endpoint_hash == digest)
            )
            count = _count(conn, push_subscriptions, user_id)
            if count >= _MAX_PUSH_SUBSCRIPTIONS:
                raise InvalidInput(f"at most {_MAX_PUSH_SUBSCRIPTIONS} push subscriptions")
            sub = PushSubscription(
                str(uuid.uuid4()), user_id, endpoint, p256dh, auth, self._clock()
            )
            conn.execute(
                push_subscriptions.insert().values(endpoint_hash=digest, **dataclasses.asdict(sub))
            )
        return sub

    def unsubscribe_push(self, user_id: str, endpoint: str) -> None:
        digest = hashlib.sha256(endpoint.encode()).hexdigest()
        with self._db.write() as conn:
            deleted = conn.execute(
                push_subscriptions.delete().where(
                    push_subscriptions.c.endpoint_hash == digest,
                    push_subscriptions.c.user_id == user_id,
                )
            ).rowcount
        if not deleted:
            raise NotFound("no such push subscription")

    def push_subscriptions(self, user_id: str) -> list[PushSubscription]:
        query = (
            push_subscriptions.select()
            .where(push_subscriptions.c.user_id == user_id)
            .order_by(push_subscriptions.c.created_at)
        )
        with self._db.read() as conn:
            return [PushSubscription.from_row(r) for r in conn.execute(query)]

    # --- webhooks ------------------------------------------------------------
    def add_webhook(self, user_id: str, url: str) -> tuple[Webhook, str]:
        """Register an endpoint; returns it and its signing secret (shown only now)."""
        check_url(url, allow_local=self._settings.webhooks_allow_local, resolve=self._resolve)
        secret = new_webhook_secret()
        hook = Webhook(str(uuid.uuid4()), user_id, url, self._clock(), None, None)
        with self._db.write() as conn:
            self._db.lock_user(conn, user_id)
            if _count(conn, webhooks, user_id) >= _MAX_WEBHOOKS:
                raise InvalidInput(f"at most {_MAX_WEBHOOKS} webhooks")
            conn.execute(webhooks.insert().values(secret=secret, **dataclasses.asdict(hook)))
        return hook, secret

    def webhooks(self, user_id: str) -> list[Webhook]:
        query = (
            webhooks.select().where(webhooks.c.user_id == user_id).order_by(webhooks.c.created_at)
        )
        with self._db.read() as conn:
            return [Webhook.from_row(r) for r in conn.execute(query)]

    def webhook(self, user_id: str, webhook_id: str) -> Webhook:
        with self._db.read() as conn:
            row = conn.execute(webhooks.select().where(webhooks.c.id == webhook_id)).first()
        if row is None or row.user_id != user_id:
            raise NotFound("no such webhook")
        return Webhook.from_row(row)

    def delete_webhook(self, user_id: str, webhook_id: str) -> None:
        with self._db.write() as conn:
            deleted = conn.execute(
                webhooks.delete().where(webhooks.c.id == webhook_id, webhooks.c.user_id == user_id)
            ).rowcount
        if not deleted:
            raise NotFound("no such webhook")

    # --- history -------------------------------------------------------------
    def deliveries(self, user_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The listener's most recent deliveries, newest first (no secrets, no addresses)."""
        query = (
            sa.select(
                notification_deliveries.c.id,
                notification_deliveries.c.podcast_id,
                notification_deliveries.c.channel,
                notification_deliveries.c.status,
                notification_deliveries.c.attempts,
                notification_deliveries.c.last_error,
                notification_deliveries.c.created_at,
                notification_deliveries.c.delivered_at,
            )
            .where(notification_deliveries.c.user_id == user_id)
            .order_by(notification_deliveries.c.created_at.desc())
            .limit(limit)
        )
        with self._db.read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


def _count(conn: sa.Connection, table: sa.Table, user_id: str) -> int:
    query = sa.select(sa.func.count()).select_from(table).where(table.c.user_id == user_id)
    return int(conn.execute(query).scalar() or 0)


def _preferences(conn: sa.Connection, user_id: str) -> Preferences:
    row = conn.execute(
        notification_prefs.select().where(notification_prefs.c.user_id == user_id)
    ).first()
    address = conn.execute(sa.select(users.c.email).where(users.c.id == user_id)).scalar()
    chosen = (
        {"push": row.push, "email": row.email, "webhook": row.webhook}
        if row
        else DEFAULT_PREFERENCES
    )
    return Preferences(**chosen, email_address=address)


class DeliveryPlanner:
    """Decides, inside the outcome's own transaction, who is told and how."""

    def __init__(
        self,
        queue: DeliveryQueue,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._queue = queue
        self._settings = settings
        self._clock = clock

    def plan(
        self, conn: sa.Connection, *, event_id: int, event_type: str, user_id: str, podcast_id: str
    ) -> list[str]:
        """Write and queue one delivery per channel target; returns their ids."""
        if event_type not in NOTIFIED_EVENTS:
            return []
        targets = self._targets(conn, user_id)
        now = self._clock()
        planned = []
        for channel, target in targets:
            if self._exists(conn, event_id, channel, target):
                continue
            delivery_id = str(uuid.uuid4())
            conn.execute(
                notification_deliveries.insert().values(
                    id=delivery_id,
                    event_id=event_id,
                    user_id=user_id,
                    podcast_id=podcast_id,
                    channel=channel,
                    target=target,
                    status="pending",
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            self._queue.enqueue_delivery(conn, delivery_id)
            planned.append(delivery_id)
        return planned

    def _targets(self, conn: sa.Connection, user_id: str) -> list[tuple[str, str]]:
        prefs = _preferences(conn, user_id)
        targets: list[tuple[str, str]] = []
        if prefs.push:
            ids = conn.execute(
                sa.select(push_subscriptions.c.id).where(push_subscriptions.c.user_id == user_id)
            ).scalars()
            targets += [("push", i) for i in ids]
        if prefs.email and prefs.email_address and self._settings.smtp_enabled:
            targets.append(("email", prefs.email_address))
        if prefs.webhook:
            ids = conn.execute(
                sa.select(webhooks.c.id).where(
                    webhooks.c.user_id == user_id, webhooks.c.disabled_at.is_(None)
                )
            ).scalars()
            targets += [("webhook", i) for i in ids]
        return targets

    def _exists(self, conn: sa.Connection, event_id: int, channel: str, target: str) -> bool:
        query = sa.select(notification_deliveries.c.id).where(
            notification_deliveries.c.event_id == event_id,
            notification_deliveries.c.channel == channel,
            notification_deliveries.c.target == target,
        )
        return conn.execute(query).first() is not None
