from tortoise import fields
from tortoise.models import Model


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=320, unique=True)  # stored lower-cased
    name = fields.CharField(max_length=200)
    password_hash = fields.CharField(max_length=255)
    time_zone = fields.CharField(max_length=64, default="UTC")
    company_name = fields.CharField(max_length=200, null=True)
    # The public name of the host's booking pages: /book/<handle>/<slug>.
    handle = fields.CharField(max_length=40, null=True, unique=True)
    role = fields.CharField(max_length=16, default="member")
    # GDPR Art. 18 and 21: processing frozen to storage; objection to analytics/marketing.
    restricted = fields.BooleanField(default=False)
    objects_to_analytics = fields.BooleanField(default=False)
    objects_to_marketing = fields.BooleanField(default=False)
    # Acceptable use: a suspended account cannot sign in and takes no bookings.
    suspended_at = fields.DatetimeField(null=True)
    # Bookings are made under an e-mail address; the account holds those made under its address
    # only once a mailed code has proved the address is the holder's (email_verification.py).
    email_verified_at = fields.DatetimeField(null=True)
    email_code_hash = fields.CharField(max_length=64, null=True, unique=True)
    email_code_sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "users"


class AuthToken(Model):
    # An opaque bearer token: only its SHA-256 is stored.
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "auth_tokens"


class PasswordReset(Model):
    # A mailed, single-use, short-lived token; only its SHA-256 is stored.
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="password_resets", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "password_resets"
