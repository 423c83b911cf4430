from __future__ import annotations

from datetime import UTC, datetime

from briefcast.mail import compose
from briefcast.notices import Notice, describe_duration


def notice(**changes: object) -> Notice:
    values: dict[str, object] = {
        "delivery_id": "0b4f",
        "event_id": 3,
        "kind": "completed",
        "podcast_id": "p1",
        "episode_type": "daily",
        "title": "Bills & <budgets>",
        "duration_seconds": 305.0,
        "error": None,
        "bills": (("H.R. 1", "Lower Costs Act"),),
        "occurred_at": datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
        "listen_url": "https://x/feeds/t/p1.mp3",
        "api_url": "https://x/api/podcasts/p1",
        "app_url": "https://x/",
    }
    values.update(changes)
    return Notice(**values)  # type: ignore[arg-type]


def test_durations_read_like_a_clock() -> None:
    assert describe_duration(None) == ""
    assert describe_duration(305) == "5:05"
    assert describe_duration(3725) == "1:02:05"


def test_message_has_text_and_html_alternatives_and_a_stable_id() -> None:
    mail = compose(notice(), sender="briefcast@example.org", recipient="ada@example.org")
    assert mail["Message-ID"] == "<0b4f@example.org>"
    assert mail["Subject"] == "Your daily brief is ready: Bills & <budgets>"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Listen: https://x/feeds/t/p1.mp3" in text
    assert "H.R. 1: Lower Costs Act" in text
    assert "Bills &amp; &lt;budgets&gt; (5:05)." in html
    assert "<budgets>" not in html
