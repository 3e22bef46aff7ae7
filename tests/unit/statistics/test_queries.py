"""Who reads which figures, what a request may ask, the CSV export, and what
statistics keeps about a person (services/statistics/figures.py, pseudonyms.py)."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from services.statistics.domain import Person
from shared.contracts import statistics as contracts
from shared.contracts.base import validate_command
from shared.errors import Forbidden, InvalidInput
from shared.erasure import ErasureCarriedOut
from services.statistics import pseudonyms
from tests.support.samples import AUDITOR, COORDINATOR, WORKER
from tests.unit.statistics.world import FUNDER, SAB_COORDINATOR, SAB_WORKER, THIS_MONTH, cell

DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}


@pytest.fixture
def two_agencies(world):
    apo = world.clients(6)
    sab = world.clients(5, worker=SAB_WORKER, coordinator=SAB_COORDINATOR)
    for client_id in apo:
        world.intervene(client_id)
    for client_id in sab:
        world.intervene(client_id, SAB_WORKER, method="assistance_contacts", sub_kind="administrative_support")
    world.sync()
    return apo, sab


def test_a_funder_sees_all_agencies_together_or_one(world, two_agencies):
    everything = world.figures(FUNDER, dimensions=["interventions"])
    assert everything["agency"] is None
    assert cell(everything, "interventions", "total", "total")["persons"] == 11
    assert cell(everything, "interventions", "assistance_contacts", "housing")["persons"] == 5
    sab = world.figures(FUNDER, agency="sab", dimensions=["interventions"])
    assert sab["agency"] == "sab" and cell(sab, "interventions", "listening_support", "housing")["persons"] == 0


def test_a_coordinator_sees_their_own_agency_only(world, two_agencies):
    own = world.figures(COORDINATOR, dimensions=["interventions"])
    assert own["agency"] == "apo"
    assert cell(own, "interventions", "total", "total")["persons"] == 6
    with pytest.raises(Forbidden):
        world.figures(COORDINATOR, agency="sab")


@pytest.mark.parametrize("actor", [WORKER, AUDITOR, DPO, {"user_id": "transit-1", "role": "partner",
                                                          "agency": "transit"}])
def test_nobody_else_reads_figures(world, actor):
    with pytest.raises(Forbidden):
        world.figures(actor)


def test_a_period_of_another_shape_or_too_long_is_refused_naming_the_field(world):
    first, last = THIS_MONTH
    with pytest.raises(InvalidInput) as refused:
        world.figures(period=(first + dt.timedelta(days=1), last))
    assert "from" in refused.value.details
    with pytest.raises(InvalidInput) as refused:
        world.figures(period=(dt.date(2019, 1, 1), dt.date(2025, 12, 31)))
    assert refused.value.details == {"until": ["at most 5 years after from"]}
    with pytest.raises(InvalidInput) as refused:
        world.figures(period=(last + dt.timedelta(days=1), last))
    assert "until" in refused.value.details


def test_an_unknown_filter_or_table_is_refused_naming_it():
    with pytest.raises(InvalidInput) as refused:
        validate_command(contracts.Figures, {"actor": FUNDER, "from": "2025-01-01", "until": "2025-12-31",
                                             "colour": "red"})
    assert "colour" in refused.value.details
    with pytest.raises(InvalidInput) as refused:
        validate_command(contracts.Figures, {"actor": FUNDER, "from": "2025-01-01", "until": "2025-12-31",
                                             "dimensions": ["salaries"]})
    assert "dimensions.0" in refused.value.details


def test_the_csv_has_a_header_and_one_line_per_cell_with_small_cells_shown_as_such(world, two_agencies):
    world.intervene(two_agencies[1][0], SAB_WORKER, method="assistance_contacts", sub_kind="administrative_support",
                    interpreter={"language": "ar", "kind": "present"})
    answer = world.figures(dimensions=["interventions", "interpreters"])
    rows = list(csv.reader(io.StringIO(contracts.as_csv(answer))))
    assert tuple(rows[0]) == contracts.CSV_HEADER
    body = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert len(body) == sum(len(t["cells"]) for t in answer["tables"].values())
    line = next(r for r in body if (r["table"], r["row"], r["column"]) == ("interventions", "listening_support",
                                                                          "housing"))
    assert (line["persons"], line["count"], line["count_kind"], line["amount"], line["amount_kind"]) == (
        "6", "6", "interventions", str(6 * 45), "minutes")
    interpreted = next(r for r in body if (r["table"], r["row"], r["column"]) == ("interpreters", "ar", "present"))
    assert (interpreted["persons"], interpreted["count"], interpreted["amount"]) == ("< 5", "x", "x")


def test_an_erased_clients_pseudonym_is_no_longer_linked_to_them(world):
    clients = world.clients(5)
    for client_id in clients:
        world.intervene(client_id)
    before = world.figures(dimensions=["interventions"])
    erased = clients[0]
    world.intake.request_erasure(COORDINATOR, erased, "consent_withdrawn")
    world.intake.approve_erasure(DPO, erased)
    after = world.figures(dimensions=["interventions"])
    assert after == before  # the tallies keep their pseudonym: the figures stand
    app = world.statistics
    record = app.repository.get(Person.create_id(pseudonyms.keyed(app.lookup_key, f"client:{erased}")))
    assert record.client_id is None and record.pseudonym is None  # the link's key is destroyed
    assert list(app.stored(ErasureCarriedOut.Recorded))


def test_the_store_holds_no_client_id_in_clear(world):
    clients = world.clients(5)
    for client_id in clients:
        world.intervene(client_id)
    world.sync()
    stored = world.statistics.recorder.select_notifications(start=1, limit=10_000)
    text = b" ".join(n.state for n in stored)
    erasures = {n.originator_id for n in stored if n.topic.endswith("ErasureCarriedOut.Recorded")}
    assert not erasures
    for client_id in clients:
        assert str(client_id).encode() not in text and client_id.hex.encode() not in text
    assert all(n.originator_id not in clients for n in stored)  # records are known by keyed hashes


def test_every_file_route_refuses_a_funder(world, two_agencies):
    client_id = two_agencies[0][0]
    with pytest.raises(Forbidden):
        world.intake.client_file(FUNDER, client_id)
    with pytest.raises(Forbidden):
        world.guidance.trajectory(FUNDER, client_id)
    with pytest.raises(Forbidden):
        world.guidance.caseload(FUNDER)
    with pytest.raises(Forbidden):
        world.guidance.activity(FUNDER, *THIS_MONTH)
    with pytest.raises(Forbidden):
        world.referrals.referral_history(FUNDER, client_id)
    with pytest.raises(Forbidden):
        world.guidance.earlier_trajectories(FUNDER, client_id)
    with pytest.raises(Forbidden):
        world.intake.waitlist_of(FUNDER, "apo")
    with pytest.raises(Forbidden):
        world.intake.duplicate_checks(FUNDER)
    # A funder's agency is the platform, not one of the directory's: nothing to read there either.
    with pytest.raises(Forbidden):
        world.intake.client_file({**FUNDER, "agency": "apo"}, client_id)


def test_across_agencies_a_cell_that_one_agency_would_reveal_by_subtraction_is_withheld(world, two_agencies):
    # One sab client in apo's cell: all agencies (7) minus apo alone (6) would single them out.
    world.intervene(two_agencies[1][0], SAB_WORKER)
    everything = world.figures(FUNDER, dimensions=["interventions"])
    assert cell(everything, "interventions", "listening_support", "housing")["persons"] == "x"
    assert cell(world.figures(COORDINATOR, dimensions=["interventions"]), "interventions", "listening_support",
                "housing")["persons"] == 6
