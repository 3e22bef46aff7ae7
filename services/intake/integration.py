"""What intake publishes: each domain event that other services need, as an
integration event of the catalogue. Names, numbers, contact details, questions and
notes are not in any of them.

Each translation is a function of the event alone: every published event names its
client, its agency and who acted (``services.intake.domain``).
"""
from __future__ import annotations

from shared.contracts import event_type
from shared.outbox import Publication

from services.intake.domain import Agency, Client, Consent


def _about_client(fact: str, e, actor: dict, **data) -> Publication:
    return Publication(
        type=event_type("intake", fact, 1), subject=str(e.client_id), data={"client_id": str(e.client_id), **data},
        agency=e.agency, actor=actor["user_id"], actor_role=actor["role"],
    )


def _registered(e: Client.Registered) -> Publication:
    return _about_client(
        "client-registered", e, e.registered_by, agency=e.agency, legal_position=e.legal_position,
        languages=list(e.languages), preferred_language=e.preferred_language, interpreter_needed=e.interpreter_needed,
    )


def _languages_recorded(e: Client.LanguagesRecorded) -> Publication:
    return _about_client(
        "client-languages-recorded", e, e.recorded_by, languages=list(e.languages),
        preferred_language=e.preferred_language, interpreter_needed=e.interpreter_needed,
    )


def _help_request(e: Client.HelpRequestReceived) -> Publication:
    return _about_client(
        "help-request-received", e, e.received_by, request_id=str(e.request_id), agency=e.agency, source=e.source,
        domains=list(e.domains), urgency=e.urgency,
    )


def _accepted(e: Client.IntakeAccepted) -> Publication:
    return _about_client(
        "intake-accepted", e, e.decided_by, agency=e.agency, worker=e.worker, interpreter=e.interpreter,
        legal_position=e.legal_position, situation=e.situation, languages=list(e.languages),
        preferred_language=e.preferred_language, domains=list(e.domains),
    )


def _declined(e: Client.IntakeDeclined) -> Publication:
    return _about_client("intake-declined", e, e.decided_by, agency=e.agency, reason=e.reason)


def _waitlisted(e: Client.IntakeWaitlisted) -> Publication:
    return _about_client("intake-waitlisted", e, e.decided_by, agency=e.agency)


def _reassigned(e: Client.Reassigned) -> Publication:
    return _about_client(
        "client-reassigned", e, e.decided_by, agency=e.agency, from_worker=e.from_worker, worker=e.worker,
        interpreter=e.interpreter,
    )


def _transferred(e: Client.Transferred) -> Publication:
    return _about_client("client-transferred", e, e.decided_by, from_agency=e.from_agency, agency=e.agency,
                         worker=e.worker)


def _consent_given(e: Consent.Given | Consent.GivenAgain) -> Publication:
    return _about_client(
        "consent-given", e, e.given_by, consent_id=str(e.originator_id), recipient=e.recipient, purpose=e.purpose,
        scope=list(e.scope),
    )


def _consent_withdrawn(e: Consent.Withdrawn) -> Publication:
    return _about_client(
        "consent-withdrawn", e, e.withdrawn_by, consent_id=str(e.originator_id), recipient=e.recipient,
        purpose=e.purpose,
    )


def _about_staff(fact: str, e, actor: dict, **data) -> Publication:
    return Publication(
        type=event_type("intake", fact, 1), subject=f"staff/{e.agency}/{e.user_id}",
        data={"agency": e.agency, "user_id": e.user_id, **data},
        agency=e.agency, actor=actor["user_id"], actor_role=actor["role"],
    )


def _staff_added(e: Agency.StaffMemberAdded) -> Publication:
    return _about_staff("staff-member-added", e, e.added_by, profile=e.profile, languages=list(e.languages))


def _staff_deactivated(e: Agency.StaffMemberDeactivated) -> Publication:
    return _about_staff("staff-member-active-changed", e, e.deactivated_by, active=False)


def _staff_reactivated(e: Agency.StaffMemberReactivated) -> Publication:
    return _about_staff("staff-member-active-changed", e, e.reactivated_by, active=True)


# Domain event class -> its translation; every other domain event stays private.
PUBLICATIONS = {
    Consent.Given: _consent_given,
    Consent.GivenAgain: _consent_given,
    Consent.Withdrawn: _consent_withdrawn,
    Client.Registered: _registered,
    Client.LanguagesRecorded: _languages_recorded,
    Client.HelpRequestReceived: _help_request,
    Client.IntakeAccepted: _accepted,
    Client.IntakeDeclined: _declined,
    Client.IntakeWaitlisted: _waitlisted,
    Client.Reassigned: _reassigned,
    Client.Transferred: _transferred,
    Agency.StaffMemberAdded: _staff_added,
    Agency.StaffMemberDeactivated: _staff_deactivated,
    Agency.StaffMemberReactivated: _staff_reactivated,
}
