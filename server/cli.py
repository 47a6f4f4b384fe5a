"""The ``playroll`` command: serve, migrate, create-agency, import-roster, seed-demo, worker,
rotate-keys, export-schema.

Mistakes an operator can fix (a setting, an unreachable database, a step run out of
order) end in one or two lines naming the variable or the command to run, and a
non-zero exit; ``playroll --debug ...`` adds the traceback. Anything else is a fault of
ours and keeps its traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server import logs
from server.commands import CommandError, load_settings, require_schema, run, say
from server.db import redacted
from server.import_commands import add_parser as add_import_roster
from server.settings import Settings
from server.setup_commands import cmd_create_agency, cmd_rotate_keys

if TYPE_CHECKING:
    from jobs.day_close import DayCloser
    from jobs.file_cleanup import FileCleaner
    from jobs.subsidy import SubsidyExporter
    from jobs.worker import Worker

DEFAULT_SCHEMA_PATH = Path("schema.graphql")


def _migrate(settings: Settings) -> list[str]:
    from server.db import apply_migrations

    applied: list[str] = []

    def report(name: str) -> None:
        applied.append(name)
        say(f"  applied {name}")

    say(f"migrating {redacted(settings.database_url)}")
    run(apply_migrations(settings.database_url, report))
    return applied


def cmd_migrate(args: argparse.Namespace) -> int:
    applied = _migrate(load_settings())
    say(
        f"database schema is up to date ({len(applied)} migration(s) applied)"
        if applied
        else "database schema is up to date (nothing to apply)"
    )
    return 0


def _seed(settings: Settings) -> bool:
    from server.demo import seed_demo

    say("loading the demo agency (2 sites, 4 classrooms, 60 children)...")
    created = asyncio.run(seed_demo(settings))
    say("demo data created" if created else "demo data already present")
    return created


def _refuse_demo_outside_debug(settings: Settings, what: str) -> None:
    if not settings.debug:
        raise CommandError(f"{what} only runs with PLAYROLL_DEBUG=1 (demo mode)")


def cmd_seed_demo(args: argparse.Namespace) -> int:
    settings = load_settings()
    _refuse_demo_outside_debug(settings, "seed-demo")
    require_schema(settings)
    _seed(settings)
    return 0


def schema_sdl() -> str:
    from schema.root import build_schema

    return build_schema().as_str() + "\n"


def cmd_export_schema(args: argparse.Namespace) -> int:
    sdl = schema_sdl()
    if args.check:
        current = args.path.read_text() if args.path.exists() else ""
        if current != sdl:
            raise CommandError(f"{args.path} is stale: run `playroll export-schema`", 1)
        return 0
    args.path.write_text(sdl)
    say(f"wrote {args.path}")
    return 0


def _announce(settings: Settings, host: str, port: int, *, demo: bool) -> None:
    base = f"http://{host}:{port}"
    say(f"Playroll API at {base}/graphql (health: {base}/healthz)")
    say(f"database {redacted(settings.database_url)}, broadcast {settings.broadcast_url}")
    if settings.runs_jobs_in_process:
        say("notifications are delivered by this process")
    else:
        say("notifications wait for `playroll worker`")
    if settings.debug:
        say(f"debug mode: GraphiQL at {base}/graphql; never expose this to the internet")
    if demo:
        from server.demo import DEMO_PARENT_PIN, STAFF

        say("demo logins (email / password / staff PIN):")
        for email, password, *_rest, pin, _site in STAFF:
            say(f"  {email} / {password} / {pin or '-'}")
        say(f"  family PIN at a kiosk of the first site: {DEMO_PARENT_PIN}")


def _tune_gc() -> None:
    """Fewer, cheaper collections: everything loaded at start-up is frozen out of them,
    and the youngest generation is collected after 50,000 allocations instead of 700
    (a fan-out to 1,000 sockets allocates that much per event; README, "Performance")."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def worker_count(settings: Settings, wanted: int) -> tuple[int, str | None]:
    """How many server processes to run, and why fewer than asked for, if so."""
    if wanted <= 1:
        return 1, None
    if settings.database_url.startswith("sqlite"):
        return 1, "SQLite is served by one process: --workers ignored"
    if not settings.broadcast_url.startswith(("redis://", "rediss://")):
        return 1, (
            "several workers need PLAYROLL_BROADCAST_URL=redis://... so that live views "
            "hear changes made in every process: --workers ignored"
        )
    return wanted, None


def app_from_environment() -> Any:
    """The app as each worker process builds it (``uvicorn --factory``)."""
    from server.app import create_app
    from services.clock import SystemClock

    _tune_gc()
    return create_app(load_settings(), clock=SystemClock())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = load_settings()
    if args.seed_demo:
        _refuse_demo_outside_debug(settings, "--seed-demo")
    if args.migrate:
        _migrate(settings)
    else:
        require_schema(settings, fix="playroll migrate` (or `playroll serve --migrate")
    if args.seed_demo:
        _seed(settings)
    _announce(settings, args.host, args.port, demo=args.seed_demo)
    workers, why = worker_count(settings, args.workers)
    if why:
        say(why)
    elif workers > 1:
        say(f"{workers} worker processes, sharing events through {settings.broadcast_url}")
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "ws_max_size": settings.max_ws_frame_bytes,
        "ws_per_message_deflate": settings.ws_deflate,
        "proxy_headers": True,
        "log_level": "debug" if settings.debug else "info",
    }
    if workers > 1:
        uvicorn.run("server.cli:app_from_environment", factory=True, workers=workers, **options)
    else:
        uvicorn.run(app_from_environment(), **options)
    return 0


async def _work_once(
    worker: Worker, closer: DayCloser, cleaner: FileCleaner, exporter: SubsidyExporter | None
) -> None:
    """``playroll worker --once``: one pass of each job, each reported."""
    drained = await worker.run_once()
    say(f"sent {drained.sent}, retry later {drained.retried}, failed {drained.failed}")
    closed = await closer.run_once()
    say(f"signed out at the end of the day: {len(closed)}")
    say(f"files removed from the storage: {await cleaner.run_once()}")
    if exporter is not None:
        say(f"subsidy export: {await exporter.run_once()}")


def _warn_console(settings: Settings) -> None:
    """Console delivery outside debug reaches nobody: say so once at start."""
    if not settings.debug and "console" in (settings.email_backend, settings.sms_backend):
        logging.getLogger("playroll.worker").warning(
            "console delivery outside debug: messages are printed without their text and "
            "nobody receives them; set PLAYROLL_EMAIL_BACKEND / PLAYROLL_SMS_BACKEND"
        )


async def _work(settings: Settings, *, once: bool) -> None:
    import signal

    from tortoise.context import TortoiseContext

    from jobs.day_close import DayCloser
    from jobs.file_cleanup import FileCleaner
    from jobs.subsidy import exporter_for
    from jobs.transports import build_transports
    from jobs.worker import Worker
    from realtime.bus import EventBus
    from server.app import broadcast_for
    from server.db import tortoise_config
    from server.file_storage import build_storage
    from services.clock import SystemClock

    _warn_console(settings)
    worker = Worker(
        secret=settings.secret,
        transports=build_transports(settings),
        max_attempts=settings.notification_max_attempts,
        clock=SystemClock(),
    )
    # Live views hear of automatic check-outs through the broadcast the servers listen to.
    broadcast = broadcast_for(settings.broadcast_url)
    bus = EventBus(broadcast, queue_limit=settings.subscriber_queue_limit)
    closer = DayCloser(clock=worker.clock, bus=bus)
    cleaner = FileCleaner(clock=worker.clock, storage=build_storage(settings))
    exporter = exporter_for(settings, settings.secret, worker.clock)
    # A context of this task only (no global fallback): every query runs in this task or
    # its children, and the process may already hold a global context (tests do).
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(settings.database_url))
        await broadcast.connect()
        try:
            if once:
                await _work_once(worker, closer, cleaner, exporter)
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                # Finish the message in hand, then exit, rather than die mid-send.
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(signum, stop.set)
            jobs = [
                worker.run(settings.worker_poll_seconds, stop),
                closer.run(settings.worker_poll_seconds, stop),
                cleaner.run(settings.worker_poll_seconds, stop),
            ]
            if exporter is not None:
                jobs.append(exporter.run(settings.worker_poll_seconds, stop))
            await asyncio.gather(*jobs)
        finally:
            await worker.aclose()
            if exporter is not None:
                await exporter.aclose()
            await bus.close()
            await broadcast.disconnect()


def cmd_worker(args: argparse.Namespace) -> int:
    settings = load_settings()
    require_schema(settings)
    asyncio.run(_work(settings, once=args.once))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="playroll", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback when a command fails"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.add_argument("--seed-demo", action="store_true", help="load demo data (debug only)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes (PostgreSQL and Redis only; SQLite runs one)",
    )
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="create or upgrade the database schema").set_defaults(
        func=cmd_migrate
    )
    create = commands.add_parser(
        "create-agency",
        help="first start: an agency and its first agency admin, who gets a set-password link",
    )
    create.add_argument("--name", required=True, help="the agency's name")
    create.add_argument("--admin-email", required=True, help="the first agency admin's login")
    create.add_argument(
        "--timezone", default="UTC", help="IANA time zone new sites start with (default UTC)"
    )
    create.add_argument("--admin-first-name", default="Agency", help="default: Agency")
    create.add_argument("--admin-last-name", default="Admin", help="default: Admin")
    create.set_defaults(func=cmd_create_agency)
    add_import_roster(commands)

    commands.add_parser("seed-demo", help="load demo data (debug mode only)").set_defaults(
        func=cmd_seed_demo
    )

    worker = commands.add_parser(
        "worker", help="deliver queued notifications, close attendance days"
    )
    worker.add_argument("--once", action="store_true", help="do what is due, then exit")
    worker.set_defaults(func=cmd_worker)

    commands.add_parser(
        "rotate-keys", help="re-key stored PINs and queued secrets with the current secret key"
    ).set_defaults(func=cmd_rotate_keys)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument("path", nargs="?", type=Path, default=DEFAULT_SCHEMA_PATH)
    export.add_argument("--check", action="store_true", help="fail if the file is stale")
    export.set_defaults(func=cmd_export_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Before anything logs: no token, PIN, code or password in any line, debug included.
    logs.install()
    args = _parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except CommandError as e:
        if args.debug:
            traceback.print_exception(e.__cause__ or e, file=sys.stderr)
        sys.stderr.write("".join(f"playroll: {line}\n" for line in str(e).splitlines()))
        return e.exit_code
    return result


if __name__ == "__main__":
    raise SystemExit(main())
