"""Staff reviewing the children the system signed out at the end of the day."""

from __future__ import annotations

from datetime import date

from resolvers.context import Info
from resolvers.outcome import object_id, raising
from services import day_close
from services.day_close import AutoCheckout


async def auto_checkouts(info: Info, site_id: str, on: date) -> list[AutoCheckout]:
    ctx = info.context
    return await raising(day_close.auto_checkouts(ctx.staff, object_id(site_id, "Site"), on))
