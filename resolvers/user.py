import strawberry

from domain.errors import Unauthenticated
from resolvers.ids import parse_id
from schema.context import Info
from schema.user import AuthPayloadType, ProfileInput, SessionType, SignUpInput, UserType
from services import accounts, email_verification, password_reset, sessions
from services.sessions import SessionLimits


def me(info: Info) -> UserType | None:
    user = info.context.user
    return UserType.from_model(user) if user else None


async def sign_up(info: Info, input: SignUpInput) -> AuthPayloadType:
    session = await accounts.sign_up(
        accounts.SignUp(
            email=input.email,
            password=input.password,
            name=input.name,
            time_zone=input.time_zone or "UTC",
            company_name=input.company_name,
        )
    )
    return AuthPayloadType(token=session.token, user=UserType.from_model(session.user))


async def log_in(info: Info, email: str, password: str) -> AuthPayloadType:
    await info.context.limit_login(email)
    session = await accounts.log_in(email, password)
    return AuthPayloadType(token=session.token, user=UserType.from_model(session.user))


async def log_out(info: Info) -> bool:
    info.context.require_user()
    if info.context.token is None:  # signed in over a WebSocket: nothing to revoke here
        raise Unauthenticated("Log out over HTTP with the token to revoke.")
    ended = await accounts.log_out(info.context.token)
    if ended is not None:
        await sessions.announce_ended(sessions=[ended])
    return ended is not None


async def my_sessions(info: Info) -> list[SessionType]:
    user = info.context.require_user()
    limits = SessionLimits.from_settings(info.context.settings)
    rows = await sessions.live_sessions(user, limits)
    return [SessionType.from_model(row, info.context.session_id) for row in rows]


async def revoke_session(info: Info, id: strawberry.ID) -> bool:
    """Ends one of my tokens (this one too); WebSockets signed in with it close."""
    user = info.context.require_user()
    session_id = parse_id(id, "Session")
    await sessions.revoke(user, session_id, SessionLimits.from_settings(info.context.settings))
    await sessions.announce_ended(sessions=[session_id])
    return True


async def update_profile(info: Info, input: ProfileInput) -> UserType:
    user = info.context.require_user()
    if input.email is not None:  # a code is mailed to the new address
        await info.context.limit_mail_to(input.email)
    change = accounts.ProfileChange(
        name=input.name,
        email=input.email,
        time_zone=input.time_zone,
        company_name=input.company_name,
        handle=input.handle,
    )
    updated = await accounts.update_profile(user, change)
    return UserType.from_model(updated)


async def verify_email(info: Info, code: str) -> bool:
    await email_verification.verify(code)
    return True


async def resend_email_verification(info: Info) -> bool:
    user = info.context.require_user()
    await info.context.limit_mail_to(user.email)  # the address is not proven theirs yet
    return await email_verification.resend(user)


async def request_password_reset(info: Info, email: str) -> bool:
    await password_reset.request_reset(email)
    return True


async def reset_password(info: Info, token: str, new_password: str) -> AuthPayloadType:
    session = await password_reset.reset(token, new_password)
    return AuthPayloadType(token=session.token, user=UserType.from_model(session.user))


async def change_password(info: Info, current_password: str, new_password: str) -> bool:
    user = info.context.require_user()
    await info.context.limit_login(user.email)  # guesses of the current password count
    await password_reset.change(user, info.context.token, current_password, new_password)
    return True
