"""Named permission classes, declared on fields and mutations with ``permission_classes``.

These answer "may this kind of caller use this field at all". Which rows a caller may
touch (their agency, their sites, their family) is decided by the service query.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from strawberry.exceptions import StrawberryGraphQLError
from strawberry.permission import BasePermission
from strawberry.types import Info

from auth.principals import Grant, Principal, is_anonymous, is_kiosk, is_parent, is_staff


class HasPrincipal(Protocol):
    principal: Principal


def _principal(info: Info[Any, Any]) -> Principal:
    context: HasPrincipal = info.context
    return context.principal


class IsAuthenticated(BasePermission):
    message = "Sign in first."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        return not is_anonymous(_principal(info))


class _SignedInAnd(BasePermission):
    """FORBIDDEN unless ``allows(principal)``; but a caller with no valid token is told
    to sign in (UNAUTHENTICATED), not that they are forbidden."""

    message = "Your access does not allow this."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        principal = _principal(info)
        if is_anonymous(principal):
            raise StrawberryGraphQLError(
                IsAuthenticated.message, extensions=dict(IsAuthenticated.error_extensions)
            )
        return self.allows(principal)

    def allows(self, principal: Principal) -> bool:
        raise NotImplementedError


# Every staff class below tests ``is_staff`` first, so parents and kiosks are refused by
# construction, whatever grants a future class checks.


class IsStaff(_SignedInAnd):
    message = "Only staff may do this."

    def allows(self, principal: Principal) -> bool:
        return is_staff(principal)


class _StaffGrant(_SignedInAnd):
    grant: ClassVar[Grant]
    message = "Your role does not allow this."

    def allows(self, principal: Principal) -> bool:
        return is_staff(principal) and principal.has(self.grant)


class CanViewStudents(_StaffGrant):
    grant = Grant.VIEW_STUDENTS


class CanEditStudents(_StaffGrant):
    grant = Grant.EDIT_STUDENTS


class CanViewAttendance(_StaffGrant):
    grant = Grant.VIEW_ATTENDANCE


class CanEditAttendance(_StaffGrant):
    grant = Grant.EDIT_ATTENDANCE


class CanSignChildren(_SignedInAnd):
    """Staff with Attendance edit rights, or a parent (their own children, at the door:
    the service checks the site's contactless code)."""

    message = "Your access does not allow this."

    def allows(self, principal: Principal) -> bool:
        return (is_staff(principal) and principal.has(Grant.EDIT_ATTENDANCE)) or is_parent(
            principal
        )


class CanSyncAttendance(_SignedInAnd):
    """Staff with Attendance edit rights, or a paired kiosk (its own site's PIN-pad
    entries, each with the PIN the adult typed: the service checks them as the pad does)."""

    message = "Your access does not allow this."

    def allows(self, principal: Principal) -> bool:
        return (is_staff(principal) and principal.has(Grant.EDIT_ATTENDANCE)) or is_kiosk(principal)


class CanMessage(_SignedInAnd):
    """Staff with the Messaging grant, or a parent (their own families' conversations:
    the service scopes the rows). Staff without Messaging and kiosks are refused."""

    message = "Your access does not include messaging."

    def allows(self, principal: Principal) -> bool:
        return (is_staff(principal) and principal.has(Grant.MESSAGING)) or is_parent(principal)


class CanMessageAsStaff(_StaffGrant):
    """Staff with the Messaging grant only: what staff alone do (share a moment, read a
    site's moments, delete what they posted)."""

    grant = Grant.MESSAGING
    message = "Your access does not include messaging."


class CanReadReports(_SignedInAnd):
    """Staff with Attendance view (their sites' reports), or a parent (their own children's
    attendance: the service scopes it). Kiosks are refused."""

    message = "Your access does not include reports."

    def allows(self, principal: Principal) -> bool:
        return (is_staff(principal) and principal.has(Grant.VIEW_ATTENDANCE)) or is_parent(
            principal
        )


class IsSiteAdmin(_StaffGrant):
    grant = Grant.SITE_ADMIN


class IsAgencyAdmin(_SignedInAnd):
    message = "Only an agency admin may do this."

    def allows(self, principal: Principal) -> bool:
        return is_staff(principal) and principal.is_agency_admin


class IsKiosk(_SignedInAnd):
    message = "Only a paired kiosk may do this."

    def allows(self, principal: Principal) -> bool:
        return is_kiosk(principal)


class IsParent(_SignedInAnd):
    """A signed-in family account. Which children it reaches is decided by the service."""

    message = "Only a family account may do this."

    def allows(self, principal: Principal) -> bool:
        return is_parent(principal)


class IsStaffOrParent(_SignedInAnd):
    """People signed in with their own login; kiosks are devices and are refused."""

    message = "Only staff or a family account may do this."

    def allows(self, principal: Principal) -> bool:
        return is_staff(principal) or is_parent(principal)


class AllowAnyone(BasePermission):
    """Declared on the few public entry points (login), so the schema audit sees a choice."""

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        return True
