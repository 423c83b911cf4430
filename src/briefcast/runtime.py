"""The composition root: everything built once from the settings, passed down from here."""

from __future__ import annotations

from functools import cached_property

from briefcast import providers
from briefcast.bill_store import BillStore
from briefcast.db import Database, migrate_app_schema
from briefcast.engine.dbos_adapter import DbosQueue, migrate_engine_schema
from briefcast.media import MediaSigner, load_secret
from briefcast.podcasts import PodcastService
from briefcast.settings import Settings
from briefcast.storage import Storage
from briefcast.tickets import TicketOffice
from briefcast.users import UserStore

__all__ = ["Runtime"]


class Runtime:
    """Shared services of one process. Cheap to build; connects lazily."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        providers.load_plugins(settings)
        self.db = Database(settings.sqlalchemy_url)
        self.queue = DbosQueue(settings.sqlalchemy_url)
        self.tickets = TicketOffice(self.db, settings)
        self.users = UserStore(self.db)
        self.bills = BillStore(self.db)
        self.podcasts = PodcastService(self.db, self.queue, settings, self.tickets)

    @cached_property
    def storage(self) -> Storage:
        storage: Storage = providers.create("storage", self.settings.storage, self.settings)
        return storage

    @cached_property
    def media(self) -> MediaSigner:
        return MediaSigner(load_secret(self.settings))

    def migrate(self) -> None:
        """Create or upgrade the app's tables and the engine's."""
        self.settings.home.mkdir(parents=True, exist_ok=True)
        migrate_app_schema(self.settings.sqlalchemy_url)
        migrate_engine_schema(self.settings.sqlalchemy_url)

    def close(self) -> None:
        self.queue.close()
        self.db.dispose()
