"""Listening for one GraphQL subscription: the one place that subscribes to the bus.

Each subscription resolver first reads its object through a scoped service call (the
authorization: a foreign or missing object is NOT_FOUND), then listens here.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

from realtime.bus import Resync, SlowConsumer
from realtime.events import Event
from resolvers.context import Context, Info
from resolvers.loaders import Loaders

# "Try again later": the client should reconnect and refetch.
SLOW_CONSUMER_CLOSE_CODE = 1013

Message = Event | Resync


def _slow_socket_closer(info: Info) -> Callable[[], Coroutine[Any, Any, None]]:
    async def close() -> None:
        # The socket's own queue overflowed: close it (the client reconnects and
        # refetches) rather than buffer without bound or slow other subscribers down.
        request = info.context.request
        if isinstance(request, WebSocket) and request.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError, OSError):
                await request.close(code=SLOW_CONSUMER_CLOSE_CODE, reason="Too far behind")

    return close


class _Renewing:
    """The bus's messages, with fresh DataLoaders before each one.

    strawberry builds the context once per WebSocket connection, so without this a
    loader's cache would answer every later message with the rows of the first.
    """

    def __init__(self, context: Context, messages: AsyncIterator[Message]) -> None:
        self._context = context
        self._messages = messages

    def __aiter__(self) -> _Renewing:
        return self

    async def __anext__(self) -> Message:
        message = await anext(self._messages)
        self._context.loaders = Loaders()
        return message


@contextlib.asynccontextmanager
async def listening(info: Info, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
    """The channel's events (and resync markers) until the block is left.

    A socket that falls too far behind is closed with 1013 and the subscription ends
    quietly: the block is left as if the stream had ended.
    """
    ctx = info.context
    try:
        async with ctx.bus.listen(channel, _slow_socket_closer(info)) as messages:
            yield _Renewing(ctx, messages)
    except SlowConsumer:
        return
