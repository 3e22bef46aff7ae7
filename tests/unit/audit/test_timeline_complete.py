"""Every fact about a client reaches audit's timeline (issue 15, item 1).

A realistic case runs through intake, guidance, referrals and notifications in
memory, and audit follows them all as it does over the broker. For each client,
every domain event stored about them (it names the client) must be on the
timeline at its service's log position, unless its kind is private: a copy of a
fact another service publishes, or a technical step of one that is published.
``PRIVATE`` names each such kind and why. A new kind of domain event about a
client must be published, or listed there with its reason.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from types import ModuleType

import pytest
from eventsourcing.domain import Aggregate, DomainEvent

from services.audit.application import AuditApplication
from services.guidance import domain as guidance_domain
from services.guidance.application import GuidanceApplication
from services.intake import domain as intake_domain
from services.notifications import domain as notifications_domain
from services.notifications.application import NotificationsApplication
from services.referrals import domain as referrals_domain
from services.referrals.application import ReferralsApplication
from shared import access_log, erasure, retention
from shared.contracts import event_type
from shared.contracts.base import ACCESS, EVENTS
from tests.support import fakes
from tests.support.fakes import IN_MEMORY, Clock, Link, deliver, intake as new_intake
from tests.support.samples import AUDITOR, COORDINATOR, WORKER, intervention_args, registration_args
from tests.unit.notifications.world import Mailbox

DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}

# Kinds of domain event that name a client but are no fact of the client's file of
# their own, and why.
PRIVATE = {
    intake_domain.NationalNumberClaim.Claimed:
        "which file a national number points to stays secret (WAVE2 11): client-registered is the fact",
    intake_domain.NationalNumberClaim.ClaimedAgain:
        "the same claim made again for a new registration, which is published as client-registered",
    intake_domain.DuplicateCheck.FindingStated:
        "one coordinator's finding on a possible duplicate, a step of duplicate-check-settled (WAVE2 15)",
    intake_domain.Client.GuidanceEnded: "intake's copy of guidance's trajectory-closed",
    intake_domain.Client.GuidanceResumed: "intake's copy of guidance's trajectory-reopened",
    guidance_domain.ClientOnRecord.Recorded: "guidance's copy of intake's client-registered",
    guidance_domain.ClientOnRecord.LegalPositionNoted: "guidance's copy of intake's legal-situation-changed",
    guidance_domain.Trajectory.LegalSituationNoted:
        "the open trajectory's copy of intake's legal-situation-changed, where the client stands now",
    guidance_domain.Trajectory.InterventionNoted:
        "the trajectory's note of an intervention, published from the intervention's own stream",
    guidance_domain.Trajectory.InterventionCorrectionNoted:
        "the trajectory's note of an amended intervention, published as intervention-amended from its own stream",
    guidance_domain.Trajectory.InterventionRetractionNoted:
        "the trajectory's note of a retracted intervention, published as intervention-retracted from its own stream",
    guidance_domain.Network.Started:
        "opens a trajectory's empty network, saved with its first member (network-member-added)",
    referrals_domain.ClientOnRecord.Recorded: "referrals' copy of intake's client-registered",
    referrals_domain.ClientOnRecord.ConsentNoted: "referrals' copy of intake's consent-given and consent-withdrawn",
    referrals_domain.CoordinationPlan.Started:
        "opens a client's empty coordination plan, saved with its first actor or agency (coordination-actor-added, "
        "coordinating-agency-joined)",
    notifications_domain.ClientOnRecord.Recorded: "notifications' copy of intake's client-registered",
    notifications_domain.Waitlist.Joined:
        "notifications' count of intake's intake-waitlisted or client-transferred, to tell when a waitlist grows",
    notifications_domain.Waitlist.Left:
        "notifications' count of intake's intake-accepted, intake-declined or client-transferred",
    retention.AccessLogExpired.Recorded:
        "what readers added to the purposes of their reads is destroyed: the access log's, not the file's",
}

# Each service's domain; shared code records kinds of its own in the services (below).
DOMAINS = {"intake": intake_domain, "guidance": guidance_domain, "referrals": referrals_domain,
           "notifications": notifications_domain}
# A service that follows intake carries out its approved erasures (intake's own is the
# approval); only one that shows a client's file records who read it.
FOLLOWS_INTAKE = {"guidance", "referrals", "notifications"}
SHOWS_FILES = {"intake", "guidance", "referrals"}


def domain_events(domain: ModuleType) -> list[type]:
    """Every domain event class of every aggregate a service's domain defines (not the
    bases it imports)."""
    aggregates = {v for v in vars(domain).values()
                  if isinstance(v, type) and issubclass(v, Aggregate) and v.__module__.startswith(domain.__name__)}
    found = []
    for aggregate in sorted(aggregates, key=lambda a: a.__qualname__):
        classes = [v for v in vars(aggregate).values() if isinstance(v, type) and issubclass(v, DomainEvent)]
        # The classes every aggregate gets are no fact of their own: its Event (the base
        # of all), and its Created where another event creates it.
        created = [c for c in classes if issubclass(c, Aggregate.Created) and c.__name__ != "Created"]
        found += [c for c in classes if c.__name__ != "Event" and not (c.__name__ == "Created" and created)]
    return found


def about_a_client(kind: type) -> bool:
    return "client_id" in {f.name for f in dataclasses.fields(kind)}


def kinds_of(service: str) -> list[type]:
    """Every kind of domain event about a client that ``service`` may store."""
    modules = [DOMAINS[service], retention, *([erasure] if service in FOLLOWS_INTAKE else []),
               *([access_log] if service in SHOWS_FILES else [])]
    return [kind for module in modules for kind in domain_events(module) if about_a_client(kind)]


KINDS = [(service, kind) for service in DOMAINS for kind in kinds_of(service)]


@pytest.fixture(scope="module")
def apps() -> dict:
    """Each service's application, for what it publishes (guidance and referrals add
    their reads to it when they start)."""
    return {"intake": new_intake(), "guidance": GuidanceApplication(env=IN_MEMORY),
            "referrals": ReferralsApplication(env=IN_MEMORY), "notifications": NotificationsApplication(env=IN_MEMORY)}


@pytest.fixture(scope="module")
def followed_by_audit() -> set[str]:
    return set(AuditApplication(env=IN_MEMORY).policies())


# -- every kind: published, or private with a reason ------------------------------------------

@pytest.mark.parametrize("service, kind", KINDS, ids=lambda v: v if isinstance(v, str) else v.__qualname__)
def test_every_kind_of_domain_event_about_a_client_is_published_to_audit_or_said_private(
    service, kind, apps, followed_by_audit,
):
    publications = apps[service].publications
    if kind in PRIVATE:
        assert kind not in publications, f"{kind.__qualname__} is published: take it off PRIVATE"
        return
    assert kind in publications, (
        f"{service}: publish {kind.__qualname__} (it names a client), or say in PRIVATE why it is no fact of the file")
    publish = publications[kind]
    # The facts go on the timeline; reads and refused attempts on its access log.
    assert publish.stream == (ACCESS if kind.__module__ == access_log.__name__ else EVENTS)
    assert "client_id" in publish.schema._declared_fields  # what audit files it under
    assert event_type(publish.schema.service, publish.schema.fact, publish.schema.version) in followed_by_audit


def test_each_private_kind_names_a_client_and_says_why():
    kinds = {kind for _, kind in KINDS}
    for kind, why in PRIVATE.items():
        assert kind in kinds, f"{kind.__qualname__} names no client, or is no kind of any service's domain"
        assert len(why) > 30, kind.__qualname__


def test_the_kinds_are_read_off_every_service_s_domain_and_the_shared_code_it_uses():
    kinds = {kind for _, kind in KINDS}
    assert {intake_domain.Client.Registered, intake_domain.Erasure.Refused, guidance_domain.Network.ContactRecorded,
            guidance_domain.Trajectory.ProcedureEnded, referrals_domain.CoordinationPlan.ActorAdded,
            notifications_domain.Notification.DeadLettered, erasure.ErasureCarriedOut.Recorded,
            access_log.FileRead.Recorded} <= kinds
    assert intake_domain.Agency.StaffMemberAdded not in kinds  # a staff member, no client
    assert access_log.FileRead.Recorded not in kinds_of("notifications")
    assert erasure.ErasureCarriedOut.Recorded not in kinds_of("intake")


# -- a realistic case: nothing stored about a client is missing from their timeline ----------

class World:
    """The four services that record facts about clients, and audit following them."""

    def __init__(self, clock: Clock):
        self.clock = clock
        apps = fakes.services(clock)
        self.intake, self.guidance, self.referrals = apps["intake"], apps["guidance"], apps["referrals"]
        self.notifications, self.audit = apps["notifications"], apps["audit"]
        # E-mail on; its first attempt fails and is the last one: one dead letter, the rest delivered.
        self.mailbox = Mailbox()
        self.mailbox.failures = 1
        self.notifications.mailer, self.notifications.max_attempts = self.mailbox, 1
        self.apps = {"intake": self.intake, "guidance": self.guidance, "referrals": self.referrals,
                     "notifications": self.notifications}
        upstreams = [(self.intake, "intake"), (self.guidance, "guidance"), (self.referrals, "referrals")]
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance"), Link(self.intake, self.guidance, "guidance")]
        self.links += [Link(self.notifications, app, name) for app, name in upstreams]
        self.links += [Link(self.audit, app, name) for name, app in self.apps.items()]
        self.links += [Link(self.audit, app, f"{name}.access") for app, name in upstreams]

    def sync(self):
        deliver(self.links)

    def stored_about(self, client_id) -> list[tuple[str, int, type]]:
        """(service, log position, kind) of every domain event each service stored that
        names the client."""
        out = []
        for service, app in self.apps.items():
            for notification in app.recorder.select_notifications(1, 10_000):
                event = app.mapper.to_domain_event(notification)
                if str(getattr(event, "client_id", None)) == str(client_id):
                    out.append((service, notification.id, type(event)))
        return out

    def on_the_timeline(self, client_id) -> set[tuple[str, int]]:
        entries = self.audit.timeline(AUDITOR, client_id, "inspection")["entries"]
        return {(entry["source"], entry["position"]) for entry in entries}


def run_case(world: World) -> dict[str, object]:
    """One client guided through everything the services record, one waitlisted and
    transferred, one declined whose data is erased after a refusal and a legal hold."""
    intake, guidance, referrals, notifications, clock = (
        world.intake, world.guidance, world.referrals, world.notifications, world.clock)
    start = clock.now
    today = start.date()

    # -- intake ---------------------------------------------------------------------------
    client = intake.register_client(WORKER, **registration_args(national_number="85.07.30-033.28"))
    intake.record_languages(WORKER, client, 1, ["fr", "ar"], "fr", False)
    intake.receive_help_request(WORKER, client, "justice_assistant", ["housing", "addiction"], "A place to live.",
                                "high")
    intake.give_consent(WORKER, client, "transit", "referral", ["identity", "help_request"])
    intake.give_consent(WORKER, client, "apo", "family_involvement", ["guidance_progress"])
    intake.accept(COORDINATOR, client, "apo-sa-1")
    # Corrections (issue 20): where the client stands and how to reach them, from today.
    intake.change_legal_situation(WORKER, client, intake.today(), "the court granted conditional release",
                                  situation="conditional_release")
    intake.change_contact_details(WORKER, client, intake.today(), {"phone": "+32 2 555 77 88"}, "a new phone")

    waiting = intake.register_client(WORKER, **registration_args())
    intake.waitlist(COORDINATOR, waiting)
    intake.give_consent(WORKER, waiting, "sab", "transfer", ["identity"])
    intake.transfer(COORDINATOR, waiting, "sab")
    # The first client's number registered again at dsr: held, then linked by both agencies (WAVE2 15).
    held_client = intake.register_client({**WORKER, "user_id": "dsr-sa-1", "agency": "dsr"},
                                         **registration_args(national_number="85.07.30-033.28"))
    for coordinator in ({**COORDINATOR, "user_id": "dsr-coord", "agency": "dsr"}, COORDINATOR):
        intake.settle_duplicate_check(coordinator, intake_domain.DuplicateCheck.create_id(held_client), "same_person")

    declined = intake.register_client(WORKER, **registration_args())
    intake.decline(COORDINATOR, declined, "client_withdrew", "moved abroad")
    intake.reopen_intake(COORDINATOR, declined, "she called back")  # and is declined again
    intake.decline(COORDINATOR, declined, "client_withdrew", "moved abroad")
    intake.request_erasure(COORDINATOR, declined, "consent_withdrawn", "she asked for it")
    intake.refuse_erasure(DPO, declined, "a court asked to keep the file until June")
    intake.place_legal_hold(DPO, declined, "legal_claims", "court case 2026/17")
    intake.lift_legal_hold(DPO, declined, "the case is closed")
    intake.place_legal_hold(DPO, declined, "legal_obligation", "an inspection")
    intake.lift_legal_hold(DPO, declined, "the inspection is over")
    intake.client_file(COORDINATOR, declined, "data_protection", "before the erasure")
    world.sync()

    # -- guidance -------------------------------------------------------------------------
    goals = [{"domain": "housing", "goal": "a stable home"}]
    guidance.agree_plan(WORKER, client, goals, "weekly", 26)
    guidance.review_plan(WORKER, client, goals + [{"domain": "addiction", "goal": "less drinking"}], "fortnightly",
                         30, "a second need came up")
    guidance.record_intervention(WORKER, client, **intervention_args(
        start - dt.timedelta(hours=2), note="confidential", next_steps="call the landlord"))
    guidance.recommend_psychologist(WORKER, client, "anxiety before hearings")
    condition = guidance.record_condition(WORKER, client, "prohibition", "no contact with the victim", today,
                                          today + dt.timedelta(days=45), "sentence_enforcement_court")
    guidance.support_condition(WORKER, client, condition, "explained what it means", today)
    held = guidance.plan_appointment(WORKER, client, start - dt.timedelta(hours=1), "lawyer", "prepare the hearing",
                                     accompanied_by="apo-sa-1")
    guidance.record_appointment_outcome(WORKER, client, held, "held")
    permit = {"starts": start + dt.timedelta(days=2), "ends": start + dt.timedelta(days=4)}
    guidance.plan_appointment(WORKER, client, start + dt.timedelta(days=3), "ocmw_cpas", "income",
                              leave_permit=permit)
    member = guidance.add_network_member(WORKER, client, "sibling", "the brother")
    guidance.record_network_contact(WORKER, client, member, today, "phone", "willing to help")
    guidance.prepare_return_home(WORKER, client, member, permit, "a room is ready")
    procedure = guidance.start_procedure(WORKER, client, "rehabilitation", today)
    guidance.record_procedure_step(WORKER, client, procedure, "request filed", today)
    guidance.end_procedure(WORKER, client, procedure, "granted", today)
    residence = guidance.start_procedure(WORKER, client, "residence_status", today)
    guidance.record_document_expiry(WORKER, client, residence, today + dt.timedelta(days=50))
    guidance.issue_attendance_certificate(WORKER, client, "fr", "justice_assistant", today - dt.timedelta(days=1),
                                          today, "Samira Testperson")
    # Corrections (issue 20): an intervention amended then retracted, an appointment moved then cancelled.
    corrected = guidance.record_intervention(WORKER, client, **intervention_args(start - dt.timedelta(hours=4)))
    guidance.amend_intervention(WORKER, corrected, "typed the wrong duration", minutes=20)
    guidance.retract_intervention(WORKER, corrected, "it was another client's")
    moved = guidance.plan_appointment(WORKER, client, start + dt.timedelta(days=5), "doctor", "check-up")
    guidance.reschedule_appointment(WORKER, client, moved, start + dt.timedelta(days=6), "the doctor is away")
    guidance.cancel_appointment(WORKER, client, moved, "the check-up is no longer needed")
    guidance.trajectory(WORKER, client)
    world.sync()

    # -- referrals ------------------------------------------------------------------------
    completed = referrals.propose_referral(WORKER, client, "transit", ["housing"], "a supported home")
    for step in ("sent", "acknowledged", "accepted", "started"):
        referrals.record_step(WORKER, completed, step)
    referrals.record_step(WORKER, completed, "completed", outcome="effective")
    in_hand = referrals.propose_referral(WORKER, client, "transit", ["addiction"], "day programme")
    referrals.record_step(WORKER, in_hand, "sent")
    referrals.partner_side.add_note({"user_id": "transit-1", "role": "partner", "agency": "transit"}, in_hand,
                                    "first meeting on Monday")
    # Corrections (issue 20): one cancelled, one reopened after a drop-out, then withdrawn.
    referrals.corrections.cancel(
        WORKER, referrals.propose_referral(WORKER, client, "transit", ["work"], "a training"), "proposed in error")
    corrected = referrals.propose_referral(WORKER, client, "transit", ["work"], "a job")
    for step in ("sent", "acknowledged", "accepted", "started"):
        referrals.record_step(WORKER, corrected, step)
    referrals.record_step(WORKER, corrected, "dropped_out", reason="moved away")
    referrals.corrections.reopen(WORKER, corrected, "back in Brussels")
    referrals.record_step(WORKER, corrected, "accepted")
    referrals.corrections.withdraw(WORKER, corrected, "found work elsewhere")
    kept = referrals.coordination.add_actor(WORKER, client, "lawyer", "Brussels bar association", "the hearing",
                                            "+32 2 000 00 00")
    gone = referrals.coordination.add_actor(WORKER, client, "employer", "Shop", "a trial job")
    referrals.coordination.remove_actor(WORKER, client, gone)
    conference = referrals.coordination.hold_conference(
        WORKER, client, today, ["apo-sa-1", "lawyer"], ["apply for housing"],
        [{"action": "file the form", "owner": "apo-sa-1", "due": today},
         {"action": "call the landlord", "owner": "apo-sa-1", "due": today + dt.timedelta(days=10)}])
    referrals.coordination.complete_action(WORKER, conference, 0, today)
    referrals.referral_history(WORKER, client)
    intake.withdraw_consent(WORKER, client, "transit", "referral")  # the second referral is in transit's hands
    intake.give_consent(WORKER, client, "transit", "referral", ["identity"])
    world.sync()
    # Joint guidance: dsr joins under a consent for coordination, and leaves when it is withdrawn.
    intake.give_consent(WORKER, client, "dsr", "coordination", ["identity", "referrals"])
    world.sync()
    referrals.coordination.add_agency(WORKER, client, "dsr", "looks for a home with the client")
    intake.withdraw_consent(WORKER, client, "dsr", "coordination")
    world.sync()

    # -- time passes: a gap, a condition ending, a stalled referral, the mail ----------------
    clock.now = start + dt.timedelta(days=40)
    guidance.check_time()
    referrals.check_time()
    world.sync()
    notifications.deliver_due()
    intake.reassign(COORDINATOR, client, "apo-crim-1", {"language": "fr", "kind": "present"})
    world.sync()
    guidance.close_trajectory(COORDINATOR, client, "goals_reached", "housed",
                              goal_outcomes=[{"goal_number": 1, "outcome": "reached"},
                                             {"goal_number": 2, "outcome": "partly"}])
    guidance.reopen_trajectory(COORDINATOR, client, "lost the home")

    # -- the declined client's data is erased, every service hears of it -----------------------
    intake.request_erasure(COORDINATOR, declined, "no_longer_necessary")
    intake.approve_erasure(DPO, declined)
    world.sync()
    passed, clock.now = clock.now, start + dt.timedelta(weeks=30)  # the plan's review falls due
    guidance.check_time()
    world.sync()
    clock.now = passed
    # -- the guided client's trajectory closes; they come back through a new intake ---------------
    guidance.close_trajectory(COORDINATOR, client, "moved", "moved to Liège")
    world.sync()
    intake.reopen_intake(COORDINATOR, client, "back in Brussels, asks for help again")
    world.sync()
    return {"guided": client, "transferred": waiting, "erased": declined, "kept_actor": kept, "held": held_client}


@pytest.fixture(scope="module")
def world() -> World:
    world = World(Clock(dt.datetime.now(dt.timezone.utc)))
    world.case = run_case(world)
    return world


@pytest.mark.parametrize("who", ["guided", "transferred", "erased"])
def test_every_fact_stored_about_a_client_is_on_their_timeline(world, who):
    client_id = world.case[who]
    stored = world.stored_about(client_id)
    assert stored, "the case stores facts about every client"
    expected = [(service, position, kind) for service, position, kind in stored
                if kind not in PRIVATE
                # A read of the file is no change to it: it travels on the access stream
                # to the timeline's access log (tests/unit/audit/test_application.py).
                and getattr(world.apps[service].publications.get(kind), "stream", None) != ACCESS]
    on_the_timeline = world.on_the_timeline(client_id)
    missing = [(service, position, kind.__qualname__) for service, position, kind in expected
               if (service, position) not in on_the_timeline]
    assert missing == []


def test_the_case_stores_every_kind_that_is_published_about_a_client(world):
    """So that the comparison above covers each kind, not only the easy ones."""
    stored = {(service, kind) for who in ("guided", "transferred", "erased", "held")
              for service, _, kind in world.stored_about(world.case[who])}
    facts = {(service, kind) for service, kind in KINDS
             if getattr(world.apps[service].publications.get(kind), "stream", None) == EVENTS}
    assert sorted(f"{service}: {kind.__qualname__}" for service, kind in facts - stored) == []


def test_the_timeline_shows_the_new_facts_without_what_anyone_wrote(world):
    client_id = world.case["guided"]
    entries = world.audit.timeline(AUDITOR, client_id, "inspection")["entries"]
    by_fact = {}
    for entry in entries:
        by_fact.setdefault(entry["type"].split(".")[3], []).append(entry)
    (condition,) = by_fact["condition-recorded"]
    assert {k: condition["data"][k] for k in ("kind", "authority")} == {
        "kind": "prohibition", "authority": "sentence_enforcement_court"}
    assert (condition["actor"], condition["actor_role"], condition["agency"]) == ("apo-sa-1", "social_assistant", "apo")
    (reviewed,) = by_fact["plan-reviewed"]
    assert (reviewed["data"]["goal_domains"], reviewed["data"]["intensity"]) == (["addiction", "housing"],
                                                                              "fortnightly")
    (member,) = by_fact["network-member-added"]
    assert member["data"]["relation"] == "sibling"
    assert [(e["data"]["actor_id"] == world.case["kept_actor"], e["data"]["role"], e["agency"])
            for e in by_fact["coordination-actor-added"]] == [(True, "lawyer", None), (False, "employer", None)]
    assert [e["data"]["outcome"] for e in by_fact["appointment-outcome-recorded"]] == ["held"]
    assert [e["type"].split(".")[3] for e in entries if e["type"].split(".")[3].startswith("procedure-")] == [
        "procedure-started", "procedure-step-recorded", "procedure-ended", "procedure-started"]
    text = str(entries)
    for written in ("no contact with the victim", "explained what it means", "a stable home", "a second need",
                    "the brother", "willing to help", "a room is ready", "request filed", "bar association", "+32 2",
                    "confidential", "anxiety"):
        assert written not in text, written


def test_an_erasure_refused_and_asked_again_is_on_the_file_without_the_reasons(world):
    client_id = world.case["erased"]
    timeline = world.audit.timeline(AUDITOR, client_id, "inspection")
    facts = [e["type"].split(".")[3] for e in timeline["entries"] if e["source"] == "intake"]
    assert [f for f in facts if f.startswith("erasure-")] == [
        "erasure-requested", "erasure-refused", "erasure-requested", "erasure-approved"]
    refused = next(e for e in timeline["entries"] if e["type"].endswith("erasure-refused.v1"))
    assert refused["actor"] == DPO["user_id"] and set(refused["data"]) == {"client_id", "agency", "erasure_id"}
    assert "court asked" not in str(timeline) and "she asked" not in str(timeline)
