"""strawberry's ASGI app with our context: bearer token on HTTP, connection_init on WebSocket."""

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UNSET

from config import Settings
from schema.context import Context, bearer_token
from schema.root import build_schema
from services import accounts
from services.rate_limit import RateLimiter
from subscriptions.bus import EventBus


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, settings: Settings, bus: EventBus) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            keep_alive=True,
            keep_alive_interval=15,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=30),
            max_subscriptions_per_connection=50,
            allowed_origins=settings.allowed_origins,
        )
        self.settings = settings
        self.bus = bus
        self.limiter = RateLimiter(settings)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        context = Context(
            settings=self.settings,
            bus=self.bus,
            request=request,
            response=response,
            limiter=self.limiter,
        )
        if isinstance(request, Request):
            token = bearer_token(request.headers.get("authorization"))
            context.user = await accounts.authenticate(token)
            context.token = token if context.user else None
        return context

    async def on_ws_connect(self, context: Context) -> Any:
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if header is None:
            return UNSET  # anonymous: public subscriptions only
        token = bearer_token(header) if isinstance(header, str) else None
        user = await accounts.authenticate(token)
        if user is None:
            raise ConnectionRejectionError({"message": "Invalid token.", "code": "UNAUTHENTICATED"})
        context.user, context.token = user, token
        return UNSET
