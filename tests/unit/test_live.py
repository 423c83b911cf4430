from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import Field, TypeAdapter, ValidationError

from briefcast.errors import InvalidInput
from briefcast.events import Event
from briefcast.live import (
    LAST_EVENT_ID_PATTERN,
    EventHub,
    PositionChange,
    Resume,
    parse_last_event_id,
)
from briefcast.web.sse import comment, message
from tests.support.accepting import accepts


def test_last_event_id_forms() -> None:
    assert parse_last_event_id(None) is None
    assert parse_last_event_id("") is None
    assert parse_last_event_id("57") == Resume(57)
    assert parse_last_event_id("57.p3") == Resume(57, 3)
    for bad in ("abc", "57.x3", "-1", "57.p", "1" * 30):
        with pytest.raises(InvalidInput):
            parse_last_event_id(bad)


# pydantic's regular expressions read ``$`` as JSON Schema validators do: the very end.
_DOCUMENTED_ID = TypeAdapter(Annotated[str, Field(pattern=LAST_EVENT_ID_PATTERN)])


@given(st.text(alphabet="0123456789.px \t\n", max_size=14))
@example(" 57.p3\t")
@example("\t1")
@example("57\n")
@example("1" * 19)
def test_the_documented_last_event_id_is_exactly_what_is_accepted(text: str) -> None:
    documented = accepts(_DOCUMENTED_ID.validate_python, text, ValidationError)
    assert documented == accepts(parse_last_event_id, text, InvalidInput), repr(text)


def test_a_position_id_resumes_like_its_cursor() -> None:
    change = PositionChange("p", 3, 40.0, 57, datetime(2026, 1, 1, tzinfo=UTC))
    assert change.id == "57.p3"
    assert parse_last_event_id(change.id) == Resume(57, 3)
    assert change.to_json()["position"] == 3


def event(event_id: int) -> Event:
    return Event(event_id, "p", "u", "stage", {}, datetime(2026, 1, 1, tzinfo=UTC))


def hub_at(cursor: int, gap_seconds: float) -> EventHub:
    hub = EventHub(None, None, gap_seconds=gap_seconds)  # type: ignore[arg-type]  # ordering only
    hub._cursor = cursor
    return hub


def test_events_after_a_hole_wait_for_it() -> None:
    hub = hub_at(10, gap_seconds=60)
    accepted, waiting = hub._in_order([event(11), event(13), event(14)])
    assert [e.id for e in accepted] == [11]
    assert waiting


def test_a_hole_is_skipped_once_it_is_old(monkeypatch: pytest.MonkeyPatch) -> None:
    hub = hub_at(10, gap_seconds=0.5)
    clock = iter([100.0, 100.6])
    monkeypatch.setattr("briefcast.live.time.monotonic", lambda: next(clock))
    assert hub._in_order([event(12)]) == ([], True)
    accepted, waiting = hub._in_order([event(12), event(13)])
    assert [e.id for e in accepted] == [12, 13] and not waiting


def test_sse_framing() -> None:
    data: dict[str, Any] = {"a": 1}
    assert message("5", "stage", data) == 'id: 5\nevent: stage\ndata: {"a":1}\n\n'
    assert message("5", "stage", data, retry_ms=2000).startswith("retry: 2000\nid: 5\n")
    assert comment("keep-alive") == ": keep-alive\n\n"


def test_access_tokens_never_reach_the_access_log() -> None:
    import logging

    from briefcast.web.routes_events import RedactAccessTokens

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/api/events?access_token=bc_secret&x=1", "1.1", 200),
        None,
    )
    assert RedactAccessTokens().filter(record)
    assert "bc_secret" not in record.getMessage()
    assert "access_token=***&x=1" in record.getMessage()
