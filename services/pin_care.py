"""PIN care: staff read back, re-issue and send the PINs of family adults.

Each request names one adult or a group and gets one result per adult. An adult the
caller may not care for gets the same NOT_FOUND as one that does not exist. A clear PIN
leaves only in the caller's response or sealed in the outbox; audit rows name the adult
and what happened, never the PIN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.keys import Keyring
from auth.principals import Grant, Principal, StaffPrincipal, is_staff
from models.org import Agency
from models.people import ContactMethod, FamilyAdult
from models.pins import PinCredential
from services import audit, notifications, pins
from services.errors import DomainError, InvalidInput, NotFound


class PinCareErrorCode(StrEnum):
    """Rule failures of staff revealing, re-issuing or sending PINs."""

    PIN_SPACE_EXHAUSTED = "PIN_SPACE_EXHAUSTED"


MAX_GROUP_SIZE = 100
PIN_TEMPLATE = "pin"


class PinCareStatus(StrEnum):
    REVEALED = "REVEALED"
    ISSUED = "ISSUED"
    QUEUED = "QUEUED"
    NO_PIN = "NO_PIN"
    NO_CONTACT = "NO_CONTACT"
    TOO_MANY_MESSAGES = "TOO_MANY_MESSAGES"
    PIN_UNREADABLE = "PIN_UNREADABLE"
    NOT_FOUND = "NOT_FOUND"


@dataclass(frozen=True)
class AdultPin:
    """What happened to one adult of the request."""

    adult_id: str
    adult: FamilyAdult | None
    status: PinCareStatus
    pin: str | None = None
    # Only for a re-PIN asked to send the new PIN too.
    delivery: PinCareStatus | None = None


def careable_adults(principal: Principal) -> QuerySet[FamilyAdult]:
    """Students editors care for adults whose family has a child enrolled at one of their
    sites; agency admins for every adult of the agency."""
    if not (is_staff(principal) and principal.has(Grant.EDIT_STUDENTS)):
        return FamilyAdult.filter(id__in=[])
    # Removed contacts keep their row for history, and no PIN.
    if principal.is_agency_admin:
        return FamilyAdult.filter(family__agency_id=principal.agency_id, removed_at__isnull=True)
    return FamilyAdult.filter(
        family__agency_id=principal.agency_id,
        removed_at__isnull=True,
        family__children__enrollments__classroom__site_id__in=list(principal.site_ids),
    ).distinct()


def requested_ids(adult_ids: Sequence[str]) -> list[tuple[str, UUID | None]]:
    """The IDs in the order given, each once; an unreadable ID is just another unknown."""
    if not adult_ids:
        raise InvalidInput("Name at least one adult.", "adultIds")
    if len(adult_ids) > MAX_GROUP_SIZE:
        raise InvalidInput(f"At most {MAX_GROUP_SIZE} adults at once.", "adultIds")
    seen: set[str] = set()
    requested: list[tuple[str, UUID | None]] = []
    for given in adult_ids:
        try:
            parsed: UUID | None = UUID(given)
        except (ValueError, AttributeError, TypeError):
            parsed = None
        key = str(parsed) if parsed else given
        if key not in seen:
            seen.add(key)
            requested.append((key, parsed))
    return requested


async def _reachable(
    principal: StaffPrincipal, requested: list[tuple[str, UUID | None]], *, lock: bool
) -> dict[str, FamilyAdult]:
    wanted = [parsed for _, parsed in requested if parsed is not None]
    ids = await careable_adults(principal).filter(id__in=wanted).values_list("id", flat=True)
    # Locked apart from the scoped query because PostgreSQL refuses FOR UPDATE with
    # DISTINCT.
    query = FamilyAdult.filter(id__in=list(ids)).order_by("id")
    adults = await (query.select_for_update() if lock else query)
    return {str(adult.id): adult for adult in adults}


async def _credentials(adults: dict[str, FamilyAdult]) -> dict[str, PinCredential]:
    found = await PinCredential.filter(adult_id__in=list(adults))
    return {str(credential.adult_id): credential for credential in found}


@dataclass(frozen=True)
class _Readable:
    """An adult in reach whose current PIN could be read back."""

    key: str
    adult: FamilyAdult
    pin: str


async def _current_pins(
    principal: StaffPrincipal, requested: list[tuple[str, UUID | None]], secret: Keyring
) -> list[AdultPin | _Readable]:
    """Per requested adult: the PIN to act on, or the result that says why there is none."""
    adults = await _reachable(principal, requested, lock=False)
    credentials = await _credentials(adults)
    found: list[AdultPin | _Readable] = []
    for key, _ in requested:
        adult = adults.get(key)
        credential = credentials.get(key)
        if adult is None:
            found.append(AdultPin(key, None, PinCareStatus.NOT_FOUND))
        elif credential is None:
            found.append(AdultPin(key, adult, PinCareStatus.NO_PIN))
        else:
            try:
                found.append(_Readable(key, adult, pins.reveal(secret, credential)))
            except DomainError:
                found.append(AdultPin(key, adult, PinCareStatus.PIN_UNREADABLE))
    return found


async def reveal_pins(
    principal: StaffPrincipal, adult_ids: Sequence[str], secret: Keyring
) -> list[AdultPin]:
    """Read each adult's PIN back from its encrypted copy; every read is audited."""
    results: list[AdultPin] = []
    async with in_transaction():
        for item in await _current_pins(principal, requested_ids(adult_ids), secret):
            if isinstance(item, AdultPin):
                results.append(item)
                continue
            await _audit(principal, "pin.reveal", item.adult)
            results.append(AdultPin(item.key, item.adult, PinCareStatus.REVEALED, pin=item.pin))
    return results


async def re_pin(
    principal: StaffPrincipal,
    adult_ids: Sequence[str],
    secret: Keyring,
    *,
    send: bool,
    now: datetime,
    hourly_cap: int = notifications.DEFAULT_DESTINATION_HOURLY_CAP,
    method: ContactMethod | None = None,
) -> list[AdultPin]:
    """Give each adult a new random PIN of the agency's length; the old one stops working
    in the same transaction. With ``send``, also queue the new PIN to the adult (by
    ``method``, or else their preferred contact)."""
    requested = requested_ids(adult_ids)
    results: list[AdultPin] = []
    async with in_transaction():
        agency = await Agency.get(id=principal.agency_id)
        # Locked up front, in one order: otherwise two group re-PINs naming the same
        # adults in different orders each hold a PIN row the other wants (a deadlock).
        adults = await _reachable(principal, requested, lock=True)
        outbox = _Outbox(secret, agency, hourly_cap, now, method)
        for key, _ in requested:
            adult = adults.get(key)
            if adult is None:
                results.append(AdultPin(key, None, PinCareStatus.NOT_FOUND))
                continue
            try:
                pin = await pins.issue(secret, agency, adult_id=adult.id)
            except pins.PinSpaceExhausted:
                raise DomainError(
                    PinCareErrorCode.PIN_SPACE_EXHAUSTED,
                    "No free PIN of this length is left in the agency; choose longer PINs.",
                    "adultIds",
                ) from None
            await _audit(principal, "pin.reissue", adult, {"send": send})
            delivery = await _send(principal, outbox, adult, pin) if send else None
            results.append(AdultPin(key, adult, PinCareStatus.ISSUED, pin=pin, delivery=delivery))
    return results


async def choose_pin(
    principal: StaffPrincipal, adult_id: UUID, pin: str, secret: Keyring
) -> AdultPin:
    """Give one adult a PIN of the caller's choosing (the demo's published PIN); the old
    one stops working at once. PIN_TAKEN when anyone in the agency holds it already."""
    async with in_transaction():
        agency = await Agency.get(id=principal.agency_id)
        adult = (await _reachable(principal, [(str(adult_id), adult_id)], lock=True)).get(
            str(adult_id)
        )
        if adult is None:
            raise NotFound("Adult")
        if len(pin) != agency.pin_length:
            raise DomainError(
                pins.PinErrorCode.INVALID_PIN, f"A PIN here has {agency.pin_length} digits.", "pin"
            )
        await pins.store(secret, agency.id, pin, adult_id=adult.id)
        await _audit(principal, "pin.choose", adult)
    return AdultPin(str(adult.id), adult, PinCareStatus.ISSUED, pin=pin)


async def send_pins(
    principal: StaffPrincipal,
    adult_ids: Sequence[str],
    secret: Keyring,
    *,
    now: datetime,
    hourly_cap: int = notifications.DEFAULT_DESTINATION_HOURLY_CAP,
    method: ContactMethod | None = None,
) -> list[AdultPin]:
    """Queue each adult's current PIN by ``method`` (or else their preferred contact), in
    their language."""
    results: list[AdultPin] = []
    async with in_transaction():
        agency = await Agency.get(id=principal.agency_id)
        outbox = _Outbox(secret, agency, hourly_cap, now, method)
        for item in await _current_pins(principal, requested_ids(adult_ids), secret):
            if isinstance(item, AdultPin):
                results.append(item)
                continue
            status = await _send(principal, outbox, item.adult, item.pin)
            results.append(AdultPin(item.key, item.adult, status))
    return results


@dataclass(frozen=True)
class _Outbox:
    """How the PINs of one request are queued."""

    secret: Keyring
    agency: Agency
    hourly_cap: int
    now: datetime
    method: ContactMethod | None


async def _send(
    principal: StaffPrincipal, outbox: _Outbox, adult: FamilyAdult, pin: str
) -> PinCareStatus:
    """Queue one adult's PIN; NO_CONTACT (nothing queued) without an address there."""
    recipient = notifications.recipient_by(adult, outbox.method)
    if recipient is None:
        return PinCareStatus.NO_CONTACT
    try:
        # A savepoint: a send the outbox refuses undoes only its own rows, so the rest of
        # the group still goes out.
        async with in_transaction():
            queued = await notifications.enqueue(
                outbox.secret,
                agency_id=outbox.agency.id,
                recipient=recipient,
                template=PIN_TEMPLATE,
                # Every send is its own message: asking again must send again.
                dedupe_key=f"pin:{adult.id}:{uuid4()}",
                params={"adult_first_name": adult.first_name, "agency_name": outbox.agency.name},
                secret_params={"pin": pin},
                hourly_cap=outbox.hourly_cap,
                now=outbox.now,
            )
            await _audit(
                principal,
                "pin.send",
                adult,
                {"channel": recipient.channel.value, "notification_id": str(queued.id)},
            )
    except notifications.TooManyMessages:
        return PinCareStatus.TOO_MANY_MESSAGES
    return PinCareStatus.QUEUED


async def _audit(
    principal: StaffPrincipal,
    action: str,
    adult: FamilyAdult,
    data: dict[str, object] | None = None,
) -> None:
    await audit.record(
        principal,
        action,
        agency_id=principal.agency_id,
        target_type="family_adult",
        target_id=adult.id,
        data=dict(data or {}),
    )


async def own_pin(principal: StaffPrincipal, secret: Keyring) -> str | None:
    """The caller's own staff PIN read back; None when they have none."""
    credential = await PinCredential.get_or_none(
        staff_id=principal.user_id, agency_id=principal.agency_id
    )
    return pins.reveal(secret, credential) if credential is not None else None
