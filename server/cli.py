"""The ``playroll`` command: serve, migrate, create-agency, seed-demo, worker, rotate-keys,
export-schema.

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
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from server import logs
from server.db import DatabaseUnavailable, redacted
from server.settings import Settings

DEFAULT_SCHEMA_PATH = Path("schema.graphql")

T = TypeVar("T")


class CommandError(Exception):
    """A failure the operator can fix: the message says how."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _say(line: str) -> None:
    print(line, flush=True)  # noqa: T201


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as e:
        lines = []
        for error in e.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            # A field's own error names the variable; a cross-field check names its own.
            field = "PLAYROLL_" + str(error["loc"][0]).upper() + ": " if error["loc"] else ""
            lines.append(f"configuration error: {field}{message}")
        raise CommandError("\n".join(lines)) from e


def _run(work: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(work)
    except DatabaseUnavailable as e:
        raise CommandError(str(e)) from e


async def _pending(settings: Settings) -> list[str]:
    from server.db import pending_migrations

    return await pending_migrations(settings.database_url)


def _require_schema(settings: Settings, *, fix: str = "playroll migrate") -> None:
    pending = _run(_pending(settings))
    if pending:
        raise CommandError(
            f"the database at {redacted(settings.database_url)} is not ready "
            f"({len(pending)} migration(s) not applied, from {pending[0]}): run `{fix}` first"
        )


def _migrate(settings: Settings) -> list[str]:
    from server.db import apply_migrations

    applied: list[str] = []

    def report(name: str) -> None:
        applied.append(name)
        _say(f"  applied {name}")

    _say(f"migrating {redacted(settings.database_url)}")
    _run(apply_migrations(settings.database_url, report))
    return applied


def cmd_migrate(args: argparse.Namespace) -> int:
    applied = _migrate(_settings())
    _say(
        f"database schema is up to date ({len(applied)} migration(s) applied)"
        if applied
        else "database schema is up to date (nothing to apply)"
    )
    return 0


def _seed(settings: Settings) -> bool:
    from server.demo import seed_demo

    _say("loading the demo agency (2 sites, 4 classrooms, 60 children)...")
    created = asyncio.run(seed_demo(settings))
    _say("demo data created" if created else "demo data already present")
    return created


def _refuse_demo_outside_debug(settings: Settings, what: str) -> None:
    if not settings.debug:
        raise CommandError(f"{what} only runs with PLAYROLL_DEBUG=1 (demo mode)")


def cmd_seed_demo(args: argparse.Namespace) -> int:
    settings = _settings()
    _refuse_demo_outside_debug(settings, "seed-demo")
    _require_schema(settings)
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
    _say(f"wrote {args.path}")
    return 0


def _announce(settings: Settings, host: str, port: int, *, demo: bool) -> None:
    base = f"http://{host}:{port}"
    _say(f"Playroll API at {base}/graphql (health: {base}/healthz)")
    _say(f"database {redacted(settings.database_url)}, broadcast {settings.broadcast_url}")
    if settings.runs_jobs_in_process:
        _say("notifications are delivered by this process")
    else:
        _say("notifications wait for `playroll worker`")
    if settings.debug:
        _say(f"debug mode: GraphiQL at {base}/graphql; never expose this to the internet")
    if demo:
        from server.demo import DEMO_PARENT_PIN, STAFF

        _say("demo logins (email / password / staff PIN):")
        for email, password, *_rest, pin, _site in STAFF:
            _say(f"  {email} / {password} / {pin or '-'}")
        _say(f"  family PIN at a kiosk of the first site: {DEMO_PARENT_PIN}")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app
    from services.clock import SystemClock

    settings = _settings()
    if args.seed_demo:
        _refuse_demo_outside_debug(settings, "--seed-demo")
    if args.migrate:
        _migrate(settings)
    else:
        _require_schema(settings, fix="playroll migrate` (or `playroll serve --migrate")
    if args.seed_demo:
        _seed(settings)
    _announce(settings, args.host, args.port, demo=args.seed_demo)
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
                _say(f"sent {drained.sent}, retry later {drained.retried}, failed {drained.failed}")
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
    settings = _settings()
    _require_schema(settings)
    asyncio.run(_work(settings, once=args.once))
    return 0


async def _rotate_keys(settings: Settings) -> int:
    from tortoise.context import TortoiseContext
    from tqdm import tqdm

    from server.db import tortoise_config
    from services import key_rotation

    keyring = settings.secret
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(settings.database_url))
        if settings.secret_key_previous is None and not await key_rotation.needs_rotation(keyring):
            raise CommandError(
                "nothing to rotate: set PLAYROLL_SECRET_KEY_PREVIOUS to the old key "
                "and PLAYROLL_SECRET_KEY to the new one (README, Key rotation)"
            )
        with tqdm(total=await key_rotation.count(), unit="value", desc="re-keying") as bar:
            report = await key_rotation.rotate(keyring, progress=bar.update)
    pins, sealed = report.pins, report.sealed
    _say(
        f"PINs: {pins.rekeyed} re-keyed, {pins.current} already current; "
        f"queued message secrets: {sealed.rekeyed} re-keyed, {sealed.current} already current"
    )
    if report.failed:
        problems = [
            f"{pins.unreadable} PINs and {sealed.unreadable} queued message secrets could not "
            "be read with any known key (is PLAYROLL_SECRET_KEY_PREVIOUS the old key?)"
        ]
        if pins.conflicts:
            problems.append(f"{pins.conflicts} PINs are held twice in their agency (re-PIN one)")
        raise CommandError(f"{'; '.join(problems)}; those were left unchanged", 1)
    return 0


def cmd_rotate_keys(args: argparse.Namespace) -> int:
    settings = _settings()
    _require_schema(settings)
    return asyncio.run(_rotate_keys(settings))


# Which option an input error of the first start names.
_AGENCY_OPTIONS = {
    "name": "--name",
    "email": "--admin-email",
    "timezone": "--timezone",
    "firstName": "--admin-first-name",
    "lastName": "--admin-last-name",
}


async def _create_agency(settings: Settings, args: argparse.Namespace) -> Any:
    from tortoise.context import TortoiseContext

    from server.db import tortoise_config
    from services import agencies, staff
    from services.clock import SystemClock
    from services.errors import DomainError, InvalidInput
    from services.staff_passwords import LinkPolicy

    links = LinkPolicy(
        settings.secret, settings.base_url, settings.notification_destination_hourly_cap
    )
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(settings.database_url))
        try:
            return await agencies.create_agency(
                args.name,
                args.admin_email,
                first_name=args.admin_first_name,
                last_name=args.admin_last_name,
                timezone=args.timezone,
                links=links,
                now=SystemClock().now(),
            )
        except InvalidInput as e:
            raise CommandError(f"{_AGENCY_OPTIONS.get(e.field or '', 'input')}: {e}") from e
        except DomainError as e:
            if e.code is staff.StaffErrorCode.EMAIL_TAKEN:
                raise CommandError(
                    f"a staff account with the email {staff.checked_email(args.admin_email)} "
                    "already exists: nothing was created (that admin can reset their "
                    "password with requestStaffPasswordReset)"
                ) from e
            raise CommandError(e.message) from e


def cmd_create_agency(args: argparse.Namespace) -> int:
    settings = _settings()
    _require_schema(settings)
    first = _run(_create_agency(settings, args))
    _say(f"created agency {first.agency.name!r} ({first.agency.id}), time zone {args.timezone}")
    _say(
        f"agency admin {first.admin.email}: choose a password within 7 days at this "
        "one-time link (also queued by email):"
    )
    _say(f"  {first.link}")
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

    commands.add_parser("seed-demo", help="load demo data (debug mode only)").set_defaults(
        func=cmd_seed_demo
    )

    worker = commands.add_parser("worker", help="deliver queued notifications")
    worker.add_argument("--once", action="store_true", help="deliver what is due, then exit")
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
