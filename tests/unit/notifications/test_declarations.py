"""Notifications' facts and the file-read and access-refused facts, declared once (shared/contracts/declare.py):
what each event carries, what is personal and published, and what commands and answers derive from."""
import uuid

import pytest

from services.audit.domain import READ, REFUSED, Timeline
from services.notifications.domain import Notification
from shared import access_log
from shared.contracts import CATALOGUE, audit, audit_answers, notifications, notifications_answers
from shared.contracts.base import READ_PURPOSES, AccessRefused, AccessRefusedData, ActorSchema, FileRead, FileReadData
from shared.contracts.declare import personal_fields, properties
from tests.support.declarations import event_fields, declared_names, names_where


@pytest.mark.parametrize("event_class, fact", [
    (Notification.Created, notifications.Notification),
    (Notification.Delivered, notifications.Delivery),
    (Notification.DeadLettered, notifications.DeadLetter),
    (Notification.Withdrawn, notifications.Withdrawal),
    (Notification.Read, notifications.Reading),
    (access_log.FileRead.Recorded, FileRead),
], ids=lambda c: getattr(c, "__qualname__", ""))
def test_each_notification_and_file_read_event_carries_exactly_its_declaration(event_class, fact):
    assert event_fields(event_class) == declared_names(fact)


def test_audit_s_own_read_is_a_file_read_and_the_instant_its_clock_gave():
    assert event_fields(Timeline.FileRead) == declared_names(FileRead) | {"at"}


def test_a_refusal_carries_exactly_its_declaration_and_audit_s_own_its_id_and_instant_too():
    assert event_fields(access_log.AccessRefused.Recorded) == declared_names(AccessRefused)
    assert event_fields(Timeline.AccessRefused) == declared_names(AccessRefused) | {"refusal_id", "at"}


def test_a_notification_publishes_who_was_told_which_kind_of_thing_never_the_message():
    fact = notifications.Notification
    assert names_where(fact, personal=True) == {"kind", "subject", "body"}
    assert names_where(fact, published=False) == {"agency", "address", "subject", "body"}
    assert {"subject", "body"} <= names_where(fact, retention="case_notes")
    assert names_where(fact, retention="directory") == {"address"}  # a staff member's, not the client's
    assert not names_where(fact, given=True)  # the service writes it from another service's fact
    for declared_fact, published in ((fact, notifications.NotificationIssuedV1),
                                     (notifications.Delivery, notifications.NotificationDeliveredV1),
                                     (notifications.DeadLetter, notifications.NotificationDeadLetteredV1)):
        assert set(published._declared_fields) == names_where(declared_fact, published=True)


def test_whom_when_why_and_in_which_language_a_notification_went_is_not_the_client_s_data():
    for name in ("recipient", "language", "address", "due", "caused_by"):
        props = properties(notifications.Notification._declared_fields[name])
        assert (props["personal"], props["category"]) == (False, None), name


def test_notifications_commands_and_answers_come_from_their_declarations():
    assert set(notifications.MarkRead._declared_fields) == names_where(notifications.Reading, given=True) | {"actor"}
    inbox = set(notifications_answers.InboxEntry._declared_fields)
    assert inbox - {"at", "read"} <= set(notifications.Notification._declared_fields)
    assert not inbox & {"client_id", "address", "caused_by"}
    dead = set(notifications_answers.DeadLetter._declared_fields)
    assert dead - {"attempts", "status"} == set(notifications.Notice._declared_fields) - {"client_id", "agency"}


def test_a_file_read_publishes_whose_file_why_as_a_code_and_how_and_the_envelope_who():
    assert set(FileReadData._declared_fields) == {"client_id", "purpose", "query"}
    promised = [rule.choices for rule in FileReadData._declared_fields["purpose"].validators]
    assert promised == [READ_PURPOSES]  # a code, and the contract says which
    assert names_where(FileRead, published=False) == {"reader", "role", "agency", "purpose_detail"}
    assert personal_fields(FileRead) == ["purpose_detail"]  # free text the reader wrote: never published
    assert names_where(FileRead, retention="access_log") == set(FileRead._declared_fields)
    for service in ("intake", "guidance", "referrals"):
        schema = CATALOGUE[f"be.jww.{service}.client-file-read.v2"]
        assert issubclass(schema, FileReadData) and schema.stream == "access"
        publish = access_log.publication(service)[access_log.FileRead.Recorded]
        assert set(publish.reads) <= event_fields(access_log.FileRead.Recorded)


def test_a_refusal_publishes_whose_file_what_and_which_rule_as_codes_and_the_envelope_who():
    assert set(AccessRefusedData._declared_fields) == {"client_id", "what", "rule"}
    assert names_where(AccessRefused, published=False) == {"actor", "role", "agency"}
    assert personal_fields(AccessRefused) == []  # never the message the caller was told, never the payload
    assert names_where(AccessRefused, retention="access_log") == set(AccessRefused._declared_fields)
    for service in ("intake", "guidance", "referrals"):
        schema = CATALOGUE[f"be.jww.{service}.client-access-refused.v1"]
        assert issubclass(schema, AccessRefusedData) and schema.stream == "access"
        publish = access_log.publication(service)[access_log.AccessRefused.Recorded]
        assert set(publish.reads) <= event_fields(access_log.AccessRefused.Recorded)
    assert AccessRefusedData().validate({"client_id": str(uuid.uuid4()), "what": "client_file",
                                         "rule": "this client is followed by another agency"}) == {
        "rule": ["String does not match expected pattern."]}


def test_audit_queries_and_its_access_log_come_from_the_file_read_declaration():
    assert set(audit.AuditQuery._declared_fields) == names_where(FileRead, given=True) | {"actor"}
    assert audit.AuditQuery._declared_fields["purpose"].required  # an auditor always says why
    shown = audit_answers.AccessLogEntry._declared_fields
    assert set(shown) == set(FileRead._declared_fields) - {"client_id"} | {"outcome", "rule", "service", "at"}
    assert shown["purpose_detail"].allow_none  # known for audit's own reads only
    assert shown["purpose"].allow_none and shown["rule"].allow_none  # a refusal has no purpose, a read no rule
    assert audit_answers.ACCESS_OUTCOMES == (READ, REFUSED)
    # What the file shows of a notification beyond what its issue says: what became of
    # it, and what every record of the file says of its fact.
    later = {"status", "delivered", "dead_lettered", *audit_answers.InFile._declared_fields}
    in_file = set(audit_answers.NotificationInFile._declared_fields) - later
    assert in_file == set(notifications.NotificationIssuedV1._declared_fields) - {"client_id"}


def test_an_actor_is_a_staff_member_kept_with_the_directory():
    for name, field in ActorSchema._declared_fields.items():
        assert properties(field) | {"name": name} == {
            "name": name, "published": True, "personal": False, "category": None, "retention": "directory",
            "since": 1, "given": True}
