"""Who may act on a client's referrals and coordination here: staff in a casework
role of the agency that guides the client; on a referral sent to a partner, that
partner's users too (``addressed_to``). The service checks it itself; the gateway
checking too is not enough."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from shared.access import allow
from shared.errors import Forbidden, NotFound

from services.referrals.domain import ClientOnRecord, CoordinationPlan, Referral

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


def coordination_reader(
    repository: Repository, actor: dict, client_id: UUID, command: str,
) -> tuple[ClientOnRecord, str | None]:
    """Who reads a client's coordination: casework staff of the agency that guides the
    client (None), or of another agency in the client's coordination plan, which the
    client consented to share with for coordination (that agency's code: it reads only
    the case conferences it took part in). Anyone else is refused, as by ``client_for``."""
    record = loaded(repository, client_id, ClientOnRecord, "client here", "client_id")
    if actor["role"] in CASEWORK and actor["agency"] != record.agency:
        try:
            plan: CoordinationPlan = repository.get(CoordinationPlan.create_id(client_id))
        except AggregateNotFoundError:
            plan = None
        if plan is not None and plan.joined(actor["agency"]):
            return record, actor["agency"]
    allow_casework(actor, record.agency, command)
    return record, None


def history_reader(
    repository: Repository, actor: dict, client_id: UUID, command: str,
) -> tuple[ClientOnRecord, list[str] | None]:
    """Who reads a client's referrals (issue 16, item 5): casework staff of the agency
    that guides the client, which reads the referrals of the agencies before it in
    the categories of the consent it received the client under (those categories;
    none came before it: all of them), and of an agency that transferred the client
    away, which reads its own referrals only (None). Anyone else is refused."""
    record = loaded(repository, client_id, ClientOnRecord, "client here", "client_id")
    if actor["agency"] != record.agency and record.left(actor["agency"]):
        allow(actor, CASEWORK, command)
        return record, None
    allow_casework(actor, record.agency, command)
    arrival = record.arrival_of(actor["agency"])
    return record, [] if arrival is None else arrival["categories"]


def referral_for(repository: Repository, actor: dict, referral_id: UUID, command: str) -> Referral:
    """A referral its own agency acts on while that agency guides the client: once
    the client is transferred (``client-transferred``, followed by the record), the
    old agency no longer acts on it (issue 16, item 5)."""
    referral = loaded(repository, referral_id, Referral, "referral", "referral_id")
    allow_casework(actor, referral.agency, command, referral.client_id)
    allow_casework(actor, _guiding(repository, referral), command, referral.client_id)
    return referral


def _guiding(repository: Repository, referral: Referral) -> str | None:
    try:
        record: ClientOnRecord = repository.get(referral.client_id)
    except AggregateNotFoundError:  # made before referrals followed intake: its own agency still guides
        return referral.agency
    return record.agency or referral.agency


PARTNER = "partner"


def addressed_to(repository: Repository, actor: dict, referral_id: UUID, command: str) -> Referral:
    """A referral sent to the partner organisation the actor works for. Any other (of
    another organisation, or only proposed so far) is refused, and the refusal is put
    on the access log under the referral's client."""
    referral = loaded(repository, referral_id, Referral, "referral", "referral_id")
    # An erased referral names no partner: addressed to no one any more ("", never None: no check).
    allow(actor, {PARTNER}, command, referral.partner or "",
          elsewhere="this referral is not addressed to your organisation", client_id=referral.client_id)
    if not referral.was_sent:
        raise Forbidden("this referral is not addressed to your organisation", rule="not_sent",
                        client_id=referral.client_id)
    return referral
