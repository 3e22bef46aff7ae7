"""Who may act on a client's referrals and coordination here: staff in a casework
role of the agency that guides the client. The service checks it itself; the
gateway checking too is not enough."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from shared.access import allow
from shared.errors import NotFound

from services.referrals.domain import ClientOnRecord, Referral

CASEWORK = {"social_assistant", "criminologist", "jurist", "coordinator"}


def allow_casework(actor: dict, agency: str, command: str, client_id: UUID | None = None) -> None:
    allow(actor, CASEWORK, command, agency, elsewhere="this client is guided by another agency", client_id=client_id)


def loaded(repository: Repository, aggregate_id: UUID, kind: type, what: str, field: str) -> Any:
    """The ``kind`` of record with that id, or not found (another kind's id included)."""
    try:
        aggregate = repository.get(aggregate_id)
    except AggregateNotFoundError:
        aggregate = None
    if not isinstance(aggregate, kind):
        raise NotFound(f"no such {what}", {field: ["not found"]})
    return aggregate


def client_for(repository: Repository, actor: dict, client_id: UUID, command: str) -> ClientOnRecord:
    record = loaded(repository, client_id, ClientOnRecord, "client here", "client_id")
    allow_casework(actor, record.agency, command)
    return record


def referral_for(repository: Repository, actor: dict, referral_id: UUID, command: str) -> Referral:
    referral = loaded(repository, referral_id, Referral, "referral", "referral_id")
    allow_casework(actor, referral.agency, command, referral.client_id)
    return referral
