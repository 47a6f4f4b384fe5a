from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import strawberry

from auth.permissions import IsAuthenticated
from auth.principals import KioskPrincipal
from models import kiosk as kiosk_models
from resolvers import kiosk as kiosk_resolvers
from resolvers.context import Info
from schema.errors import UserError, code_enum
from schema.org import Site
from schema.pinpad import PadState
from services import contactless
from services import kiosk as kiosk_service


@strawberry.type(description="A site's contactless sign-in code, as text and as a QR code.")
class ContactlessCode:
    token: str
    svg: str = strawberry.field(description="The token as a QR code, an SVG document.")
    expires_at: datetime.datetime | None = strawberry.field(
        description="The site's next local midnight for daily codes; null for static ones."
    )

    @classmethod
    def from_domain(cls, code: contactless.ContactlessCode) -> ContactlessCode:
        return cls(token=code.token, svg=code.svg(), expires_at=code.expires_at)


@strawberry.type(description="A tablet paired to one site.")
class Kiosk:
    id: strawberry.ID
    name: str
    site: Site
    paired_at: datetime.datetime
    revoked_at: datetime.datetime | None
    _model: strawberry.Private[kiosk_models.Kiosk]

    # Kiosk objects reach only the tablet itself and its site's admins (readable_kiosks),
    # so signing in is the only further condition on these fields.
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description=(
            "The QR code parents scan to sign in from their phone; null when the site has "
            "contactless sign-in switched off."
        ),
    )
    def contactless_code(self, info: Info) -> ContactlessCode | None:
        code = kiosk_resolvers.contactless_code(info, self._model)
        return ContactlessCode.from_domain(code) if code else None

    @strawberry.field(
        permission_classes=[IsAuthenticated], description="Whether the PIN pad takes PINs now."
    )
    def pad_state(self, info: Info) -> PadState:
        return PadState.from_domain(kiosk_resolvers.pad_state(info, self._model))

    @classmethod
    def from_model(cls, kiosk: kiosk_models.Kiosk) -> Kiosk:
        return cls(
            id=strawberry.ID(str(kiosk.id)),
            name=kiosk.name,
            site=Site.from_model(kiosk.site),
            paired_at=kiosk.paired_at,
            revoked_at=kiosk.revoked_at,
            _model=kiosk,
        )


@strawberry.type(description="A paired kiosk calling with its device token.")
class KioskViewer:
    kiosk_id: strawberry.ID
    name: str
    site_id: strawberry.ID

    @classmethod
    def from_principal(cls, principal: KioskPrincipal) -> KioskViewer:
        return cls(
            kiosk_id=strawberry.ID(str(principal.kiosk_id)),
            name=principal.name,
            site_id=strawberry.ID(str(principal.site_id)),
        )


@strawberry.input
class PairKioskInput:
    site_id: strawberry.ID
    name: str


@strawberry.input
class RevokeKioskInput:
    kiosk_id: strawberry.ID


if TYPE_CHECKING:
    KioskErrorCode = StrEnum
else:
    KioskErrorCode = code_enum(
        "KioskErrorCode",
        kiosk_service.KioskErrorCode,
    )


@strawberry.type
class KioskError(UserError):
    code: KioskErrorCode


@strawberry.type
class PairKioskPayload:
    device_token: str | None = strawberry.field(
        description="Shown once: store it on the tablet, it is not kept in clear."
    )
    kiosk: Kiosk | None
    errors: list[KioskError]


@strawberry.type
class RevokeKioskPayload:
    kiosk: Kiosk | None
    errors: list[KioskError]
