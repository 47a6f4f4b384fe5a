from __future__ import annotations

from models.people import ContactMethod
from resolvers.context import Info
from resolvers.outcome import raising
from services import sign_in_guide
from services.sign_in_guide import GuideResult, GuideSending


async def send_sign_in_guide(
    info: Info, adult_ids: list[str], method: ContactMethod | None
) -> list[GuideResult]:
    ctx = info.context
    cap = ctx.settings.notification_destination_hourly_cap
    sending = GuideSending(ctx.settings.secret, ctx.settings.base_url, ctx.now(), cap, method)
    return await raising(sign_in_guide.send_sign_in_guide(ctx.staff, adult_ids, sending))
