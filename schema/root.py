"""The Schema: root types assembled from the per-object resolvers, plus its extensions."""

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from config import Settings
from resolvers import privacy, user
from schema.errors import CodedErrors, mask_in_place, needs_masking, tag_codes
from schema.privacy import PrivacyInfo
from schema.scalars import SCALAR_MAP
from schema.user import AuthPayload, User


@strawberry.type
class Query:
    me: User | None = strawberry.field(resolver=user.me, description="null when anonymous")
    privacy_info: PrivacyInfo = strawberry.field(resolver=privacy.privacy_info)


@strawberry.type
class Mutation:
    sign_up: AuthPayload = strawberry.mutation(resolver=user.sign_up)
    log_in: AuthPayload = strawberry.mutation(resolver=user.log_in)
    log_out: bool = strawberry.mutation(resolver=user.log_out)
    update_profile: User = strawberry.mutation(
        resolver=user.update_profile, description="Right to correction."
    )


class Schema(strawberry.Schema):
    def process_errors(self, errors: list, execution_context: object = None) -> None:
        """Coded errors are answers, not incidents: tag them, log nothing. Internal errors are
        masked and logged by CodedErrors; those raised before it could run are masked here."""
        tag_codes(errors)
        context = getattr(execution_context, "context", None)
        for error in errors:
            if needs_masking(error):
                mask_in_place(error, getattr(context, "request_id", "-"))


def build_schema(settings: Settings) -> strawberry.Schema:
    extensions: list = [
        CodedErrors,
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=not settings.introspection, scalar_map=SCALAR_MAP
        ),
    )
