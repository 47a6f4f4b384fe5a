"""Bearer-token sessions: issue, resolve to a principal, revoke."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from auth.principals import (
    ALL_GRANTS,
    Anonymous,
    KioskPrincipal,
    ParentPrincipal,
    Principal,
    StaffPrincipal,
    grants_for,
)
from auth.tokens import new_token, token_digest
from models.access import AuthSession, SessionKind
from models.family_accounts import FamilyAccount, GuardianLink
from models.kiosk import Kiosk
from models.org import ModuleAccess, Site, StaffSiteAccess, StaffUser


async def issue_staff_session(
    staff: StaffUser, lifetime: timedelta, ip_address: str, now: datetime
) -> str:
    """Create a session and return its token: the only time the clear token exists."""
    token = new_token()
    await AuthSession.create(
        token_hash=token_digest(token),
        kind=SessionKind.STAFF,
        staff=staff,
        expires_at=now + lifetime,
        ip_address=ip_address,
    )
    return token


async def resolve(token: str | None, now: datetime, ip_address: str = "") -> Principal | None:
    """The principal for a token; None when the token is unknown, expired or revoked."""
    if token is None:
        return Anonymous(ip_address=ip_address)
    session = (
        await AuthSession.filter(
            token_hash=token_digest(token),
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("staff__role", "kiosk__site", "account")
        .first()
    )
    if session is None:
        return None
    if session.kind is SessionKind.STAFF and session.staff is not None:
        return await _staff_principal(session, session.staff, ip_address)
    if session.kind is SessionKind.KIOSK and session.kiosk is not None:
        return _kiosk_principal(session, session.kiosk, ip_address)
    if session.kind is SessionKind.PARENT and session.account is not None:
        return await _parent_principal(session, session.account, ip_address)
    return None


def _kiosk_principal(session: AuthSession, kiosk: Kiosk, ip_address: str) -> KioskPrincipal | None:
    if kiosk.revoked_at is not None:
        return None
    return KioskPrincipal(
        session_id=session.id,
        kiosk_id=kiosk.id,
        site_id=UUID(str(kiosk.site_id)),
        agency_id=UUID(str(kiosk.site.agency_id)),
        name=kiosk.name,
        expires_at=session.expires_at,
        ip_address=ip_address,
    )


async def issue_kiosk_session(kiosk: Kiosk, lifetime: timedelta, now: datetime) -> str:
    """The device token handed to the tablet once, at pairing."""
    token = new_token()
    await AuthSession.create(
        token_hash=token_digest(token),
        kind=SessionKind.KIOSK,
        kiosk=kiosk,
        expires_at=now + lifetime,
    )
    return token


async def _staff_principal(
    session: AuthSession, staff: StaffUser, ip_address: str
) -> StaffPrincipal | None:
    if not staff.is_active:
        return None
    if staff.is_agency_admin:
        grants = ALL_GRANTS
        site_ids = await Site.filter(agency_id=staff.agency_id).values_list("id", flat=True)
    else:
        role = staff.role
        grants = grants_for(
            students=role.students if role else ModuleAccess.NONE,
            attendance=role.attendance if role else ModuleAccess.NONE,
            messaging=role.messaging if role else False,
            site_admin=role.site_admin if role else False,
        )
        site_ids = await StaffSiteAccess.filter(
            staff_id=staff.id, site__agency_id=staff.agency_id
        ).values_list("site_id", flat=True)
    return StaffPrincipal(
        session_id=session.id,
        user_id=staff.id,
        agency_id=UUID(str(staff.agency_id)),
        name=staff.display_name,
        is_agency_admin=staff.is_agency_admin,
        grants=frozenset(grants),
        site_ids=frozenset(UUID(str(s)) for s in site_ids),
        expires_at=session.expires_at,
        ip_address=ip_address,
    )


async def issue_parent_session(
    account: FamilyAccount, lifetime: timedelta, ip_address: str, now: datetime
) -> str:
    token = new_token()
    await AuthSession.create(
        token_hash=token_digest(token),
        kind=SessionKind.PARENT,
        account=account,
        expires_at=now + lifetime,
        ip_address=ip_address,
    )
    return token


async def _parent_principal(
    session: AuthSession, account: FamilyAccount, ip_address: str
) -> ParentPrincipal | None:
    if not account.is_active:
        return None
    # Read on every resolve: an unlink, or a guardian turned into a contact, ends that
    # access on the next request without touching the account's sessions.
    links = await GuardianLink.filter(
        account_id=account.id, adult__guardian_slot__isnull=False
    ).values_list("adult_id", "adult__family_id", "adult__family__agency_id")
    return ParentPrincipal(
        session_id=session.id,
        account_id=account.id,
        login=account.login,
        adult_ids=frozenset(UUID(str(adult)) for adult, _, _ in links),
        family_ids=frozenset(UUID(str(family)) for _, family, _ in links),
        agency_ids=frozenset(UUID(str(agency)) for _, _, agency in links),
        expires_at=session.expires_at,
        ip_address=ip_address,
    )


async def revoke(session_id: UUID, now: datetime) -> None:
    await AuthSession.filter(id=session_id, revoked_at__isnull=True).update(revoked_at=now)


async def revoke_account_sessions(account_id: UUID, now: datetime) -> None:
    """End every session of a family account (its password changed)."""
    await AuthSession.filter(account_id=account_id, revoked_at__isnull=True).update(revoked_at=now)


async def revoke_staff_sessions(staff_id: UUID, now: datetime) -> None:
    """End every session of a staff member (password chosen, deactivated)."""
    await AuthSession.filter(staff_id=staff_id, revoked_at__isnull=True).update(revoked_at=now)
