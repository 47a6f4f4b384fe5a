"""Listening for one GraphQL subscription: the one place that subscribes to the bus.

Each subscription resolver first reads its object through a scoped service call (the
authorization: a foreign or missing object is NOT_FOUND), then listens here.

Sockets whose subscriptions are identical (same document, variables and principal scope)
share one delivery (server/fanout.py sets ``SHARING`` while an operation runs): each one
is authorized here on its own and reads its own initial snapshot, but then joins the
group's single execution instead of listening alone.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextvars import ContextVar
from typing import Any, Protocol

from starlette.websockets import WebSocket, WebSocketState

from realtime.bus import Resync, SlowConsumer
from realtime.events import Event
from resolvers.context import Context, Info
from resolvers.loaders import Loaders

# "Try again later": the client should reconnect and refetch.
SLOW_CONSUMER_CLOSE_CODE = 1013

Message = Event | Resync


class Sharing(Protocol):
    """How the running subscription takes part in a shared delivery."""

    # Whether its own bus listener counts as a socket listening (the group's does not).
    counted: bool

    async def join(self, channel: str) -> Joined | None:
        """A socket: join the group listening on ``channel``; what ends when the socket
        leaves it, or None to listen alone."""
        ...

    def leave(self) -> None:
        """A socket: leave the group it joined."""

    def started(self) -> None:
        """The group's own listener is subscribed."""

    def received(self) -> None:
        """The group took a message: what it yields from now on is live."""

    async def overflowed(self) -> None:
        """The group itself fell behind."""


SHARING: ContextVar[Sharing | None] = ContextVar("playroll_sharing", default=None)


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

    def __init__(
        self, context: Context, messages: AsyncIterator[Message], sharing: Sharing | None
    ) -> None:
        self._context = context
        self._messages = messages
        self._sharing = sharing

    def __aiter__(self) -> _Renewing:
        return self

    async def __anext__(self) -> Message:
        message = await anext(self._messages)
        self._context.loaders = Loaders()
        if self._sharing is not None:
            self._sharing.received()
        return message


class Joined:
    """A socket's part in a shared delivery: the group applies each message and sends
    the result for it, so this yields nothing and ends when the socket leaves. A
    resolver that keeps state only to apply messages can let it go (``delegated``).
    Not an async generator: the loop keeps each of those in a weak set, ~1 KiB each."""

    def __init__(self, until_left: Callable[[], Awaitable[None]]) -> None:
        self._until_left = until_left

    def __aiter__(self) -> Joined:
        return self

    async def __anext__(self) -> Message:
        await self._until_left()
        raise StopAsyncIteration


def delegated(messages: AsyncIterator[Message]) -> bool:
    """Whether a shared delivery's group handles ``messages`` for this socket."""
    return isinstance(messages, Joined)


@contextlib.asynccontextmanager
async def listening(info: Info, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
    """The channel's events (and resync markers) until the block is left.

    A socket that falls too far behind is closed with 1013 and the subscription ends
    quietly: the block is left as if the stream had ended.
    """
    ctx = info.context
    sharing = SHARING.get()
    if sharing is not None:
        shared = await sharing.join(channel)
        if shared is not None:
            try:
                yield shared
            finally:
                sharing.leave()
            return
    on_overflow = sharing.overflowed if sharing is not None else _slow_socket_closer(info)
    counted = sharing is None or sharing.counted
    try:
        async with ctx.bus.listen(channel, on_overflow, counted=counted) as messages:
            if sharing is not None:
                sharing.started()
            yield _Renewing(ctx, messages, sharing)
    except SlowConsumer:
        return
