"""What the figures count, as other services' facts arrive through real followers:
distinct persons over a period, corrections, legal positions over time, referrals
by the kind of partner (services/statistics/policies.py, projection.py)."""
from __future__ import annotations

import datetime as dt

from services.intake.application import IntakeApplication
from services.statistics.suppression import SMALL, TOTAL, WITHHELD
from shared.contracts import encode
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.unit.statistics.world import NOW, cell


def test_a_period_counts_distinct_persons_not_a_sum_of_days(world):
    clients = world.clients(6)
    for client_id in clients:
        world.intervene(client_id)
        world.intervene(client_id, at=NOW - dt.timedelta(hours=1), minutes=30)
    answer = world.figures(dimensions=["interventions"])
    shown = cell(answer, "interventions", "listening_support", "housing")
    assert shown == {"row": "listening_support", "column": "housing", "persons": 6, "interventions": 12,
                     "minutes": 6 * (45 + 30)}
    assert cell(answer, "interventions", TOTAL, TOTAL)["persons"] == 6


def test_an_intervention_in_several_domains_counts_once_in_the_method_total(world):
    clients = world.clients(5)
    for client_id in clients:
        world.intervene(client_id, domains=["housing", "work"])
    answer = world.figures(dimensions=["interventions"])
    assert cell(answer, "interventions", "listening_support", "housing")["interventions"] == 5
    assert cell(answer, "interventions", "listening_support", "work")["interventions"] == 5
    method = cell(answer, "interventions", "listening_support", TOTAL)
    assert (method["persons"], method["interventions"], method["minutes"]) == (5, 5, 5 * 45)


def test_an_amended_intervention_counts_as_it_now_reads_and_a_retracted_one_not_at_all(world):
    clients = world.clients(6)
    recorded = [world.intervene(client_id) for client_id in clients]
    world.sync()
    world.guidance.amend_intervention(WORKER, recorded[0], "wrong method", method="information_guidance",
                                      sub_kind="information_internment", minutes=90)
    world.guidance.retract_intervention(WORKER, recorded[1], "recorded in error")
    answer = world.figures(dimensions=["interventions"])
    assert cell(answer, "interventions", "listening_support", "housing")["persons"] == SMALL  # 4 left there
    amended = cell(answer, "interventions", "information_guidance", "housing")
    assert amended["persons"] == SMALL
    everything = cell(answer, "interventions", TOTAL, TOTAL)
    assert everything["persons"] == 5 and everything["interventions"] == 5
    assert everything["minutes"] == 4 * 45 + 90


def test_interpreters_are_counted_by_language_and_follow_an_amendment(world):
    clients = world.clients(5)
    recorded = [world.intervene(c, interpreter={"language": "ar", "kind": "telephone"}) for c in clients]
    world.sync()
    world.guidance.amend_intervention(WORKER, recorded[0], "no interpreter came", interpreter=None)
    answer = world.figures(dimensions=["interpreters"])
    assert cell(answer, "interpreters", "ar", "telephone")["persons"] == SMALL
    world.guidance.amend_intervention(WORKER, recorded[0], "one came after all",
                                      interpreter={"language": "ar", "kind": "telephone"})
    answer = world.figures(dimensions=["interpreters"])
    assert cell(answer, "interpreters", "ar", "telephone") == {
        "row": "ar", "column": "telephone", "persons": 5, "interventions": 5, "minutes": 5 * 45}


def test_a_change_of_legal_situation_counts_from_its_effective_date(world):
    clients = world.clients(5)  # convicted, on probation, registered today
    # From the day they were registered (a change may not take effect before it): the
    # old situation held no day at all.
    effective = IntakeApplication.today()
    for client_id in clients:
        world.intake.change_legal_situation(WORKER, client_id, effective, "release on conditions",
                                            situation="conditional_release")
    answer = world.figures(dimensions=["clients"])
    first_of_month = NOW.date().replace(day=1)
    assert cell(answer, "clients", "convicted", "conditional_release")["persons"] == 5
    assert cell(answer, "clients", "convicted", "probation")["persons"] == 0
    last_month = first_of_month - dt.timedelta(days=1)
    before = world.figures(period=(last_month.replace(day=1), last_month), dimensions=["clients"])
    assert cell(before, "clients", "convicted", "probation")["persons"] in (0, SMALL, WITHHELD)


def test_intakes_and_their_decisions_and_the_wait_until_acceptance(world):
    accepted = world.clients(5)
    for client_id in accepted:
        world.intake.receive_help_request(WORKER, client_id, "lawyer", ["housing"], "a place to live", "high")
    declined = [world.intake.register_client(WORKER, **registration_args()) for _ in range(5)]
    for client_id in declined:
        world.intake.receive_help_request(WORKER, client_id, "self", ["work"], "a job", "normal")
        world.intake.decline(COORDINATOR, client_id, "outside_target_group")
    answer = world.figures(dimensions=["intakes", "waiting"])
    assert cell(answer, "intakes", "accepted", "-")["persons"] == 5
    assert cell(answer, "intakes", "declined", "outside_target_group")["persons"] == 5
    assert cell(answer, "intakes", "received", "self")["persons"] == 5
    assert cell(answer, "intakes", "received", "lawyer")["persons"] == 5
    assert cell(answer, "waiting", TOTAL, TOTAL)["persons"] == 0  # each asked after the acceptance: no wait


def test_referrals_by_the_kind_of_partner_they_went_to(world):
    clients = world.clients(5)
    for client_id in clients[:4]:
        world.referrals.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "use")
    world.referrals.propose_referral(WORKER, clients[4], "cgg-brussel", ["psychosocial_wellbeing"], "anxious")
    answer = world.figures(dimensions=["referrals"])
    assert cell(answer, "referrals", "addiction", "proposed")["persons"] == SMALL
    assert cell(answer, "referrals", "mental_health", "proposed")["persons"] == SMALL
    assert cell(answer, "referrals", TOTAL, "proposed") == {
        "row": TOTAL, "column": "proposed", "persons": 5, "referrals": 5}


def test_a_delivery_again_counts_nothing_twice(world):
    clients = world.clients(5)
    for client_id in clients:
        world.intervene(client_id)
    world.sync()
    link = world.links[-2]  # statistics following guidance
    link.follower.position = 0  # as if everything came again
    link.follower.receive_many([encode(e) for e in link.outbox.read(after=0, limit=5000, streams=link.streams)])
    answer = world.figures(dimensions=["interventions"])
    assert cell(answer, "interventions", TOTAL, TOTAL)["interventions"] == 5
