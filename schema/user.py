from datetime import datetime

import strawberry

from models.user import AuthToken, User


@strawberry.type(name="User")
class UserType:
    row: strawberry.Private[User]
    id: strawberry.ID
    email: str
    name: str
    time_zone: str
    company_name: str | None
    handle: str | None = strawberry.field(
        description="The public name of my booking pages: /book/<handle>/<slug>."
    )
    email_verified: bool = strawberry.field(
        description="Bookings made under this address without signing in count as this "
        "account's (myData, corrections, erasure) only once it is verified (verifyEmail)."
    )

    @classmethod
    def from_model(cls, row: User) -> "UserType":
        return cls(
            row=row,
            id=strawberry.ID(str(row.id)),
            email=row.email,
            name=row.name,
            time_zone=row.time_zone,
            company_name=row.company_name,
            handle=row.handle,
            email_verified=row.email_verified_at is not None,
        )


@strawberry.type(name="AuthPayload")
class AuthPayloadType:
    token: str
    user: UserType


@strawberry.input
class SignUpInput:
    email: str
    password: str
    name: str
    time_zone: str | None = "UTC"
    company_name: str | None = None


@strawberry.input
class ProfileInput:
    name: str | None = None
    email: str | None = None
    time_zone: str | None = None
    company_name: str | None = None
    handle: str | None = strawberry.field(
        default=None, description='[a-z0-9-], 3 to 40 characters, unique; "" removes it.'
    )


@strawberry.type(name="Session", description="A live token of the signed-in account.")
class SessionType:
    id: strawberry.ID
    created_at: datetime
    last_used_at: datetime | None
    current: bool = strawberry.field(description="The token this request is signed in with.")

    @classmethod
    def from_model(cls, row: AuthToken, current_id: int | None) -> "SessionType":
        return cls(
            id=strawberry.ID(str(row.id)),
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            current=row.id == current_id,
        )
