"""strawberry's WebSocket protocol handlers, with each subscription operation's task knowing its
operation (subscriptions/fanout.py), so that subscribers of the same events share one execution."""

import asyncio
import contextlib
import json
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from subscriptions.fanout import CURRENT, FanOut, LiveOperation


def _prefix(message_type: str, operation_id: str) -> str:
    """The protocol message up to its payload, which follows: prefix + payload + "}"."""
    return json.dumps({"type": message_type, "id": operation_id})[:-1] + ',"payload":'


def _fanout(handler: Any) -> FanOut:
    return handler.view.fanout


class TransportWSHandler(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws."""

    async def run_operation(self, operation: Operation) -> None:
        CURRENT.set(
            LiveOperation(
                fanout=_fanout(self),
                id=operation.id,
                query=operation.query,
                variables=operation.variables,
                operation_name=operation.operation_name,
                frame_prefix=_prefix("next", operation.id),
                send=self.websocket.ws.send_text,  # type: ignore[attr-defined]
            )
        )
        await super().run_operation(operation)


class LegacyWSHandler(BaseGraphQLWSHandler):
    """The legacy graphql-ws protocol (subscriptions-transport-ws).

    strawberry times out a missing connection_init only on graphql-transport-ws; here a socket
    that never initialises is closed the same way (4408), or it would hold its place for ever."""

    async def handle(self) -> None:
        timeout = asyncio.create_task(self._close_if_not_initialised())
        try:
            await super().handle()
        finally:
            timeout.cancel()

    async def _close_if_not_initialised(self) -> None:
        await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
        if not self.connection_acknowledged:
            with contextlib.suppress(Exception):  # the client may be gone already
                await self.websocket.close(code=4408, reason="Connection initialisation timeout")

    async def handle_async_results(
        self,
        operation_id: str,
        query: str,
        operation_name: str | None,
        variables: dict[str, object] | None,
    ) -> None:
        CURRENT.set(
            LiveOperation(
                fanout=_fanout(self),
                id=operation_id,
                query=query,
                variables=variables,
                operation_name=operation_name,
                frame_prefix=_prefix("data", operation_id),
                send=self.websocket.ws.send_text,  # type: ignore[attr-defined]
            )
        )
        await super().handle_async_results(operation_id, query, operation_name, variables)
