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
    serve_worker: Literal["embedded", "process"] = Field(
        "embedded",
        description="Where `briefcast serve` runs its worker: embedded (in the API process) or "
        "process (a supervised child process, restarted if it dies; the API then keeps its "
        "interpreter to itself and answers faster under load).",
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

    breaker_failures: int = Field(
        5,
        ge=1,
        le=100,
        description="Consecutive transient failures of a network provider that open its "
        "circuit: further calls fail fast until the cool-down has passed.",
    )
    breaker_cooldown_seconds: float = Field(
        60.0, gt=0, le=3600, description="How long an open circuit stays open before one trial."
    )

    # --- Congress.gov (bill source) -----------------------------------------
    congress_api_key: SecretStr | None = Field(
        None, description="Congress.gov API v3 key, for `briefcast bills fetch`."
    )
    congress_api_url: str = Field(
        "https://api.congress.gov/v3", description="Base URL of the Congress.gov API v3."
    )

    # --- S3-compatible storage (BRIEFCAST_STORAGE=s3) -----------------------
    s3_bucket: str | None = Field(None, description="Bucket for episodes and cached audio.")
    s3_endpoint_url: str | None = Field(
        None,
        description="Endpoint of an S3-compatible service, e.g. https://ewr1.vultrobjects.com; "
        "unset: AWS S3.",
    )
    s3_region: str = Field("us-east-1", description="Region the bucket lives in.")
    s3_prefix: str = Field(
        "", description="Key prefix inside the bucket (e.g. briefcast/), to share a bucket."
    )
    s3_access_key_id: SecretStr | None = Field(
        None,
        description="Access key id; unset with the secret too: the usual AWS credential chain.",
    )
    s3_secret_access_key: SecretStr | None = Field(
        None, description="Secret access key (set together with BRIEFCAST_S3_ACCESS_KEY_ID)."
    )
    s3_addressing_style: Literal["auto", "path", "virtual"] = Field(
        "auto",
        description="path (https://host/bucket/key, most S3-compatible services and local "
        "servers) or virtual (https://bucket.host/key).",
    )
    s3_cdn_url: str | None = Field(
        None,
        description="Base URL of a CDN in front of the bucket; media links then point at it.",
    )
    s3_cdn_signed: bool = Field(
        True,
        description="Keep the presigned query on CDN links (the CDN forwards it to the bucket). "
        "false: plain links for a public CDN; episodes greet listeners by name, so only do "
        "this when the CDN enforces access itself.",
    )
    s3_max_attempts: int = Field(
        3,
        ge=1,
        le=10,
        description="Attempts boto makes at one request (its own quick retries) before the "
        "failure reaches briefcast's retry policy.",
    )
    s3_timeout_seconds: float = Field(
        30.0, gt=0, le=600, description="Longest wait for the object store to answer."
    )

    # --- ElevenLabs voice (BRIEFCAST_VOICE=elevenlabs) ----------------------
    elevenlabs_api_key: SecretStr | None = Field(None, description="ElevenLabs API key.")
    elevenlabs_base_url: str = Field(
        "https://api.elevenlabs.io", description="ElevenLabs API base URL."
    )
    elevenlabs_model: str = Field("eleven_v3", description="Text-to-dialogue model id.")
    elevenlabs_voice_maya: str | None = Field(None, description="ElevenLabs voice id for Maya.")
    elevenlabs_voice_theo: str | None = Field(None, description="ElevenLabs voice id for Theo.")
    elevenlabs_stability: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Voice stability; eleven_v3 takes 0.0 (creative), 0.5 (natural) or "
        "1.0 (robust).",
    )
    elevenlabs_output_format: str = Field(
        "mp3_44100_128", description="Audio format requested (codec_samplerate_bitrate)."
    )
    elevenlabs_max_request_chars: int = Field(
        2000,
        ge=100,
        description="Most characters per dialogue request; the model's own limit (read from the "
        "models API) applies when lower. ElevenLabs advises at most 2,000 for dialogue.",
    )
    elevenlabs_words_per_minute: float = Field(
        150.0,
        gt=0,
        le=400,
        description="Speaking rate assumed for length budgets (measuring it would cost money).",
    )
    elevenlabs_timeout_seconds: float = Field(
        180.0, gt=0, le=900, description="Longest wait for one dialogue request."
    )

    # --- OpenAI-compatible script writer (BRIEFCAST_WRITER=llm) -------------
    llm_base_url: str = Field(
        "https://api.openai.com/v1",
        description="Base URL of an OpenAI-compatible API (…/v1; /chat/completions is added).",
    )
    llm_model: str | None = Field(None, description="Chat model that writes scripts.")
    llm_api_key: SecretStr | None = Field(
        None, description="Bearer key for the chat API (optional for local servers)."
    )
    llm_response_format: Literal["json_schema", "json_object"] = Field(
        "json_schema",
        description="json_schema (strict structured output) or json_object (plain JSON mode, "
        "for servers without schema support).",
    )
    llm_temperature: float = Field(0.4, ge=0, le=2, description="Sampling temperature.")
    llm_timeout_seconds: float = Field(
        90.0, gt=0, le=600, description="Longest wait for one chat completion."
    )
    llm_retry_delays: Annotated[tuple[float, ...], NoDecode] = Field(
        (2.0, 8.0),
        description="Pauses before retrying a transiently failing chat call, in seconds "
        "(comma-separated); then the template writer takes over.",
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

    @field_validator("notify_retry_delays", "llm_retry_delays", mode="before")
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

    @model_validator(mode="after")
    def _chosen_adapters_are_configured(self) -> Settings:
        problems = [*_adapter_problems(self)]
        if problems:
            raise ValueError("; ".join(problems))
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


def _adapter_problems(settings: Settings) -> list[str]:
    """What the chosen production adapters are missing, each naming its variable."""
    needs: list[tuple[str, object, str]] = []
    if settings.storage == "s3":
        needs.append(("BRIEFCAST_S3_BUCKET", settings.s3_bucket, "BRIEFCAST_STORAGE=s3"))
        key, secret = settings.s3_access_key_id, settings.s3_secret_access_key
        if key is not None or secret is not None:
            needs.append(
                ("BRIEFCAST_S3_ACCESS_KEY_ID", key, "BRIEFCAST_S3_SECRET_ACCESS_KEY is set")
            )
            needs.append(
                ("BRIEFCAST_S3_SECRET_ACCESS_KEY", secret, "BRIEFCAST_S3_ACCESS_KEY_ID is set")
            )
    if settings.voice == "elevenlabs":
        chosen = "BRIEFCAST_VOICE=elevenlabs"
        needs.append(("BRIEFCAST_ELEVENLABS_API_KEY", settings.elevenlabs_api_key, chosen))
        needs.append(("BRIEFCAST_ELEVENLABS_VOICE_MAYA", settings.elevenlabs_voice_maya, chosen))
        needs.append(("BRIEFCAST_ELEVENLABS_VOICE_THEO", settings.elevenlabs_voice_theo, chosen))
    if settings.writer == "llm":
        needs.append(("BRIEFCAST_LLM_MODEL", settings.llm_model, "BRIEFCAST_WRITER=llm"))
    return [f"{name} is required when {why}" for name, value, why in needs if not _present(value)]


def _present(value: object) -> bool:
    if isinstance(value, SecretStr):
        return bool(value.get_secret_value().strip())
    return isinstance(value, str) and bool(value.strip())


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
