"""What the intake service answers: a client's file, search results, the waitlist,
the directory of agencies and staff, and the acknowledgements of its commands.

The gateway documents these as its success bodies (``services/gateway/routes.py``)
and the tests hold the service's real answers to them.
"""
from marshmallow import fields, validate

from shared.contracts import intake as facts
from shared.contracts import intake_directory as directory
from shared.contracts.base import ActorSchema, AnswerSchema
from shared.contracts.declare import Fact, answer_fields, fields_in, properties
from shared.contracts.intake import InterpreterSchema, MandatingActorSchema
from shared.contracts.intake_vocabulary import DECLINE_REASONS, LANGUAGE, LEGAL_POSITIONS, SITUATIONS

# The intake decision a file is in (services/intake/domain/client.py; a test keeps them equal).
INTAKE_STATUSES = ("registered", "accepted", "declined", "waitlisted")
DECISIONS = ("accepted", "declined", "waitlisted", "reassigned", "transferred", "reopened")
# Registrations older than the situation field read as "unknown" (Client.Registered v1).
CLIENT_SITUATIONS = SITUATIONS + ("unknown",)


class ClientVersion(AnswerSchema):
    """A client file as a command left it: send ``version`` back as ``expected_version``."""

    client_id = fields.UUID(required=True)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class ClientRegistered(ClientVersion):
    """A registration; ``duplicate_check`` only when it is held because its national
    number is on another agency's file, and then it says only that (WAVE2 15)."""

    duplicate_check = fields.String(validate=validate.Equal("a possible duplicate needs a coordinator's check"))


class DuplicateCheckOnFile(AnswerSchema):
    """The file's registration held for a duplicate check: pending, linked (the same
    person: closed as a duplicate of the file ``followed_by`` follows) or released."""

    status = fields.String(required=True, validate=validate.OneOf(("pending", "linked", "released")))
    followed_by = fields.String(required=True, allow_none=True)


class StatedFinding(AnswerSchema):
    finding = fields.String(required=True, validate=validate.OneOf(facts.DUPLICATE_FINDINGS))
    agency = fields.String(required=True)


class DuplicateCheckSeen(AnswerSchema):
    """A duplicate check as a coordinator of one of its two agencies sees it: that
    agency's own file, the other agency, and the finding stated and awaiting the
    other agency's confirmation, if any."""

    check_id = fields.UUID(required=True)
    client_id = fields.UUID(required=True)
    side = fields.String(required=True, validate=validate.OneOf(("registering", "existing")))
    other_agency = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("pending", "linked", "released")))
    finding_stated = fields.Nested(StatedFinding, required=True, allow_none=True)
    followed_by = fields.String(required=True, allow_none=True)
    since = fields.AwareDateTime(required=True)


class LegalSituationChanged(ClientVersion):
    """A change of where the client stands: which of its values changed."""

    changed = fields.List(fields.String(validate=validate.OneOf(("legal_position", "situation", "mandating_actor"))),
                          required=True)


class HelpRequestReceived(AnswerSchema):
    request_id = fields.UUID(required=True)


class ConsentRecorded(AnswerSchema):
    consent_id = fields.UUID(required=True)


class ErasureStatus(AnswerSchema):
    """Where an erasure stands: requested, approved (carried out) or refused."""

    erasure_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("requested", "approved", "refused")))


class LegalHoldStatus(AnswerSchema):
    """Whether a legal hold on the client's data is in force, and on what ground."""

    client_id = fields.UUID(required=True)
    in_force = fields.Boolean(required=True)
    ground = fields.String(required=True, validate=validate.OneOf(facts.HOLD_GROUNDS))


class IntakeStatus(AnswerSchema):
    """A decision that leaves no worker: declined or waitlisted."""

    client_id = fields.UUID(required=True)
    status = fields.String(required=True, validate=validate.OneOf(INTAKE_STATUSES))


class ClientReassigned(AnswerSchema):
    client_id = fields.UUID(required=True)
    worker = fields.String(required=True)


class ClientTransferred(AnswerSchema):
    client_id = fields.UUID(required=True)
    agency = fields.String(required=True)


def _answer(name: str, fact: type[Fact], shown: list[str], withheld: tuple[str, ...] = (),
            **more: fields.Field) -> type[AnswerSchema]:
    """The answer ``name`` showing the fields ``shown`` of ``fact`` as it declares them
    (``withheld``: null for a reader who may not see them)."""
    omit = [field for field in fact._declared_fields if field not in shown]
    return type(name, (AnswerSchema,), {**answer_fields(fact, omit=omit, withheld=withheld), **more})


# Who the person is: only in intake's own file, never in an event.
Personal = _answer("Personal", facts.Registration, fields_in(facts.Registration, ["identity", "contact"]))
# A help request the earlier agency received reads, after a transfer, in the consented categories only.
HelpRequest = _answer("HelpRequest", facts.HelpRequest,
                      ["request_id", "source", "domains", "question", "urgency", "received_by"], withheld=("urgency",))


class IntakeDecision(AnswerSchema):
    """One decision on the file; which of the optional fields it has depends on
    the decision (a decline has a reason and note, the others an agency or worker)."""

    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS), metadata={"category": None})
    by = fields.Nested(ActorSchema, required=True, metadata={"category": None})
    agency = fields.String(metadata={"category": None})
    # None: transferred to the new agency's waitlist.
    worker = fields.String(allow_none=True, metadata={"category": None})
    # None once erased; their category is the decline's (shared.contracts.intake.Decline).
    reason = fields.String(validate=validate.OneOf(DECLINE_REASONS), allow_none=True,
                           metadata={"category": properties(facts.Decline._declared_fields["reason"])["category"]})
    note = fields.String(allow_none=True,
                         metadata={"category": properties(facts.Decline._declared_fields["note"])["category"]})


ConsentOnFile = _answer("ConsentOnFile", facts.ConsentGiven, ["recipient", "purpose", "categories", "share_history"],
                        active=fields.Boolean(required=True, metadata={"category": None}),
                        since=fields.AwareDateTime(required=True, metadata={"category": None}))


class ErasureOnFile(AnswerSchema):
    """The client's personal data was erased (GDPR art. 17): when, by which decision,
    on what ground. The file's personal fields read as null since."""

    erasure_id = fields.UUID(required=True)
    at = fields.AwareDateTime(required=True)
    legal_basis = fields.String(required=True, validate=validate.OneOf(facts.ERASURE_GROUNDS))


class HoldOnFile(AnswerSchema):
    """A legal hold in force (GDPR art. 17(3)): the file may not be erased meanwhile."""

    ground = fields.String(required=True, validate=validate.OneOf(facts.HOLD_GROUNDS))
    since = fields.AwareDateTime(required=True)


class TransferredOnFile(AnswerSchema):
    """The file as the agency that transferred the client reads it since: what it
    recorded itself, as it stood when the client left for ``agency`` (``at``)."""

    agency = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class LegalSituationChangeOnFile(AnswerSchema):
    """One change of where the client stands: from when, what it was and became, why,
    who recorded it and when. Personal values read as null once erased."""

    effective_from = fields.Date(required=True, allow_none=True)
    changed = fields.List(fields.String(), required=True)
    from_ = fields.Dict(data_key="from", required=True)
    to = fields.Dict(required=True)
    reason = fields.String(required=True, allow_none=True)
    by = fields.Nested(ActorSchema, required=True)
    recorded = fields.AwareDateTime(required=True)


class ContactChangeOnFile(AnswerSchema):
    """How to reach the client from ``effective_from`` on (whole), why, who recorded it and when."""

    effective_from = fields.Date(required=True, allow_none=True)
    contact = fields.Dict(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    by = fields.Nested(ActorSchema, required=True)
    recorded = fields.AwareDateTime(required=True)


def _about(category: str | None) -> dict:
    """A field's consent category, for an answer field written here rather than
    derived from a fact (shared.consented filters on it after a transfer)."""
    return {"category": category}


NOT_ABOUT_THE_CLIENT = _about(None)


class ClientFile(AnswerSchema):
    """A client's file; once erased, its personal fields are null and ``erased`` says since when.

    After a transfer, the agency the client left reads only what it recorded itself,
    as it stood when the client left (``transferred``); the new agency reads what the
    earlier agency recorded only in the categories of the client's transfer consent:
    every other field of it is null, and ``withheld`` names each (dotted inside a
    nested part) with why."""

    client_id = fields.UUID(required=True, metadata=NOT_ABOUT_THE_CLIENT)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1), metadata=NOT_ABOUT_THE_CLIENT)
    agency = fields.String(required=True, metadata=NOT_ABOUT_THE_CLIENT)
    status = fields.String(required=True, validate=validate.OneOf(INTAKE_STATUSES), metadata=NOT_ABOUT_THE_CLIENT)
    worker = fields.String(required=True, allow_none=True, metadata=NOT_ABOUT_THE_CLIENT)
    # Guidance closed the client's trajectory at the agency: no correction until a
    # coordinator reopens it, or reopens the intake.
    trajectory_closed = fields.Boolean(required=True, metadata=NOT_ABOUT_THE_CLIENT)
    interpreter = fields.Nested(InterpreterSchema, required=True, allow_none=True, metadata=_about("languages"))
    personal = fields.Nested(Personal, required=True, allow_none=True)  # none: registered before it was kept
    legal_position = fields.String(required=True, allow_none=True, validate=validate.OneOf(LEGAL_POSITIONS),
                                   metadata=_about("legal_situation"))
    situation = fields.String(required=True, allow_none=True, validate=validate.OneOf(CLIENT_SITUATIONS),
                              metadata=_about("legal_situation"))
    mandating_actor = fields.Nested(MandatingActorSchema, required=True, allow_none=True,
                                    metadata=_about("legal_situation"))
    languages = fields.List(fields.String(validate=LANGUAGE), required=True, allow_none=True,
                            metadata=_about("languages"))
    preferred_language = fields.String(required=True, allow_none=True, validate=LANGUAGE, metadata=_about("languages"))
    interpreter_needed = fields.Boolean(required=True, allow_none=True, metadata=_about("languages"))
    help_requests = fields.List(fields.Nested(HelpRequest), required=True)
    decisions = fields.List(fields.Nested(IntakeDecision), required=True)
    # Corrections (issue 20), oldest first; the current values are the fields above.
    legal_situation_history = fields.List(fields.Nested(LegalSituationChangeOnFile), required=True,
                                          allow_none=True, metadata=_about("legal_situation"))
    contact_history = fields.List(fields.Nested(ContactChangeOnFile), required=True, allow_none=True,
                                  metadata=_about("contact"))
    consents = fields.List(fields.Nested(ConsentOnFile), required=True)
    erased = fields.Nested(ErasureOnFile, required=True, allow_none=True, metadata=NOT_ABOUT_THE_CLIENT)
    legal_hold = fields.Nested(HoldOnFile, required=True, allow_none=True, metadata=NOT_ABOUT_THE_CLIENT)
    duplicate_check = fields.Nested(DuplicateCheckOnFile, required=True, allow_none=True,
                                    metadata=NOT_ABOUT_THE_CLIENT)
    transferred = fields.Nested(TransferredOnFile, required=True, allow_none=True, metadata=NOT_ABOUT_THE_CLIENT)
    withheld = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                           metadata=NOT_ABOUT_THE_CLIENT)


class ClientFound(AnswerSchema):
    """A search result: enough to tell people apart, no more. The names are none
    for a file registered before intake kept them."""

    client_id = fields.UUID(required=True)
    given_names = fields.String(required=True, allow_none=True)
    family_name = fields.String(required=True, allow_none=True)
    birth_date = fields.Date(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(INTAKE_STATUSES))


class WaitingClient(AnswerSchema):
    client_id = fields.UUID(required=True)
    since = fields.AwareDateTime(required=True)


class PendingIntake(AnswerSchema):
    """A registration waiting for the agency's intake decision, since it was registered;
    while a duplicate check holds it, no decision can be taken yet."""

    client_id = fields.UUID(required=True)
    since = fields.AwareDateTime(required=True)
    duplicate_check_pending = fields.Boolean(required=True)


StaffMember = _answer("StaffMember", directory.StaffMember, ["user_id", "display_name", "profile", "languages"],
                      active=fields.Boolean(required=True))
Agency = _answer("Agency", directory.AgencyRegistration,
                 ["code", "name", "languages", "telephone_interpreters", "sample"],
                 staff=fields.List(fields.Nested(StaffMember), required=True))


class AgencyRegistered(AnswerSchema):
    code = fields.String(required=True)


class StaffMemberKey(AnswerSchema):
    agency = fields.String(required=True)
    user_id = fields.String(required=True)


class StaffMemberActive(StaffMemberKey):
    active = fields.Boolean(required=True)
