"""One typed settings object, read from ``BRIEFCAST_*`` environment variables.

Built once at start-up (:func:`load_settings`) and passed down; nothing reads
the environment anywhere else. Defaults suit a laptop: an SQLite file and a
media folder under ``./var``, the template writer and the eSpeak voice.
Invalid or missing production settings fail at start-up with a message that
names the variable.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from briefcast import __version__
from briefcast.errors import ConfigurationError

__all__ = ["Settings", "load_settings", "settings_reference"]


class Settings(BaseSettings):
    """Every setting briefcast reads. Each field is ``BRIEFCAST_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="BRIEFCAST_", extra="ignore", frozen=True)

    # --- where things live -------------------------------------------------
    home: Path = Field(Path("var"), description="Data directory: SQLite file, media, keys.")
    database_url: str | None = Field(
        None,
        description="Database URL; default sqlite:///<home>/briefcast.sqlite3. "
        "A postgresql:// URL scales out to many workers.",
    )
    environment: Literal["development", "production"] = Field(
        "development", description="production refuses to start without real secrets."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Signs media URLs and feed tokens. Generated under <home> in development; "
        "required in production.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Base URL listeners reach the API at (links, feeds)."
    )

    # --- HTTP server -------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address `briefcast serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `briefcast serve` listens on.")

    # --- worker and queue --------------------------------------------------
    worker_slots: int = Field(
        default_factory=lambda: max(1, os.cpu_count() or 1),
        ge=1,
        le=64,
        description="Episodes one worker renders at once (one render process each).",
    )
    executor_id: str | None = Field(
        None,
        description="Stable identity of this worker; in-flight work is recovered under it "
        "after a restart. Default: the host name.",
    )
    app_version: str = Field(
        __version__, description="Pinned application version for the durable engine."
    )
    queue_poll_seconds: float = Field(
        0.2, gt=0, le=5, description="How often a worker looks for queued work."
    )
    user_queue_limit: int = Field(
        3, ge=1, le=100, description="Most queued (not yet started) episodes per listener."
    )
    retry_delays: Annotated[tuple[float, ...], NoDecode] = Field(
        (60.0, 120.0, 240.0),
        description="Pauses before each retry of a transiently failing stage, in seconds "
        "(comma-separated). Their count is the number of retries.",
    )
    retry_jitter: float = Field(
        0.1, ge=0, le=1, description="Random share added to or taken from each retry pause."
    )
    janitor_seconds: float = Field(
        5.0, gt=0, description="How often a worker reconciles the queue and recovers dead workers."
    )
    worker_dead_after_seconds: float = Field(
        45.0, gt=0, description="A worker silent this long is declared dead; its work is recovered."
    )

    # --- episodes ----------------------------------------------------------
    daily_target_seconds: float = Field(300.0, gt=0, description="Length of a daily brief.")
    weekly_target_seconds: float = Field(900.0, gt=0, description="Length of a weekly deep dive.")
    daily_bill_count: int = Field(3, ge=1, le=20, description="Bills in a daily brief.")
    weekly_bill_count: int = Field(8, ge=1, le=40, description="Bills in a weekly deep dive.")
    media_url_seconds: int = Field(
        3600, ge=60, description="Lifetime of a signed media URL, in seconds."
    )

    # --- providers ---------------------------------------------------------
    writer: str = Field("template", description="Script writer adapter.")
    voice: str = Field("espeak", description="Voice adapter.")
    storage: str = Field("local", description="Storage adapter: local or s3.")
    plugins: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Python modules imported at start-up (comma-separated); each may register "
        "adapters with briefcast.providers.register.",
    )

    # --- live events and notifications ------------------------------------
    events_poll_seconds: float = Field(
        0.1,
        gt=0,
        le=5,
        description="How often an API process looks for new podcast events to stream "
        "(on Postgres a notification wakes it at once; this is the fallback).",
    )
    sse_keepalive_seconds: float = Field(
        15.0, gt=0, le=300, description="Idle seconds before an event stream sends a keep-alive."
    )
    notify_slots: int = Field(4, ge=1, le=64, description="Notifications one worker sends at once.")
    notify_retry_delays: Annotated[tuple[float, ...], NoDecode] = Field(
        (10.0, 60.0, 300.0, 1800.0, 7200.0),
        description="Pauses before each retry of a failing notification, in seconds "
        "(comma-separated). Their count is the number of retries.",
    )
    vapid_private_key: SecretStr | None = Field(
        None,
        description="Web push (VAPID) private key: PEM, or base64url DER or raw. "
        "Generated under <home> when unset.",
    )
    vapid_subject: str | None = Field(
        None,
        description="Contact for push services (mailto: or https: URL); default derived from "
        "BRIEFCAST_SMTP_FROM or BRIEFCAST_PUBLIC_URL.",
    )
    push_ttl_seconds: int = Field(
        86_400,
        ge=0,
        le=2_419_200,
        description="How long a push service keeps an undelivered notification, in seconds.",
    )
    smtp_host: str | None = Field(None, description="SMTP server for e-mail; unset: no e-mail.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP server port.")
    smtp_from: str | None = Field(
        None, description="Sender address of notification e-mails, e.g. briefcast@example.org."
    )
    smtp_tls: Literal["none", "starttls", "ssl"] = Field(
        "starttls",
        description="none (plain), starttls (upgrade after connecting) or ssl (TLS from the start).",
    )
    smtp_username: str | None = Field(None, description="SMTP login name (optional).")
    smtp_password: SecretStr | None = Field(None, description="SMTP password (optional).")
    smtp_timeout_seconds: float = Field(
        20.0, gt=0, le=300, description="Longest wait for the SMTP server."
    )
    webhook_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="Longest wait for a webhook endpoint to answer."
    )
    webhooks_allow_local: bool = Field(
        False,
        description="Allow webhook and push URLs on loopback, private, link-local or metadata "
        "addresses (development and tests only).",
    )

    # --- logging -----------------------------------------------------------
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Least severe log level written."
    )
    log_format: Literal["auto", "console", "json"] = Field(
        "auto", description="console in a terminal, JSON otherwise (auto)."
    )

    @field_validator("retry_delays", mode="before")
    @classmethod
    def _split_delays(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value

    @field_validator("notify_retry_delays", mode="before")
    @classmethod
    def _split_notify_delays(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value

    @field_validator("plugins", mode="before")
    @classmethod
    def _split_plugins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(sqlite|postgres(ql)?)(\+\w+)?://", value):
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.environment == "production" and self.secret_key is None:
            raise ValueError(
                "BRIEFCAST_SECRET_KEY is required when BRIEFCAST_ENVIRONMENT=production"
            )
        return self

    # --- derived values ----------------------------------------------------
    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the driver SQLAlchemy should use."""
        url = self.database_url or f"sqlite:///{(self.home / 'briefcast.sqlite3').resolve()}"
        return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def media_dir(self) -> Path:
        return self.home / "media"

    @property
    def smtp_enabled(self) -> bool:
        return self.smtp_host is not None and self.smtp_from is not None

    @property
    def push_subject(self) -> str:
        """Who push services may contact about our traffic (a VAPID ``sub`` claim)."""
        if self.vapid_subject:
            return self.vapid_subject
        if self.smtp_from:
            return f"mailto:{self.smtp_from}"
        return (
            self.public_url
            if self.public_url.startswith("https://")
            else "mailto:briefcast@localhost"
        )

    def public_link(self, path: str) -> str:
        """An absolute URL for ``path`` on the API, as listeners reach it."""
        return self.public_url.rstrip("/") + "/" + path.lstrip("/")

    @property
    def worker_id(self) -> str:
        return self.executor_id or socket.gethostname()

    def target_seconds(self, episode_type: str) -> float:
        return self.daily_target_seconds if episode_type == "daily" else self.weekly_target_seconds

    def bill_count(self, episode_type: str) -> int:
        return self.daily_bill_count if episode_type == "daily" else self.weekly_bill_count


def load_settings(**overrides: object) -> Settings:
    """Read the environment once; turn validation failures into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # overrides are validated
    except SettingsError as exc:
        raise ConfigurationError(f"invalid settings: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"BRIEFCAST_{'_'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError(f"invalid settings: {problems}") from exc


def settings_reference() -> str:
    """Every setting as a Markdown table: variable, default, meaning (docs/configuration.md)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "number of CPU cores" if name == "worker_slots" else "computed"
        elif field.default is None or field.default == ():
            default = "unset"
        elif isinstance(field.default, tuple):
            default = ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in field.default)
        else:
            default = str(field.default)
        description = (field.description or "").replace("|", "\\|")
        lines.append(f"| `BRIEFCAST_{name.upper()}` | `{default}` | {description} |")
    return "\n".join(lines) + "\n"
