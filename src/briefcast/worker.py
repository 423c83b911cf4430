"""A worker: runs podcast workflows, renders audio, heartbeats, and sweeps the queue.

``briefcast serve`` runs one inside the API process; ``briefcast worker`` runs
one alone. Several workers can share one Postgres database, each with its own
stable executor id so a restarted worker picks up exactly its own unfinished
work (and the janitor of a live worker takes over the work of a dead one).
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import UTC, datetime

import sqlalchemy as sa
import structlog

from briefcast import providers
from briefcast.deliveries import Deliverer
from briefcast.engine.dbos_adapter import DbosWorker
from briefcast.janitor import Janitor
from briefcast.jobs import JobStore
from briefcast.notifications import DeliveryPlanner
from briefcast.pipeline import Pipeline, Services
from briefcast.renderers import InlineRenderer, ProcessRenderer, Workshop
from briefcast.rendering import Renderer
from briefcast.runtime import Runtime
from briefcast.stages import STAGES
from briefcast.tables import workers

__all__ = ["Worker"]

log = structlog.get_logger("briefcast.worker")

_HEARTBEAT_SECONDS = 5.0
# Beat several times within the time after which peers declare a worker dead, so a
# slow beat or two never gets a live worker's jobs taken over (and paid for twice).
_BEATS_PER_DEADLINE = 5


class Worker:
    """One worker process's moving parts. ``start`` returns once work is flowing."""

    def __init__(self, runtime: Runtime, *, renderer: Renderer | None = None) -> None:
        self.runtime = runtime
        settings = runtime.settings
        self.executor_id = settings.worker_id
        self._renderer = renderer
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.jobs = JobStore(
            runtime.db,
            runtime.queue,
            worker=self.executor_id,
            deliveries=DeliveryPlanner(runtime.queue, settings),
        )
        self.deliverer = Deliverer(runtime.db, settings)
        self.pipeline: Pipeline | None = None
        self.engine: DbosWorker | None = None
        self.janitor: Janitor | None = None

    def start(self) -> None:
        settings = self.runtime.settings
        renderer = self._renderer or self._default_renderer()
        self._renderer = renderer
        services = Services(
            settings=settings,
            jobs=self.jobs,
            users=self.runtime.users,
            bills=self.runtime.bills,
            writer=providers.create("writer", settings.writer, settings),
            voice=providers.create("voice", settings.voice, settings),
            storage=self.runtime.storage,
            renderer=renderer,
        )
        self.pipeline = Pipeline(services, STAGES)
        self.engine = DbosWorker(
            settings.sqlalchemy_url,
            self.pipeline,
            executor_id=self.executor_id,
            app_version=settings.app_version,
            slots=settings.worker_slots,
            poll_seconds=settings.queue_poll_seconds,
            log_level=settings.log_level,
            notifier=self.deliverer,
            notify_slots=settings.notify_slots,
            engine=self.runtime.db.engine_for_durable_engine(),
        )
        self._heartbeat()
        self.engine.start()
        self.janitor = Janitor(
            self.runtime.db,
            self.runtime.queue,
            self.jobs,
            me=self.executor_id,
            dead_after=settings.worker_dead_after_seconds,
            recover=self.engine.recover,
        )
        self._spawn(self._heartbeat_loop, "heartbeat")
        self._spawn(self._janitor_loop, "janitor")
        log.info("worker.started", executor_id=self.executor_id, slots=settings.worker_slots)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        if self.engine is not None:
            self.engine.stop()
        if self._renderer is not None:
            self._renderer.close()
        with self.runtime.db.write() as conn:
            conn.execute(
                workers.update()
                .where(workers.c.executor_id == self.executor_id)
                .values(stopped_at=datetime.now(UTC))
            )
        log.info("worker.stopped", executor_id=self.executor_id)

    def _default_renderer(self) -> Renderer:
        settings = self.runtime.settings
        if settings.worker_slots == 1:
            return InlineRenderer(Workshop.from_settings(settings))
        return ProcessRenderer(settings, settings.worker_slots)

    def _spawn(self, target: object, name: str) -> None:
        thread = threading.Thread(target=target, name=f"briefcast-{name}", daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _heartbeat(self) -> None:
        now = datetime.now(UTC)
        settings = self.runtime.settings
        values = {
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "slots": settings.worker_slots,
            "version": settings.app_version,
            "heartbeat_at": now,
            "stopped_at": None,
        }
        with self.runtime.db.write() as conn:
            updated = conn.execute(
                workers.update().where(workers.c.executor_id == self.executor_id).values(values)
            ).rowcount
            if not updated:
                conn.execute(
                    workers.insert().values(executor_id=self.executor_id, started_at=now, **values)
                )

    def _heartbeat_loop(self) -> None:
        interval = min(
            _HEARTBEAT_SECONDS,
            self.runtime.settings.worker_dead_after_seconds / _BEATS_PER_DEADLINE,
        )
        while not self._stop.wait(interval):
            try:
                self._heartbeat()
            except sa.exc.SQLAlchemyError:
                log.warning("worker.heartbeat_failed", exc_info=True)

    def _janitor_loop(self) -> None:
        assert self.janitor is not None
        while not self._stop.wait(self.runtime.settings.janitor_seconds):
            try:
                self.janitor.sweep()
            except Exception:  # the sweep must outlive a bad pass (e.g. database restarting)
                log.warning("janitor.sweep_failed", exc_info=True)
