"""Referrals' personal data at rest (shared.sealing, shared.datakeys), on an SQLite
store: every personal field of its events is sealed under the client's data keys,
opens again when loaded, and reads as erased once the client's keys are shredded,
while every chain still verifies and another client stays whole."""
import datetime as dt
import importlib
import pkgutil

import pytest
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.utils import get_topic

import services.referrals.domain as referrals_domain
from services.guidance.application import GuidanceApplication
from services.referrals.application import ReferralsApplication
from services.referrals.domain import ClientOnRecord, CoordinationPlan, Partner, Referral, ReferralErased
from services.referrals.integration import PUBLICATIONS, SEALED
from shared import access_log, chain
from shared.config import DEPLOY_DIR, StoreSettings
from shared.contracts import referrals as contracts
from shared.contracts import referrals_answers as answers
from shared.contracts.declare import RETENTION_CLASSES, Fact, personal_fields, properties
from shared.sealing import SEALED_KEY
from tests.support.declarations import declared_names, event_fields
from tests.support.fakes import IN_MEMORY, Clock, Link
from tests.support.fakes import intake as new_intake
from tests.support.samples import COORDINATOR, WORKER
from tests.unit.referrals.world import NOW, World

# One marker per personal free-text field a person types here: none may reach the disk.
MARKERS = {
    "proposal_reason": "Zq8proposal-reason",
    "decline_reason": "Zq8decline-reason",
    "dropout_reason": "Zq8dropout-reason",
    "organisation": "Zq8organisation",
    "contact": "Zq8contact +32 470 99 88 77",
    "does": "Zq8does-what",
    "participant": "Zq8participant",
    "decision": "Zq8decision",
    "action": "Zq8action",
    "owner": "Zq8owner",
    "purpose_detail": "Zq8purpose-detail",
    "kept_reason": "Zq8kept-reason",
    "kept_organisation": "Zq8kept-organisation",
    "note": "Zq8note",
    "agency_does": "Zq8agency-does",
    "cancel_reason": "Zq8cancel-reason",
    "reopen_reason": "Zq8reopen-reason",
    "withdraw_reason": "Zq8withdraw-reason",
}
# What the service writes itself into personal fields: the origin of a referral, and
# the reason a policy gives when guidance recommends a psychologist.
WRITTEN_HERE = ("worker:", "psychologist-recommendation:", "psychologist recommended in guidance")


def sqlite_store(path) -> StoreSettings:
    return StoreSettings(kind="sqlite", sqlite_path=path, postgres_dbname="", postgres_host="", postgres_port=0,
                         postgres_user="", postgres_schema="")


class SealedWorld(World):
    """The referrals world (world.py), with referrals on an SQLite store in ``folder``."""

    def __init__(self, clock, folder):
        self.intake = new_intake()
        self.intake.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
        self.guidance = GuidanceApplication(env=IN_MEMORY, clock=clock)
        self.referrals = referrals_on(folder, clock)
        self.referrals.load_partners(DEPLOY_DIR / "referrals" / "sample-partners.json")
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance"), Link(self.intake, self.referrals, "referrals")]
        self.sync()


def referrals_on(folder, clock) -> ReferralsApplication:
    return ReferralsApplication(store=sqlite_store(folder / "referrals.sqlite"), clock=clock)


def on_disk(folder) -> bytes:
    return b"".join(path.read_bytes() for path in folder.iterdir() if path.is_file())


def fill(world, clock) -> dict:
    """A client's whole referrals file, every personal field filled: ids by name."""
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    world.consent(client_id, "projet-lama")
    app = world.referrals
    completed = app.propose_referral(WORKER, client_id, "transit", ["housing"], MARKERS["proposal_reason"])
    for step in ("sent", "acknowledged", "accepted", "started"):
        app.record_step(WORKER, completed, step)
    app.record_step(WORKER, completed, "completed", outcome="effective")
    declined = app.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "a bed")
    for step in ("sent", "acknowledged"):
        app.record_step(WORKER, declined, step)
    app.record_step(WORKER, declined, "declined", reason=MARKERS["decline_reason"])
    dropped = app.propose_referral(WORKER, client_id, "transit", ["work"], "a job")
    for step in ("sent", "acknowledged", "accepted", "started"):
        app.record_step(WORKER, dropped, step)
    app.record_step(WORKER, dropped, "dropped_out", reason=MARKERS["dropout_reason"])
    app.add_note(WORKER, dropped, MARKERS["note"])
    # The corrections (issue 20): one cancelled, one reopened after a drop-out, then withdrawn.
    cancelled = app.propose_referral(WORKER, client_id, "transit", ["housing"], "in error")
    app.corrections.cancel(WORKER, cancelled, MARKERS["cancel_reason"])
    corrected = app.propose_referral(WORKER, client_id, "transit", ["work"], "a training")
    for step in ("sent", "acknowledged", "accepted", "started"):
        app.record_step(WORKER, corrected, step)
    app.record_step(WORKER, corrected, "dropped_out", reason="moved")
    app.corrections.reopen(WORKER, corrected, MARKERS["reopen_reason"])
    app.record_step(WORKER, corrected, "accepted")
    app.corrections.withdraw(WORKER, corrected, MARKERS["withdraw_reason"])
    withdrawn = app.propose_referral(WORKER, client_id, "projet-lama", ["addiction"], "again")
    app.record_step(WORKER, withdrawn, "sent")
    world.intake.withdraw_consent(WORKER, client_id, "projet-lama", "referral")
    world.sync()
    world.guidance.recommend_psychologist(WORKER, client_id, "anxiety")
    world.sync()
    clock.now = NOW + dt.timedelta(days=8)
    assert app.check_time() >= 1  # the psychologist's proposal waits too long
    coordination = app.coordination
    lawyer = coordination.add_actor(WORKER, client_id, "lawyer", MARKERS["organisation"], MARKERS["does"],
                                    MARKERS["contact"])
    gone = coordination.add_actor(WORKER, client_id, "employer", "Shop", "a job")
    coordination.remove_actor(WORKER, client_id, gone)
    world.consent(client_id, "dsr", "coordination")
    coordination.add_agency(WORKER, client_id, "dsr", MARKERS["agency_does"])
    conference = coordination.hold_conference(
        WORKER, client_id, clock.now.date(), [MARKERS["participant"], "worker apo-sa-1"], [MARKERS["decision"]],
        [{"action": MARKERS["action"], "owner": MARKERS["owner"], "due": clock.now.date() + dt.timedelta(days=7)},
         {"action": "call back", "owner": "apo-sa-1", "due": clock.now.date() + dt.timedelta(days=3)}])
    coordination.complete_action(WORKER, conference, 0, clock.now.date())
    app.referral_history(WORKER, client_id, "court_request", MARKERS["purpose_detail"])
    return {"client": client_id, "completed": completed, "declined": declined, "dropped": dropped,
            "withdrawn": withdrawn, "cancelled": cancelled, "corrected": corrected, "lawyer": lawyer, "conference": conference}


def another(world) -> dict:
    client_id = world.accepted_client()
    world.consent(client_id, "transit")
    referral = world.referrals.propose_referral(WORKER, client_id, "transit", ["housing"], MARKERS["kept_reason"])
    world.referrals.record_step(WORKER, referral, "sent")
    world.referrals.coordination.add_actor(WORKER, client_id, "lawyer", MARKERS["kept_organisation"], "defence")
    return {"client": client_id, "referral": referral}


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def sealed_world(clock, tmp_path):
    return SealedWorld(clock, tmp_path)


def stored_states(app) -> list[tuple[type, dict, dict]]:
    """Every stored event of a sealed class: its class, its state as stored (decoded),
    and the values sealed in it, opened."""
    topics = {get_topic(cls): cls for cls in app.sealed}
    notes = [n for n in app.recorder.select_notifications(1, 100_000) if n.topic in topics]
    states = [(topics[n.topic], n, app.mapper.transcoder.decode(n.state)) for n in notes]
    return [(cls, state, app.mapper.sealer.open(state["client_id"], n.originator_id, n.originator_version,
                                                state.get(SEALED_KEY, {})))
            for cls, n, state in states]


# -- sealed at rest ------------------------------------------------------------------------

def test_every_personal_field_is_sealed_on_disk_and_opens_again(sealed_world, clock, tmp_path):
    app = sealed_world.referrals
    ids = fill(sealed_world, clock)
    kept = another(sealed_world)
    disk = on_disk(tmp_path)
    assert {"referrals.sqlite", "referrals-keys.sqlite"} <= {p.name for p in tmp_path.iterdir()}
    for marker in (*MARKERS.values(), *WRITTEN_HERE):
        assert marker.encode() not in disk, marker

    # Codes too (a partner, domains, an outcome, a role, languages, a consent's
    # recipient): each personal field of each stored event is a sealed value.
    # (None, for a value not given, is stored as none.) The run filled every one.
    stored = stored_states(app)
    seen = set()
    for cls, state, opened in stored:
        for name in personal_fields(app.sealed[cls]):
            assert state[name] is None, (cls.__qualname__, name, state[name])
            if name in opened:
                seen.add((cls, name))
    assert seen == {(cls, name) for cls, fact in app.sealed.items() for name in personal_fields(fact)}

    # ... and each opens again as it is loaded.
    history = {r["referral_id"]: r for r in app.referral_history(WORKER, ids["client"])}
    completed, declined = history[str(ids["completed"])], history[str(ids["declined"])]
    assert (completed["partner"], completed["domains"], completed["reason"], completed["outcome"]) == (
        "transit", ["housing"], MARKERS["proposal_reason"], "effective")
    assert declined["history"][-1]["reason"] == MARKERS["decline_reason"]
    assert history[str(ids["dropped"])]["history"][-1]["reason"] == MARKERS["dropout_reason"]
    assert history[str(ids["withdrawn"])]["consent_withdrawn"] is True
    assert history[str(ids["cancelled"])]["history"][-1]["reason"] == MARKERS["cancel_reason"]
    assert [(h["state"], h.get("correction"), h["reason"]) for h in history[str(ids["corrected"])]["history"][-3:]] == [
        ("acknowledged", "reopened", MARKERS["reopen_reason"]), ("accepted", None, None),
        ("withdrawn", "withdrawn", MARKERS["withdraw_reason"])]
    (psychologist,) = [r for r in history.values() if r["reason"] == WRITTEN_HERE[2]]
    assert psychologist["stalled"] and psychologist["partner"] == "apo-psychologist"
    plan = app.coordination.plan(WORKER, ids["client"])
    (lawyer,) = plan["actors"]
    assert (lawyer["role"], lawyer["organisation"], lawyer["contact"], lawyer["does"]) == (
        "lawyer", MARKERS["organisation"], MARKERS["contact"], MARKERS["does"])
    (conference,) = plan["case_conferences"]
    assert conference["participants"][0] == MARKERS["participant"]
    assert conference["decisions"] == [MARKERS["decision"]]
    assert [(a["action"], a["owner"], a["done"] is not None) for a in conference["actions"]] == [
        (MARKERS["action"], MARKERS["owner"], True), ("call back", "apo-sa-1", False)]
    record = app.client_on_record(ids["client"])
    assert (record.languages, record.preferred_language) == (["fr", "ar"], "ar")
    assert record.consents_to("transit", "referral") and not record.consents_to("projet-lama", "referral")
    read = [opened for cls, _, opened in stored if cls is access_log.FileRead.Recorded]
    assert read and all(opened["purpose_detail"] for opened in read)
    assert app.referral_history(WORKER, kept["client"])[0]["reason"] == MARKERS["kept_reason"]
    assert list(chain.verify(app.recorder)) == []

    # What referrals publishes, read from the sealed events, still says what happened
    # (the flag is read from the sealed origin).
    proposed = {e["data"]["referral_id"]: e["data"] for e in sealed_world.published("referral-proposed")}
    assert (proposed[str(ids["completed"])]["partner"], proposed[str(ids["completed"])]["domains"]) == (
        "transit", ["housing"])
    assert proposed[psychologist["referral_id"]]["from_psychologist_recommendation"] is True
    assert proposed[str(ids["completed"])]["from_psychologist_recommendation"] is False


# -- erased --------------------------------------------------------------------------------

def test_once_the_clients_keys_are_shredded_the_file_reads_as_erased_and_the_rest_stays(sealed_world, clock,
                                                                                         tmp_path):
    ids = fill(sealed_world, clock)
    kept = another(sealed_world)
    sealed_world.referrals.data_keys.shred(ids["client"], list(RETENTION_CLASSES), "erasure 2026/7")

    app = referrals_on(tmp_path, clock)  # reopened on the same files
    for aggregate_id in (ids["client"], ids["completed"], ids["declined"], ids["dropped"], ids["withdrawn"],
                         ids["conference"], CoordinationPlan.create_id(ids["client"])):
        app.repository.get(aggregate_id)  # replays without the personal values

    record = app.client_on_record(ids["client"])
    assert (record.languages, record.preferred_language, record.consents) == ([], None, {})
    assert record.agency == "apo" and len(record.referrals) == 7

    history = app.referral_history(WORKER, ids["client"], "court_request", "after erasure")
    assert len(history) == 7
    for referral in history:
        assert (referral["partner"], referral["domains"], referral["reason"], referral["outcome"]) == (
            None, None, None, None)
        assert all(step.get("reason") is None and step.get("outcome") is None for step in referral["history"])
    assert {r["state"] for r in history} == {
        "completed", "declined", "dropped_out", "sent", "proposed", "cancelled", "withdrawn"}
    assert answers.ReferralHistoryEntry(many=True).validate(history) == {}

    plan = app.coordination.plan(WORKER, ids["client"])
    (lawyer,) = plan["actors"]
    assert lawyer == {"actor_id": ids["lawyer"], "role": None, "organisation": None, "contact": None, "does": None}
    (conference,) = plan["case_conferences"]
    assert (conference["participants"], conference["decisions"], conference["actions"]) == (None, None, [])
    assert conference["on"] == clock.now.date().isoformat()  # the date is not personal: it stays
    assert answers.Coordination().validate(plan) == {}

    # An erased referral is over here: no stall, no step; the figures count it for no partner.
    clock.now += dt.timedelta(days=200)
    assert app.check_time() == 1  # only the other client's referral, sent long ago
    with pytest.raises(ReferralErased):
        app.record_step(WORKER, ids["withdrawn"], "acknowledged")
    with pytest.raises(ReferralErased):  # nor a correction
        app.corrections.cancel(WORKER, ids["withdrawn"], "too late")
    figures = app.partner_figures(WORKER, NOW.date(), clock.now.date())
    assert figures == [{"partner": "transit", "sent": 1, "accepted": 0, "declined": 0, "outcomes": {},
                        "acceptance_rate": None, "median_days_to_start": None}]

    # The other client is whole.
    (other,) = app.referral_history(WORKER, kept["client"])
    assert (other["partner"], other["reason"]) == ("transit", MARKERS["kept_reason"])
    (actor,) = app.coordination.plan(WORKER, kept["client"])["actors"]
    assert actor["organisation"] == MARKERS["kept_organisation"]
    assert app.client_on_record(kept["client"]).consents_to("transit", "referral")

    assert list(chain.verify(app.recorder)) == []
    assert {t["retention"] for t in app.data_keys.tombstones(ids["client"])} >= {
        "access_log", "case_file", "case_notes"}


def test_the_notes_fall_due_first_and_the_rest_of_the_file_stays(sealed_world, clock, tmp_path):
    """Retention destroys the case notes' key alone: the words go, the referral stays."""
    ids = fill(sealed_world, clock)
    sealed_world.referrals.data_keys.shred(ids["client"], ["case_notes"], "retention case_notes")
    app = referrals_on(tmp_path, clock)
    history = {r["referral_id"]: r for r in app.referral_history(WORKER, ids["client"])}
    completed = history[str(ids["completed"])]
    assert (completed["partner"], completed["reason"], completed["outcome"]) == ("transit", None, "effective")
    assert history[str(ids["declined"])]["history"][-1]["reason"] is None
    plan = app.coordination.plan(WORKER, ids["client"])
    (lawyer,) = plan["actors"]
    assert (lawyer["organisation"], lawyer["does"]) == (MARKERS["organisation"], None)
    (conference,) = plan["case_conferences"]
    assert (conference["participants"][0], conference["decisions"], conference["actions"]) == (
        MARKERS["participant"], None, [])
    assert list(chain.verify(app.recorder)) == []


# -- no personal field can be forgotten ---------------------------------------------------------

def domain_events() -> set[type]:
    """Every domain event class of referrals' aggregates (services/referrals/domain*)."""
    events = set()
    for module_info in pkgutil.iter_modules(referrals_domain.__path__):
        module = importlib.import_module(f"{referrals_domain.__name__}.{module_info.name}")
        for aggregate in vars(module).values():
            if isinstance(aggregate, type) and issubclass(aggregate, Aggregate) and \
                    aggregate.__module__ == module.__name__:
                events |= {e for e in vars(aggregate).values()
                           if isinstance(e, type) and issubclass(e, DomainEvent) and event_fields(e)}
    return events


def personal_names() -> set[str]:
    """Every attribute name a fact of referrals (or a version it publishes) declares personal."""
    facts = [f for f in vars(contracts).values() if isinstance(f, type) and issubclass(f, Fact)]
    facts += [publish.schema for publish in PUBLICATIONS.values()]
    return {name for fact in facts for name in personal_fields(fact)}


# Events of the partner directory: about services, not a client (they name none).
NOT_ABOUT_A_CLIENT = {Partner.Registered, Partner.Changed, Partner.Deactivated}


def unsealed(sealed: dict) -> list[str]:
    """What ``sealed`` leaves in clear that a declaration calls personal."""
    missing = []
    personal = personal_names()
    for event_class in sorted(domain_events() - NOT_ABOUT_A_CLIENT, key=lambda c: c.__qualname__):
        held = event_fields(event_class) & personal
        covered = set(personal_fields(sealed[event_class])) if event_class in sealed else set()
        if held - covered:
            missing.append(f"{event_class.__qualname__}: {sorted(held - covered)}")
    for event_class, publish in PUBLICATIONS.items():
        published = {name for name in publish.reads if properties(publish.schema._declared_fields[name])["personal"]}
        covered = set(personal_fields(sealed[event_class])) if event_class in sealed else set()
        if published - covered:
            missing.append(f"{event_class.__qualname__} publishes {sorted(published - covered)}")
    return missing


def test_every_referrals_event_with_a_personal_attribute_is_sealed():
    assert {Referral.Proposed, CoordinationPlan.ActorAdded, ClientOnRecord.ConsentNoted} <= domain_events()
    assert unsealed(SEALED) == []
    assert ReferralsApplication.sealed == {**SEALED, **access_log.SEALED}


@pytest.mark.parametrize("forgotten", list(SEALED), ids=lambda c: c.__qualname__)
def test_a_forgotten_event_is_caught(forgotten):
    assert unsealed({cls: fact for cls, fact in SEALED.items() if cls is not forgotten}), forgotten.__qualname__


@pytest.mark.parametrize("event_class", list(SEALED), ids=lambda c: c.__qualname__)
def test_each_sealed_event_names_its_client_and_carries_exactly_its_fact(event_class):
    assert "client_id" in event_fields(event_class)  # the key it is sealed under is its client's
    assert event_fields(event_class) == declared_names(SEALED[event_class])
    assert personal_fields(SEALED[event_class])


def test_the_partner_directory_is_not_about_a_client():
    for event_class in NOT_ABOUT_A_CLIENT:
        assert "client_id" not in event_fields(event_class)


def test_an_approved_erasure_is_recorded_here_and_the_running_figures_forget_the_client(sealed_world, clock):
    ids = fill(sealed_world, clock)
    app = sealed_world.referrals
    before = {row["partner"]: row["sent"] for row in app.partner_figures(WORKER, NOW.date(), clock.now.date())}
    assert before["transit"] == 3  # completed, dropped out, and the one reopened then withdrawn
    dpo = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}
    sealed_world.intake.request_erasure(COORDINATOR, ids["client"], "consent_withdrawn")
    sealed_world.intake.approve_erasure(dpo, ids["client"])
    sealed_world.sync()
    assert app.partner_figures(WORKER, NOW.date(), clock.now.date()) == []  # in this process, at once
    assert any(n.topic.endswith("ErasureCarriedOut.Recorded") for n in app.recorder.select_notifications(1, 10000))
