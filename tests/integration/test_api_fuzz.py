"""A schema-driven fuzz run over the API's own OpenAPI document.

Schemathesis reads ``/openapi.json`` from the app and sends every operation
requests built from it: ones the document allows and ones that break it on
purpose (wrong types, missing or extra fields, oversized strings). Every
operation is called by a listener, by someone with no valid key (no header, or
a made-up one), and the operator-only routes also by an operator. Whatever is
sent:

- the answer is never a server error (5xx), and no request crashes the app;
- an error is JSON ``{"error": {"code", "message"}}`` and nothing else;
- no answer carries a stack trace or a server secret (API keys, signing keys,
  provider keys), and no error answer carries a listener's secrets (webhook
  signing secret, feed token);
- the answer is the one the document promises (status, content type, body
  schema and headers), a missing or wrong key gets 401, schema-valid input is
  accepted and schema-breaking input refused.

Methods the document does not offer get 405 with an ``Allow`` header.

Free-text inputs are sometimes given awkward values (a NUL character, quotes,
backslashes, LIKE wildcards), and path parameters ids that exist (a queued, a
failed and a completed podcast, bills, a webhook, the feed token) so the routes
are fuzzed past their "not found" answers too. The run is derandomised: the
same code sends the same requests.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode, Response
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import shutdown_lifespans

from briefcast.errors import ProviderRejected
from briefcast.jobs import JobStore
from briefcast.notifications import NotificationStore
from briefcast.rendering import episode_keys
from briefcast.runtime import Runtime
from briefcast.users import User
from briefcast.web import create_app
from tests.support.databases import database
from tests.support.fakes import sample_bills
from tests.support.runtime import make_runtime

pytestmark = pytest.mark.slow

# Requests per operation and caller (half built to fit the schema, half to break it).
EXAMPLES = {"sqlite": 25, "postgres": 12}

# Event streams stay open until the podcast is final, or for ever (/api/events). They are
# bounded here: the client stops reading after the first event or after 0.3 s, whichever
# comes first, and checks what arrived like any other answer.
STREAM_LIMITS: dict[str, Any] = {"max-stream-events": 1, "request-timeout": 0.3}
STREAM_EXAMPLES = 8

# Some refusals are about meaning, not shape, and no JSON Schema can say them: a
# well-formed id of a bill that is not in the database, a URL whose host resolves to a
# private address, e-mail turned on with no address to send to, an Idempotency-Key
# reused for a different request. The design answers those 422, so for
# these operations 422 is an accepted answer to schema-valid input; every other
# operation must accept whatever its schema allows.
SEMANTIC_422 = (
    ("POST", "/api/podcasts"),
    ("PUT", "/api/me/notifications"),
    ("POST", "/api/me/push-subscriptions"),
    ("POST", "/api/webhooks"),
)

# Values free-text inputs are given now and then, besides generated ones.
AWKWARD_TEXT = ["\x00", "a\x00b", "%00", "'", '"', "\\", "%_%", "' OR '1'='1", "../../etc/passwd"]

# Server secrets: none may appear in any answer at all.
SERVER_SECRETS = {
    "secret_key": "fuzz-media-signing-secret-3f9a1c",
    "congress_api_key": "fuzz-congress-key-77d2e0",
    "llm_api_key": "fuzz-llm-key-5b1e42",
    "elevenlabs_api_key": "fuzz-elevenlabs-key-a0c9f3",
    "smtp_password": "fuzz-smtp-password-e6b218",
}

PUBLIC_ADDRESS = "93.184.215.14"


def resolve_without_dns(host: str, port: int) -> list[str]:
    """An IP literal is itself (private ones are still refused); any name is a public address.

    The fuzzer invents host names for webhooks and push endpoints: they must not
    become DNS queries.
    """
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return [PUBLIC_ADDRESS]


@dataclass(frozen=True)
class World:
    """What exists before the fuzzing starts: the app, its callers' keys, secrets, real ids."""

    kind: str
    app: FastAPI
    keys: dict[str, str]
    ids: list[str]
    never_shown: tuple[str, ...]
    not_in_errors: tuple[str, ...]


@pytest.fixture(scope="module")
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    kind: str = request.param
    home: Path = tmp_path_factory.mktemp(f"fuzz-{kind}")
    with database(kind, home) as url:
        runtime = make_runtime(home, url, user_queue_limit=4, **SERVER_SECRETS)
        try:
            yield populate(kind, runtime)
        finally:
            # The fuzzer's client starts the app's lifespan (the live event hub) on first use.
            shutdown_lifespans()
            runtime.close()


def populate(kind: str, runtime: Runtime) -> World:
    runtime.notifications = NotificationStore(
        runtime.db, runtime.settings, resolve=resolve_without_dns
    )
    runtime.bills.upsert(sample_bills())
    listener, listener_key = runtime.users.create("listener")
    _, admin_key = runtime.users.create("operator", admin=True)
    podcasts = podcasts_in_every_state(runtime, listener)
    hook, hook_secret = runtime.notifications.add_webhook(listener.id, "https://hooks.example/in")
    return World(
        kind=kind,
        app=create_app(runtime),
        keys={"listener": listener_key, "admin": admin_key},
        ids=[*podcasts, "119-hr-100", "119-hr-103", hook.id, listener.feed_token],
        never_shown=(listener_key, admin_key, *SERVER_SECRETS.values(), *vapid_key(runtime)),
        not_in_errors=(hook_secret, listener.feed_token),
    )


def podcasts_in_every_state(runtime: Runtime, listener: User) -> list[str]:
    """A completed episode with its files, a failed one and a queued one."""
    jobs = JobStore(runtime.db, runtime.queue, worker="fuzz")
    done = runtime.podcasts.enqueue(listener, "daily", ["119-hr-100"], None).podcast.id
    keys = episode_keys(listener.id, done)
    runtime.storage.put(keys["audio"], b"ID3" + bytes(range(256)) * 8, "audio/mpeg")
    runtime.storage.put(keys["transcript"], b"WEBVTT\n\n", "text/vtt")
    runtime.storage.put(keys["chapters"], b'{"version":"1.2.0","chapters":[]}', "application/json")
    jobs.begin_stage(done, "gathering")
    jobs.complete(done, title="Fuzzed", audio_key=keys["audio"], audio_bytes=2051)
    failed = runtime.podcasts.enqueue(listener, "daily", ["119-hr-101"], None).podcast.id
    jobs.begin_stage(failed, "scripting")
    jobs.fail(failed, "scripting", ProviderRejected("the writer refused the key"))
    queued = runtime.podcasts.enqueue(listener, "weekly", None, None).podcast.id
    return [done, failed, queued]


def vapid_key(runtime: Runtime) -> list[str]:
    """The private VAPID key's PEM body lines (the key is made on first use)."""
    assert runtime.vapid.public_key
    pem = (runtime.settings.home / "vapid_private.pem").read_text()
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def text_inputs(document: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Names of the path parameters, and of the query and JSON body fields that take text."""
    paths: set[str] = set()
    texts: set[str] = set()
    schemas = document["components"]["schemas"]
    for operation in (op for ops in document["paths"].values() for op in ops.values()):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                paths.add(f"path.{parameter['name']}")
            elif parameter["in"] == "query" and takes_text(parameter["schema"]):
                texts.add(f"query.{parameter['name']}")
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            texts |= body_text_fields(body["schema"], schemas, "body")
    return paths, texts


def body_text_fields(schema: dict[str, Any], schemas: dict[str, Any], prefix: str) -> set[str]:
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    found: set[str] = set()
    for name, field in schema.get("properties", {}).items():
        if takes_text(field):
            found.add(f"{prefix}.{name}")
        found |= body_text_fields(field, schemas, f"{prefix}.{name}") if "$ref" in field else set()
    return found


def takes_text(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" or any(takes_text(s) for s in schema.get("anyOf", []))


def config(world: World, document: dict[str, Any], *, made_up_keys: bool) -> SchemathesisConfig:
    """Awkward and real values, stream limits, the 422 allowance; made-up keys if asked."""
    paths, texts = text_inputs(document)
    parameters = {name: {"dictionary": "ids", "probability": 0.5} for name in paths}
    parameters |= {name: {"dictionary": "awkward", "probability": 0.2} for name in texts}
    operations: list[dict[str, Any]] = [{"include-path-regex": r"/events$", **STREAM_LIMITS}]
    operations += [
        {
            "include-method": method,
            "include-path": path,
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2XX", "3XX", 401, 403, 404, 409, 422, 429]
                }
            },
        }
        for method, path in SEMANTIC_422
    ]
    return SchemathesisConfig.from_dict(
        {
            "dictionaries": {
                "ids": {"values": [*world.ids, *AWKWARD_TEXT]},
                "awkward": {"values": AWKWARD_TEXT},
            },
            "parameters": parameters,
            # A listener's and an operator's requests carry their real key (see fuzz()).
            "generation": {"with-security-parameters": made_up_keys},
            "operations": operations,
        }
    )


def answer_checks(world: World) -> list[Callable[[Any, Response, Case], None]]:
    def no_stack_trace_or_secret(ctx: Any, response: Response, case: Case) -> None:
        text = response.content.decode("utf-8", "replace")
        assert "Traceback" not in text and 'File "' not in text, "a stack trace reached the client"
        # Counted, not listed: a failure report must not print the secret either.
        shown = sum(s in text for s in world.never_shown)
        assert shown == 0, f"an answer carries {shown} server secret(s)"
        if response.status_code >= 400:
            leaked = sum(s in text for s in world.not_in_errors)
            assert leaked == 0, f"an error answer carries {leaked} listener secret(s)"

    def errors_are_json(ctx: Any, response: Response, case: Case) -> None:
        if response.status_code < 400:
            return
        body = json.loads(response.content)
        assert isinstance(body, dict) and set(body) == {"error"}, body
        error = body["error"]
        assert isinstance(error, dict) and set(error) == {"code", "message"}, body
        assert isinstance(error["code"], str) and error["code"], body
        assert isinstance(error["message"], str) and error["message"], body

    return [no_stack_trace_or_secret, errors_are_json]


def fuzz(operation: APIOperation, headers: dict[str, str], world: World) -> None:
    """Send ``operation`` requests that fit its schema and requests that break it."""
    checks = answer_checks(world)
    examples = EXAMPLES[world.kind]
    if operation.path.endswith("/events"):
        examples = min(examples, STREAM_EXAMPLES)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(
        st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )
    )
    def send(case: Case) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, additional_checks=checks, headers=headers)

    send()


@pytest.mark.parametrize(
    ("world", "caller"),
    [
        ("sqlite", "listener"),
        ("sqlite", "admin"),
        ("sqlite", "anonymous"),
        pytest.param("postgres", "listener", marks=pytest.mark.postgres),
        pytest.param("postgres", "admin", marks=pytest.mark.postgres),
    ],
    indirect=["world"],
)
def test_fuzzed_requests_are_answered_as_documented(
    world: World, caller: str, subtests: pytest.Subtests
) -> None:
    key = world.keys.get(caller)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    document = world.app.openapi()
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", world.app, config=config(world, document, made_up_keys=key is None)
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(ops) for ops in document["paths"].values())
    if caller == "admin":
        # An operator is a listener too; only what is theirs alone is fuzzed with their key.
        operations = [op for op in operations if op.path.startswith("/api/admin/")]
        assert operations
    for operation in operations:
        with subtests.test(operation=operation.label):
            fuzz(operation, headers, world)


@pytest.mark.parametrize("world", ["sqlite"], indirect=True)
def test_methods_the_document_does_not_offer_are_405(world: World) -> None:
    client = TestClient(world.app, raise_server_exceptions=False)
    headers = {"Authorization": f"Bearer {world.keys['listener']}"}
    for template, operations in world.app.openapi()["paths"].items():
        path = re.sub(r"\{[^}]+\}", "x", template)
        for method in sorted(
            {"GET", "PUT", "POST", "DELETE", "PATCH"} - set(map(str.upper, operations))
        ):
            response = client.request(method, path, headers=headers)
            assert response.status_code == 405, (method, path)
            assert response.json()["error"]["code"] == "method_not_allowed"
            assert response.headers["allow"]
