"""Privacy governance: audit trail, retention choices and purge runs, policy versions, breaches,
and support inquiries."""

from tortoise import fields
from tortoise.models import Model

from models.user import User


class AuditEntry(Model):
    # Who (actor), what (action), when, why (reason), about whom (subject).
    id = fields.IntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="audit_actions", null=True, on_delete=fields.SET_NULL
    )
    subject: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=40)
    reason = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_entries"
        indexes = (("subject_id", "id"),)


class RetentionSetting(Model):
    # A person's own, shorter retention for one category (the default is in domain/privacy).
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="retention_settings", on_delete=fields.CASCADE
    )
    category = fields.CharField(max_length=32)
    days = fields.IntField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "retention_settings"
        unique_together = (("user", "category"),)


class PurgeRun(Model):
    # One row per purge slot: the unique slot is the claim, so one worker runs it.
    id = fields.IntField(primary_key=True)
    slot = fields.CharField(max_length=40, unique=True)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    counts = fields.JSONField(default=dict)

    class Meta:
        table = "purge_runs"


class PolicyVersion(Model):
    id = fields.IntField(primary_key=True)
    version = fields.CharField(max_length=40, unique=True)
    text = fields.TextField()
    effective_at = fields.DatetimeField()
    published_at = fields.DatetimeField()
    published_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="published_policies", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "policy_versions"


class PolicyAcceptance(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="policy_acceptances", on_delete=fields.CASCADE
    )
    policy: fields.ForeignKeyRelation[PolicyVersion] = fields.ForeignKeyField(
        "models.PolicyVersion", related_name="acceptances", on_delete=fields.CASCADE
    )
    version = fields.CharField(max_length=40)
    accepted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "policy_acceptances"
        unique_together = (("user", "policy"),)


class Breach(Model):
    id = fields.IntField(primary_key=True)
    description = fields.TextField()  # the nature of the breach (Art. 33(3)(a))
    risk = fields.CharField(max_length=8)
    detected_at = fields.DatetimeField()
    # The earliest deadline of its filings still open, else of all of them.
    report_due_at = fields.DatetimeField()
    reported_at = fields.DatetimeField(null=True)  # once every regulator has it
    # The report's content (Art. 33(3)): about the incident, never naming a person.
    data_categories = fields.JSONField(null=True)  # domain.privacy.Category values
    approximate_subjects = fields.IntField(null=True)
    approximate_records = fields.IntField(null=True)
    likely_consequences = fields.TextField(null=True)
    measures = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recorded_breaches", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "breaches"


class BreachVictim(Model):
    # A user affected by a breach; the person sees it in their data.
    id = fields.IntField(primary_key=True)
    breach: fields.ForeignKeyRelation[Breach] = fields.ForeignKeyField(
        "models.Breach", related_name="victims", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="breaches", on_delete=fields.CASCADE
    )
    notified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "breach_victims"
        unique_together = (("breach", "user"),)


class BreachFiling(Model):
    # The breach as owed to one supervisory authority (domain/regulators.py): its own deadline.
    id = fields.IntField(primary_key=True)
    breach: fields.ForeignKeyRelation[Breach] = fields.ForeignKeyField(
        "models.Breach", related_name="filings", on_delete=fields.CASCADE
    )
    regulator = fields.CharField(max_length=16)
    due_at = fields.DatetimeField()
    reported_at = fields.DatetimeField(null=True)

    class Meta:
        table = "breach_filings"
        unique_together = (("breach", "regulator"),)


class BreachContact(Model):
    # Someone affected by a breach known only by an address (an invitee without an account):
    # told by e-mail. The address is blanked once the notice is past its retention.
    id = fields.IntField(primary_key=True)
    breach: fields.ForeignKeyRelation[Breach] = fields.ForeignKeyField(
        "models.Breach", related_name="contacts", on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=320, null=True)
    notified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "breach_contacts"


class Disclosure(Model):
    # Personal data handed to someone outside on a legal ground (an authority, a buyer of the
    # business): the person sees it in myData unless a legal hold, always with an end, applies.
    id = fields.IntField(primary_key=True)
    subject: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="disclosures", null=True, on_delete=fields.SET_NULL
    )
    email = fields.CharField(max_length=320, null=True)  # an invitee without an account
    reason = fields.CharField(max_length=32)  # LEGAL_OBLIGATION ENFORCEMENT BUSINESS_TRANSFER
    recipient = fields.CharField(max_length=200)
    legal_basis = fields.CharField(max_length=500)
    data = fields.TextField()  # what was disclosed
    disclosed_at = fields.DatetimeField()
    hold_until = fields.DatetimeField(null=True)
    recorded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recorded_disclosures", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "disclosures"
        indexes = (("subject_id", "id"), ("email", "id"))


class Inquiry(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="inquiries", null=True, on_delete=fields.CASCADE
    )
    email = fields.CharField(max_length=320)
    subject = fields.CharField(max_length=200)
    message = fields.TextField()
    status = fields.CharField(max_length=16, default="OPEN")
    created_at = fields.DatetimeField(auto_now_add=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inquiries"


class InquiryReply(Model):
    id = fields.IntField(primary_key=True)
    inquiry: fields.ForeignKeyRelation[Inquiry] = fields.ForeignKeyField(
        "models.Inquiry", related_name="replies", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="inquiry_replies", null=True, on_delete=fields.SET_NULL
    )
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "inquiry_replies"
