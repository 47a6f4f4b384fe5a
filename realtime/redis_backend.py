"""A Redis broadcast backend that survives Redis restarts, hangs and redis-py 8.

broadcaster 0.3.1's own Redis backend is unusable here: with redis-py 8 it marks itself
ready before SUBSCRIBE completes, so its listener finds no subscription, returns at once
and is never restarted (every subscriber hangs); and it never reconnects after Redis
restarts. This backend keeps one supervised pub/sub connection instead. It reconnects
with backoff, re-subscribes the wanted channels, and then sends RESYNC_MESSAGE on each
one, because pub/sub drops whatever was published while we were away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Any

import redis.asyncio as aioredis
from broadcaster import Event
from broadcaster._backends.base import BroadcastBackend
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from realtime.events import RESYNC_MESSAGE

logger = logging.getLogger(__name__)

# What a dead, unreachable or hung Redis raises (asyncio's timeouts are TimeoutError).
_FAILURES = (RedisError, OSError, TimeoutError)

INITIAL_BACKOFF = 0.05
POLL_SECONDS = 0.25  # how long one read waits, so liveness is checked this often
IDLE_PING_SECONDS = 1.0  # ping a connection that has been quiet this long...
DEAD_AFTER_SECONDS = 3.0  # ...and give it up if nothing at all arrives for this long
CONFIRM_SECONDS = 1.0  # longest subscribe()/unsubscribe() wait for the server's reply
HEALTH_TOKEN = "playroll:health"


class PublishFailed(Exception):
    """Redis did not accept the message in time: it is down or hanging."""


def _describe(exc: BaseException) -> str:
    # Not repr(): redis-py 8's RedisError.__repr__ drops the message ("network:TimeoutError").
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _text(value: bytes | str) -> str:
    # Decode leniently: one bad message must not break the reader.
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class ResilientRedisBackend(BroadcastBackend):
    def __init__(self, url: str, *, publish_timeout: float = 0.5, max_backoff: float = 2.0):
        # BroadcastBackend.__init__ only raises NotImplementedError: do not call it.
        self._url = url
        self._publish_timeout = publish_timeout
        self._max_backoff = max_backoff
        self._wanted: set[str] = set()
        # Always subscribed: the connection stays in pub/sub mode, watched, with no listener.
        self._private_channel = f"playroll:backend:{uuid.uuid4()}"
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._client: aioredis.Redis | None = None
        self._publisher: aioredis.Redis | None = None
        self._live: PubSub | None = None  # set only while the connection is usable
        self._replaced = False  # redis-py reconnected the live connection by itself
        self._pongs: dict[str, asyncio.Future[None]] = {}
        self._supervisor: asyncio.Task[None] | None = None
        self._first_attempt = asyncio.Event()
        self._publish_logged: dict[str, float] = {}

    async def connect(self) -> None:
        # redis-py's own retries would reconnect behind our back (skipping the resync) or
        # hold a caller for seconds: the supervisor does all reconnecting.
        self._client = aioredis.Redis.from_url(
            self._url,
            socket_connect_timeout=DEAD_AFTER_SECONDS,
            socket_timeout=DEAD_AFTER_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )
        # One immediate retry on ConnectionError only: a pooled connection is stale after a
        # Redis restart, and the first publish on it fails although Redis is up again.
        self._publisher = aioredis.Redis.from_url(
            self._url,
            socket_connect_timeout=self._publish_timeout,
            socket_timeout=self._publish_timeout,
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
        self._first_attempt.clear()
        self._supervisor = asyncio.create_task(self._supervise(), name="playroll-redis-pubsub")
        # Wait for the first attempt, so that subscriptions made right after startup are
        # confirmed; a Redis that is down does not hold startup for long.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DEAD_AFTER_SECONDS + 1):
                await self._first_attempt.wait()

    async def disconnect(self) -> None:
        task, self._supervisor = self._supervisor, None
        if task is not None:
            task.cancel()
            # Unlike `await task`, this never swallows a cancel of disconnect() itself.
            await asyncio.wait({task})
        for client in (self._client, self._publisher):
            if client is not None:
                with contextlib.suppress(*_FAILURES):
                    await client.aclose()
        self._client = self._publisher = None

    async def subscribe(self, channel: str) -> None:
        self._wanted.add(channel)
        await self._apply(channel, subscribe=True)

    async def unsubscribe(self, channel: str) -> None:
        self._wanted.discard(channel)
        await self._apply(channel, subscribe=False)

    async def publish(self, channel: str, message: Any) -> None:
        if self._publisher is None:
            raise PublishFailed("backend is not connected")
        try:
            await asyncio.wait_for(self._publisher.publish(channel, message), self._publish_timeout)
        except _FAILURES as exc:
            cause = type(exc).__name__
            now = time.monotonic()
            # A dead Redis fails every publish: one line a second per cause is enough.
            if now - self._publish_logged.get(cause, float("-inf")) >= 1.0:
                self._publish_logged[cause] = now
                logger.warning("publishing to Redis failed: %s", _describe(exc))
            raise PublishFailed(f"could not publish on {channel}: {cause}") from exc

    async def subscriber_counts(self, channels: list[str]) -> dict[str, int]:
        """Instances subscribed to each channel (PUBSUB NUMSUB): each instance holds one
        subscription per channel while any of its sockets listens there."""
        if self._publisher is None:
            raise PublishFailed("backend is not connected")
        replies = await self._publisher.pubsub_numsub(*channels)
        return {_text(name): int(count) for name, count in replies}

    async def next_published(self) -> Event:
        return await self._queue.get()

    async def _apply(self, channel: str, *, subscribe: bool) -> None:
        """Send (UN)SUBSCRIBE on the live connection and wait until Redis has done it.

        Redis answers commands in order, so the PONG to a PING sent right after proves
        the (UN)SUBSCRIBE is in effect: a publish after we return is seen (or not).
        Failures are not raised: the supervisor re-applies the wanted set on reconnect.
        """
        pubsub = self._live
        if pubsub is None:
            return
        token = uuid.uuid4().hex
        self._pongs[token] = confirmed = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(CONFIRM_SECONDS):
                if subscribe:
                    await pubsub.subscribe(channel)
                else:
                    await pubsub.unsubscribe(channel)
                await pubsub.ping(token)
                await confirmed
        except _FAILURES as exc:
            logger.debug("(un)subscribe %s left to the reconnect: %s", channel, _describe(exc))
        finally:
            self._pongs.pop(token, None)

    async def _supervise(self) -> None:
        assert self._client is not None
        loop = asyncio.get_running_loop()
        backoff = INITIAL_BACKOFF
        down_since: float | None = None
        while True:
            pubsub = self._client.pubsub()
            try:
                async with asyncio.timeout(DEAD_AFTER_SECONDS):
                    await self._attach(pubsub, resync=down_since is not None)
                if down_since is not None:
                    logger.info(
                        "Redis pub/sub back after %.1fs away; resynced %d channel(s)",
                        loop.time() - down_since,
                        len(self._wanted),
                    )
                down_since, backoff = None, INITIAL_BACKOFF
                self._first_attempt.set()
                await self._read(pubsub, until=None)
            except Exception as exc:  # anything, even a bug: the supervisor must go on
                self._first_attempt.set()
                if down_since is not None:  # retries log quietly: one warning per outage
                    logger.debug("Redis pub/sub still unavailable: %s", _describe(exc))
                else:
                    down_since, bug = loop.time(), not isinstance(exc, _FAILURES)
                    message = "Redis pub/sub unavailable (%s); reconnecting in the background"
                    logger.log(
                        logging.ERROR if bug else logging.WARNING,
                        message,
                        _describe(exc),
                        exc_info=bug,
                    )
            finally:
                await self._drop(pubsub)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    async def _attach(self, pubsub: PubSub, *, resync: bool) -> None:
        await pubsub.subscribe(self._private_channel)  # connects
        # From here on subscribe()/unsubscribe() send their own commands on this
        # connection, after this snapshot: no change of the wanted set is lost.
        self._live, self._replaced = pubsub, False
        # redis-py silently reconnects and re-subscribes inside a failing command; what was
        # published in the gap is lost unannounced, so we treat that as a lost connection.
        connection: Any = pubsub.connection  # typed as None by redis-py
        connection.register_connect_callback(self._on_redis_reconnect)
        if self._wanted:
            await pubsub.subscribe(*sorted(self._wanted))
        token = uuid.uuid4().hex
        self._pongs[token] = confirmed = asyncio.get_running_loop().create_future()
        try:
            await pubsub.ping(token)
            held = await self._read(pubsub, until=confirmed)
        finally:
            self._pongs.pop(token, None)
            confirmed.cancel()  # nobody awaits it: a failure set on it would be logged
        if resync:
            for channel in sorted(self._wanted):
                self._queue.put_nowait(Event(channel, RESYNC_MESSAGE))
        # Messages that raced the confirmation come after the resync: after a RESYNC,
        # subscribers only see news.
        for event in held:
            self._queue.put_nowait(event)

    async def _read(self, pubsub: PubSub, *, until: asyncio.Future[None] | None) -> list[Event]:
        """Deliver messages (or hold them until ``until`` is done); raise when dead.

        A hung Redis keeps the socket open and raises nothing, so silence is checked
        too: a quiet connection is pinged, and one that stays silent is given up.
        """
        loop = asyncio.get_running_loop()
        held: list[Event] = []
        last_heard = last_ping = loop.time()
        while until is None or not until.done():
            if self._replaced:
                raise RedisConnectionError("redis-py replaced the pub/sub connection")
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=POLL_SECONDS)
            now = loop.time()
            if message is not None:
                last_heard = now
                if message["type"] == "pong":
                    future = self._pongs.pop(_text(message["data"]), None)
                    if future is not None and not future.done():
                        future.set_result(None)
                elif message["type"] == "message":
                    event = Event(_text(message["channel"]), _text(message["data"]))
                    if until is None:
                        self._queue.put_nowait(event)
                    else:
                        held.append(event)
            elif now - last_heard >= DEAD_AFTER_SECONDS:
                raise TimeoutError(f"no reply from Redis for {now - last_heard:.1f}s")
            elif now - last_heard >= IDLE_PING_SECONDS and now - last_ping >= IDLE_PING_SECONDS:
                await pubsub.ping(HEALTH_TOKEN)  # any reply counts as a sign of life
                last_ping = now
        return held

    def _on_redis_reconnect(self, connection: Any) -> None:
        self._replaced = True

    async def _drop(self, pubsub: PubSub) -> None:
        if self._live is pubsub:
            self._live = None
        connection: Any = pubsub.connection
        if connection is not None:  # it goes back to the pool: forget us
            connection.deregister_connect_callback(self._on_redis_reconnect)
        # Waiters must not wait for replies that will never come.
        for future in self._pongs.values():
            if not future.done():
                future.set_exception(RedisConnectionError("Redis pub/sub connection lost"))
        self._pongs.clear()
        with contextlib.suppress(*_FAILURES):
            async with asyncio.timeout(1.0):
                await pubsub.aclose()  # type: ignore[no-untyped-call]
