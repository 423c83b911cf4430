"""The ``briefcast`` command line."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from briefcast import events
from briefcast.errors import BriefcastError, ConfigurationError
from briefcast.logs import configure_logging
from briefcast.runtime import Runtime
from briefcast.settings import Settings, load_settings

__all__ = ["app", "main"]

app = typer.Typer(
    help="Personalised audio briefings on U.S. Congressional bills.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
bills_app = typer.Typer(help="Import and list bills.", no_args_is_help=True)
users_app = typer.Typer(help="Manage listeners.", no_args_is_help=True)
app.add_typer(bills_app, name="bills")
app.add_typer(users_app, name="users")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

STAGE_ORDER = ("gathering", "scripting", "synthesizing", "mastering", "publishing", "notifying")


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _runtime(migrate: bool = True) -> Runtime:
    runtime = Runtime(_settings())
    if migrate:
        runtime.migrate()
    return runtime


@app.command()
def migrate() -> None:
    """Create or upgrade the database (app tables and the queue's own)."""
    runtime = _runtime()
    out.print(f"database ready: {_redact(runtime.settings.sqlalchemy_url)}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    worker: Annotated[
        bool,
        typer.Option(help="Also run a worker (where: BRIEFCAST_SERVE_WORKER, default embedded)."),
    ] = True,
) -> None:
    """Run the HTTP API and, by default, a worker with it — the main job."""
    import uvicorn

    from briefcast.supervisor import WorkerProcess
    from briefcast.web import create_app
    from briefcast.worker import Worker

    runtime = _runtime()
    settings = runtime.settings
    node: Worker | WorkerProcess | None = None
    if worker:
        node = WorkerProcess() if settings.serve_worker == "process" else Worker(runtime)
    application = create_app(runtime, worker=node)
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        # Longer than clients keep idle connections, so the server never closes one
        # just as a client reuses it (a request lost to a race, not to an error).
        timeout_keep_alive=75,
        timeout_graceful_shutdown=10,
    )


@app.command(name="worker")
def run_worker(
    parent_pid: Annotated[
        int | None,
        typer.Option(hidden=True, help="Exit when this process is gone (used by serve)."),
    ] = None,
) -> None:
    """Run a worker alone (several may share one Postgres database)."""
    from briefcast.gcpolicy import settle_heap
    from briefcast.worker import Worker

    runtime = _runtime()
    node = Worker(runtime)
    node.start()
    settle_heap()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if parent_pid is not None:
        threading.Thread(target=_stop_with_parent, args=(parent_pid, stop), daemon=True).start()
    out.print(f"worker {node.executor_id} running; Ctrl-C to stop")
    stop.wait()
    node.stop()


def _stop_with_parent(parent_pid: int, stop: threading.Event) -> None:
    """The server that started this worker died (even by kill -9): stop too."""
    import os

    while not stop.wait(0.5):
        if os.getppid() != parent_pid:
            stop.set()


@bills_app.command("import")
def import_bills(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders of bill data.")
    ] = None,
    demo: Annotated[
        bool, typer.Option(help="Also load the demo bills that ship with briefcast.")
    ] = False,
) -> None:
    """Import GovInfo BILLSTATUS XML (any layout) or Congress.gov API JSON."""
    from briefcast.bill_import import import_paths, load_demo_bills

    if not paths and not demo:
        raise typer.BadParameter("give at least one path, or --demo")
    runtime = _runtime()
    report = import_paths(paths or [])
    found = list(report.bills) + (list(load_demo_bills()) if demo else [])
    counts = runtime.bills.upsert(found)
    for path, reason in report.skipped:
        err.print(f"[yellow]skipped[/] {path}: {reason}", soft_wrap=True)
    out.print(
        f"{counts.added} added, {counts.updated} updated, {counts.unchanged} unchanged, {len(report.skipped)} skipped"
    )


@bills_app.command("fetch")
def fetch_bills(
    ids: Annotated[list[str], typer.Argument(help="Bill ids such as 119-hr-1234.")],
) -> None:
    """Fetch bills from the Congress.gov API (needs BRIEFCAST_CONGRESS_API_KEY) and store them."""
    from briefcast.bills import BillId
    from briefcast.errors import BillSourceError, NotFound
    from briefcast.providers.congress_api import CongressApiSource

    bill_ids = [BillId.parse(text) for text in ids]
    runtime = _runtime()
    key = runtime.settings.congress_api_key
    if key is None or not key.get_secret_value():
        raise ConfigurationError("BRIEFCAST_CONGRESS_API_KEY is required to fetch bills")
    found, failed = [], 0
    with CongressApiSource(key.get_secret_value(), runtime.settings.congress_api_url) as source:
        for bill_id in bill_ids:
            try:
                found.append(source.fetch(bill_id))
            except (NotFound, BillSourceError) as exc:
                failed += 1
                err.print(f"[yellow]skipped[/] {bill_id}: {exc}")
    counts = runtime.bills.upsert(found)
    out.print(
        f"{counts.added} added, {counts.updated} updated, {counts.unchanged} unchanged, {failed} failed"
    )
    if failed:
        raise typer.Exit(1)


@bills_app.command("list")
def list_bills(
    query: Annotated[str | None, typer.Argument(help="Words to search for.")] = None,
    limit: int = 20,
) -> None:
    """Search imported bills."""
    runtime = _runtime()
    page = runtime.bills.search(query, limit=limit)
    table = Table("id", "citation", "title", "status", "latest action")
    for bill in page.bills:
        latest = bill.latest_action.date.isoformat() if bill.latest_action else ""
        table.add_row(str(bill.id), bill.id.citation, bill.display_title[:70], bill.status, latest)
    out.print(table)
    out.print(f"{page.total} bills match")


@users_app.command("create")
def create_user(
    name: str,
    email: Annotated[str | None, typer.Option(help="Where e-mail notifications go.")] = None,
    state: Annotated[str | None, typer.Option(help="Two-letter state, for the greeting.")] = None,
    premium: Annotated[bool, typer.Option(help="Premium listeners go first in the queue.")] = False,
    admin: Annotated[bool, typer.Option(help="May open the operator dashboard.")] = False,
) -> None:
    """Create a listener; prints the API key alone on the last line."""
    runtime = _runtime()
    user, key = runtime.users.create(name, email=email, state=state, premium=premium, admin=admin)
    out.print(
        f"created {user.name} ({'premium' if premium else 'free'}{', admin' if admin else ''})"
    )
    print(key)


@users_app.command("rotate-key")
def rotate_key(name: str) -> None:
    """Issue a new API key (the old one stops working); prints it on the last line."""
    runtime = _runtime()
    user = runtime.users.by_name(name)
    print(runtime.users.rotate_key(user.id))


@app.command(name="settings")
def show_settings() -> None:
    """Print every setting (BRIEFCAST_* variable), its default and what it does."""
    from briefcast.settings import settings_reference

    print(settings_reference(), end="")


@app.command()
def demo() -> None:
    """Set up a first run: the database, the demo bills, and a demo listener with a fresh key."""
    from briefcast.bill_import import load_demo_bills
    from briefcast.errors import NotFound

    runtime = _runtime()
    runtime.bills.upsert(load_demo_bills())
    try:
        user = runtime.users.by_name("demo")
        key = runtime.users.rotate_key(user.id)
    except NotFound:
        user, key = runtime.users.create(
            "demo", state="VA", premium=True, admin=True, interests=("Health", "Energy")
        )
    url = runtime.settings.public_url.rstrip("/")
    out.print(f"demo listener ready. Open {url}/#key={key}")
    out.print("API key for the demo listener:")
    print(key)


@app.command()
def generate(
    user: Annotated[str, typer.Option(help="The listener's name.")],
    type: Annotated[str, typer.Option("--type", help="daily or weekly.")] = "daily",
    bill: Annotated[
        list[str] | None, typer.Option("--bill", help="A bill id; repeat for more.")
    ] = None,
    wait: Annotated[bool, typer.Option(help="Follow progress until the episode is ready.")] = False,
) -> None:
    """Request an episode; with --wait, show its progress and print where the MP3 is."""
    runtime = _runtime()
    listener = runtime.users.by_name(user)
    result = runtime.podcasts.enqueue(listener, type, bill or None)
    out.print(f"{result.podcast.id}: {result.message}")
    if not wait:
        return
    local = None
    if not _worker_alive(runtime):
        from briefcast.worker import Worker

        out.print("no worker is running; starting one in this process")
        local = Worker(runtime)
        local.start()
    try:
        _follow(runtime, result.podcast.id)
    finally:
        if local is not None:
            local.stop()
    _print_outcome(runtime, listener.id, result.podcast.id)


def _worker_alive(runtime: Runtime) -> bool:
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from briefcast.tables import workers

    cutoff = datetime.now(UTC) - timedelta(seconds=runtime.settings.worker_dead_after_seconds)
    with runtime.db.read() as conn:
        found = conn.execute(
            sa.select(workers.c.executor_id).where(
                workers.c.heartbeat_at >= cutoff, workers.c.stopped_at.is_(None)
            )
        ).first()
    return found is not None


def _follow(runtime: Runtime, podcast_id: str) -> str:
    """Show the podcast's events as a progress bar until it reaches a final state."""
    last = 0
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=out) as progress:
        task = progress.add_task("queued", total=len(STAGE_ORDER))
        while True:
            with runtime.db.read() as conn:
                found = events.since(conn, after_id=last, podcast_id=podcast_id)
            for event in found:
                last = event.id
                if event.type == "stage":
                    done = STAGE_ORDER.index(event.data["stage"]) + float(
                        event.data.get("progress", 0)
                    )
                    progress.update(task, completed=done, description=event.data["stage"])
                elif event.type == "retry":
                    progress.update(
                        task,
                        description=f"retrying in {event.data['delay_seconds']:.0f}s: {event.data['reason']}",
                    )
                elif event.type in ("completed", "failed", "cancelled"):
                    progress.update(
                        task,
                        completed=len(STAGE_ORDER)
                        if event.type == "completed"
                        else progress.tasks[0].completed,
                        description=event.type,
                    )
                    return event.type
            time.sleep(0.2)


def _print_outcome(runtime: Runtime, user_id: str, podcast_id: str) -> None:
    from briefcast.providers.local_storage import LocalStorage

    podcast, _ = runtime.podcasts.get(user_id, podcast_id)
    if podcast.status != "completed" or podcast.audio_key is None:
        reason = f": {podcast.error_message}" if podcast.error_message else ""
        err.print(f"[red]{podcast.status}[/]{reason}")
        raise typer.Exit(1)
    storage = runtime.storage
    where = (
        str(storage.path(podcast.audio_key))
        if isinstance(storage, LocalStorage)
        else storage.signed_url(podcast.audio_key, runtime.settings.media_url_seconds)
    )
    minutes, seconds = divmod(round(podcast.duration_seconds or 0), 60)
    out.print(f"{podcast.title} ({minutes}:{seconds:02d})")
    print(where)


@app.command()
def queue() -> None:
    """Show every waiting and in-production episode, in the order they will run."""
    import sqlalchemy as sa

    from briefcast.tables import podcasts, users

    runtime = _runtime()
    tickets = runtime.tickets.all()
    with runtime.db.read() as conn:
        rows = list(
            conn.execute(
                sa.select(podcasts, users.c.name.label("listener"))
                .join(users, users.c.id == podcasts.c.user_id)
                .where(podcasts.c.status.in_(("queued", "processing")))
            )
        )
    rows.sort(key=lambda r: tickets[r.id].position if r.id in tickets else 0)
    table = Table("position", "id", "listener", "type", "status", "stage", "eta")
    for row in rows:
        ticket = tickets.get(row.id)
        table.add_row(
            str(ticket.position) if ticket else "?",
            row.id[:8],
            row.listener,
            row.type,
            row.status + (" (held)" if row.held else ""),
            row.stage or "",
            f"{ticket.eta_seconds:.0f}s" if ticket else "",
        )
    out.print(table)
    out.print(f"{len(rows)} active; {runtime.tickets.slots()} worker slots")


def _redact(url: str) -> str:
    import re

    return re.sub(r"//([^:/@]+):[^@]+@", r"//\1:***@", url)


def main() -> None:
    try:
        app()
    except ConfigurationError as exc:
        err.print(f"[red]configuration error:[/] {exc}")
        sys.exit(2)
    except BriefcastError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(1)
