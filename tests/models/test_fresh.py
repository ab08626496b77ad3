"""models/fresh.py builds the instance Model(**values) builds: the same attributes, defaults and
errors, for the rows a booking writes; what it does not do itself it leaves to the model."""

from datetime import UTC, datetime

import pytest
from tortoise.exceptions import OperationalError

from models.booking import Booking
from models.calendar import CalendarWrite
from models.event_type import EventType
from models.fresh import fresh
from models.notification import Notification, OutboxEvent
from models.privacy import MailMessage
from models.reminder import Reminder
from models.user import User
from models.webhook import WebhookDelivery

NOW = datetime(2030, 1, 7, 9, tzinfo=UTC)

ROWS = [
    (Notification, {"id": 5, "user_id": 3, "kind": "K", "message": "m", "data": {"a": 1}}),
    (OutboxEvent, {"channel": "booking:1", "payload": {"type": "x"}}),
    (
        MailMessage,
        {"to": "a@example.com", "kind": "K", "subject": "s", "body": "b", "next_attempt_at": NOW},
    ),
    (CalendarWrite, {"calendar_id": 1, "booking_id": 2, "action": "PUT", "next_attempt_at": NOW}),
    (WebhookDelivery, {"webhook_id": 1, "event": "E", "payload": {}, "next_attempt_at": NOW}),
    (Reminder, {"booking_id": 1, "offset_minutes": 60, "due_at": NOW}),
    (
        Booking,
        {
            "id": 9,
            "event_type_id": 4,
            "host_id": 3,
            "start": NOW,
            "end": NOW,
            "attendee_name": "A",
            "attendee_email": "a@example.com",
            "answers": [],
            "not_a_field": "ignored, as Model.__init__ ignores it",
        },
    ),
]


@pytest.mark.parametrize(("model", "values"), ROWS, ids=[m.__name__ for m, _ in ROWS])
def test_the_same_instance_as_the_model_builds(database, model, values):
    for _ in range(2):  # the second time from the remembered plan
        built, expected = fresh(model, **values), model(**values)
        assert type(built) is model
        assert vars(built) == vars(expected)
        assert built.pk == expected.pk
        assert built._custom_generated_pk == expected._custom_generated_pk


def test_mutable_defaults_are_not_shared(database):
    first = fresh(Booking, event_type_id=1, host_id=1, start=NOW, end=NOW)
    second = fresh(Booking, event_type_id=1, host_id=1, start=NOW, end=NOW)
    assert first.answers == second.answers
    if isinstance(first.answers, list | dict):
        assert first.answers is not second.answers


def test_a_null_for_a_required_field_is_refused_alike(database):
    with pytest.raises(ValueError, match="booking_id is non nullable"):
        fresh(Reminder, booking_id=None, offset_minutes=60, due_at=NOW)


def test_relations_given_as_instances_are_left_to_the_model(database):
    host = User(id=3, email="h@example.com", name="H", time_zone="UTC")
    event_type = EventType(id=4, host_id=3, title="T", slug="t", duration_minutes=30)
    host._saved_in_db = event_type._saved_in_db = True
    built = fresh(Booking, event_type=event_type, host=host, start=NOW, end=NOW)
    assert built.event_type_id == 4 and built.host_id == 3
    unsaved = User(email="u@example.com", name="U", time_zone="UTC")
    with pytest.raises(OperationalError, match=r"first call \.save\(\)"):
        fresh(Booking, event_type=event_type, host=unsaved, start=NOW, end=NOW)
