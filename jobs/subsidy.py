"""The subsidy export job: matching, weekly and month-end sweeps, and sending child-days.

A polling pass beside notification delivery and the end-of-day close. Each pass, for
every connected site: fetch the state's list of children when matching was asked for or
the last list is older than ``match_every`` and match; re-match children whose record
changed since (against the list already fetched); claim the site's due sweeps; then send
every due child-day, one ``SubsidyAttempt`` row per try. Once per pass, attempt rows past
the agency's retention period are deleted (a bounded batch). Several workers may run it:
the sweeps and each day's send are claimed through the database.

Nothing here decides a rule; the services do. This module only talks to the state.
"""

from __future__ import annotations

import asyncio
import logging
import random
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Protocol

from auth.keys import Keyring
from integrations.subsidy import (
    Answer,
    AnswerCode,
    CredentialsRefused,
    CsvFileExport,
    DayRecord,
    HttpStateSystem,
    StateCredentials,
    StateSystem,
    StateSystemError,
    StateUnavailable,
)
from models.org import Site
from models.subsidy import AttemptOutcome, SubsidyConnection
from services import subsidy, subsidy_matching, subsidy_transfers
from services.clock import Clock
from services.subsidy import SubsidyErrorCode
from services.subsidy_transfers import DueDay, Sent

logger = logging.getLogger(__name__)


class SubsidySettings(Protocol):
    @property
    def subsidy_backend(self) -> Literal["none", "http", "csv"]: ...
    @property
    def subsidy_url(self) -> str | None: ...
    @property
    def subsidy_auth(self) -> Literal["basic", "bearer"]: ...
    @property
    def subsidy_export_dir(self) -> str | None: ...
    @property
    def subsidy_timeout_seconds(self) -> float: ...


def build_state_system(settings: SubsidySettings, *, attempts: int = 4) -> StateSystem | None:
    """The adapter the settings choose; None when no state system is configured."""
    if settings.subsidy_backend == "http" and settings.subsidy_url:
        return HttpStateSystem(
            settings.subsidy_url,
            auth=settings.subsidy_auth,
            timeout=settings.subsidy_timeout_seconds,
            attempts=attempts,
        )
    if settings.subsidy_backend == "csv" and settings.subsidy_export_dir:
        return CsvFileExport(settings.subsidy_export_dir)
    return None


class StateCredentialCheck:
    """``services.subsidy.CredentialCheck`` through an adapter: the connect-time check."""

    def __init__(self, build: StateSystem | None) -> None:
        self._system = build

    async def __call__(self, provider_id: str, password: str) -> SubsidyErrorCode | None:
        if self._system is None:
            return SubsidyErrorCode.STATE_UNAVAILABLE
        try:
            await self._system.check_credentials(StateCredentials(provider_id, password))
        except CredentialsRefused:
            return SubsidyErrorCode.CREDENTIALS_REFUSED
        except StateSystemError:
            return SubsidyErrorCode.STATE_UNAVAILABLE
        finally:
            await self._system.aclose()
        return None


def exporter_for(
    settings: SubsidySettings, secret: Keyring, clock: Clock
) -> SubsidyExporter | None:
    """The export job, when a state system is configured."""
    system = build_state_system(settings)
    return SubsidyExporter(system=system, secret=secret, clock=clock) if system else None


def credential_check(settings: SubsidySettings) -> StateCredentialCheck:
    # Two tries: an admin is waiting for the answer.
    return StateCredentialCheck(build_state_system(settings, attempts=2))


_OUTCOMES = {
    AnswerCode.ACCEPTED: AttemptOutcome.TRANSFERRED,
    AnswerCode.UNAVAILABLE: AttemptOutcome.RETRY,
}


@dataclass
class Exported:
    transferred: int = 0
    errors: int = 0
    retries: int = 0
    matched_sites: int = 0
    sweeps: int = 0
    purged: int = 0


class SubsidyExporter:
    def __init__(
        self,
        *,
        system: StateSystem,
        secret: Keyring,
        clock: Clock,
        match_every: timedelta = timedelta(hours=24),
        lease: timedelta = timedelta(minutes=5),
        retry_base: timedelta = timedelta(minutes=1),
        retry_cap: timedelta = timedelta(hours=1),
        rng: random.Random | None = None,
    ) -> None:
        self.system = system
        self.secret = secret
        self.clock = clock
        self.match_every = match_every
        self.lease = lease
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.rng = rng or random.Random()

    async def run_once(self) -> Exported:
        """One pass over every connected site (``playroll worker --once``)."""
        done = Exported()
        try:
            done.purged = await subsidy_transfers.purge_expired(self.clock.now().date())
        except Exception:
            logger.exception("subsidy retention purge failed")
        for connection, site in await subsidy_transfers.connected_sites():
            try:
                await self._site_pass(connection, site, done)
            except Exception:
                # One site's failure (a database hiccup, a bug) must not hold up the others.
                logger.exception("subsidy pass of site %s failed", site.id)
        return done

    async def _site_pass(self, connection: SubsidyConnection, site: Site, done: Exported) -> None:
        """Match, claim the sweeps that are due, then send every due child-day."""
        creds = subsidy.credentials(connection, self.secret)
        if creds is None:
            logger.warning("subsidy site %s: the password does not unseal", site.id)
            return
        state_creds = StateCredentials(creds.provider_id, creds.password)
        done.matched_sites += await self._match(connection, state_creds)
        done.sweeps += await subsidy_transfers.run_sweeps(connection, site, self.clock.now())
        for due in await subsidy_transfers.due_days(connection, site, self.clock.now()):
            await self._send(site, due, state_creds, done)

    async def _match(self, connection: SubsidyConnection, creds: StateCredentials) -> int:
        """Fetch the state list when asked or stale, then match; else re-match changes."""
        now = self.clock.now()
        fetched = connection.children_fetched_at
        if connection.match_requested_at or fetched is None or fetched + self.match_every <= now:
            try:
                children = await self.system.list_children(creds)
            except StateSystemError as e:
                await subsidy_matching.fetch_failed(connection, str(e))
                logger.warning("subsidy site %s: list of children: %s", connection.site_id, e)
                return 0
            rows = [
                {
                    "stateId": c.state_id,
                    "firstName": c.first_name,
                    "middleName": c.middle_name,
                    "lastName": c.last_name,
                    "dateOfBirth": c.date_of_birth.isoformat(),
                }
                for c in children
            ]
            await subsidy_matching.store_state_children(connection, rows, now)
            await subsidy_matching.match_children(connection, now, only_changed=False)
            return 1
        await subsidy_matching.match_children(connection, now, only_changed=True)
        return 0

    async def _send(self, site: Site, due: DueDay, creds: StateCredentials, done: Exported) -> None:
        now = self.clock.now()
        row = await subsidy_transfers.claim(site, due, now, self.lease)
        if row is None:
            return
        record = DayRecord(
            due.state_id, due.content.day, due.content.body, due.content.content_hash
        )
        try:
            answer = await self.system.submit_day(creds, record)
        except StateUnavailable as e:
            answer = Answer(AnswerCode.UNAVAILABLE, str(e))
        except Exception as e:
            # A bug, not the state's answer: the day stays out of sync and goes again.
            logger.exception("subsidy send of day %s failed", row.id)
            answer = Answer(AnswerCode.UNAVAILABLE, f"unexpected {type(e).__name__}")
        outcome = _OUTCOMES.get(answer.code, AttemptOutcome.ERROR)
        finished = self.clock.now()
        retry_after = None
        if outcome is AttemptOutcome.RETRY:
            tries = await subsidy_transfers.retries_of(row) + 1
            wait = min(self.retry_cap, self.retry_base * 2 ** min(tries - 1, 16))
            retry_after = finished + wait / 2 + wait / 2 * self.rng.random()
        sent = Sent(
            record.idempotency_key,
            outcome,
            answer.code.value,
            answer.message,
            answer.text,
            answer.receipt,
        )
        await subsidy_transfers.record(
            row, due, sent, started=now, now=finished, retry_after=retry_after
        )
        if outcome is AttemptOutcome.TRANSFERRED:
            done.transferred += 1
        elif outcome is AttemptOutcome.RETRY:
            done.retries += 1
        else:
            done.errors += 1
        logger.info(
            "subsidy day %s date=%s cause=%s outcome=%s code=%s",
            row.id,
            due.content.day,
            due.cause,
            outcome,
            answer.code,
        )

    async def run(self, poll_seconds: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                logger.exception("subsidy pass failed; retrying in %s s", poll_seconds)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_seconds)

    async def aclose(self) -> None:
        await self.system.aclose()
