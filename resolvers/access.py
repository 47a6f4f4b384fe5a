from __future__ import annotations

from datetime import timedelta

from resolvers.context import Info
from resolvers.outcome import Outcome, outcome
from services import access


async def staff_login(info: Info, email: str, password: str) -> Outcome[str]:
    ctx = info.context
    return await outcome(
        access.staff_login(
            ctx.principal,
            email,
            password,
            policy=ctx.throttle_policy,
            session_lifetime=timedelta(hours=ctx.settings.session_lifetime_hours),
            now=ctx.now(),
        )
    )


async def logout(info: Info) -> None:
    await access.logout(info.context.staff, info.context.bus, info.context.now())
