"""The contactless sign-in guide staff send to guardians."""

from __future__ import annotations

import strawberry

from auth.permissions import CanEditStudents
from resolvers import sign_in_guide as guide_resolvers
from resolvers.context import Info
from schema.people import ContactMethod, FamilyAdult, chosen_method, method_field
from services import sign_in_guide
from services.sign_in_guide import GuideResult

strawberry.enum(
    sign_in_guide.GuideStatus,
    name="SignInGuideStatus",
    description="QUEUED; or why not: ALREADY_QUEUED (this adult got it on this channel "
    "today), NOT_A_GUARDIAN (only guardians A and B hold a family account), NO_CONTACT (no "
    "address on the channel), TOO_MANY_MESSAGES, NOT_FOUND (unknown, or not yours).",
)
SignInGuideStatus = sign_in_guide.GuideStatus


@strawberry.type(description="The result for one adult of the request.")
class SignInGuideResult:
    adult_id: strawberry.ID
    adult: FamilyAdult | None = strawberry.field(description="Null when NOT_FOUND.")
    status: SignInGuideStatus

    @classmethod
    def from_domain(cls, result: GuideResult) -> SignInGuideResult:
        return cls(
            adult_id=strawberry.ID(result.adult_id),
            adult=FamilyAdult.from_model(result.adult) if result.adult else None,
            status=result.status,
        )


@strawberry.input
class SendSignInGuideInput:
    adult_ids: list[strawberry.ID] = strawberry.field(description="One adult or up to 100.")
    method: ContactMethod | None = method_field()


@strawberry.type
class SendSignInGuidePayload:
    results: list[SignInGuideResult] = strawberry.field(description="One per adult, in order.")


@strawberry.type
class SignInGuideMutation:
    @strawberry.mutation(
        permission_classes=[CanEditStudents],
        description="Send guardians the guide to signing children in and out from their "
        "phone with the kiosk's QR code, by email (full text and a link to the family app) "
        "or text (short, with the link), in their language.",
    )
    async def send_sign_in_guide(
        self, info: Info, input: SendSignInGuideInput
    ) -> SendSignInGuidePayload:
        ids, method = [str(i) for i in input.adult_ids], chosen_method(input.method)
        results = await guide_resolvers.send_sign_in_guide(info, ids, method)
        return SendSignInGuidePayload(results=[SignInGuideResult.from_domain(r) for r in results])
