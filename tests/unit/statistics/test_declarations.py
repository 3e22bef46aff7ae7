"""Statistics' facts, declared once (shared/contracts/statistics.py): what each event
carries, what is personal and sealed, and what it publishes."""
from services.statistics.domain import Person, Tally
from services.statistics.integration import PUBLICATIONS, SEALED
from shared.contracts import CATALOGUE, statistics
from shared.contracts.declare import personal_fields
from shared.erasure import ErasureCarriedOut
from tests.support.declarations import declared_names, event_fields


def test_a_tally_carries_exactly_its_declaration_and_names_no_one():
    assert event_fields(Tally.Counted) == declared_names(statistics.Tally)
    assert not personal_fields(statistics.Tally)
    assert "client_id" not in event_fields(Tally.Counted)


def test_the_link_to_a_pseudonym_is_personal_and_sealed_under_the_links_own_key():
    assert event_fields(Person.Pseudonymised) - {"lookup"} == declared_names(statistics.Pseudonymisation)
    assert set(personal_fields(statistics.Pseudonymisation)) == {"client_id", "pseudonym"}
    assert statistics.Pseudonymisation.sealed_with == "link"
    assert SEALED == {Person.Pseudonymised: statistics.Pseudonymisation}


def test_statistics_publishes_only_the_erasures_it_carried_out():
    assert set(PUBLICATIONS) == {ErasureCarriedOut.Recorded}
    assert {t for t in CATALOGUE if t.startswith("be.jww.statistics.")} == {
        "be.jww.statistics.erasure-carried-out.v1", "be.jww.statistics.checkpoint-taken.v1"}
