"""Shared fan-out of live subscriptions over WebSocket.

Without it every subscriber would execute its subscription's selection set for every event and
serialise the result itself: 5,000 dashboards of one host meant 5,000 executions of the same
operation on the same event. Here the subscribers whose channel, operation document, variables
and viewer are the same form a `Group`. A group holds one bus subscription, executes each event
once, serialises the payload once, and hands every member the finished WebSocket frame (members
differ only in their operation id, which is in the frame's prefix).

Each member keeps its own bounded `Mailbox` and its own sending task (strawberry's operation
task), so a slow client delays nobody else: when its mailbox is full its oldest frame is dropped,
the same policy as the bus (events/bus.py).

The shared path is taken when the operation runs on a WebSocket handled by
subscriptions/handlers.py, which puts a `LiveOperation` in `CURRENT`. Elsewhere (`schema.subscribe`
in tests, any other transport) the resolvers execute per subscriber as usual.

A member's execution is needed only until it has joined its group. With `LiveOperation.joined`
set (graphql-transport-ws), `serve` returns once joined and leaves the member's `Membership` on
the operation: the execution ends, and the operation's task relays the frames with nothing of it
kept (strawberry's and graphql-core's state for one idle subscription was ~10 KiB).
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from graphql import DocumentNode, GraphQLError
from graphql.execution import Executor, execute_subscription_event

from events.bus import EventBus, Mailbox, SubscriptionClosed
from events.messages import Message, decode
from observability import SHARED_EXECUTIONS, SHARED_GROUPS, LiveSubscription, observe_delivery
from schema.context import Info
from schema.errors import coded, masked
from schema.loaders import Loaders

log = logging.getLogger(__name__)

MAILBOX_SIZE = 256


@dataclass(slots=True, eq=False)
class LiveOperation:
    """A subscription operation on a WebSocket: what identifies it and how to reach its client."""

    fanout: "FanOut"
    id: str
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    frame_prefix: str  # the protocol's message up to its payload: prefix + payload + "}"
    send: Callable[[str], Awaitable[None]]
    # Called once joined: `serve` then returns, and whoever runs the operation relays its
    # frames (`FanOut.relay(membership)`) once the execution is over.
    joined: Callable[[], None] | None = None
    membership: "Membership | None" = None


@dataclass(slots=True, eq=False)
class Membership:
    """A member's place in its group: all that its frames need once it has joined."""

    key: tuple[Any, ...]
    group: "Group"
    mailbox: Mailbox[str]
    name: str
    send: Callable[[str], Awaitable[None]]


CURRENT: ContextVar[LiveOperation | None] = ContextVar("live_operation", default=None)


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"))


class Group:
    """Subscribers of one channel with the same operation, variables and viewer."""

    def __init__(
        self,
        bus: EventBus,
        channel: str,
        info: Info,
        live: LiveOperation,
        name: str,
        build: Callable[[Message], Any],
        keep: Callable[[Message], bool] | None = None,
    ) -> None:
        self.bus = bus
        self.channel = channel
        self.build = build
        self.keep = keep
        self.executions = SHARED_EXECUTIONS.labels(name)
        self.gauge = SHARED_GROUPS.labels(name)
        self.members: dict[Mailbox[str], str] = {}  # mailbox -> frame prefix
        # A private copy of the first member's context: loaders are replaced for every event.
        self.context = replace(info.context, loaders=Loaders())
        self.executor = self._executor(info, live)
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.task = asyncio.create_task(self._run(), name=f"fanout {channel}")

    def _executor(self, info: Info, live: LiveOperation) -> Executor:
        raw = info._raw_info
        schema = info.schema
        document = DocumentNode(definitions=(raw.operation, *raw.fragments.values()))
        executor = schema.execution_context_class.build(
            schema._schema,  # type: ignore[attr-defined]
            document,
            context_value=self.context,
            raw_variable_values=live.variables,
            operation_name=live.operation_name,
            middleware=schema._get_middleware_manager(schema.get_extensions()),  # type: ignore[attr-defined]
        )
        if isinstance(executor, list):  # the member's own execution already coerced these
            raise executor[0]
        return executor

    async def _run(self) -> None:
        self.gauge.inc()
        try:
            async with self.bus.subscribe(self.channel) as messages:
                self.ready.set_result(None)
                async for raw in messages:
                    try:
                        message = decode(raw)
                        if self.keep is not None and not self.keep(message):
                            continue
                        frame = await self._render(message)
                    except Exception as exc:  # a bug: the subscribers hear of it and stay
                        frame = self._failure(exc)
                    for mailbox, prefix in self.members.items():
                        mailbox._put(prefix + frame + "}")
        except Exception as exc:
            if not self.ready.done():
                self.ready.set_exception(exc)
            else:
                log.exception("subscription fan-out on %s stopped", self.channel)
        finally:
            self.gauge.dec()
            if not self.ready.done():
                self.ready.set_exception(SubscriptionClosed(self.channel))
            for mailbox in self.members:
                mailbox._close()

    async def _render(self, message: Message) -> str:
        """The event's payload, executed and serialised once for every member."""
        observe_delivery(message.occurred_at)
        self.context.loaders = Loaders()  # never serve one event from another's cache
        self.executions.inc()
        result = execute_subscription_event(
            self.executor.build_per_event_executor(self.build(message))
        )
        if self.executor.is_awaitable(result):
            result = await result
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            errors = coded(list(result.errors), self.context.request_id)
            payload["errors"] = [error.formatted for error in errors]
        return encode(payload)

    def _failure(self, exc: Exception) -> str:
        error = masked(GraphQLError(str(exc), original_error=exc), self.context.request_id)
        return encode({"data": None, "errors": [error.formatted]})

    def stop(self) -> None:
        self.task.cancel()


class FanOut:
    """The process's groups, keyed by channel, operation document, variables and viewer."""

    def __init__(self, bus: EventBus, mailbox_size: int = MAILBOX_SIZE) -> None:
        self.bus = bus
        self.mailbox_size = mailbox_size
        self.groups: dict[tuple[Any, ...], Group] = {}

    async def serve(
        self,
        info: Info,
        live: LiveOperation,
        channel: str,
        name: str,
        build: Callable[[Message], Any],
        keep: Callable[[Message], bool] | None = None,
    ) -> None:
        """Sends the channel's events to this operation's client until the operation ends
        (strawberry cancels its task) or the bus stops (then returns); with `live.joined` set,
        returns once joined instead (see the module's docstring). `keep`: which of the
        channel's messages this operation hears (the variables, part of the group's key, may
        narrow it); default all."""
        user = info.context.user
        variables = json.dumps(live.variables or {}, sort_keys=True)
        key = (channel, live.query, variables, live.operation_name, user.id if user else None)
        group = self.groups.get(key)
        if group is None or group.task.done():
            group = self.groups[key] = Group(self.bus, channel, info, live, name, build, keep)
        mailbox: Mailbox[str] = Mailbox(self.mailbox_size)
        group.members[mailbox] = live.frame_prefix
        membership = Membership(key, group, mailbox, name, live.send)
        try:
            await asyncio.shield(group.ready)
        except SubscriptionClosed:
            self.leave(membership)
            return
        except BaseException:
            self.leave(membership)
            raise
        if live.joined is not None:
            live.membership = membership
            live.joined()
            return
        await self.relay(membership)

    async def relay(self, membership: Membership) -> None:
        """Sends the member's frames until the operation ends (strawberry cancels its task) or
        the bus stops (then returns); it leaves its group either way."""
        group, mailbox = membership.group, membership.mailbox
        try:
            with LiveSubscription(membership.name):
                async for frame in mailbox:
                    try:
                        await membership.send(frame)
                    except Exception:
                        break
                else:
                    return  # the bus stopped
            group.members.pop(mailbox, None)
            await asyncio.Event().wait()  # strawberry cancels this task once it sees the close
        finally:
            self.leave(membership)

    def leave(self, membership: Membership) -> None:
        """The member leaves its group (again is harmless); the last one stops the group."""
        group = membership.group
        group.members.pop(membership.mailbox, None)
        if not group.members and self.groups.get(membership.key) is group:
            del self.groups[membership.key]
            group.stop()
