"""GET /reports/{token}: a built report, while its short-lived link lives.

The random token in the path is the credential (only its keyed hash is stored), so a
browser can open the link as is; unknown and expired links answer the same 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from server.settings import Settings
from services import reports
from services.clock import Clock


def report_download(settings: Settings, clock: Clock) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        token = str(request.path_params["token"])
        found = await reports.download(settings.secret, token, clock.now())
        if found is None:
            return PlainTextResponse("This link is not valid or has expired.", status_code=404)
        return Response(
            bytes(found.body),
            media_type=found.content_type,
            headers={
                "Content-Disposition": f'attachment; filename="{found.filename}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return endpoint
