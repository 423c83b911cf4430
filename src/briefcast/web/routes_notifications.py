"""Notification settings: channels, browsers subscribed to web push, and webhooks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from briefcast.notifications import Webhook
from briefcast.web.deps import CurrentUser, Services
from briefcast.web.schemas import (
    DeliveryOut,
    ErrorOut,
    NotificationsIn,
    NotificationsOut,
    PushSubscriptionIn,
    PushSubscriptionOut,
    PushSubscriptionsOut,
    PushUnsubscribeIn,
    WebhookCreatedOut,
    WebhookIn,
    WebhookListOut,
    WebhookOut,
)

__all__ = ["router"]

router = APIRouter(tags=["notifications"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or invalid API key"},
    404: {"model": ErrorOut, "description": "No such subscription or webhook for this listener"},
    422: {"model": ErrorOut, "description": "Invalid request, or a URL that may not be called"},
}


def _settings_out(runtime: Services, user_id: str) -> NotificationsOut:
    store = runtime.notifications
    prefs = store.preferences(user_id)
    return NotificationsOut(
        push=prefs.push,
        email=prefs.email,
        webhook=prefs.webhook,
        email_address=prefs.email_address,
        available={"push": True, "email": runtime.settings.smtp_enabled, "webhook": True},
        push_subscriptions=len(store.push_subscriptions(user_id)),
        webhooks=len(store.webhooks(user_id)),
        recent_deliveries=[DeliveryOut(**d) for d in store.deliveries(user_id)],
    )


@router.get("/api/me/notifications", response_model=NotificationsOut, responses=_ERRORS)
def get_notifications(user: CurrentUser, runtime: Services) -> NotificationsOut:
    """Which channels are on, where e-mail goes, and the latest deliveries."""
    return _settings_out(runtime, user.id)


@router.put("/api/me/notifications", response_model=NotificationsOut, responses=_ERRORS)
def put_notifications(
    body: NotificationsIn, user: CurrentUser, runtime: Services
) -> NotificationsOut:
    """Turn channels on or off (e-mail needs an address)."""
    runtime.notifications.set_preferences(
        user,
        push=body.push,
        email=body.email,
        webhook=body.webhook,
        email_address=body.email_address,
    )
    return _settings_out(runtime, user.id)


@router.get("/api/me/push-subscriptions", response_model=PushSubscriptionsOut, responses=_ERRORS)
def list_push_subscriptions(user: CurrentUser, runtime: Services) -> PushSubscriptionsOut:
    """The VAPID public key to subscribe with, and the browsers already subscribed."""
    subscriptions = runtime.notifications.push_subscriptions(user.id)
    return PushSubscriptionsOut(
        public_key=runtime.vapid.public_key,
        subscriptions=[
            PushSubscriptionOut(id=s.id, endpoint=s.endpoint, created_at=s.created_at)
            for s in subscriptions
        ],
    )


@router.post(
    "/api/me/push-subscriptions",
    status_code=201,
    response_model=PushSubscriptionOut,
    responses=_ERRORS,
)
def add_push_subscription(
    body: PushSubscriptionIn, user: CurrentUser, runtime: Services
) -> PushSubscriptionOut:
    """Subscribe a browser (send ``PushSubscription.toJSON()``)."""
    sub = runtime.notifications.subscribe_push(
        user.id, body.endpoint, body.keys.p256dh, body.keys.auth
    )
    return PushSubscriptionOut(id=sub.id, endpoint=sub.endpoint, created_at=sub.created_at)


@router.delete("/api/me/push-subscriptions", status_code=204, responses=_ERRORS)
def remove_push_subscription(
    body: PushUnsubscribeIn, user: CurrentUser, runtime: Services
) -> Response:
    """Unsubscribe a browser, by its endpoint."""
    runtime.notifications.unsubscribe_push(user.id, body.endpoint)
    return Response(status_code=204)


def _webhook_out(hook: Webhook) -> WebhookOut:
    return WebhookOut(
        id=hook.id,
        url=hook.url,
        enabled=hook.enabled,
        disabled_reason=hook.disabled_reason,
        created_at=hook.created_at,
    )


@router.post("/api/webhooks", status_code=201, response_model=WebhookCreatedOut, responses=_ERRORS)
def add_webhook(body: WebhookIn, user: CurrentUser, runtime: Services) -> WebhookCreatedOut:
    """Register an endpoint; the answer holds its signing secret, shown only this once."""
    hook, secret = runtime.notifications.add_webhook(user.id, body.url)
    return WebhookCreatedOut(**_webhook_out(hook).model_dump(), secret=secret)


@router.get("/api/webhooks", response_model=WebhookListOut, responses=_ERRORS)
def list_webhooks(user: CurrentUser, runtime: Services) -> WebhookListOut:
    return WebhookListOut(
        webhooks=[_webhook_out(h) for h in runtime.notifications.webhooks(user.id)]
    )


@router.get("/api/webhooks/{webhook_id}", response_model=WebhookOut, responses=_ERRORS)
def get_webhook(webhook_id: str, user: CurrentUser, runtime: Services) -> WebhookOut:
    return _webhook_out(runtime.notifications.webhook(user.id, webhook_id))


@router.delete("/api/webhooks/{webhook_id}", status_code=204, responses=_ERRORS)
def delete_webhook(webhook_id: str, user: CurrentUser, runtime: Services) -> Response:
    runtime.notifications.delete_webhook(user.id, webhook_id)
    return Response(status_code=204)
