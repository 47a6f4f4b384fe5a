"""graphql-transport-ws over a real socket: the token is checked at connection_init."""

from __future__ import annotations

import json

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests import factories as make
from tests.clock import FrozenClock
from tests.world import World

PROTOCOL = "graphql-transport-ws"


async def _init(url: str, payload: dict[str, object] | None, **kwargs: object) -> object:
    socket = await websockets.connect(url, subprotocols=[PROTOCOL], **kwargs)  # type: ignore[list-item, arg-type]
    await socket.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
    return socket


async def test_a_valid_token_is_acknowledged(live_server: str, world: World) -> None:
    token = await make.token_for(world.teacher)
    socket = await _init(live_server, {"authorization": f"Bearer {token}"})
    async with socket:  # type: ignore[attr-defined]
        reply = json.loads(await socket.recv())  # type: ignore[attr-defined]
    assert reply["type"] == "connection_ack"


@pytest.mark.parametrize("payload", [None, {"authorization": "Bearer not-a-token"}])
async def test_a_missing_or_bad_token_is_refused_at_connect(
    live_server: str, world: World, payload: dict[str, object] | None
) -> None:
    socket = await _init(live_server, payload)
    with pytest.raises(ConnectionClosed) as closed:
        await socket.recv()  # type: ignore[attr-defined]
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_a_revoked_token_is_refused(
    live_server: str, world: World, clock: FrozenClock
) -> None:
    from models.access import AuthSession

    token = await make.token_for(world.teacher)
    await AuthSession.all().update(revoked_at=clock.now())
    socket = await _init(live_server, {"authorization": f"Bearer {token}"})
    with pytest.raises(ConnectionClosed) as closed:
        await socket.recv()  # type: ignore[attr-defined]
    assert closed.value.rcvd.code == 4403  # type: ignore[union-attr]


async def test_a_foreign_origin_cannot_open_a_socket(live_server: str, world: World) -> None:
    with pytest.raises(websockets.exceptions.InvalidStatus):
        await websockets.connect(
            live_server,
            subprotocols=[PROTOCOL],
            origin="https://evil.example",  # type: ignore[list-item, arg-type]
        )


async def test_oversized_frames_close_the_socket(live_server: str, world: World) -> None:
    token = await make.token_for(world.teacher)
    socket = await _init(live_server, {"authorization": f"Bearer {token}"})
    async with socket:  # type: ignore[attr-defined]
        assert json.loads(await socket.recv())["type"] == "connection_ack"  # type: ignore[attr-defined]
        await socket.send("x" * (65 * 1024))  # type: ignore[attr-defined]
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()  # type: ignore[attr-defined]
    assert closed.value.rcvd.code == 1009  # type: ignore[union-attr]
