"""The chat-API script writer against a loopback OpenAI-compatible stub server."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from briefcast import providers
from briefcast.errors import ConfigurationError
from briefcast.providers.llm_writer import LlmWriter
from briefcast.providers.template_writer import TemplateWriter
from briefcast.scripts import Script
from briefcast.settings import Settings, load_settings
from briefcast.writers import Listener, ScriptRequest, ScriptWriter
from tests.support.fakes import sample_bills
from tests.support.stub_http import Reply, Request, StubServer, stub_server

API_KEY = "sk-test-llm-key-0f9e8d-never-logged"
MODEL = "test-model-1"
BILLS = tuple(sample_bills(2))
REQUEST = ScriptRequest(
    listener=Listener("Ada", "VA"),
    episode_type="daily",
    day=date(2026, 3, 4),
    bills=BILLS,
    hosts=("Maya", "Theo"),
    target_seconds=300,
    words_per_minute=150,
)


def good_script(extra_text: str = "") -> dict[str, Any]:
    """A script a careful model could write from the sample bills' records."""

    def bill(index: int) -> dict[str, Any]:
        return {
            "kind": "bill",
            "title": f"Sample Act number {index}",
            "bill_id": f"119-hr-{100 + index}",
            "turns": [
                {"speaker": "Maya", "text": f"First up, the Sample Act number {index}."},
                {
                    "speaker": "Theo",
                    "text": "Its sponsor is Representative Example Person, a Democrat from "
                    "Virginia. The bill would do a sample thing." + extra_text,
                },
                {"speaker": "Maya", "text": "It was referred to committee."},
            ],
        }

    return {
        "segments": [
            {
                "kind": "intro",
                "title": "Welcome",
                "bill_id": None,
                "turns": [
                    {"speaker": "Maya", "text": "Good morning, Ada, in Virginia."},
                    {"speaker": "Theo", "text": "It is Wednesday, March fourth. Two bills today."},
                ],
            },
            bill(0),
            bill(1),
            {
                "kind": "outro",
                "title": "Until next time",
                "bill_id": None,
                "turns": [
                    {
                        "speaker": "Theo",
                        "text": "Our voices are synthetic, and this episode is drawn from public "
                        "records. See you tomorrow, Ada.",
                    }
                ],
            },
        ]
    }


def completion(content: str, finish_reason: str = "stop") -> Reply:
    return Reply.json(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish_reason,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                }
            ],
        }
    )


def api_error(status: int, code: str, message: str, **headers: str) -> Reply:
    body = {"error": {"message": message, "type": "error", "code": code, "param": None}}
    return Reply.json(body, status, **headers)


class ChatStub:
    """Answers chat completions from a script of replies (the last one repeats)."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def __call__(self, request: Request) -> Reply:
        if request.path != "/v1/chat/completions" or request.method != "POST":
            return api_error(404, "not_found", "no such route")
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return api_error(401, "invalid_api_key", "Incorrect API key provided: sk-te****")
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


@pytest.fixture
def writers() -> Iterator[list[LlmWriter]]:
    made: list[LlmWriter] = []
    yield made
    for writer in made:
        writer.close()


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_writer(
    made: list[LlmWriter], server: StubServer, sleeps: Sleeps, **extra: Any
) -> LlmWriter:
    values: dict[str, Any] = {
        "writer": "llm",
        "llm_base_url": f"{server.url}/v1",
        "llm_model": MODEL,
        "llm_api_key": API_KEY,
        "llm_retry_delays": (1.0, 2.0),
        "breaker_failures": 5,
        **extra,
    }
    writer = LlmWriter.from_settings(Settings(**values), sleep=sleeps)
    made.append(writer)
    return writer


def template_script() -> Script:
    return TemplateWriter().write(REQUEST)


def assert_fell_back(script: Script, reason: str) -> None:
    expected = template_script()
    assert script.segments == expected.segments
    assert script.notes[0].startswith("the language model's script could not be used")
    assert reason in script.notes[0]
    assert script.notes[1:] == expected.notes


def test_is_a_writer_chosen_by_name() -> None:
    settings = Settings(writer="llm", llm_model=MODEL, llm_base_url="http://127.0.0.1:9/v1")
    writer = providers.create("writer", "llm", settings)
    try:
        assert isinstance(writer, ScriptWriter)
        assert writer.name == "llm"
    finally:
        writer.close()


def test_a_good_answer_becomes_the_script(writers: list[LlmWriter], sleeps: Sleeps) -> None:
    with stub_server(ChatStub(completion(json.dumps(good_script())))) as server:
        script = make_writer(writers, server, sleeps).write(REQUEST)
        (sent,) = server.requests
    assert [s.kind for s in script.segments] == ["intro", "bill", "bill", "outro"]
    assert [s.bill_id for s in script.segments] == [None, "119-hr-100", "119-hr-101", None]
    assert script.hosts == ("Maya", "Theo")
    assert script.title == "Daily brief: March 4, 2026"
    assert script.segments[1].turns[0].text == "First up, the Sample Act number 0."
    assert script.notes == (f"written by the language model {MODEL}",)
    body = sent.json()
    assert body["model"] == MODEL
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    turn = schema["properties"]["segments"]["items"]["properties"]["turns"]["items"]
    assert turn["properties"]["speaker"]["enum"] == ["Maya", "Theo"]
    system, user = body["messages"]
    assert "only what the records say" in system["content"]
    material = json.loads(user["content"])
    assert material["episode"]["listener"] == {"name": "Ada", "state": "VA"}
    assert material["episode"]["target_words"] == 750  # 300 s at 150 words a minute
    assert [b["bill_id"] for b in material["bills"]] == ["119-hr-100", "119-hr-101"]
    assert material["bills"][0]["summary"] == "This bill would do a sample thing."
    assert material["bills"][0]["sponsor"] == {
        "name": "Rep. Example Person",
        "party": "D",
        "state": "VA",
    }


def test_json_object_mode_for_servers_without_schemas(
    writers: list[LlmWriter], sleeps: Sleeps
) -> None:
    with stub_server(ChatStub(completion(json.dumps(good_script())))) as server:
        make_writer(writers, server, sleeps, llm_response_format="json_object").write(REQUEST)
        assert server.requests[0].json()["response_format"] == {"type": "json_object"}


def test_malformed_json_falls_back_to_the_template(
    writers: list[LlmWriter], sleeps: Sleeps
) -> None:
    with stub_server(ChatStub(completion('{"segments": [{"kind": "intro",'))) as server:
        script = make_writer(writers, server, sleeps).write(REQUEST)
        assert len(server.requests) == 1  # an unusable answer is not asked again
    assert_fell_back(script, "not JSON")


def test_stage_directions_fail_validation_and_fall_back(
    writers: list[LlmWriter], sleeps: Sleeps
) -> None:
    answer = json.dumps(good_script(extra_text=" [chuckles] Really."))
    with stub_server(ChatStub(completion(answer))) as server:
        script = make_writer(writers, server, sleeps).write(REQUEST)
    assert_fell_back(script, "stage direction or markup '[chuckles]'")


def test_an_invented_or_missing_bill_falls_back(writers: list[LlmWriter], sleeps: Sleeps) -> None:
    answer = good_script()
    answer["segments"][2]["bill_id"] = "119-hr-999"
    with stub_server(ChatStub(completion(json.dumps(answer)))) as server:
        script = make_writer(writers, server, sleeps).write(REQUEST)
    assert_fell_back(script, "119-hr-999")


@pytest.mark.parametrize(
    ("content", "finish", "reason"),
    [
        (json.dumps({"title": "x"}), "stop", "schema"),
        (json.dumps(good_script()), "length", "cut off"),
        ("", "stop", "empty"),
    ],
)
def test_other_unusable_answers_fall_back(
    writers: list[LlmWriter], sleeps: Sleeps, content: str, finish: str, reason: str
) -> None:
    with stub_server(ChatStub(completion(content, finish))) as server:
        script = make_writer(writers, server, sleeps).write(REQUEST)
    assert_fell_back(script, reason)


def test_429_is_retried_after_retry_after(writers: list[LlmWriter], sleeps: Sleeps) -> None:
    busy = api_error(429, "rate_limit_exceeded", "slow down", **{"Retry-After": "5"})
    with stub_server(ChatStub(busy, completion(json.dumps(good_script())))) as server:
        script = make_writer(writers, server, sleeps).write(REQUEST)
        assert len(server.requests) == 2
    assert sleeps == [5.0]  # the longer of the policy's 1 s and the server's 5 s
    assert script.notes == (f"written by the language model {MODEL}",)


def test_a_failing_api_falls_back_after_its_retries(
    writers: list[LlmWriter], sleeps: Sleeps
) -> None:
    with stub_server(ChatStub(api_error(500, "server_error", "boom"))) as server:
        script = make_writer(writers, server, sleeps).write(REQUEST)
        assert len(server.requests) == 3
    assert sleeps == [1.0, 2.0]
    assert_fell_back(script, "HTTP 500")


def test_a_long_retry_after_hands_over_at_once(writers: list[LlmWriter], sleeps: Sleeps) -> None:
    busy = api_error(429, "rate_limit_exceeded", "slow down", **{"Retry-After": "600"})
    with stub_server(ChatStub(busy)) as server:
        script = make_writer(writers, server, sleeps).write(REQUEST)
        assert len(server.requests) == 1
    assert sleeps == []
    assert_fell_back(script, "busy")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (api_error(429, "insufficient_quota", "You exceeded your current quota"), "quota"),
        (api_error(404, "model_not_found", "The model does not exist"), "HTTP 404"),
    ],
)
def test_permanent_refusals_are_not_retried(
    writers: list[LlmWriter], sleeps: Sleeps, reply: Reply, reason: str
) -> None:
    with stub_server(ChatStub(reply)) as server:
        script = make_writer(writers, server, sleeps).write(REQUEST)
        assert len(server.requests) == 1
    assert_fell_back(script, reason)


def test_a_wrong_key_falls_back_and_no_key_reaches_notes_or_logs(
    writers: list[LlmWriter], sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "sk-wrong-key-that-must-stay-secret"
    with stub_server(ChatStub(completion("{}"))) as server:
        script = make_writer(writers, server, sleeps, llm_api_key=wrong).write(REQUEST)
        assert len(server.requests) == 1
    assert_fell_back(script, "refused the key")
    assert all(wrong not in note for note in script.notes)
    assert caplog.records
    assert all(
        wrong not in r.getMessage() and API_KEY not in r.getMessage() for r in caplog.records
    )


def test_the_breaker_skips_a_dead_api(writers: list[LlmWriter], sleeps: Sleeps) -> None:
    with stub_server(ChatStub(api_error(503, "unavailable", "down"))) as server:
        writer = make_writer(
            writers, server, sleeps, breaker_failures=3, llm_retry_delays=(0.0, 0.0)
        )
        writer.write(REQUEST)  # three failed attempts open the circuit
        assert len(server.requests) == 3
        script = writer.write(REQUEST)
        assert len(server.requests) == 3  # not called again while the circuit is open
    assert_fell_back(script, "paused")


def test_start_up_refuses_the_llm_writer_without_a_model() -> None:
    with pytest.raises(ConfigurationError, match="BRIEFCAST_LLM_MODEL is required"):
        load_settings(writer="llm")
