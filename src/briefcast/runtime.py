"""The composition root: everything built once from the settings, passed down from here."""

from __future__ import annotations

from functools import cached_property

from briefcast import providers
from briefcast.bill_store import BillStore
from briefcast.db import Database, migrate_app_schema
from briefcast.engine.dbos_adapter import DbosQueue, migrate_engine_schema
from briefcast.live import EventHub
from briefcast.media import MediaSigner, load_secret
from briefcast.notifications import NotificationStore
from briefcast.podcasts import PodcastService
from briefcast.settings import Settings
from briefcast.storage import Storage
from briefcast.tickets import TicketOffice
from briefcast.users import UserStore
from briefcast.webpush import VapidKeys

__all__ = ["Runtime"]


class Runtime:
    """Shared services of one process. Cheap to build; connects lazily."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        providers.load_plugins(settings)
        self.db = Database(settings.sqlalchemy_url)
        self.queue = DbosQueue(settings.sqlalchemy_url, engine=self.db.engine_for_durable_engine())
        self.tickets = TicketOffice(self.db, settings)
        self.users = UserStore(self.db)
        self.bills = BillStore(self.db)
        self.podcasts = PodcastService(self.db, self.queue, settings, self.tickets)
        self.notifications = NotificationStore(self.db, settings)

    @cached_property
    def storage(self) -> Storage:
        storage: Storage = providers.create("storage", self.settings.storage, self.settings)
        return storage

    @cached_property
    def media(self) -> MediaSigner:
        return MediaSigner(load_secret(self.settings))

    @cached_property
    def hub(self) -> EventHub:
        """Live events for this process's streams (the web app starts and stops it)."""
        settings = self.settings
        listen = None if settings.is_sqlite else settings.sqlalchemy_url.replace("+psycopg", "")
        return EventHub(
            self.db, self.tickets, poll_seconds=settings.events_poll_seconds, listen_url=listen
        )

    @cached_property
    def vapid(self) -> VapidKeys:
        return VapidKeys.load(self.settings)

    def migrate(self) -> None:
        """Create or upgrade the app's tables and the engine's."""
        self.settings.home.mkdir(parents=True, exist_ok=True)
        migrate_app_schema(self.settings.sqlalchemy_url)
        migrate_engine_schema(self.settings.sqlalchemy_url)

    def close(self) -> None:
        if "hub" in self.__dict__ and self.hub.started:
            self.hub.stop()
        self.queue.close()
        self.db.dispose()
