"""Subject access (GDPR art. 15): everything one service holds about a client, as its
log holds it, for the document the gateway assembles from every service.

Every fact of the service that is about the client (an event of ``sealed``, the
facts whose fields the declarations mark personal) is shown with its fields as
stored, opened. One rule, stated in the document: what the declarations mark
``third_party`` (who else is in the client's network, what was said with them, who
sat at a case conference, a professional's contact details) is withheld, as art.
15(4) requires; everything else is shown, the worker's notes included. Producing it
is a read of the client's file, recorded as such where the service records reads.
"""
from __future__ import annotations

from uuid import UUID

from shared import access_log
from shared.access import allow
from shared.errors import Forbidden, Gone
from shared.jsonable import jsonable

WHO_MAY = {"coordinator", "data_protection_officer"}
PURPOSE = "subject_access"
WITHHELD = "withheld: about another person"
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "correlation_id", "chain", "originator_topic",
             "client_id"}


def third_party(fact) -> set[str]:
    return {name for name, field in fact._declared_fields.items() if field.metadata.get("third_party")}


def gather(app, actor: dict, client_id: UUID) -> list[dict]:
    """The client's facts here, oldest first: which fact, when, and its fields."""
    allow(actor, WHO_MAY, "subject_access")
    # Once the client's data is erased, there is nothing of theirs to give (WAVE2 13).
    if app.data_keys.erased(client_id):
        raise Gone("this client's personal data was erased", {"client_id": ["erased"]})
    declared = app.sealed
    facts, agency = [], None
    for event in app.stored(*declared):
        if getattr(event, "client_id", None) != client_id:
            continue
        agency = getattr(event, "agency", None) or agency
        withheld = third_party(declared[type(event)])
        facts.append({
            "fact": declared[type(event)].__name__,
            "recorded": event.timestamp,
            "fields": {name: WITHHELD if name in withheld and value is not None else value
                       for name, value in vars(event).items() if name not in _ENVELOPE},
        })
    # A coordinator asks for the clients of their own agency; the data-protection officer for any.
    if actor["role"] == "coordinator" and agency is not None and agency != actor["agency"]:
        raise Forbidden("this client is followed by another agency", {"client_id": ["another agency"]})
    if facts and access_log.FileRead.Recorded in declared:
        access_log.record(app, actor, [client_id], PURPOSE, "", PURPOSE)
    return jsonable(facts)

