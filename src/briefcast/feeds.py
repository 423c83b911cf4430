"""Each listener's private podcast feed: RSS 2.0 with the iTunes and Podcasting 2.0 tags.

The feed lives at ``/feeds/{token}.xml``; everything it links to (episode
audio, transcripts, chapters, cover art) sits under ``/feeds/{token}/``, so a
podcast app needs the feed's token and nothing else, and rotating the token
shuts out every old link at once. :func:`render_feed` is pure (values in,
XML out); :class:`FeedStore` gathers the values from the database and storage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import sqlalchemy as sa
from lxml import etree

from briefcast import __version__
from briefcast.bills import Bill
from briefcast.db import Database
from briefcast.errors import NotFound
from briefcast.rendering import episode_keys
from briefcast.settings import Settings
from briefcast.storage import Storage
from briefcast.tables import bills, podcasts
from briefcast.users import User

__all__ = [
    "MEDIA_TYPES",
    "FeedChannel",
    "FeedEpisode",
    "FeedStore",
    "format_duration",
    "render_feed",
]

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
_NSMAP = {"itunes": ITUNES, "podcast": PODCAST, "atom": ATOM}
#: Feed file name suffix → (episode file, media type).
MEDIA_TYPES = {
    "mp3": ("audio", "audio/mpeg"),
    "vtt": ("transcript", "text/vtt"),
    "chapters.json": ("chapters", "application/json+chapters"),
}
_EPISODES = 100


@dataclass(frozen=True)
class FeedChannel:
    title: str
    description: str
    link: str
    feed_url: str
    image_url: str
    author: str
    owner_name: str
    language: str = "en-us"
    category: str = "News"
    subcategory: str = "Politics"
    explicit: bool = False


@dataclass(frozen=True)
class FeedEpisode:
    guid: str
    title: str
    description: str
    published_at: datetime
    audio_url: str
    audio_bytes: int
    duration_seconds: float
    transcript_url: str
    chapters_url: str


def format_duration(seconds: float) -> str:
    """``H:MM:SS``, the form ``itunes:duration`` documents."""
    total = max(0, round(seconds))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _sub(
    parent: etree._Element, tag: str, content: str | None = None, /, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if content is not None:
        element.text = content
    return element


def _it(name: str) -> str:
    return f"{{{ITUNES}}}{name}"


def render_feed(channel: FeedChannel, episodes: Sequence[FeedEpisode], *, now: datetime) -> bytes:
    """The RSS document, newest episode first as given."""
    rss = etree.Element("rss", {"version": "2.0"}, nsmap=_NSMAP)
    ch = _sub(rss, "channel")
    _sub(ch, "title", channel.title)
    _sub(ch, "link", channel.link)
    _sub(ch, "description", channel.description)
    _sub(ch, "language", channel.language)
    _sub(ch, "generator", f"briefcast {__version__}")
    _sub(ch, "lastBuildDate", format_datetime(now.astimezone(UTC), usegmt=True))
    _sub(ch, f"{{{ATOM}}}link", href=channel.feed_url, rel="self", type="application/rss+xml")
    image = _sub(ch, "image")
    _sub(image, "url", channel.image_url)
    _sub(image, "title", channel.title)
    _sub(image, "link", channel.link)
    _sub(ch, "category", channel.category)
    _sub(ch, _it("author"), channel.author)
    owner = _sub(ch, _it("owner"))
    _sub(owner, _it("name"), channel.owner_name)
    _sub(ch, _it("image"), href=channel.image_url)
    category = _sub(ch, _it("category"), text=channel.category)
    _sub(category, _it("category"), text=channel.subcategory)
    _sub(ch, _it("explicit"), "true" if channel.explicit else "false")
    _sub(ch, _it("type"), "episodic")
    # A private feed: directories must not import it.
    _sub(ch, f"{{{PODCAST}}}locked", "yes")
    for episode in episodes:
        _item(ch, episode, channel.explicit)
    return bytes(etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _item(channel: etree._Element, episode: FeedEpisode, explicit: bool) -> None:
    item = _sub(channel, "item")
    _sub(item, "title", episode.title)
    _sub(item, "description", episode.description)
    _sub(item, "guid", episode.guid, isPermaLink="false")
    _sub(item, "pubDate", format_datetime(episode.published_at.astimezone(UTC), usegmt=True))
    _sub(
        item,
        "enclosure",
        url=episode.audio_url,
        length=str(episode.audio_bytes),
        type="audio/mpeg",
    )
    _sub(item, _it("duration"), format_duration(episode.duration_seconds))
    _sub(item, _it("episodeType"), "full")
    _sub(item, _it("explicit"), "true" if explicit else "false")
    _sub(item, f"{{{PODCAST}}}transcript", url=episode.transcript_url, type="text/vtt")
    _sub(item, f"{{{PODCAST}}}chapters", url=episode.chapters_url, type="application/json+chapters")


class FeedStore:
    """Builds a listener's feed from their completed episodes."""

    def __init__(self, db: Database, storage: Storage, settings: Settings) -> None:
        self._db = db
        self._storage = storage
        self._settings = settings

    def base(self, user: User) -> str:
        return self._settings.public_link(f"/feeds/{user.feed_token}")

    def feed_url(self, user: User) -> str:
        return self.base(user) + ".xml"

    def render(self, user: User, *, now: datetime | None = None) -> bytes:
        return render_feed(self.channel(user), self.episodes(user), now=now or datetime.now(UTC))

    def channel(self, user: User) -> FeedChannel:
        return FeedChannel(
            title=f"briefcast for {user.name}",
            description=(
                f"Personal briefings on the U.S. Congress for {user.name}: a daily brief and a "
                "weekly deep dive, two hosts in conversation. Produced by briefcast with "
                "synthetic voices from public records."
            ),
            link=self._settings.public_link("/"),
            feed_url=self.feed_url(user),
            image_url=self.base(user) + "/artwork.png",
            author="briefcast",
            owner_name="briefcast",
        )

    def episodes(self, user: User) -> list[FeedEpisode]:
        query = (
            podcasts.select()
            .where(
                podcasts.c.user_id == user.id,
                podcasts.c.status == "completed",
                podcasts.c.audio_key.is_not(None),
            )
            .order_by(podcasts.c.finished_at.desc(), podcasts.c.id.desc())
            .limit(_EPISODES)
        )
        with self._db.read() as conn:
            rows = list(conn.execute(query))
            titles = _bill_titles(conn, {b for r in rows for b in (r.bill_ids or ())})
        found = (self._episode(user, row, titles) for row in rows)
        return [episode for episode in found if episode is not None]

    def _episode(self, user: User, row: Any, titles: dict[str, str]) -> FeedEpisode | None:
        info = self._storage.stat(str(row.audio_key))
        if info is None:  # never list an enclosure that cannot be fetched
            return None
        base = f"{self.base(user)}/{row.id}"
        return FeedEpisode(
            guid=f"urn:uuid:{row.id}",
            title=row.title or _fallback_title(row),
            description=_describe([titles.get(b, b) for b in row.bill_ids or ()]),
            published_at=row.finished_at,
            audio_url=f"{base}.mp3",
            audio_bytes=info.size,
            duration_seconds=row.duration_seconds or 0.0,
            transcript_url=f"{base}.vtt",
            chapters_url=f"{base}.chapters.json",
        )

    def file_key(self, user: User, podcast_id: str, suffix: str) -> tuple[str, str]:
        """Storage key and media type of one of the listener's episode files."""
        if suffix not in MEDIA_TYPES:
            raise NotFound("no such file")
        with self._db.read() as conn:
            row = conn.execute(
                sa.select(podcasts.c.user_id, podcasts.c.status).where(podcasts.c.id == podcast_id)
            ).first()
        if row is None or row.user_id != user.id or row.status != "completed":
            raise NotFound("no such episode in this feed")
        name, media_type = MEDIA_TYPES[suffix]
        return episode_keys(user.id, podcast_id)[name], media_type


def _bill_titles(conn: sa.Connection, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = conn.execute(sa.select(bills.c.id, bills.c.data).where(bills.c.id.in_(ids)))
    found = (Bill.from_json(r.data) for r in rows)
    return {str(b.id): f"{b.id.citation}: {b.display_title}" for b in found}


def _describe(bill_lines: list[str]) -> str:
    if not bill_lines:
        return "A briefcast episode."
    return "Bills in this episode: " + "; ".join(bill_lines) + "."


def _fallback_title(row: Any) -> str:
    kind = "Daily brief" if row.type == "daily" else "Weekly deep dive"
    return f"{kind}, {row.finished_at:%B %-d, %Y}" if row.finished_at else kind
