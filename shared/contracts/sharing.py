"""Contracts of the sharing service: each organisation's feed (WAVE2 14).

A feed entry is a copy of another service's fact about a client, for one
organisation the client consented to, holding only the consented categories. Its
type is the source's with ``share`` in front (``be.jww.share.intake.client-registered.v1``
copies ``be.jww.intake.client-registered.v1``) and is derived here from the
source's declaration, never written again: the source's fields that belong to no
category (ids, codes, who acted) under ``fields``, and, under ``categories``, one
block per consented category the fact holds, each a JWE sealed to the organisation
(shared.recipients). A category not consented is absent.

A fact none of whose fields belongs to a category says nothing the consent covers,
so it is never shared and has no feed type.
"""
from marshmallow import Schema, fields, validate

from shared.contracts.base import (
    CATALOGUE, EVENTS, ActorSchema, AnswerSchema, CommandSchema, EventSchema, event_type, integration_event,
)
from shared.contracts.declare import CATEGORIES, Fact, declared, properties
from shared.contracts.intake_vocabulary import CONSENT_PURPOSES

SERVICE = "share"  # the feeds' types: be.jww.share.<service>.<fact>.v<n>
SOURCES = ("intake", "guidance", "referrals")
# A compact JWE with direct key agreement: its encrypted key part is empty.
JWE = validate.Regexp(r"^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
                      error="must be a compact JWE (ECDH-ES, A256GCM)")


def categories_of(schema: type[Schema]) -> dict[str, str | None]:
    """Each field of a published fact, and the consent category it belongs to."""
    return {name: properties(field)["category"] for name, field in schema._declared_fields.items()}


def share_type(source_type: str) -> str:
    """The feed type of a source type: ``be.jww.intake.x.v1`` -> ``be.jww.share.intake.x.v1``."""
    service, fact, version = _parts(source_type)
    return event_type(SERVICE, f"{service}.{fact}", version)


def _parts(source_type: str) -> tuple[str, str, int]:
    schema = CATALOGUE[source_type]
    return schema.service, schema.fact, schema.version


class FeedEntry(EventSchema):
    """What every feed entry says besides the fact's own fields."""

    client_id = fields.UUID(required=True)
    recipient = fields.String(required=True)  # the organisation whose feed it is
    sequence = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    fact_id = fields.String(required=True)  # the source event's CloudEvents id
    source = fields.String(required=True, validate=validate.OneOf(SOURCES))
    recorded = fields.AwareDateTime(required=True)  # when the fact happened
    purposes = fields.List(fields.String(validate=validate.OneOf(CONSENT_PURPOSES)), required=True,
                           validate=validate.Length(min=1))


def _feed_schema(source: type[EventSchema]) -> type[FeedEntry] | None:
    by_field = categories_of(source)
    present = sorted({c for c in by_field.values() if c is not None}, key=CATEGORIES.index)
    if not present:
        return None
    plain = Schema.from_dict({name: source._declared_fields[name] for name, c in by_field.items() if c is None},
                             name=f"{source.__name__}Fields")
    blocks = Schema.from_dict({c: fields.String(validate=JWE) for c in present}, name=f"{source.__name__}Blocks")
    return type(f"Shared{source.__name__}", (FeedEntry,), {
        "fields": fields.Nested(plain, required=True), "categories": fields.Nested(blocks, required=True)})


def _register_feed_types() -> dict[str, str]:
    """Every source fact that can be shared: its type -> its feed type."""
    feed_types = {}
    for source_type, schema in list(CATALOGUE.items()):
        if schema.service not in SOURCES or schema.stream != EVENTS:
            continue
        feed = _feed_schema(schema)
        if feed is not None:
            integration_event(SERVICE, f"{schema.service}.{schema.fact}", schema.version)(feed)
            feed_types[source_type] = share_type(source_type)
    return feed_types


FEED_TYPES = _register_feed_types()


@integration_event(SERVICE, "consent-withdrawn", 1)
class ConsentWithdrawnNotice(EventSchema):
    """The client withdrew the consent that let this organisation receive their data
    for ``purpose``: stop processing it for that purpose (GDPR art. 7(3), 19)."""

    client_id = fields.UUID(required=True)
    recipient = fields.String(required=True)
    sequence = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    purpose = fields.String(required=True, validate=validate.OneOf(CONSENT_PURPOSES))
    withdrawn = fields.AwareDateTime(required=True)


@integration_event(SERVICE, "client-erased", 1)
class ClientErasedNotice(EventSchema):
    """The client's data was erased on the platform (GDPR art. 17, 19): erase what this
    organisation received about them."""

    client_id = fields.UUID(required=True)
    recipient = fields.String(required=True)
    sequence = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    erased = fields.AwareDateTime(required=True)


# How the sharing service stores a feed entry: each category's block is the client's
# personal data of that category, sealed under the client's key like any service's
# (shared.sealing) and erased with it; sealed to the organisation only when published.
SharedFact = type("SharedFact", (Fact,), {
    "client_id": declared(fields.UUID(required=True), category=None, published=False),
    "recipient": declared(fields.String(required=True), category=None, published=False),
    "sequence": declared(fields.Integer(required=True), category=None, published=False),
    "fact_id": declared(fields.String(required=True), category=None, published=False),
    "source_type": declared(fields.String(required=True), category=None, published=False),
    "recorded": declared(fields.AwareDateTime(required=True), category=None, published=False),
    "purposes": declared(fields.List(fields.String(), required=True), category=None, published=False),
    "plain": declared(fields.Dict(required=True), category=None, published=False),
    **{category: declared(fields.Dict(load_default=None, allow_none=True), category=category, personal=True,
                          published=False) for category in CATEGORIES},
})


# -- an organisation catching up with its feed (WAVE2 14) ------------------------------

class ReadFeed(CommandSchema):
    """An organisation's feed after the last entry it holds, as it was published."""

    actor = fields.Nested(ActorSchema, required=True)
    organisation = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9-]+$"))
    after = fields.Integer(load_default=0, validate=validate.Range(min=0), metadata={
        "description": "the sequence number of the last entry you hold (0: from the start)"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class FeedPage(AnswerSchema):
    organisation = fields.String(required=True)
    # Each entry exactly as the broker carried it: a signed CloudEvent (deploy/README.md).
    entries = fields.List(fields.Dict(), required=True)
    next = fields.Integer(required=True, allow_none=True, metadata={
        "description": "the after to ask with for the next page; null when there is no more"})
