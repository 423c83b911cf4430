from __future__ import annotations

from datetime import UTC, datetime

import feedparser
from lxml import etree

from briefcast.feeds import FeedChannel, FeedEpisode, format_duration, render_feed

CHANNEL = FeedChannel(
    title="briefcast for Ada",
    description="Personal briefings on the U.S. Congress.",
    link="https://cast.example.org/",
    feed_url="https://cast.example.org/feeds/tok.xml",
    image_url="https://cast.example.org/feeds/tok/artwork.png",
    author="briefcast",
    owner_name="briefcast",
)
EPISODE = FeedEpisode(
    guid="urn:uuid:7f1c",
    title="Tuesday's brief",
    description="Bills in this episode: H.R. 100: A Sample Act; S. 5: Another Act.",
    published_at=datetime(2026, 11, 3, 14, 30, tzinfo=UTC),
    audio_url="https://cast.example.org/feeds/tok/7f1c.mp3",
    audio_bytes=4_812_345,
    duration_seconds=301.4,
    transcript_url="https://cast.example.org/feeds/tok/7f1c.vtt",
    chapters_url="https://cast.example.org/feeds/tok/7f1c.chapters.json",
)


def test_format_duration_is_h_mm_ss() -> None:
    assert format_duration(0) == "0:00:00"
    assert format_duration(59.6) == "0:01:00"
    assert format_duration(301.4) == "0:05:01"
    assert format_duration(3725) == "1:02:05"


def test_feedparser_reads_every_channel_field() -> None:
    parsed = feedparser.parse(
        render_feed(CHANNEL, [EPISODE], now=datetime(2026, 11, 4, tzinfo=UTC))
    )
    assert not parsed.bozo
    feed = parsed.feed
    assert parsed.version == "rss20"
    assert feed.title == "briefcast for Ada"
    assert feed.subtitle == "Personal briefings on the U.S. Congress."
    assert feed.language == "en-us"
    assert feed.image.href == "https://cast.example.org/feeds/tok/artwork.png"
    assert feed.author == "briefcast"
    assert {t.term for t in feed.tags} >= {"News", "Politics"}
    assert "itunes_explicit" in feed
    assert feed.podcast_locked == "yes"


def test_feedparser_reads_every_episode_field() -> None:
    parsed = feedparser.parse(
        render_feed(CHANNEL, [EPISODE], now=datetime(2026, 11, 4, tzinfo=UTC))
    )
    (entry,) = parsed.entries
    assert entry.id == "urn:uuid:7f1c"
    assert entry.guidislink is False
    assert entry.title == "Tuesday's brief"
    assert "H.R. 100: A Sample Act" in entry.summary
    assert entry.published_parsed[:5] == (2026, 11, 3, 14, 30)
    (enclosure,) = entry.enclosures
    assert (enclosure.href, enclosure.length, enclosure.type) == (
        EPISODE.audio_url,
        "4812345",
        "audio/mpeg",
    )
    assert entry.itunes_duration == "0:05:01"
    assert entry.podcast_transcript == {"url": EPISODE.transcript_url, "type": "text/vtt"}
    assert entry.podcast_chapters == {
        "url": EPISODE.chapters_url,
        "type": "application/json+chapters",
    }


def test_itunes_category_and_explicit_use_the_documented_forms() -> None:
    root = etree.fromstring(render_feed(CHANNEL, [], now=datetime(2026, 11, 4, tzinfo=UTC)))
    ns = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
    (top,) = root.findall("channel/itunes:category", ns)
    assert top.get("text") == "News"
    assert top.find("itunes:category", ns).get("text") == "Politics"
    assert root.findtext("channel/itunes:explicit", namespaces=ns) == "false"


def test_text_is_escaped_not_interpreted() -> None:
    hostile = FeedEpisode(**{**EPISODE.__dict__, "title": "<b>Bills</b> & more"})
    xml = render_feed(CHANNEL, [hostile], now=datetime(2026, 11, 4, tzinfo=UTC))
    assert b"<title>&lt;b&gt;Bills&lt;/b&gt; &amp; more</title>" in xml
    assert etree.fromstring(xml).findtext("channel/item/title") == "<b>Bills</b> & more"
