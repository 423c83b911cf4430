"""What a notification says: one value every channel renders in its own way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from briefcast.errors import PermanentError

__all__ = ["Notice", "TargetGone", "describe_duration"]


class TargetGone(PermanentError):
    """The receiver says this subscription or endpoint no longer exists (404/410)."""

    code = "target_gone"


@dataclass(frozen=True)
class Notice:
    """An episode's outcome, addressed to its listener.

    ``delivery_id`` is the idempotency key every channel passes on, so a
    receiver that sees the same notice twice (a retried send) can drop it.
    """

    delivery_id: str
    event_id: int
    kind: str  # completed | failed
    podcast_id: str
    episode_type: str
    title: str | None
    duration_seconds: float | None
    error: str | None
    bills: tuple[tuple[str, str], ...]  # (citation, title)
    occurred_at: datetime
    listen_url: str | None
    api_url: str
    app_url: str

    @property
    def kind_label(self) -> str:
        return "daily brief" if self.episode_type == "daily" else "weekly deep dive"

    @property
    def headline(self) -> str:
        if self.kind == "completed":
            return f"Your {self.kind_label} is ready"
        return f"Your {self.kind_label} could not be made"

    @property
    def summary(self) -> str:
        """One sentence under the headline."""
        if self.kind == "completed":
            length = describe_duration(self.duration_seconds)
            return f"{self.title or 'Your episode'}" + (f" ({length})" if length else "") + "."
        return f"{self.error or 'Something went wrong'}. You can try again from the app."

    def to_json(self) -> dict[str, Any]:
        """The notice as structured data (webhook ``data``)."""
        return {
            "podcast_id": self.podcast_id,
            "status": self.kind,
            "type": self.episode_type,
            "title": self.title,
            "duration_seconds": self.duration_seconds,
            "error": self.error,
            "bills": [{"citation": c, "title": t} for c, t in self.bills],
            "audio_url": self.listen_url,
            "podcast_url": self.api_url,
        }


def describe_duration(seconds: float | None) -> str:
    """``m:ss`` (or ``h:mm:ss``), or an empty string when unknown."""
    if seconds is None:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
