"""Writing the audit log. Call inside the transaction of the change being recorded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from auth.principals import Principal, is_kiosk, is_staff
from models.audit import AuditEntry


async def record(
    principal: Principal,
    action: str,
    *,
    agency_id: UUID | str | None,
    target_type: str = "",
    target_id: UUID | str | None = None,
    operator_id: UUID | str | None = None,
    on_behalf_of: tuple[str, UUID | str] | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """``on_behalf_of`` (kind, id) names the person acting through a shared device, such
    as the guardian at a kiosk; the device is recorded either way."""
    entry = new_entry(
        principal,
        action,
        agency_id=agency_id,
        target_type=target_type,
        target_id=target_id,
        operator_id=operator_id,
        on_behalf_of=on_behalf_of,
        data=data,
    )
    await entry.save(force_create=True)
    return entry


async def record_all(entries: Sequence[AuditEntry]) -> None:
    """Write entries built by :func:`new_entry` in one statement (a group of children)."""
    if entries:
        await AuditEntry.bulk_create(entries)


def new_entry(
    principal: Principal,
    action: str,
    *,
    agency_id: UUID | str | None,
    target_type: str = "",
    target_id: UUID | str | None = None,
    operator_id: UUID | str | None = None,
    on_behalf_of: tuple[str, UUID | str] | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """An entry as :func:`record` writes it, not yet saved (see :func:`record_all`)."""
    actor_kind: str = principal.kind
    actor_id = str(principal.principal_id) if is_staff(principal) or is_kiosk(principal) else None
    if on_behalf_of is not None:
        actor_kind, actor_id = on_behalf_of[0], str(on_behalf_of[1])
    device = principal.device if is_staff(principal) or is_kiosk(principal) else ""
    return AuditEntry(
        agency_id=agency_id,
        action=action,
        actor_kind=actor_kind,
        actor_id=actor_id,
        operator_id=str(operator_id) if operator_id else None,
        device=device,
        ip_address=principal.ip_address,
        target_type=target_type,
        target_id=str(target_id) if target_id else None,
        data=data or {},
    )
