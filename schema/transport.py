"""Subscriptions run over the WebSocket only.

strawberry's HTTP view hands a posted ``subscription`` to ``execute``, which cannot run a
stream: the field's generator then fails as an internal error. Say what to do instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

MESSAGE = (
    "Subscriptions are served over a WebSocket (graphql-transport-ws) at /graphql, not over HTTP."
)


class SubscriptionsOverWebSocket(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if context.operation_type is OperationType.SUBSCRIPTION and not isinstance(
            request, WebSocket
        ):
            raise GraphQLError(MESSAGE, extensions={"code": "BAD_USER_INPUT"})
        yield
