"""Publishing to, and listening on, the broadcast backend.

Publishing never fails the change that caused it: the database is the source of truth
and live views resynchronise from it. Listening is bounded: a subscriber that cannot
keep up overflows its own queue and is told so, and nobody else waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any, Final, Protocol

from realtime.events import Event, is_resync, parse
from realtime.owed_resyncs import FIRST_RETRY_SECONDS, OwedResyncs

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 1.0
DEFAULT_QUEUE_LIMIT = 100


class Resync:
    """Marker: messages may have been lost; rebuild the view from the database."""


RESYNC: Final = Resync()


class SlowConsumer(Exception):
    """The subscriber fell more than the queue limit behind."""


class Broadcaster(Protocol):
    async def publish(self, channel: str, message: Any) -> None: ...

    def subscribe(self, channel: str) -> contextlib.AbstractAsyncContextManager[Any]: ...


# What runs when a listener overflows (closing its socket, say).
Remedy = Callable[[], Coroutine[Any, Any, None]]

_OVERFLOW: Final = object()
# Tasks that finish on their own (overflow remedies, abandoned subscriptions): the loop
# holds tasks weakly, so they are referenced here until done.
_background: set[asyncio.Task[None]] = set()


class EventBus:
    def __init__(
        self,
        broadcast: Broadcaster | None,
        *,
        queue_limit: int = DEFAULT_QUEUE_LIMIT,
        resync_retry: float = FIRST_RETRY_SECONDS,
    ) -> None:
        self._broadcast = broadcast
        self.queue_limit = queue_limit
        self._owed = OwedResyncs(self._send, first_retry=resync_retry)
        # broadcaster's Broadcast.subscribe awaits the backend before it records the
        # subscriber (and the reverse on exit), so concurrent first subscribers to one
        # channel overwrite each other. Entering and leaving are serialised per channel.
        self._channel_locks: dict[str, asyncio.Lock] = {}
        self._listening: Counter[str] = Counter()
        # Called with each (channel, event) this process publishes, before the broker
        # hears it (the session cache drops a principal whose access changed).
        self.on_publish: list[Callable[[str, Event], None]] = []

    def subscriber_count(self, channel: str) -> int:
        """Listeners in this process whose subscription to ``channel`` has been made.

        Operators' tooling and tests wait on it rather than guess how long subscribing takes.
        """
        return self._listening[channel]

    def joined(self, channel: str) -> None:
        """A socket now receives ``channel``'s events through a shared delivery (one
        listener per distinct subscription, server/fanout.py): it counts as a listener."""
        self._listening[channel] += 1

    def left(self, channel: str) -> None:
        """The reverse of ``joined``."""
        self._listening[channel] -= 1
        if self._listening[channel] <= 0:
            del self._listening[channel]

    async def listened(self, channels: Sequence[str]) -> set[str]:
        """The channels someone listens on, in this process or (over Redis) any other.

        Presence, not delivery: a socket that drops right after is still counted. When
        the broker cannot answer in time, only this process's listeners are known.
        """
        found = {c for c in channels if self._listening[c]}
        rest = [c for c in channels if c not in found]
        backend = getattr(self._broadcast, "_backend", None)
        counts = getattr(backend, "subscriber_counts", None)
        if not rest or counts is None:
            return found
        try:
            remote = await asyncio.wait_for(counts(rest), PUBLISH_TIMEOUT_SECONDS)
        except Exception:
            logger.warning("could not ask the broker who listens", exc_info=True)
            return found
        return found | {c for c, n in remote.items() if n > 0}

    async def publish(self, messages: Sequence[tuple[str, Event]]) -> None:
        """Publish after commit. A slow or dead broker is logged, never raised; the
        channels it failed on are owed a RESYNC (realtime/owed_resyncs.py)."""
        for channel, event in messages:
            for hook in self.on_publish:
                hook(channel, event)
        if self._broadcast is None:
            return
        for channel, event in messages:
            # A subscriber that missed an earlier event must rebuild its view before it
            # applies a later one. While even that fails, the owed RESYNC covers this too.
            if channel in self._owed and not await self._owed.pay(channel):
                logger.warning("could not publish %s on %s (a RESYNC is owed)", event.type, channel)
                continue
            try:
                await self._send(channel, event.to_json())
            except Exception:
                logger.warning("could not publish %s on %s", event.type, channel, exc_info=True)
                self._owed.owe(channel)

    async def close(self) -> None:
        """Before the broker disconnects: one last try to send the RESYNCs still owed."""
        await self._owed.close()

    async def _send(self, channel: str, message: str) -> None:
        assert self._broadcast is not None
        await asyncio.wait_for(self._broadcast.publish(channel, message), PUBLISH_TIMEOUT_SECONDS)

    @contextlib.asynccontextmanager
    async def listen(
        self, channel: str, on_overflow: Remedy | None = None, *, counted: bool = True
    ) -> AsyncIterator[AsyncIterator[Event | Resync]]:
        """Events on ``channel`` (and RESYNC markers) until the block is left.

        When the consumer falls more than ``queue_limit`` events behind, ``on_overflow``
        runs at once (a consumer stuck writing to a slow socket would never notice) and
        the iterator raises SlowConsumer. What arrives after that is dropped, so memory
        stays bounded until the caller leaves the block. A shared delivery listens
        uncounted: its sockets count themselves (``joined``).
        """
        if self._broadcast is None:
            raise RuntimeError("no broadcast backend configured")
        queue: asyncio.Queue[object] = asyncio.Queue(maxsize=self.queue_limit)
        lock = self._channel_locks.setdefault(channel, asyncio.Lock())
        subscription = self._broadcast.subscribe(channel)
        subscriber = await _enter(subscription, lock)
        if counted:
            self.joined(channel)
        try:
            # A cancel that arrived while subscribing can be swallowed below us (Python
            # 3.11's wait_for, client libraries); honour it, or this task outlives its
            # socket's cleanup and listens forever.
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise asyncio.CancelledError

            async def pump() -> None:
                overflowed = False
                async for item in subscriber:
                    if overflowed:
                        continue
                    try:
                        queue.put_nowait(item.message)
                    except asyncio.QueueFull:
                        overflowed = True
                        while not queue.empty():
                            queue.get_nowait()
                        queue.put_nowait(_OVERFLOW)
                        if on_overflow is not None:
                            # Its own task: the consumer leaving the block cancels this
                            # pump, and must not cancel the remedy halfway.
                            _keep(asyncio.create_task(on_overflow()))

            pumping = asyncio.create_task(pump(), name=f"playroll-listen:{channel}")
            try:
                yield _drain(queue)
            finally:
                pumping.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pumping
        finally:
            if counted:
                self.left(channel)
            # Shielded: a cancelled subscriber must still leave the channel cleanly.
            await asyncio.shield(_leave(subscription, lock))


async def _enter(
    subscription: contextlib.AbstractAsyncContextManager[Any], lock: asyncio.Lock
) -> Any:
    """Subscribe, completing even when the caller is cancelled halfway.

    A socket can drop while Redis has not yet confirmed its SUBSCRIBE. Cancelled there,
    broadcaster's subscribe raises KeyError on its way out and never unsubscribes, so the
    channel stayed subscribed (and re-subscribed after every reconnect) for the life of
    the process. Entering runs to its end instead, and a cancelled caller leaves at once.
    """

    async def enter() -> Any:
        async with lock:
            return await subscription.__aenter__()

    entering = asyncio.ensure_future(enter())
    try:
        return await asyncio.shield(entering)
    except asyncio.CancelledError:
        _keep(asyncio.ensure_future(_abandon(entering, subscription, lock)))
        raise


async def _abandon(
    entering: asyncio.Future[Any],
    subscription: contextlib.AbstractAsyncContextManager[Any],
    lock: asyncio.Lock,
) -> None:
    try:
        await entering
    except Exception:
        logger.warning("subscribing failed after its listener had gone", exc_info=True)
        return
    await _leave(subscription, lock)


def _keep(task: asyncio.Task[None]) -> None:
    _background.add(task)
    task.add_done_callback(_background.discard)


async def _leave(
    subscription: contextlib.AbstractAsyncContextManager[Any], lock: asyncio.Lock
) -> None:
    async with lock:
        await subscription.__aexit__(None, None, None)


async def _drain(queue: asyncio.Queue[object]) -> AsyncIterator[Event | Resync]:
    while True:
        message = await queue.get()
        if message is _OVERFLOW:
            raise SlowConsumer
        assert isinstance(message, str)
        if is_resync(message):
            yield RESYNC
            continue
        event = parse(message)
        if event is not None:
            yield event
