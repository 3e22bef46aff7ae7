"""Each fact is declared once (shared/contracts/declare.py): the domain events carry
what their declarations name, and what is derived from a declaration agrees with it."""
import pytest
from marshmallow import fields

from services.guidance.integration import PUBLICATIONS as GUIDANCE
from services.intake.integration import PUBLICATIONS as INTAKE
from services.notifications.integration import PUBLICATIONS as NOTIFICATIONS
from services.referrals.integration import PUBLICATIONS as REFERRALS
from services.statistics.integration import PUBLICATIONS as STATISTICS
from services.referrals.domain import CoordinationPlan, Partner
from shared.contracts import CATALOGUE, sharing
from shared.contracts.base import EventSchema
from shared.contracts.declare import (
    CATEGORIES, RETENTION_CLASSES, Fact, answer_fields, declared, properties, published_version,
)
from shared.erasure import ErasureCarriedOut
from tests.support.declarations import event_fields

# A kind that shared code records (an erasure carried out) is published by each service
# that records it, each as its own type.
PUBLICATIONS = [(service, event_class, publish)
                for service, publications in (("intake", INTAKE), ("guidance", GUIDANCE), ("referrals", REFERRALS),
                                              ("notifications", NOTIFICATIONS), ("statistics", STATISTICS))
                for event_class, publish in publications.items()]
# Facts about a client whose events name no agency, published in no agency's name: an
# actor of a coordination plan (the plan holds its agency) and an erasure carried out
# (on intake's decision or a retention rule); and a partner's deactivation, which names
# the partner only (its registration names the agency it is part of, if any).
NO_AGENCY = {CoordinationPlan.ActorAdded, ErasureCarriedOut.Recorded, Partner.Deactivated}


@pytest.mark.parametrize("service, event_class, publish", PUBLICATIONS,
                         ids=lambda v: v.__qualname__ if isinstance(v, type) else v if isinstance(v, str) else "")
def test_every_published_domain_event_carries_what_its_declaration_names(service, event_class, publish):
    missing = set(publish.reads) - event_fields(event_class)
    assert not missing, f"{event_class.__qualname__} lacks {sorted(missing)} declared by {publish.schema.__name__}"
    assert publish.schema.service == service
    if publish.about_client:
        assert "client_id" in event_fields(event_class)
    assert ("agency" in event_fields(event_class)) == (event_class not in NO_AGENCY)


def test_every_published_type_is_the_translation_of_a_domain_event():
    # A translation that publishes one version or another (notifications' kinds) names both.
    translated = {(s.service, s.fact, s.version) for _, _, p in PUBLICATIONS for s in getattr(p, "versions", [p.schema])}
    # A read, a refusal, an erased fact and a checkpoint are published by shared code
    # (access_log, outbox, checkpoints) for every service.
    catalogued = {(s.service, s.fact, s.version) for s in CATALOGUE.values()
                  if s.fact not in ("client-file-read", "client-access-refused", "fact-erased", "checkpoint-taken")}
    # The feeds' types are derived from the facts they copy, one per sharable fact
    # (shared.contracts.sharing), and published by sharing's one feed entry event.
    feeds = {(s.service, s.fact, s.version) for s in CATALOGUE.values() if s.service == sharing.SERVICE}
    assert {(sharing.SERVICE, f"{CATALOGUE[t].service}.{CATALOGUE[t].fact}", CATALOGUE[t].version)
            for t in sharing.FEED_TYPES} | {(sharing.SERVICE, notice, 1) for notice in ("consent-withdrawn", "client-erased")} == feeds
    assert catalogued - feeds == translated


def test_a_declaration_refuses_unknown_properties():
    with pytest.raises(ValueError):
        declared(fields.String(), category="gossip")
    with pytest.raises(ValueError):
        declared(fields.String(), category="identity", retention="forever")
    with pytest.raises(ValueError):
        declared(fields.String(), category=None, personal=True)


class Visit(Fact):
    identity = "visit_id"
    visit_id = declared(fields.UUID(required=True), category=None, given=False)
    minutes = declared(fields.Integer(required=True), category="interventions")
    mood = declared(fields.String(load_default=""), category="interventions", personal=True, published=False)
    room = declared(fields.String(required=True), category="interventions", since=2)


def test_a_new_field_reaches_only_the_versions_since_it_was_added():
    v1, v2 = published_version(Visit, 1, EventSchema), published_version(Visit, 2, EventSchema)
    assert set(v1._declared_fields) == {"visit_id", "minutes"}
    assert set(v2._declared_fields) == {"visit_id", "minutes", "room"}
    assert all(f.required for f in v2._declared_fields.values())


def test_an_answer_shows_the_record_id_and_may_withhold_a_field():
    shown = answer_fields(Visit, withheld=["mood"])
    assert shown["visit_id"].attribute == "id" and shown["mood"].allow_none


def test_every_published_field_names_a_known_category_and_retention_class():
    for schema in CATALOGUE.values():
        for name, field in schema._declared_fields.items():
            props = properties(field)
            assert props["category"] in CATEGORIES + (None,), (schema.__name__, name)
            assert props["retention"] in RETENTION_CLASSES, (schema.__name__, name)
