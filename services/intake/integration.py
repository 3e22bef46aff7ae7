"""What intake publishes: each domain event that other services need, as an
integration event of the catalogue. Names, numbers, contact details, questions and
notes are not in any of them."""
from __future__ import annotations

from shared.contracts import event_type
from shared.outbox import Publication

from services.intake.domain import Agency, Client, Consent


def _by(actor: dict) -> dict:
    return {"agency": actor["agency"], "actor": actor["user_id"], "actor_role": actor["role"]}


def _publication(fact: str, e, data: dict, actor: dict, agency: str | None = None) -> Publication:
    return Publication(
        type=event_type("intake", fact, 1),
        subject=str(data.get("client_id", e.originator_id)),
        data={"client_id": str(e.originator_id), **data},
        **{**_by(actor), **({"agency": agency} if agency else {})},
    )


def _registered(e: Client.Registered) -> Publication:
    return _publication("client-registered", e, {
        "agency": e.agency, "legal_position": e.legal_position, "languages": list(e.languages),
        "preferred_language": e.preferred_language, "interpreter_needed": e.interpreter_needed,
    }, e.registered_by)


def _languages_recorded(e: Client.LanguagesRecorded) -> Publication:
    return _publication("client-languages-recorded", e, {
        "languages": list(e.languages), "preferred_language": e.preferred_language,
        "interpreter_needed": e.interpreter_needed,
    }, e.recorded_by)


def _help_request(e: Client.HelpRequestReceived) -> Publication:
    return _publication("help-request-received", e, {
        "request_id": str(e.request_id), "agency": e.received_by["agency"], "source": e.source,
        "domains": list(e.domains), "urgency": e.urgency,
    }, e.received_by)


def _accepted(e: Client.IntakeAccepted) -> Publication:
    return _publication("intake-accepted", e, {
        "agency": e.agency, "worker": e.worker, "interpreter": e.interpreter, **e.case,
    }, e.decided_by, agency=e.agency)


def _declined(e: Client.IntakeDeclined) -> Publication:
    return _publication("intake-declined", e, {"agency": e.decided_by["agency"], "reason": e.reason}, e.decided_by)


def _waitlisted(e: Client.IntakeWaitlisted) -> Publication:
    return _publication("intake-waitlisted", e, {"agency": e.agency}, e.decided_by, agency=e.agency)


def _reassigned(e: Client.Reassigned) -> Publication:
    return _publication("client-reassigned", e, {
        "agency": e.decided_by["agency"], "from_worker": e.from_worker, "worker": e.to_worker,
        "interpreter": e.interpreter,
    }, e.decided_by)


def _transferred(e: Client.Transferred) -> Publication:
    return _publication("client-transferred", e, {
        "from_agency": e.from_agency, "agency": e.to_agency, "worker": e.worker,
    }, e.decided_by, agency=e.to_agency)


def _consent(fact: str, actor_field: str):
    def translate(e) -> Publication:
        data = {"client_id": str(e.client_id), "consent_id": str(e.originator_id), "recipient": e.recipient,
                "purpose": e.purpose}
        if fact == "consent-given":
            data["scope"] = list(e.scope)
        return Publication(type=event_type("intake", fact, 1), subject=str(e.client_id), data=data,
                           **_by(getattr(e, actor_field)))
    return translate


def publications(repository) -> dict:
    """Domain event class -> its translation. Staff facts name their agency by
    code, which is fixed for the life of an agency aggregate and looked up once."""
    codes: dict = {}

    def agency_code(agency_id) -> str:
        if agency_id not in codes:
            codes[agency_id] = repository.get(agency_id).code
        return codes[agency_id]

    def staff(fact: str, actor_field: str, **fixed):
        def translate(e) -> Publication:
            agency = agency_code(e.originator_id)
            data = {"agency": agency, "user_id": e.user_id, **fixed}
            if fact == "staff-member-added":
                data.update(profile=e.profile, languages=list(e.languages))
            actor = getattr(e, actor_field)
            return Publication(type=event_type("intake", fact, 1), subject=f"staff/{agency}/{e.user_id}", data=data,
                               agency=agency, actor=actor["user_id"], actor_role=actor["role"])
        return translate

    return {
        Consent.Given: _consent("consent-given", "given_by"),
        Consent.GivenAgain: _consent("consent-given", "given_by"),
        Consent.Withdrawn: _consent("consent-withdrawn", "withdrawn_by"),
        Client.Registered: _registered,
        Client.LanguagesRecorded: _languages_recorded,
        Client.HelpRequestReceived: _help_request,
        Client.IntakeAccepted: _accepted,
        Client.IntakeDeclined: _declined,
        Client.IntakeWaitlisted: _waitlisted,
        Client.Reassigned: _reassigned,
        Client.Transferred: _transferred,
        Agency.StaffMemberAdded: staff("staff-member-added", "added_by"),
        Agency.StaffMemberDeactivated: staff("staff-member-active-changed", "deactivated_by", active=False),
        Agency.StaffMemberReactivated: staff("staff-member-active-changed", "reactivated_by", active=True),
    }
