"""Alembic environment: runs the app's migrations, one migrator at a time."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from briefcast.db import Database
from briefcast.tables import metadata

VERSION_TABLE = "briefcast_alembic_version"
# Any constant works; it only has to be the same for every migrator.
_PG_LOCK_KEY = 0x62726366


def _ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Ignore the durable engine's tables, which share the database."""
    return type_ != "table" or name in metadata.tables


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    database = Database(url, pool_size=1)
    try:
        with database.write() as conn:
            if not database.is_sqlite:
                # Two processes starting together must not both create tables.
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            context.configure(
                connection=conn,
                target_metadata=metadata,
                version_table=VERSION_TABLE,
                include_object=_ours,
                render_as_batch=database.is_sqlite,
                transactional_ddl=True,
            )
            context.run_migrations()
    finally:
        database.dispose()


run_migrations_online()
