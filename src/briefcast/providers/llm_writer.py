"""A script writer backed by any OpenAI-compatible chat API, with the template writer behind it.

One ``POST {base}/chat/completions`` per episode asks for strict JSON (a JSON
Schema with ``strict: true``, or plain JSON mode for servers without schema
support); see :mod:`briefcast.providers.llm_prompt` for what the model is
told. The answer becomes a :class:`~briefcast.scripts.Script` only if it is
JSON of the right shape, covers exactly the requested bills in order and
passes :func:`~briefcast.scripts.validate`. Otherwise, or when the API still
fails after a few quick retries (or is refused, or its circuit is open), the
template writer writes the episode and a note on the script says why: a
listener always gets an episode, and an operator can see which writer made it.

Vendor quirks handled here:

* A 429 can mean "slow down" (retry after ``Retry-After``) or, with code
  ``insufficient_quota``, "no credit left" (permanent).
* A refusal comes back as ``message.refusal`` with no content; an answer cut
  off by the token limit has ``finish_reason: "length"`` and is unusable JSON.
* ``message.content`` is a JSON *string* inside the JSON response.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import httpx
import structlog

from briefcast.breaker import CircuitBreaker
from briefcast.errors import (
    BriefcastError,
    ConfigurationError,
    PermanentError,
    ProviderBusy,
    ProviderRejected,
    ProviderUnavailable,
    RetryableError,
    ScriptInvalid,
)
from briefcast.providers.http_errors import redact, retry_after, vendor_detail
from briefcast.providers.llm_prompt import messages, script_schema, unique_bills
from briefcast.scripts import Budget, Script, Segment, Turn, validate
from briefcast.settings import Settings
from briefcast.writers import ScriptRequest, ScriptWriter

__all__ = ["LlmWriter", "UnusableAnswer"]

log = structlog.get_logger(__name__)

#: Longest pause between quick retries; a longer Retry-After hands over to the template.
_MAX_WAIT = 30.0


class UnusableAnswer(PermanentError):
    """The model answered, but not with a script briefcast can use."""

    code = "unusable_answer"


class LlmWriter:
    """A :class:`~briefcast.writers.ScriptWriter` over ``/chat/completions``."""

    name = "llm"

    def __init__(
        self,
        client: httpx.Client,
        *,
        model: str,
        fallback: ScriptWriter,
        response_format: str = "json_schema",
        temperature: float = 0.4,
        retry_delays: Sequence[float] = (2.0, 8.0),
        breaker: CircuitBreaker | None = None,
        secrets: Sequence[str] = (),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._model = model
        self._fallback = fallback
        self._format = response_format
        self._temperature = temperature
        self._delays = tuple(retry_delays)
        self._breaker = breaker or CircuitBreaker("chat API")
        self._secrets = tuple(secrets)
        self._sleep = sleep

    @classmethod
    def from_settings(
        cls, settings: Settings, *, sleep: Callable[[float], None] = time.sleep
    ) -> LlmWriter:
        from briefcast.providers.template_writer import TemplateWriter

        if not settings.llm_model:
            raise ConfigurationError("BRIEFCAST_LLM_MODEL is required when BRIEFCAST_WRITER=llm")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        client = httpx.Client(
            base_url=settings.llm_base_url.rstrip("/") + "/",
            headers=headers,
            timeout=settings.llm_timeout_seconds,
        )
        return cls(
            client,
            model=settings.llm_model,
            fallback=TemplateWriter(),
            response_format=settings.llm_response_format,
            temperature=settings.llm_temperature,
            retry_delays=settings.llm_retry_delays,
            breaker=CircuitBreaker(
                "chat API",
                failures=settings.breaker_failures,
                cooldown=settings.breaker_cooldown_seconds,
            ),
            secrets=(key,) if key else (),
            sleep=sleep,
        )

    def close(self) -> None:
        self._client.close()

    def write(self, request: ScriptRequest) -> Script:
        """The model's script when usable; otherwise the template's, with a note saying why."""
        try:
            return self._write(request)
        except (UnusableAnswer, ScriptInvalid, ProviderRejected, RetryableError) as exc:
            reason = redact(str(exc), self._secrets)
            log.warning(
                "writer.fallback", model=self._model, error=type(exc).__name__, reason=reason
            )
            script = self._fallback.write(request)
            note = (
                f"the language model's script could not be used ({reason}); written from templates"
            )
            return Script(script.title, script.hosts, script.segments, (note, *script.notes))

    # --- asking the model ---------------------------------------------------------------

    def _write(self, request: ScriptRequest) -> Script:
        content = self._complete(request)
        script = _script(_json(content), request, self._model)
        validate(script, Budget.for_duration(request.target_seconds, request.words_per_minute))
        return script

    def _complete(self, request: ScriptRequest) -> str:
        body = {
            "model": self._model,
            "messages": messages(request),
            "temperature": self._temperature,
            "response_format": self._response_format(request),
        }
        for attempt in range(len(self._delays) + 1):
            try:
                return self._breaker.call(lambda: self._post(body))
            except RetryableError as exc:
                wait = max(
                    self._delays[attempt] if attempt < len(self._delays) else 0.0,
                    exc.retry_after or 0.0,
                )
                if attempt >= len(self._delays) or wait > _MAX_WAIT:
                    raise
                log.info("writer.retry", model=self._model, attempt=attempt + 1, wait=wait)
                self._sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _response_format(self, request: ScriptRequest) -> dict[str, Any]:
        if self._format == "json_object":
            return {"type": "json_object"}
        schema = script_schema(request.hosts)
        return {
            "type": "json_schema",
            "json_schema": {"name": "episode_script", "strict": True, "schema": schema},
        }

    def _post(self, body: dict[str, Any]) -> str:
        try:
            response = self._client.post("chat/completions", json=body)
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable("the chat API timed out") from exc
        except httpx.TransportError as exc:
            raise ProviderUnavailable(f"the chat API is unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 300:
            raise self._translate(response)
        return _content(response)

    def _translate(self, response: httpx.Response) -> BriefcastError:
        status = response.status_code
        try:
            code, message = vendor_detail(response.json())
        except ValueError:
            code, message = "", ""
        said = redact(f" ({code}: {message})" if code or message else "", self._secrets)
        if code == "insufficient_quota":
            return ProviderRejected(f"the chat API quota is exhausted{said}")
        if status in (401, 403):
            return ProviderRejected(f"the chat API refused the key (HTTP {status}){said}")
        if status == 429:
            return ProviderBusy(f"the chat API is busy{said}", retry_after(response.headers))
        if status >= 500 or status in (408, 409):
            return ProviderUnavailable(
                f"the chat API failed (HTTP {status}){said}", retry_after(response.headers)
            )
        return ProviderRejected(f"the chat API rejected the request (HTTP {status}){said}")


# --- reading the answer ---------------------------------------------------------------------


def _content(response: httpx.Response) -> str:
    try:
        choice = response.json()["choices"][0]
        message = choice["message"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise UnusableAnswer("the chat API answered without a message") from exc
    if message.get("refusal"):
        raise UnusableAnswer("the model refused")
    if choice.get("finish_reason") == "length":
        raise UnusableAnswer("the answer was cut off at the token limit")
    content = message.get("content")
    if not isinstance(content, str) or not content.strip():
        raise UnusableAnswer("the answer is empty")
    return content


def _json(content: str) -> Any:
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise UnusableAnswer(f"the answer is not JSON ({exc.msg} at character {exc.pos})") from exc


def _script(data: Any, request: ScriptRequest, model: str) -> Script:
    try:
        segments = tuple(_segment(item) for item in data["segments"])
    except (KeyError, TypeError) as exc:
        raise UnusableAnswer("the answer does not follow the script schema") from exc
    covered = [s.bill_id for s in segments if s.kind == "bill"]
    wanted = [str(b.id) for b in unique_bills(request)]
    if covered != wanted:
        raise UnusableAnswer(f"the answer covers bills {covered}, not {wanted}")
    title = _title(request.episode_type, request.day)
    return Script(title, request.hosts, segments, (f"written by the language model {model}",))


def _segment(item: Any) -> Segment:
    turns = tuple(Turn(_text(t["speaker"]), _text(t["text"])) for t in item["turns"])
    bill_id = item.get("bill_id")
    return Segment(item["kind"], _text(item["title"]), turns, _text(bill_id) if bill_id else None)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value.strip()


def _title(episode_type: str, day: date) -> str:
    kind = "Daily brief" if episode_type == "daily" else "Weekly deep dive"
    return f"{kind}: {day:%B} {day.day}, {day.year}"
