"""Matching children to the state's records, and the matching workbench.

Matching (``match_children``) runs in the worker against the state's list of the
provider's subsidised children kept on the connection: by state subsidy ID, or else by
exact first, middle and last name and date of birth. Anything less certain (several
candidates, a name differing only in case, a middle name missing on one side, a state ID
that would go to two children) is ``NEEDS_REVIEW`` with the candidates shown side by side,
never matched silently. Staff with Students edit match or unmatch by hand, audited; a
manual decision stands until staff change it. A child whose name, birth date or state ID
changed is matched again at the next worker pass.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from auth.principals import StaffPrincipal
from models.people import Child
from models.subsidy import MatchStatus, SubsidyConnection, SubsidyMatch
from services import audit
from services.errors import DomainError, NotFound
from services.subsidy import SubsidyErrorCode, readable_connection

# ---- matching --------------------------------------------------------------------------


def site_children(site_id: UUID | str, agency_id: UUID | str) -> QuerySet[Child]:
    """Children registered or ever enrolled at the site."""
    return Child.filter(
        Q(site_id=site_id) | Q(enrollments__classroom__site_id=site_id), agency_id=agency_id
    ).distinct()


def fingerprint(child: Child) -> str:
    parts = [
        child.first_name,
        child.middle_name,
        child.last_name,
        child.date_of_birth.isoformat(),
        child.state_subsidy_id or "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class MatchResult:
    status: MatchStatus
    state_id: str | None
    method: str
    candidates: list[dict[str, Any]]


def _same(a: str, b: str) -> bool:
    return a.strip() == b.strip()


def _near(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def match_one(child: Child, rows: list[dict[str, Any]]) -> MatchResult:
    """By state ID; else exact names and birth date; near misses go to review."""
    if child.state_subsidy_id:
        by_id = [r for r in rows if r.get("stateId") == child.state_subsidy_id]
        if by_id:
            return MatchResult(MatchStatus.MATCHED, child.state_subsidy_id, "BY_ID", by_id)
    born = child.date_of_birth.isoformat()
    same_day = [r for r in rows if r.get("dateOfBirth") == born]
    exact = [
        r
        for r in same_day
        if _same(r["firstName"], child.first_name)
        and _same(r.get("middleName") or "", child.middle_name)
        and _same(r["lastName"], child.last_name)
    ]
    if len(exact) == 1:
        return MatchResult(MatchStatus.MATCHED, str(exact[0]["stateId"]), "BY_NAME", exact)
    near = [
        r
        for r in same_day
        if _near(r["firstName"], child.first_name)
        and _near(r["lastName"], child.last_name)
        and (
            _near(r.get("middleName") or "", child.middle_name)
            or not (r.get("middleName") or "").strip()
            or not child.middle_name.strip()
        )
    ]
    if exact or near:
        return MatchResult(MatchStatus.NEEDS_REVIEW, None, "", exact or near)
    return MatchResult(MatchStatus.NOT_FOUND, None, "", [])


async def match_children(
    connection: SubsidyConnection, now: datetime, *, only_changed: bool
) -> int:
    """Match the site's children against the state list kept on the connection; manual
    decisions stand. ``only_changed``: only children whose record changed since."""
    children = await site_children(connection.site_id, connection.agency_id)
    existing = {str(m.child_id): m for m in await SubsidyMatch.filter(connection=connection)}
    results: dict[str, MatchResult] = {}
    for child in children:
        held = existing.get(str(child.id))
        if held is not None and (
            held.manual or (only_changed and held.fingerprint == fingerprint(child))
        ):
            continue
        results[str(child.id)] = match_one(child, connection.state_children)
    taken = Counter(
        m.state_id for m in existing.values() if m.status is MatchStatus.MATCHED and m.manual
    )
    taken.update(r.state_id for r in results.values() if r.status is MatchStatus.MATCHED)
    by_id = {str(c.id): c for c in children}
    async with in_transaction():
        for child_id, result in results.items():
            if result.status is MatchStatus.MATCHED and taken[result.state_id] > 1:
                # Two children would send to one state record: a person decides.
                result = MatchResult(MatchStatus.NEEDS_REVIEW, None, "", result.candidates)
            await _store_match(connection, by_id[child_id], existing.get(child_id), result, now)
    return len(results)


async def _store_match(
    connection: SubsidyConnection,
    child: Child,
    held: SubsidyMatch | None,
    result: MatchResult,
    now: datetime,
) -> None:
    values: dict[str, Any] = {
        "status": result.status,
        "state_id": result.state_id,
        "method": result.method,
        "candidates": result.candidates,
        "fingerprint": fingerprint(child),
        "manual": False,
        "updated_at": now,
    }
    if held is None:
        await SubsidyMatch.create(connection=connection, child=child, **values)
    else:
        await held.update_from_dict(values).save()


async def store_state_children(
    connection: SubsidyConnection, rows: list[dict[str, Any]], now: datetime
) -> None:
    connection.state_children = rows
    connection.children_fetched_at = now
    connection.fetch_error = ""
    connection.match_requested_at = None
    await connection.save(
        update_fields=["state_children", "children_fetched_at", "fetch_error", "match_requested_at"]
    )


async def fetch_failed(connection: SubsidyConnection, reason: str) -> None:
    connection.fetch_error = reason[:500]
    await connection.save(update_fields=["fetch_error"])


@dataclass(frozen=True)
class MatchRow:
    """One child on the matching workbench, beside the state records it was compared with."""

    child: Child
    status: MatchStatus
    state_id: str | None
    method: str
    manual: bool
    candidates: list[dict[str, Any]]


async def _connected_site(principal: StaffPrincipal, site_id: UUID) -> SubsidyConnection:
    connection = await readable_connection(principal, site_id)
    if connection is None or connection.disconnected_at is not None:
        raise DomainError(SubsidyErrorCode.NOT_CONNECTED, "This site is not connected.", "siteId")
    return connection


async def workbench(principal: StaffPrincipal, site_id: UUID) -> list[MatchRow]:
    """Every child of the site: matched, not found, or waiting for a person's review."""
    connection = await readable_connection(principal, site_id)
    if connection is None:
        return []
    children = await site_children(connection.site_id, connection.agency_id).order_by(
        "last_name", "first_name"
    )
    held = {str(m.child_id): m for m in await SubsidyMatch.filter(connection=connection)}
    rows = []
    for child in children:
        m = held.get(str(child.id))
        rows.append(
            MatchRow(
                child=child,
                status=m.status if m else MatchStatus.NOT_FOUND,
                state_id=m.state_id if m else None,
                method=m.method if m else "",
                manual=m.manual if m else False,
                candidates=m.candidates if m else [],
            )
        )
    return rows


async def set_match(
    principal: StaffPrincipal, site_id: UUID, child_id: UUID, state_id: str | None, now: datetime
) -> MatchRow:
    """Staff match a child to a state record, or unmatch it (``state_id`` None); audited."""
    connection = await _connected_site(principal, site_id)
    child = await site_children(connection.site_id, connection.agency_id).get_or_none(id=child_id)
    if child is None:
        raise NotFound("Child")
    row: dict[str, Any] | None = None
    if state_id is not None:
        row = next((r for r in connection.state_children if r.get("stateId") == state_id), None)
        if row is None:
            raise DomainError(
                SubsidyErrorCode.UNKNOWN_STATE_CHILD,
                "The state has no subsidised child with this ID for this provider.",
                "stateId",
            )
        other = (
            await SubsidyMatch.filter(
                connection=connection, state_id=state_id, status=MatchStatus.MATCHED
            )
            .exclude(child_id=child.id)
            .exists()
        )
        if other:
            raise DomainError(
                SubsidyErrorCode.STATE_ID_TAKEN,
                "Another child is already matched to this state record.",
                "stateId",
            )
    result = MatchResult(
        MatchStatus.MATCHED if row else MatchStatus.NOT_FOUND,
        state_id,
        "MANUAL" if row else "",
        [row] if row else [],
    )
    async with in_transaction():
        held = await SubsidyMatch.get_or_none(connection=connection, child=child)
        before = {"status": held.status.value, "state_id": held.state_id} if held else None
        await _store_match(connection, child, held, result, now)
        await SubsidyMatch.filter(connection=connection, child=child).update(manual=True)
        await audit.record(
            principal,
            "subsidy.match" if row else "subsidy.unmatch",
            agency_id=connection.agency_id,
            target_type="child",
            target_id=child.id,
            data={"site_id": str(connection.site_id), "before": before, "state_id": state_id},
        )
    return MatchRow(child, result.status, state_id, result.method, True, result.candidates)


async def matched_state_ids(connection: SubsidyConnection) -> dict[str, str]:
    """Child id -> state ID, for the matched children of a connection."""
    rows = await SubsidyMatch.filter(
        connection=connection, status=MatchStatus.MATCHED, state_id__isnull=False
    ).values_list("child_id", "state_id")
    return {str(child): str(state) for child, state in rows}
