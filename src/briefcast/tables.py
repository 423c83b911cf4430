"""The application's tables (SQLAlchemy Core). Alembic migrations create them.

The durable engine keeps its own tables beside these (schema ``dbos`` on
Postgres, the same file on SQLite); they are never touched from here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

__all__ = [
    "UtcDateTime",
    "bills",
    "metadata",
    "notification_deliveries",
    "notification_prefs",
    "podcast_events",
    "podcasts",
    "push_subscriptions",
    "tracked_bills",
    "users",
    "webhooks",
    "workers",
]

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Event ids grow for ever; BIGINT on Postgres, INTEGER (rowid) on SQLite.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: briefcast stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Stamp = UtcDateTime()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("email", sa.String(254)),
    sa.Column("state", sa.String(2)),
    sa.Column("is_premium", sa.Boolean, nullable=False, default=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    sa.Column("api_key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("api_key_hint", sa.String(16), nullable=False),
    sa.Column("feed_token", sa.String(64), nullable=False, unique=True),
    sa.Column("interests", sa.JSON, nullable=False, default=list),
    sa.Column("created_at", Stamp, nullable=False),
)

bills = sa.Table(
    "bills",
    metadata,
    sa.Column("id", sa.String(24), primary_key=True),
    sa.Column("congress", sa.Integer, nullable=False),
    sa.Column("bill_type", sa.String(8), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("policy_area", sa.String(120)),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("latest_action_date", sa.Date),
    sa.Column("update_date", Stamp),
    sa.Column("search_text", sa.Text, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("imported_at", Stamp, nullable=False),
    sa.Index("ix_bills_latest_action", "latest_action_date"),
    sa.Index("ix_bills_policy_area", "policy_area"),
)

tracked_bills = sa.Table(
    "tracked_bills",
    metadata,
    sa.Column(
        "user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "bill_id", sa.String(24), sa.ForeignKey("bills.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("created_at", Stamp, nullable=False),
)

podcasts = sa.Table(
    "podcasts",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column(
        "user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("type", sa.String(8), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("stage", sa.String(16)),
    sa.Column("progress", sa.Float, nullable=False, default=0.0),
    sa.Column("priority", sa.Integer, nullable=False),
    # Waiting for the same listener's earlier episode (one at a time per listener).
    sa.Column("held", sa.Boolean, nullable=False, default=False),
    sa.Column("requested_bills", sa.JSON, nullable=False),
    sa.Column("bill_ids", sa.JSON, nullable=False),
    # Same listener, type, bills and day while active or done: one episode.
    sa.Column("dedup_key", sa.String(96)),
    sa.Column("idempotency_key", sa.String(128)),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("started_at", Stamp),
    sa.Column("finished_at", Stamp),
    sa.Column("updated_at", Stamp, nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False, default=1),
    sa.Column("retry", sa.JSON),
    sa.Column("error_code", sa.String(40)),
    sa.Column("error_message", sa.Text),
    sa.Column("failed_stage", sa.String(16)),
    sa.Column("worker", sa.String(128)),
    sa.Column("title", sa.Text),
    sa.Column("audio_key", sa.Text),
    sa.Column("audio_bytes", sa.Integer),
    sa.Column("duration_seconds", sa.Float),
    sa.Column("chapters", sa.JSON),
    sa.Column("characters_synthesized", sa.Integer, nullable=False, default=0),
    sa.Column("characters_cached", sa.Integer, nullable=False, default=0),
    sa.Column("timings", sa.JSON, nullable=False, default=dict),
    sa.Column("notes", sa.JSON, nullable=False, default=list),
    sa.UniqueConstraint("user_id", "dedup_key"),
    sa.UniqueConstraint("user_id", "idempotency_key"),
    sa.Index("ix_podcasts_queue", "status", "priority", "created_at"),
    sa.Index("ix_podcasts_user", "user_id", "created_at"),
    sa.Index("ix_podcasts_finished", "status", "finished_at"),
)

podcast_events = sa.Table(
    "podcast_events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("podcast_id", sa.String(36), nullable=False),
    sa.Column("user_id", sa.String(36), nullable=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Index("ix_podcast_events_podcast", "podcast_id", "id"),
    sa.Index("ix_podcast_events_user", "user_id", "id"),
)

workers = sa.Table(
    "workers",
    metadata,
    sa.Column("executor_id", sa.String(128), primary_key=True),
    sa.Column("hostname", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("slots", sa.Integer, nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("started_at", Stamp, nullable=False),
    sa.Column("heartbeat_at", Stamp, nullable=False),
    sa.Column("stopped_at", Stamp),
)

# --- notifications -----------------------------------------------------------

# Which channels a listener wants; no row means the defaults (see notifications.py).
notification_prefs = sa.Table(
    "notification_prefs",
    metadata,
    sa.Column(
        "user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("push", sa.Boolean, nullable=False),
    sa.Column("email", sa.Boolean, nullable=False),
    sa.Column("webhook", sa.Boolean, nullable=False),
    sa.Column("updated_at", Stamp, nullable=False),
)

push_subscriptions = sa.Table(
    "push_subscriptions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column(
        "user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("endpoint", sa.Text, nullable=False),
    # Endpoints are long URLs; their SHA-256 keeps the unique index small.
    sa.Column("endpoint_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("p256dh", sa.String(128), nullable=False),
    sa.Column("auth", sa.String(64), nullable=False),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Index("ix_push_subscriptions_user", "user_id"),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column(
        "user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("secret", sa.String(80), nullable=False),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("disabled_at", Stamp),
    sa.Column("disabled_reason", sa.Text),
    sa.Index("ix_webhooks_user", "user_id"),
)

# One row per (event, channel, target): the unit of delivery, retried on its own.
notification_deliveries = sa.Table(
    "notification_deliveries",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("event_id", BigId, nullable=False),
    sa.Column("user_id", sa.String(36), nullable=False),
    sa.Column("podcast_id", sa.String(36), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("target", sa.String(254), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", Stamp, nullable=False),
    sa.Column("updated_at", Stamp, nullable=False),
    sa.Column("delivered_at", Stamp),
    sa.UniqueConstraint("event_id", "channel", "target"),
    sa.Index("ix_notification_deliveries_user", "user_id", "created_at"),
)
