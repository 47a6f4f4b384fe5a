"""One WebSocket protocol: graphql-transport-ws. The legacy graphql-ws is refused.

The legacy protocol has no connection_init deadline, so serving it would have needed its
own copy of every socket rule; no client of ours speaks it.
"""

from __future__ import annotations

import contextlib
import json

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests import factories as make
from tests.conftest import LiveServer
from tests.world import World

LEGACY = "graphql-ws"
CURRENT = "graphql-transport-ws"


async def test_a_legacy_graphql_ws_client_is_refused(live: LiveServer, world: World) -> None:
    token = await make.token_for(world.teacher)
    socket = await websockets.connect(live.ws_url, subprotocols=[LEGACY])  # type: ignore[list-item]
    assert socket.subprotocol is None
    # Even with a valid token, nothing is acknowledged or run (the server may have closed
    # the socket before these arrive).
    with contextlib.suppress(ConnectionClosed):
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        await socket.send(
            json.dumps({"type": "start", "id": "1", "payload": {"query": "{ __typename }"}})
        )
    with pytest.raises(ConnectionClosed) as closed:
        await socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406


async def test_a_client_offering_both_gets_graphql_transport_ws(
    live: LiveServer, world: World
) -> None:
    token = await make.token_for(world.teacher)
    socket = await websockets.connect(live.ws_url, subprotocols=[LEGACY, CURRENT])  # type: ignore[list-item]
    async with socket:
        assert socket.subprotocol == CURRENT
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await socket.recv())["type"] == "connection_ack"
