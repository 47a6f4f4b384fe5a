"""Who is calling: a closed union of principals, built once per request or socket."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeGuard
from uuid import UUID

from models.org import ModuleAccess


class Grant(StrEnum):
    """The staff permissions that fields and mutations declare."""

    VIEW_STUDENTS = "VIEW_STUDENTS"
    EDIT_STUDENTS = "EDIT_STUDENTS"
    VIEW_ATTENDANCE = "VIEW_ATTENDANCE"
    EDIT_ATTENDANCE = "EDIT_ATTENDANCE"
    MESSAGING = "MESSAGING"
    SITE_ADMIN = "SITE_ADMIN"


def grants_for(
    *, students: ModuleAccess, attendance: ModuleAccess, messaging: bool, site_admin: bool
) -> frozenset[Grant]:
    grants: set[Grant] = set()
    if students in (ModuleAccess.VIEW, ModuleAccess.EDIT):
        grants.add(Grant.VIEW_STUDENTS)
    if students is ModuleAccess.EDIT:
        grants.add(Grant.EDIT_STUDENTS)
    if attendance in (ModuleAccess.VIEW, ModuleAccess.EDIT):
        grants.add(Grant.VIEW_ATTENDANCE)
    if attendance is ModuleAccess.EDIT:
        grants.add(Grant.EDIT_ATTENDANCE)
    if messaging:
        grants.add(Grant.MESSAGING)
    if site_admin:
        grants.add(Grant.SITE_ADMIN)
    return frozenset(grants)


ALL_GRANTS = frozenset(Grant)


@dataclass(frozen=True)
class StaffPrincipal:
    session_id: UUID
    user_id: UUID
    agency_id: UUID
    name: str
    is_agency_admin: bool
    grants: frozenset[Grant]
    # Agency admins reach every site of their agency; others only the sites assigned.
    site_ids: frozenset[UUID]
    expires_at: datetime
    ip_address: str = ""
    kind: str = field(default="STAFF", init=False)

    def has(self, grant: Grant) -> bool:
        return grant in self.grants

    @property
    def device(self) -> str:
        return f"staff-session:{self.session_id}"

    @property
    def principal_id(self) -> UUID:
        return self.user_id


@dataclass(frozen=True)
class KioskPrincipal:
    """A paired tablet: its own site's PIN pad and QR code, nothing else."""

    session_id: UUID
    kiosk_id: UUID
    site_id: UUID
    agency_id: UUID
    name: str
    expires_at: datetime
    ip_address: str = ""
    kind: str = field(default="KIOSK", init=False)

    @property
    def device(self) -> str:
        return f"kiosk:{self.kiosk_id}"

    @property
    def principal_id(self) -> UUID:
        return self.kiosk_id


@dataclass(frozen=True)
class ParentPrincipal:
    """A family account: only the children of the guardians it is linked to.

    The links are read when the token is resolved, so an unlink takes effect on the
    very next request; open sockets are closed so they reconnect with the new links.
    """

    session_id: UUID
    account_id: UUID
    login: str
    # Parent/Guardian A or B records the account is linked to, at any agency.
    adult_ids: frozenset[UUID]
    family_ids: frozenset[UUID]
    agency_ids: frozenset[UUID]
    expires_at: datetime
    ip_address: str = ""
    kind: str = field(default="PARENT", init=False)

    @property
    def device(self) -> str:
        return f"family-session:{self.session_id}"

    @property
    def principal_id(self) -> UUID:
        return self.account_id


@dataclass(frozen=True)
class Anonymous:
    ip_address: str = ""
    kind: str = field(default="ANONYMOUS", init=False)


@dataclass(frozen=True)
class SystemPrincipal:
    """Playroll itself, acting on a schedule (the end-of-day check-out): no person, no
    session, no grant. Only services use it, for the audit entries of what it records."""

    ip_address: str = ""
    kind: str = field(default="SYSTEM", init=False)


Principal = StaffPrincipal | ParentPrincipal | KioskPrincipal | Anonymous | SystemPrincipal
# Principals that hold a session (and so a socket that must close when it ends).
SessionPrincipal = StaffPrincipal | ParentPrincipal | KioskPrincipal


def is_staff(principal: Principal) -> TypeGuard[StaffPrincipal]:
    return isinstance(principal, StaffPrincipal)


def is_parent(principal: Principal) -> TypeGuard[ParentPrincipal]:
    return isinstance(principal, ParentPrincipal)


def is_kiosk(principal: Principal) -> TypeGuard[KioskPrincipal]:
    return isinstance(principal, KioskPrincipal)


def is_anonymous(principal: Principal) -> TypeGuard[Anonymous]:
    return isinstance(principal, Anonymous)
