"""Shared subscription delivery: one execution per distinct subscription and event.

Sockets whose subscriptions are identical (the same document, operation name, variables
and permission scope: the principal without its session, expiry and address) form a
group. The group runs the subscription once, in its own task, and hands the encoded
result to every member; each member's frame is that same payload behind its own
operation id. Each socket is still authorized on its own and reads its own initial
snapshot (its resolver runs up to ``listening``, resolvers/subscriptions.py), and each
has its own bounded queue and writer: a socket that falls ``queue_limit`` frames behind
is closed with 1013 alone, as when it listened alone.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import json
import logging
import uuid
from contextlib import aclosing
from datetime import UTC, datetime
from typing import Any

from starlette.websockets import WebSocket, WebSocketState
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types import ExecutionResult

from realtime.bus import EventBus
from resolvers.context import Context
from resolvers.loaders import Loaders
from resolvers.subscriptions import SHARING, SLOW_CONSUMER_CLOSE_CODE, Joined

logger = logging.getLogger(__name__)

_NO_SESSION = uuid.UUID(int=0)
_NO_EXPIRY = datetime(2000, 1, 1, tzinfo=UTC)
# Running socket closes; referenced so they are not garbage-collected mid-flight.
_closing: set[asyncio.Task[None]] = set()

Key = tuple[str, str | None, str, object]


def scope_of(context: Context) -> object:
    """What a subscription's results may depend on besides its document: the principal,
    less what differs between two sessions of the same person or device."""
    principal: Any = context.principal
    if hasattr(principal, "session_id"):
        return dataclasses.replace(
            principal, session_id=_NO_SESSION, expires_at=_NO_EXPIRY, ip_address=""
        )
    return dataclasses.replace(principal, ip_address="")


def encode(result: ExecutionResult) -> str:
    """A ``next`` message's payload, as strawberry's handler would build it."""
    payload: dict[str, object] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return json.dumps(payload)


class Hub:
    """The groups of one process."""

    def __init__(self, schema: BaseSchema, bus: EventBus, queue_limit: int) -> None:
        self.schema = schema
        self.bus = bus
        self.queue_limit = queue_limit
        self._groups: dict[Key, Group] = {}

    def group_count(self) -> int:
        return len(self._groups)

    def member(self, operation: Operation[Context, None], context: Context) -> Member:
        variables = json.dumps(operation.variables or {}, sort_keys=True, default=str)
        key = (operation.query, operation.operation_name, variables, scope_of(context))
        return Member(self, key, operation, context)

    def group(self, key: Key, channel: str, member: Member) -> Group | None:
        """The group for ``key``, started for ``member`` if there is none yet."""
        group = self._groups.get(key)
        if group is None:
            group = Group(self, key, channel, member)
            self._groups[key] = group
        return group if group.channel == channel else None

    def forget(self, group: Group) -> None:
        if self._groups.get(group.key) is group:
            del self._groups[group.key]


class Group:
    """One subscription executed once for its members; it takes SHARING's group part."""

    counted = False

    def __init__(self, hub: Hub, key: Key, channel: str, first: Member) -> None:
        self.hub = hub
        self.key = key
        self.channel = channel
        self.members: set[Member] = set()
        self.ready = asyncio.Event()
        self.running = False
        self.live = False
        operation = first.operation
        context = dataclasses.replace(first.context, loaders=Loaders())
        self.task = asyncio.create_task(
            self._run(operation.query, operation.variables, operation.operation_name, context),
            name=f"playroll-fanout:{channel}",
        )

    async def join(self, channel: str) -> Joined | None:
        return None  # the group listens itself

    def started(self) -> None:
        self.running = True
        self.ready.set()

    def received(self) -> None:
        self.live = True

    def leave(self) -> None:
        pass

    async def overflowed(self) -> None:
        for member in tuple(self.members):
            member.cut_off()

    def stop(self) -> None:
        self.hub.forget(self)
        self.task.cancel()

    async def _run(
        self, query: str, variables: dict[str, Any] | None, name: str | None, context: Context
    ) -> None:
        SHARING.set(self)
        try:
            source = await self.hub.schema.stream(
                query, variable_values=variables, context_value=context, operation_name=name
            )
            async with aclosing(source):
                async for result in source:
                    # What comes before the first message is the group's own snapshot:
                    # each member has read its own.
                    if self.live and isinstance(result, ExecutionResult):
                        self._deliver(encode(result))
        except Exception:
            logger.exception("shared subscription on %s failed", self.channel)
        finally:
            self.running = False
            self.ready.set()
            self.hub.forget(self)
            for member in tuple(self.members):
                member.finish()

    def _deliver(self, payload: str) -> None:
        for member in tuple(self.members):
            member.offer(payload)


class Member:
    """One socket's operation in a group: SHARING's socket part."""

    counted = True

    def __init__(
        self, hub: Hub, key: Key, operation: Operation[Context, None], context: Context
    ) -> None:
        self.hub = hub
        self.key = key
        self.operation = operation
        self.context = context
        self.group: Group | None = None
        self.finished = False
        # A socket holds its frames, a writer task and a future to wait on only while it
        # needs them: a thousand idle dashboards paid for an asyncio.Queue, an Event and
        # a parked writer each (bench part 5).
        self._frames: collections.deque[str] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._left: asyncio.Future[None] | None = None
        self._prefix = '{"id":' + json.dumps(operation.id) + ',"type":"next","payload":'
        self._counted = False

    async def join(self, channel: str) -> Joined | None:
        group = self.hub.group(self.key, channel, self)
        if group is None:
            return None
        group.members.add(self)
        self.group = group
        try:
            await group.ready.wait()
        finally:
            if not group.running:
                self.leave()
        if self.group is None:
            return None
        self._counted = True
        self.hub.bus.joined(channel)
        return Joined(self.until_finished)

    def started(self) -> None:
        pass

    def received(self) -> None:
        pass

    async def overflowed(self) -> None:
        pass

    def offer(self, payload: str) -> None:
        if self.finished:
            return
        if self._frames is None:
            self._frames = collections.deque()
        if len(self._frames) >= self.hub.queue_limit:
            self.cut_off()
            return
        self._frames.append(self._prefix + payload + "}")
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(), name="playroll-fanout-writer")

    def cut_off(self) -> None:
        """Too far behind: close the socket (the client reconnects and refetches)."""
        if self.finished:
            return
        self.finish()
        closing = asyncio.create_task(_close_slow(self.context.request))
        _closing.add(closing)
        closing.add_done_callback(_closing.discard)

    def finish(self) -> None:
        self.finished = True
        self._frames = None
        if self._left is not None and not self._left.done():
            self._left.set_result(None)

    async def _write(self) -> None:
        """Send the frames waiting, then end: the next offer starts a writer again."""
        websocket = self.context.request
        assert isinstance(websocket, WebSocket)
        try:
            while self._frames:
                await websocket.send_text(self._frames.popleft())
        except (RuntimeError, OSError):
            self.finish()
        finally:
            self._writer = None

    async def until_finished(self) -> None:
        if not self.finished:
            self._left = asyncio.get_running_loop().create_future()
            await self._left

    def leave(self) -> None:
        group, self.group = self.group, None
        if self._writer is not None:
            self._writer.cancel()
        if group is None:
            return
        group.members.discard(self)
        if self._counted:
            self._counted = False
            self.hub.bus.left(group.channel)
        if not group.members:
            group.stop()


async def _close_slow(websocket: object) -> None:
    if isinstance(websocket, WebSocket) and websocket.application_state is WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, OSError):
            await websocket.close(code=SLOW_CONSUMER_CLOSE_CODE, reason="Too far behind")


class SharingHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's graphql-transport-ws handler, with each operation offered a group."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        hub: Hub | None = getattr(self.view, "fanout", None)
        if hub is not None:
            SHARING.set(hub.member(operation, self.context))
        await super().run_operation(operation)
