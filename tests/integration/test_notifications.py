"""Notification deliveries on a real database, to real receivers (HTTP and SMTP servers).

Most tests drive one attempt at a time through :class:`Deliverer`, exactly as
the durable engine does; one runs the real engine to show retries happen as
durable work that never holds up the episode.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pydantic import SecretStr
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from briefcast.deliveries import Deliverer
from briefcast.engine.dbos_adapter import DbosWorker
from briefcast.jobs import JobStore
from briefcast.notifications import DeliveryPlanner
from briefcast.pipeline import Pipeline, Services
from briefcast.runtime import Runtime
from briefcast.tables import notification_deliveries, podcasts
from briefcast.testing import InMemoryStorage, ToneVoice
from briefcast.users import User
from tests.support.fakes import STAGE_NAMES, StageBook, sample_bills, wait_for
from tests.support.receivers import Browser, HttpReceiver, Mailbox, http_receiver, smtp_server
from tests.support.runtime import make_runtime


class RecordingQueue:
    """Stands in for the engine: remembers which deliveries were queued."""

    def __init__(self) -> None:
        self.queued: list[str] = []

    def enqueue_delivery(self, conn: sa.Connection, delivery_id: str) -> None:
        self.queued.append(delivery_id)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def runtime(tmp_path: Path, mailbox: Mailbox) -> Iterator[Runtime]:
    rt = make_runtime(
        tmp_path,
        f"sqlite:///{tmp_path / 'notify.sqlite3'}",
        public_url="https://briefcast.example.org",
        webhooks_allow_local=True,
        notify_retry_delays=(0.05, 0.05),
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_from="briefcast@example.org",
        smtp_tls="none",
    )
    rt.bills.upsert(sample_bills())
    yield rt
    rt.close()


def listener(runtime: Runtime, name: str = "ada", email: str | None = None) -> User:
    return runtime.users.create(name, email=email)[0]


def finish(
    runtime: Runtime,
    user: User,
    outcome: str = "completed",
    bills: tuple[str, ...] = ("119-hr-100", "119-hr-101"),
) -> list[str]:
    """Request an episode and bring it to ``outcome`` the way a worker does; the deliveries."""
    queue = RecordingQueue()
    jobs = JobStore(
        runtime.db,
        runtime.queue,
        worker="test",
        deliveries=DeliveryPlanner(queue, runtime.settings),
    )
    podcast = runtime.podcasts.enqueue(user, "daily", list(bills)).podcast
    jobs.begin_stage(podcast.id, "gathering")
    if outcome == "completed":
        jobs.complete(podcast.id, title="Ada's brief", duration_seconds=301.0)
    else:
        from briefcast.errors import ProviderRejected

        jobs.fail(podcast.id, "synthesizing", ProviderRejected("the voice key was refused"))
    return queue.queued


def delivery(runtime: Runtime, delivery_id: str) -> Any:
    with runtime.db.read() as conn:
        return conn.execute(
            notification_deliveries.select().where(notification_deliveries.c.id == delivery_id)
        ).one()


def only_channel(runtime: Runtime, user: User, channel: str) -> None:
    runtime.notifications.set_preferences(
        user, push=channel == "push", email=channel == "email", webhook=channel == "webhook"
    )


# --- web push -----------------------------------------------------------------


def verify_vapid(header: str, audience: str) -> dict[str, Any]:
    """Check the VAPID JWT's ES256 signature with the key it names; its claims."""
    scheme, _, params = header.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in params.split(","))
    token, key = fields["t"], fields["k"]

    def unb64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    signed, _, signature = token.rpartition(".")
    raw = unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
    public.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))
    claims: dict[str, Any] = json.loads(unb64(signed.split(".")[1]))
    assert claims["aud"] == audience
    claims["k"] = key
    return claims


def test_web_push_arrives_encrypted_for_the_browser_and_signed_for_the_push_service(
    runtime: Runtime,
) -> None:
    user = listener(runtime)
    only_channel(runtime, user, "push")
    browser = Browser.new()
    with http_receiver() as push:
        runtime.notifications.subscribe_push(user.id, push.url + "/send/abc", **browser.keys())
        (delivery_id,) = finish(runtime, user)
        assert Deliverer(runtime.db, runtime.settings).attempt(delivery_id, 1) is None
        (request,) = push.wait_for(1)
    assert request.path == "/send/abc"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["ttl"] == str(runtime.settings.push_ttl_seconds)
    assert request.headers["topic"] == delivery_id.replace("-", "")
    assert len(request.body) <= 4096
    message = json.loads(browser.decrypt(request.body))
    assert message["type"] == "podcast.completed"
    assert message["title"] == "Your daily brief is ready"
    assert message["body"] == "Ada's brief (5:01)."
    claims = verify_vapid(request.headers["authorization"], push.url)
    assert claims["k"] == runtime.vapid.public_key
    assert claims["exp"] > time.time()
    assert delivery(runtime, delivery_id).status == "delivered"


@pytest.mark.parametrize("status", [404, 410])
def test_an_expired_push_subscription_is_removed(runtime: Runtime, status: int) -> None:
    user = listener(runtime)
    only_channel(runtime, user, "push")
    with http_receiver(default=status) as push:
        runtime.notifications.subscribe_push(user.id, push.url + "/gone", **Browser.new().keys())
        (delivery_id,) = finish(runtime, user)
        assert Deliverer(runtime.db, runtime.settings).attempt(delivery_id, 1) is None
    assert runtime.notifications.push_subscriptions(user.id) == []
    assert delivery(runtime, delivery_id).status == "failed"


def test_a_busy_push_service_is_retried_then_given_up(runtime: Runtime) -> None:
    user = listener(runtime)
    only_channel(runtime, user, "push")
    deliverer = Deliverer(runtime.db, runtime.settings)
    with http_receiver(default=503) as push:
        runtime.notifications.subscribe_push(user.id, push.url + "/busy", **Browser.new().keys())
        (delivery_id,) = finish(runtime, user)
        pauses = [deliverer.attempt(delivery_id, n) for n in (1, 2, 3)]
    assert pauses[0] is not None and pauses[1] is not None and pauses[2] is None
    row = delivery(runtime, delivery_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert len(runtime.notifications.push_subscriptions(user.id)) == 1


# --- e-mail -------------------------------------------------------------------


def test_email_reaches_a_real_smtp_server_with_text_html_and_a_link(
    runtime: Runtime, mailbox: Mailbox
) -> None:
    user = listener(runtime, email="ada@example.org")
    only_channel(runtime, user, "email")
    (delivery_id,) = finish(runtime, user)
    assert Deliverer(runtime.db, runtime.settings).attempt(delivery_id, 1) is None
    (message,) = mailbox.wait_for(1)
    assert mailbox.envelopes == [("briefcast@example.org", ["ada@example.org"])]
    assert message["Subject"] == "Your daily brief is ready: Ada's brief"
    assert message["Message-ID"] == f"<{delivery_id}@example.org>"
    podcast_id = delivery(runtime, delivery_id).podcast_id
    link = f"https://briefcast.example.org/feeds/{user.feed_token}/{podcast_id}.mp3"
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    assert link in text.get_content()
    assert "H.R. 100" in text.get_content()
    assert f'href="{link}"' in html.get_content()


def test_a_failed_episode_is_reported_with_its_reason(runtime: Runtime, mailbox: Mailbox) -> None:
    user = listener(runtime, email="ada@example.org")
    only_channel(runtime, user, "email")
    (delivery_id,) = finish(runtime, user, outcome="failed")
    Deliverer(runtime.db, runtime.settings).attempt(delivery_id, 1)
    (message,) = mailbox.wait_for(1)
    assert message["Subject"] == "Your daily brief could not be made"
    body = message.get_body(("plain",))
    assert body is not None and "the voice key was refused" in body.get_content()


def test_email_logs_in_when_the_server_asks(runtime: Runtime) -> None:
    with smtp_server(login=("briefcast", "s3cret")) as guarded:
        settings = runtime.settings.model_copy(
            update={"smtp_port": guarded.port, "smtp_username": "briefcast"}
        )
        user = listener(runtime, email="ada@example.org")
        only_channel(runtime, user, "email")
        (delivery_id,) = finish(runtime, user)
        refused = Deliverer(runtime.db, settings).attempt(delivery_id, 1)
        assert refused is None  # no password: the server refuses for good (530)
        assert guarded.messages == []
        (second,) = finish(runtime, user, bills=("119-hr-103",))
        with_password = settings.model_copy(update={"smtp_password": SecretStr("s3cret")})
        Deliverer(runtime.db, with_password).attempt(second, 1)
        assert len(guarded.wait_for(1)) == 1
    assert delivery(runtime, second).status == "delivered"


def test_email_needs_an_address_and_an_smtp_server(runtime: Runtime) -> None:
    from briefcast.errors import InvalidInput

    user = listener(runtime)
    with pytest.raises(InvalidInput, match="email_address"):
        runtime.notifications.set_preferences(user, push=False, email=True, webhook=False)
    prefs = runtime.notifications.set_preferences(
        user, push=False, email=True, webhook=False, email_address="ada@example.org"
    )
    assert prefs.email_address == "ada@example.org"
    assert len(finish(runtime, user)) == 1


# --- webhooks -----------------------------------------------------------------


def registered_hook(runtime: Runtime, user: User, receiver: HttpReceiver) -> str:
    only_channel(runtime, user, "webhook")
    _, secret = runtime.notifications.add_webhook(user.id, receiver.url + "/hooks/briefcast")
    return secret


def test_webhooks_are_signed_per_standard_webhooks(runtime: Runtime) -> None:
    user = listener(runtime)
    with http_receiver() as hooks:
        secret = registered_hook(runtime, user, hooks)
        (delivery_id,) = finish(runtime, user)
        Deliverer(runtime.db, runtime.settings).attempt(delivery_id, 1)
        (request,) = hooks.wait_for(1)
    verifier = Webhook(secret)
    payload = verifier.verify(request.body, request.headers)
    assert request.headers["webhook-id"] == delivery_id
    assert payload["type"] == "podcast.completed"
    assert payload["data"]["title"] == "Ada's brief"
    assert [b["citation"] for b in payload["data"]["bills"]] == ["H.R. 100", "H.R. 101"]
    tampered = request.body.replace(b"Ada's brief", b"Eve's brief")
    with pytest.raises(WebhookVerificationError):
        verifier.verify(tampered, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + base64.b64encode(b"another secret").decode()).verify(
            request.body, request.headers
        )


def test_a_stale_timestamp_is_rejected_by_the_receiver(runtime: Runtime) -> None:
    user = listener(runtime)
    long_ago = datetime.now(UTC) - timedelta(minutes=30)
    with http_receiver() as hooks:
        secret = registered_hook(runtime, user, hooks)
        (delivery_id,) = finish(runtime, user)
        Deliverer(runtime.db, runtime.settings, clock=lambda: long_ago).attempt(delivery_id, 1)
        (request,) = hooks.wait_for(1)
    assert request.headers["webhook-timestamp"] == str(int(long_ago.timestamp()))
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(request.body, request.headers)


def test_a_410_disables_the_webhook(runtime: Runtime) -> None:
    user = listener(runtime)
    with http_receiver(default=410) as hooks:
        registered_hook(runtime, user, hooks)
        (delivery_id,) = finish(runtime, user)
        assert Deliverer(runtime.db, runtime.settings).attempt(delivery_id, 1) is None
    (hook,) = runtime.notifications.webhooks(user.id)
    assert not hook.enabled
    assert "410" in (hook.disabled_reason or "")
    # A disabled endpoint is not planned again.
    assert finish(runtime, user, bills=("119-hr-102",)) == []


def test_redirects_are_not_followed(runtime: Runtime) -> None:
    user = listener(runtime)
    with http_receiver(default=307) as hooks:
        registered_hook(runtime, user, hooks)
        (delivery_id,) = finish(runtime, user)
        pause = Deliverer(runtime.db, runtime.settings).attempt(delivery_id, 1)
        time.sleep(0.2)
        assert len(hooks.requests) == 1  # the Location was never fetched
    assert pause is not None
    assert "redirect" in delivery(runtime, delivery_id).last_error


def test_private_addresses_are_refused_at_delivery_too(runtime: Runtime) -> None:
    """Registered while local addresses were allowed, delivered after they no longer are."""
    user = listener(runtime)
    strict = runtime.settings.model_copy(update={"webhooks_allow_local": False})
    with http_receiver() as hooks:
        registered_hook(runtime, user, hooks)
        (delivery_id,) = finish(runtime, user)
        assert Deliverer(runtime.db, strict).attempt(delivery_id, 1) is None
        time.sleep(0.2)
        assert hooks.requests == []
    row = delivery(runtime, delivery_id)
    assert row.status == "failed"
    assert "non-public" in row.last_error


def test_each_event_is_planned_once_per_channel_target(runtime: Runtime) -> None:
    user = listener(runtime, email="ada@example.org")
    with http_receiver() as hooks:
        runtime.notifications.add_webhook(user.id, hooks.url + "/a")
        runtime.notifications.add_webhook(user.id, hooks.url + "/b")
        runtime.notifications.subscribe_push(user.id, hooks.url + "/p", **Browser.new().keys())
        planned = finish(runtime, user)
    with runtime.db.read() as conn:
        rows = list(conn.execute(notification_deliveries.select()))
    assert sorted(r.channel for r in rows) == ["email", "push", "webhook", "webhook"]
    assert sorted(planned) == sorted(r.id for r in rows)
    assert len({(r.event_id, r.channel, r.target) for r in rows}) == 4


# --- through the durable engine -----------------------------------------------


def test_webhook_retries_run_as_their_own_durable_work(runtime: Runtime) -> None:
    """500, 500, then 200: three attempts; the episode completed before the first."""
    user = listener(runtime)
    book = StageBook()
    planner = DeliveryPlanner(runtime.queue, runtime.settings)
    jobs = JobStore(runtime.db, runtime.queue, worker="test-worker", deliveries=planner)
    services = Services(
        settings=runtime.settings,
        jobs=jobs,
        users=runtime.users,
        bills=runtime.bills,
        writer=None,  # type: ignore[arg-type]  # the fake stages write no script
        voice=ToneVoice(),
        storage=InMemoryStorage(),
        renderer=None,  # type: ignore[arg-type]  # nor render audio
    )
    pipeline = Pipeline(services, [(name, book.stage(name)) for name in STAGE_NAMES])
    settings = runtime.settings
    engine = DbosWorker(
        settings.sqlalchemy_url,
        pipeline,
        executor_id=settings.worker_id,
        app_version=settings.app_version,
        slots=1,
        poll_seconds=settings.queue_poll_seconds,
        notifier=Deliverer(runtime.db, settings),
    )
    engine.start()
    try:
        with http_receiver(statuses=[500, 500]) as hooks:
            secret = registered_hook(runtime, user, hooks)
            podcast = runtime.podcasts.enqueue(user, "daily").podcast
            first = hooks.wait_for(1)[0]
            with runtime.db.read() as conn:
                status = conn.execute(
                    sa.select(podcasts.c.status).where(podcasts.c.id == podcast.id)
                ).scalar()
            assert status == "completed"
            requests = hooks.wait_for(3)
            wait_for(lambda: _delivered(runtime), message="the delivery to be recorded")
    finally:
        engine.stop()
    assert len(requests) == 3
    assert {r.headers["webhook-id"] for r in requests} == {first.headers["webhook-id"]}
    for request in requests:
        Webhook(secret).verify(request.body, request.headers)
    with runtime.db.read() as conn:
        (row,) = conn.execute(notification_deliveries.select()).all()
    assert (row.status, row.attempts) == ("delivered", 3)


def _delivered(runtime: Runtime) -> bool:
    with runtime.db.read() as conn:
        status = conn.execute(sa.select(notification_deliveries.c.status)).scalar()
    return status == "delivered"
