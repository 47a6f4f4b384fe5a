"""Linking a site to the state subsidy system, and matching children to the state's records.

An agency admin connects a site with the provider ID and integration password the state
gave them. The password is checked against the state before anything is stored (the one
call to the state made during a request, outside any transaction, through the
``CredentialCheck`` the caller passes in), then kept sealed with the server key and never
shown again. Connecting again (a new password after the state refused the old one)
re-queues the child-days whose last send the state refused for its credentials, so they
go with the next pass without a hand re-send. Disconnecting drops the password and stops
every transfer. Matching the
children to the state's records is ``services/subsidy_matching.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth import sealed
from auth.keys import Keyring
from auth.principals import StaffPrincipal
from models.org import Site
from models.subsidy import AttemptOutcome, SendCause, SubsidyAttempt, SubsidyConnection, SubsidyDay
from services import audit, org
from services.errors import DomainError, InvalidInput, NotFound

MAX_PROVIDER_ID_LENGTH = 64
MAX_PASSWORD_LENGTH = 200


class SubsidyErrorCode(StrEnum):
    """Rule failures of the subsidy export."""

    CREDENTIALS_REFUSED = "CREDENTIALS_REFUSED"
    STATE_UNAVAILABLE = "STATE_UNAVAILABLE"
    NOT_CONNECTED = "NOT_CONNECTED"
    UNKNOWN_STATE_CHILD = "UNKNOWN_STATE_CHILD"
    STATE_ID_TAKEN = "STATE_ID_TAKEN"
    RANGE_TOO_LONG = "RANGE_TOO_LONG"


# The answer code of a send the state refused for the provider ID or password.
CREDENTIALS_REFUSED = SubsidyErrorCode.CREDENTIALS_REFUSED.value


class CredentialCheck(Protocol):
    async def __call__(self, provider_id: str, password: str) -> SubsidyErrorCode | None:
        """None when the state accepts the credentials, else why not."""
        ...


@dataclass(frozen=True)
class Credentials:
    provider_id: str
    password: str

    def __repr__(self) -> str:
        return f"Credentials(provider_id={self.provider_id!r})"


_CHECK_MESSAGES = {
    SubsidyErrorCode.CREDENTIALS_REFUSED: "The state system refused this provider ID and "
    "password. Check them with the state and try again.",
    SubsidyErrorCode.STATE_UNAVAILABLE: "The state system did not answer. Try again later.",
}


async def _admin_site(principal: StaffPrincipal, site_id: UUID) -> Site:
    """Agency admins connect their own agency's sites; any other ID is not found."""
    site = await org.readable_sites(principal).get_or_none(id=site_id)
    if site is None or not principal.is_agency_admin:
        raise NotFound("Site")
    return site


def _checked(provider_id: str, password: str) -> tuple[str, str]:
    provider_id = provider_id.strip()
    if not provider_id or len(provider_id) > MAX_PROVIDER_ID_LENGTH or "\x00" in provider_id:
        raise InvalidInput("A provider ID of 1 to 64 characters is required.", "providerId")
    if not password or len(password) > MAX_PASSWORD_LENGTH or "\x00" in password:
        raise InvalidInput("The integration password is required.", "password")
    return provider_id, password


async def connect(
    principal: StaffPrincipal,
    site_id: UUID,
    provider_id: str,
    password: str,
    *,
    check: CredentialCheck,
    secret: Keyring,
    now: datetime,
) -> SubsidyConnection:
    """Refuse credentials the state refuses; store the password sealed; ask for matching."""
    site = await _admin_site(principal, site_id)
    provider_id, password = _checked(provider_id, password)
    refused = await check(provider_id, password)
    if refused is SubsidyErrorCode.CREDENTIALS_REFUSED:
        raise DomainError(
            SubsidyErrorCode.CREDENTIALS_REFUSED, _CHECK_MESSAGES[refused], "password"
        )
    if refused is not None:
        message = _CHECK_MESSAGES[SubsidyErrorCode.STATE_UNAVAILABLE]
        raise DomainError(SubsidyErrorCode.STATE_UNAVAILABLE, message, "password")
    fields: dict[str, Any] = {
        "agency_id": site.agency_id,
        "provider_id": provider_id,
        "password_sealed": sealed.seal(secret, password),
        "connected_at": now,
        "connected_by_id": principal.user_id,
        "disconnected_at": None,
        "match_requested_at": now,
    }
    async with in_transaction():
        connection, created = await SubsidyConnection.get_or_create(
            defaults=fields, site_id=site.id
        )
        requeued = 0
        if not created:
            await connection.update_from_dict(fields).save()
            requeued = await _requeue_refused(site, now)
        await audit.record(
            principal,
            "subsidy.connect",
            agency_id=site.agency_id,
            target_type="site",
            target_id=site.id,
            data={"provider_id": provider_id, "requeued_days": requeued},
        )
    return connection


async def _requeue_refused(site: Site, now: datetime) -> int:
    """Ask again for the site's child-days whose last send the state refused for its
    credentials (the new ones may be accepted); returns how many."""
    refused = await SubsidyDay.filter(site_id=site.id, last_outcome=AttemptOutcome.ERROR)
    if not refused:
        return 0
    last_code: dict[str, str] = {}
    attempts = SubsidyAttempt.filter(day_id__in=[r.id for r in refused]).order_by("started_at")
    for day_id, code in await attempts.values_list("day_id", "answer_code"):
        last_code[str(day_id)] = code
    again = [r.id for r in refused if last_code.get(str(r.id)) == CREDENTIALS_REFUSED]
    if not again:
        return 0
    return await SubsidyDay.filter(id__in=again).update(
        requested_at=now, requested_cause=SendCause.MANUAL
    )


async def disconnect(principal: StaffPrincipal, site_id: UUID, now: datetime) -> SubsidyConnection:
    """Drop the password: nothing more goes to the state from this site."""
    site = await _admin_site(principal, site_id)
    async with in_transaction():
        connection = await active_connections().filter(site_id=site.id).first()
        if connection is None:
            raise DomainError(
                SubsidyErrorCode.NOT_CONNECTED, "This site is not connected.", "siteId"
            )
        connection.disconnected_at = now
        connection.password_sealed = None
        await connection.save(update_fields=["disconnected_at", "password_sealed"])
        await audit.record(
            principal,
            "subsidy.disconnect",
            agency_id=site.agency_id,
            target_type="site",
            target_id=site.id,
        )
    return connection


def active_connections() -> QuerySet[SubsidyConnection]:
    return SubsidyConnection.filter(disconnected_at__isnull=True, password_sealed__isnull=False)


def credentials(connection: SubsidyConnection, secret: Keyring) -> Credentials | None:
    """The connection's credentials, or None when no known key opens the password."""
    if connection.password_sealed is None:
        return None
    password = sealed.unseal(secret, connection.password_sealed)
    return Credentials(connection.provider_id, password) if password is not None else None


async def readable_connection(principal: StaffPrincipal, site_id: UUID) -> SubsidyConnection | None:
    """The site's connection (connected or not), for staff of that site."""
    site = await org.readable_sites(principal).get_or_none(id=site_id)
    if site is None:
        raise NotFound("Site")
    return await SubsidyConnection.get_or_none(site_id=site.id)


def local_today(site: Site, now: datetime) -> date:
    return org.local_date(site, now)
