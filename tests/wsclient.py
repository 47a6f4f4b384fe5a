"""A small graphql-transport-ws client for tests and benchmarks."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict, deque
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

PROTOCOL = "graphql-transport-ws"


class SubscriptionError(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code", "") for e in self.errors]


class WSClient:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self._ids = itertools.count(1)
        self._inbox: dict[str, deque[dict[str, Any]]] = defaultdict(deque)

    @classmethod
    async def connect(cls, url: str, token: str, **kwargs: Any) -> WSClient:
        socket = await websockets.connect(url, subprotocols=[PROTOCOL], **kwargs)  # type: ignore[list-item]
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert ack["type"] == "connection_ack", ack
        return cls(socket)

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        sub_id = str(next(self._ids))
        payload = {"query": query, "variables": variables or {}}
        await self.socket.send(json.dumps({"id": sub_id, "type": "subscribe", "payload": payload}))
        return sub_id

    async def next(self, sub_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next result's data for this subscription; raises on an error message."""
        async with asyncio.timeout(timeout):
            while not self._inbox[sub_id]:
                message = json.loads(await self.socket.recv())
                if message.get("type") == "ping":
                    await self.socket.send(json.dumps({"type": "pong"}))
                    continue
                self._inbox[message.get("id", "")].append(message)
        message = self._inbox[sub_id].popleft()
        if message["type"] == "error":
            raise SubscriptionError(message["payload"])
        if message["type"] == "complete":
            raise SubscriptionError([])
        payload = message["payload"]
        if payload.get("errors"):
            raise SubscriptionError(payload["errors"])
        data: dict[str, Any] = payload["data"]
        return data

    async def drain_until_closed(self, within: float = 15.0) -> tuple[int, int | None]:
        """Read until the server closes the socket: (messages read, close code)."""
        read = 0
        try:
            async with asyncio.timeout(within):
                while True:
                    await self.socket.recv()
                    read += 1
        except ConnectionClosed as closed:
            return read, closed.rcvd.code if closed.rcvd else None

    async def close(self) -> None:
        await self.socket.close()
