"""The ``playroll`` command: serve, migrate, seed-demo, worker, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from server.settings import Settings

DEFAULT_SCHEMA_PATH = Path("schema.graphql")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as e:
        for error in e.errors():
            sys.stderr.write(f"playroll: configuration error: {error['msg']}\n")
        raise SystemExit(2) from None


async def _migrate(settings: Settings) -> None:
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate

    from server.db import tortoise_config

    try:
        await migrate(config=tortoise_config(settings.database_url))
    finally:
        await Tortoise.close_connections()


def cmd_migrate(args: argparse.Namespace) -> int:
    asyncio.run(_migrate(_settings()))
    print("database schema is up to date")  # noqa: T201
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from server.demo import seed_demo

    settings = _settings()
    if not settings.debug:
        sys.stderr.write("playroll: seed-demo only runs with PLAYROLL_DEBUG=1 (demo mode)\n")
        return 2
    created = asyncio.run(seed_demo(settings))
    print("demo data created" if created else "demo data already present")  # noqa: T201
    return 0


def schema_sdl() -> str:
    from schema.root import build_schema

    return build_schema().as_str() + "\n"


def cmd_export_schema(args: argparse.Namespace) -> int:
    sdl = schema_sdl()
    if args.check:
        current = args.path.read_text() if args.path.exists() else ""
        if current != sdl:
            sys.stderr.write(f"{args.path} is stale: run `playroll export-schema`\n")
            return 1
        return 0
    args.path.write_text(sdl)
    print(f"wrote {args.path}")  # noqa: T201
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app
    from services.clock import SystemClock

    settings = _settings()
    if args.seed_demo and not settings.debug:
        sys.stderr.write("playroll: --seed-demo only runs with PLAYROLL_DEBUG=1 (demo mode)\n")
        return 2
    if args.migrate:
        asyncio.run(_migrate(settings))
    if args.seed_demo:
        from server.demo import seed_demo

        asyncio.run(seed_demo(settings))
    uvicorn.run(
        create_app(settings, clock=SystemClock()),
        host=args.host,
        port=args.port,
        ws_max_size=settings.max_ws_frame_bytes,
        proxy_headers=True,
        log_level="debug" if settings.debug else "info",
    )
    return 0


async def _work(settings: Settings, *, once: bool) -> None:
    import signal

    from tortoise.context import TortoiseContext

    from jobs.transports import build_transports
    from jobs.worker import Worker
    from server.db import tortoise_config
    from services.clock import SystemClock

    if not settings.debug and "console" in (settings.email_backend, settings.sms_backend):
        logging.getLogger("playroll.worker").warning(
            "console delivery outside debug: messages are printed without their text and "
            "nobody receives them; set PLAYROLL_EMAIL_BACKEND / PLAYROLL_SMS_BACKEND"
        )
    worker = Worker(
        secret=settings.secret,
        transports=build_transports(settings),
        max_attempts=settings.notification_max_attempts,
        clock=SystemClock(),
    )
    # A context of this task only (no global fallback): every query runs in this task or
    # its children, and the process may already hold a global context (tests do).
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(settings.database_url))
        try:
            if once:
                drained = await worker.run_once()
                print(  # noqa: T201
                    f"sent {drained.sent}, retry later {drained.retried}, failed {drained.failed}"
                )
                return
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                # Finish the message in hand, then exit, rather than die mid-send.
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(signum, stop.set)
            await worker.run(settings.worker_poll_seconds, stop)
        finally:
            await worker.aclose()


def cmd_worker(args: argparse.Namespace) -> int:
    asyncio.run(_work(_settings(), once=args.once))
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    parser = argparse.ArgumentParser(prog="playroll", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.add_argument("--seed-demo", action="store_true", help="load demo data (debug only)")
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="create or upgrade the database schema").set_defaults(
        func=cmd_migrate
    )
    commands.add_parser("seed-demo", help="load demo data (debug mode only)").set_defaults(
        func=cmd_seed_demo
    )

    worker = commands.add_parser("worker", help="deliver queued notifications")
    worker.add_argument("--once", action="store_true", help="deliver what is due, then exit")
    worker.set_defaults(func=cmd_worker)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument("path", nargs="?", type=Path, default=DEFAULT_SCHEMA_PATH)
    export.add_argument("--check", action="store_true", help="fail if the file is stale")
    export.set_defaults(func=cmd_export_schema)

    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
