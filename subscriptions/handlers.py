"""strawberry's WebSocket protocol handlers, with each subscription operation's task knowing its
operation (subscriptions/fanout.py), so that subscribers of the same events share one execution,
and with the socket bound to its session (subscriptions/sessions.py): it closes with 4401 when
its token ends, and no operation starts on a token that is no longer live; and the adapter that
reads their messages within bounds."""

import asyncio
import contextlib
import functools
import json
from collections.abc import AsyncGenerator
from json import JSONDecodeError
from typing import Any

from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from schema.context import Context
from services import accounts
from subscriptions.fanout import CURRENT, FanOut, LiveOperation
from subscriptions.sessions import SessionWatch

SESSION_ENDED = 4401

# A connection_init payload carries a bearer token: a few hundred bytes.
MAX_INIT_BYTES = 8 * 1024


class TooDeep(JSONDecodeError):
    """JSON nested deeper than the decoder goes (graphql_app.decode_json)."""


class BoundedWebSocketAdapter(ASGIWebSocketAdapter):
    """strawberry's adapter, reading messages within bounds on both protocols: one over
    MAX_BODY_BYTES closes the socket with 1009 (uvicorn's ws_max_size refuses it earlier when
    `python server.py` serves); one that is not a JSON object, is nested too deeply, or is a
    connection_init over MAX_INIT_BYTES closes it with 4400. Other invalid JSON goes on to the
    protocol handler as before (graphql-transport-ws closes with 4400, graphql-ws ignores it)."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        max_bytes = self.view.settings.max_body_bytes  # type: ignore[attr-defined]
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if len(text) > max_bytes or len(text.encode(errors="replace")) > max_bytes:
                    await self.close(1009, f"Message larger than {max_bytes} bytes")
                    return
                try:
                    message = self.view.decode_json(text)
                except TooDeep:
                    await self.close(4400, "Message nested too deeply")
                    return
                except JSONDecodeError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
                    continue
                refusal = _refusal(message, len(text))
                if refusal is not None:
                    await self.close(4400, refusal)
                    return
                yield message
        except KeyError as error:
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            pass


def _refusal(message: object, size: int) -> str | None:
    if not isinstance(message, dict):
        return "Message must be a JSON object"
    if message.get("type") == "connection_init" and size > MAX_INIT_BYTES:
        return f"Connection init payload larger than {MAX_INIT_BYTES} bytes"
    return None


def _prefix(message_type: str, operation_id: str) -> str:
    """The protocol message up to its payload, which follows: prefix + payload + "}"."""
    return json.dumps({"type": message_type, "id": operation_id})[:-1] + ',"payload":'


def _fanout(handler: Any) -> FanOut:
    return handler.view.fanout


def _going_on(operation: Operation) -> None:
    """Its stream ends once it has joined a fan-out group, but the subscription goes on: no
    `complete` from strawberry, and it stays among the connection's operations."""
    operation.completed = True


class SessionBound:
    """What both protocols share: the socket is watched while signed in, its token is checked
    again before each operation, and when the session ends its operations stop and it closes."""

    view: Any
    websocket: Any
    context: Context
    session_ended = False

    @property
    def session_watch(self) -> SessionWatch:
        return self.view.session_watch

    def forget_handshake(self) -> None:
        """Once accepted, nothing reads the handshake's headers again (the origin and the
        subprotocol were checked before): they would stay in the scope for the socket's life."""
        websocket = self.websocket.ws
        websocket.scope["headers"] = []
        websocket.__dict__.pop("_headers", None)

    async def _still_signed_in(self) -> bool:
        """Before an operation: anonymous sockets pass; a signed-in one needs its token live."""
        if self.session_ended:
            return False
        if self.context.session_id is None:
            return True
        live = await accounts.authenticate_session(self.context.token, self.view.session_limits)
        if live is None or live.session_id != self.context.session_id:
            await self.end_session()
            return False
        self.context.user = live.user  # current details (a role or time zone may have changed)
        return True

    async def end_session(self) -> None:
        if self.session_ended:
            return
        self.session_ended = True
        self.session_watch.forget(self)  # type: ignore[arg-type]
        self.context.user = None
        await self._stop_operations()
        with contextlib.suppress(Exception):  # the client may be gone already
            await self.websocket.close(code=SESSION_ENDED, reason="Session ended")

    async def _stop_operations(self) -> None:
        raise NotImplementedError


class TransportWSHandler(SessionBound, BaseGraphQLTransportWSHandler):
    """graphql-transport-ws."""

    async def handle(self) -> None:
        self.forget_handshake()
        try:
            await super().handle()
        finally:
            self.session_watch.forget(self)

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            # Its only job is done: not a sleeping task per connection for WS_INIT_TIMEOUT, and
            # not a cancelled one kept either (its CancelledError holds a traceback and frames).
            if self.connection_init_timeout_task is not None:
                self.connection_init_timeout_task.cancel()
                self.connection_init_timeout_task = None
            if not self.session_ended:
                self.session_watch.watch(self)

    async def handle_subscribe(self, message: Any) -> None:
        if self.connection_acknowledged and not await self._still_signed_in():
            return
        await super().handle_subscribe(message)

    async def _stop_operations(self) -> None:
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)

    async def run_operation(self, operation: Operation) -> None:
        live = LiveOperation(
            fanout=_fanout(self),
            id=operation.id,
            query=operation.query,
            variables=operation.variables,
            operation_name=operation.operation_name,
            frame_prefix=_prefix("next", operation.id),
            send=self.websocket.ws.send_text,  # type: ignore[attr-defined]
            joined=functools.partial(_going_on, operation),
        )
        CURRENT.set(live)
        try:
            await super().run_operation(operation)
            if live.membership is None:
                return
            # Joined a fan-out group: the execution that got it there is over and freed; this
            # task relays the group's frames until the client completes or leaves.
            await live.fanout.relay(live.membership)
            operation.completed = False  # the bus stopped: complete it, as strawberry would
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        finally:
            if live.membership is not None:
                live.fanout.leave(live.membership)


class LegacyWSHandler(SessionBound, BaseGraphQLWSHandler):
    """The legacy graphql-ws protocol (subscriptions-transport-ws).

    strawberry times out a missing connection_init only on graphql-transport-ws; here a socket
    that never initialises is closed the same way (4408), or it would hold its place for ever."""

    init_timeout: asyncio.Task[None] | None = None

    async def handle(self) -> None:
        self.forget_handshake()
        self.init_timeout = asyncio.create_task(self._close_if_not_initialised())
        try:
            await super().handle()
        finally:
            if self.init_timeout is not None:
                self.init_timeout.cancel()
            self.session_watch.forget(self)

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            if self.init_timeout is not None:  # not a sleeping task per connection, nor a
                self.init_timeout.cancel()  # cancelled one kept (its traceback and frames)
                self.init_timeout = None
            if not self.session_ended:
                self.session_watch.watch(self)

    async def handle_start(self, message: Any) -> None:
        if self.connection_acknowledged and not await self._still_signed_in():
            return
        await super().handle_start(message)

    async def _stop_operations(self) -> None:
        await self.cleanup()

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
