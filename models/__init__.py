"""Tortoise models. `MODEL_MODULES` is what the ORM and the migrations load."""

MODEL_MODULES = [
    "models.user",
    "models.event_type",
    "models.schedule",
    "models.booking",
    "models.booking_host",
    "models.team",
    "models.hold",
    "models.notification",
    "models.reminder",
    "models.webhook",
    "models.calendar",
    "models.privacy",
    "models.governance",
    "models.erasure",
    "models.register",
]
