"""A realistic case through all five services in memory (POPO stores, followers fed
by ``Link``), each command and query called through its RPC entrypoint as nameko
calls it, so that every answer is exactly what the gateway receives; and requests a
service refuses, through the gateway itself, so that every problem is exactly what
a client receives."""
from __future__ import annotations

import datetime as dt
import importlib
import inspect
import tempfile
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

from werkzeug.test import Client
from werkzeug.wrappers import Request

from services.gateway.api import Gateway
from services.accounts.users_file import UsersFile
from services.gateway.auth import Revocations, Tokens
from shared import context
from shared.config import DEPLOY_DIR, SERVICES, gateway_token_key
from shared.contracts.base import WITNESSED
from shared.context import RequestContext
from shared.errors import Forbidden
from shared.verification import Jobs
from tests.support import fakes
from tests.support.samples import COORDINATOR, WORKER, registration_payload
from tests.support.fakes import Clock, Link, deliver

NOT_ON_THE_CASE = {"user_id": "apo-jur-9", "role": "jurist", "agency": "apo"}
SAB_COORDINATOR = {"user_id": "sab-coord", "role": "coordinator", "agency": "sab"}
ADMIN = {"user_id": "ops-1", "role": "admin", "agency": "platform"}
DPO = {"user_id": "dpo-1", "role": "data_protection_officer", "agency": "platform"}
AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}
TRANSIT = {"user_id": "transit-1", "role": "partner", "agency": "transit"}  # a partner organisation's user
FUNDER = {"user_id": "funder-1", "role": "funder", "agency": "platform"}  # reads the figures across agencies


class Platform:
    """The six services in memory, each answering through its RPC entrypoints."""

    def __init__(self, clock: Clock):
        apps = fakes.services(clock)
        self.intake, self.guidance, self.referrals = apps["intake"], apps["guidance"], apps["referrals"]
        self.notifications, self.audit, self.sharing = apps["notifications"], apps["audit"], apps["sharing"]
        self.accounts, self.statistics = apps["accounts"], apps["statistics"]
        self.notifications.mailer = self.refuse_mail  # e-mail on, and every attempt fails: dead letters
        self.notifications.max_attempts = 1
        upstreams = (self.intake, "intake"), (self.guidance, "guidance"), (self.referrals, "referrals")
        self.links = [Link(self.guidance, self.intake, "intake"), Link(self.referrals, self.intake, "intake"),
                      Link(self.referrals, self.guidance, "guidance"), Link(self.intake, self.referrals, "referrals")]
        self.links += [Link(self.notifications, up, name) for up, name in upstreams]
        self.links += [Link(self.audit, up, name) for up, name in (*upstreams, (self.notifications, "notifications"))]
        self.links += [Link(self.audit, up, f"{name}.access") for up, name in upstreams]
        self.links += [Link(self.sharing, up, name) for up, name in upstreams]
        self.links += [Link(self.statistics, up, name) for up, name in upstreams]
        self.links += [Link(self.accounts, self.intake, "intake")]
        self.answers: dict[str, list] = defaultdict(list)
        # What the gateway answered over HTTP where a service refused: (status, body) per route.
        self.problems: dict[str, list[tuple[int, dict]]] = defaultdict(list)
        self.verifications = Verifications()

    @staticmethod
    def refuse_mail(address, subject, body, message_id):
        raise ConnectionRefusedError("no mail server in a unit test")

    def sync(self):
        deliver(self.links)

    def take_checkpoint(self, service: str) -> dict:
        return fakes.take_checkpoint(getattr(self, service), self.verifications.path(service))

    def __call__(self, service: str, rpc: str, actor: dict | None = None, /, **payload):
        """Call an RPC entrypoint with a JSON payload, as nameko would; keep the answer."""
        module = importlib.import_module(f"services.{service}.service")
        (cls,) = [c for _, c in inspect.getmembers(module, inspect.isclass) if getattr(c, "name", None) == service]
        the_service = SimpleNamespace(app=getattr(self, service), verifications=self.verifications)
        answer = getattr(cls, rpc)(the_service, None if actor is None else {"actor": actor, **payload})
        self.answers[f"{service}.{rpc}"].append(answer)
        return answer

    def rpc(self, service: str, rpc: str, payload: dict | None = None, precondition=None, timeout=None):
        """An RPC entrypoint called as nameko calls it: what the gateway's calls reach."""
        module = importlib.import_module(f"services.{service}.service")
        (cls,) = [c for _, c in inspect.getmembers(module, inspect.isclass) if getattr(c, "name", None) == service]
        return getattr(cls, rpc)(SimpleNamespace(app=getattr(self, service), verifications=self.verifications),
                                 payload)

    def refused_over_http(self, operation: str, user: str, path: str, **query) -> None:
        """A request through the gateway, signed in as ``user``, that a service refuses:
        keep the status and the problem the client gets."""
        users = UsersFile.load(DEPLOY_DIR / "accounts" / "sample-users.json")
        tokens = Tokens(gateway_token_key({}), dt.timedelta(minutes=5))
        gateway = Gateway(tokens, Revocations.none())
        token = tokens.issue(users.by_name[user])["access_token"]
        try:
            http = Client(lambda environ, start: gateway.handle(Request(environ), self.rpc)(environ, start))
            response = http.get(path, query_string=query, headers={"Authorization": f"Bearer {token}"})
        finally:
            context.use(RequestContext())  # the gateway set one for its request; the case goes on without
        assert response.status_code >= 400, f"{operation} answered {response.status_code}"
        self.problems[operation].append((response.status_code, response.json))


class Verifications:
    """What runs a service's verifications (shared.service.Verifications), here: each
    runs to its end as it starts, against the relay's file of this case."""

    def __init__(self) -> None:
        self.jobs, self.folder = Jobs(), Path(tempfile.mkdtemp(prefix="jww-answer-case-"))

    def path(self, service: str) -> Path:
        return self.folder / f"{service}-checkpoints.jsonl"

    def begin(self, app, actor: dict, witnessed_last: dict | None):
        return self.jobs.start(app, self.path(app.service_name), actor, witnessed_last, lambda run: run())

    def status(self, app, job_id):
        return self.jobs.status(app, job_id)


def iso(value) -> str:
    return value.isoformat()


def run_case() -> Platform:
    start = dt.datetime.now(dt.timezone.utc)
    clock = Clock(start)
    call = Platform(clock)
    call.sync()  # intake learns the partner directory referrals loaded and published
    today = start.date()

    # -- intake ---------------------------------------------------------------------
    person = registration_payload(
        national_number="85.07.30-033.28", contact={"phone": "+32 2 123 45 67", "email": "samira@example.org"},
        mandating_actor={"kind": "justice_assistant", "organisation": "Justice house Brussels"})
    del person["actor"]
    anyone = {k: v for k, v in registration_payload().items() if k != "actor"}  # no national number: any number of them
    client = call("intake", "register_client", WORKER, **person)["client_id"]
    # The same number registered by another agency: held until both coordinators settle it.
    call("intake", "register_client", {"user_id": "sab-jur-1", "role": "jurist", "agency": "sab"}, **person)
    (check,) = call("intake", "duplicate_checks", SAB_COORDINATOR)
    call("intake", "settle_duplicate_check", SAB_COORDINATOR, check_id=check["check_id"], finding="same_person")
    call("intake", "settle_duplicate_check", COORDINATOR, check_id=check["check_id"], finding="same_person")
    call("intake", "record_languages", WORKER, client_id=client, expected_version=1, languages=["fr", "ar"],
         preferred_language="fr", interpreter_needed=False)
    call("intake", "receive_help_request", WORKER, client_id=client, source="justice_assistant",
         domains=["housing", "addiction"], question="A place to live.", urgency="high")
    for recipient, purpose in (("transit", "referral"), ("family", "family_involvement"),
                               ("court-x", "judicial_information")):
        call("intake", "give_consent", WORKER, client_id=client, recipient=recipient, purpose=purpose,
             scope=["identity", "help_request"])
    call("intake", "withdraw_consent", WORKER, client_id=client, recipient="court-x", purpose="judicial_information")
    call("intake", "search_clients", WORKER, name="testperson")
    call("intake", "client_file", WORKER, client_id=client)
    call("intake", "accept_intake", COORDINATOR, client_id=client, worker="apo-sa-1")
    # Corrections (issue 20): where the client stands and how to reach them, from today.
    call("intake", "change_legal_situation", WORKER, client_id=client, effective_from=today.isoformat(),
         situation="conditional_release", mandating_actor={"kind": "sentence_enforcement_court"},
         reason="the court granted conditional release")
    call("intake", "change_contact_details", WORKER, client_id=client, effective_from=today.isoformat(),
         contact={"phone": "+32 2 765 43 21"}, reason="a new phone")
    call("intake", "client_file", WORKER, client_id=client)  # with both histories

    waiting = call("intake", "register_client", WORKER, **anyone)["client_id"]
    call("intake", "pending_intakes", COORDINATOR, agency="apo")
    call("intake", "waitlist_intake", COORDINATOR, client_id=waiting)
    call("intake", "waitlist", COORDINATOR, agency="apo")
    call("intake", "give_consent", WORKER, client_id=waiting, recipient="sab", purpose="transfer", scope=["identity"])
    call("intake", "transfer_client", COORDINATOR, client_id=waiting, to_agency="sab")
    declined = call("intake", "register_client", WORKER, **anyone)["client_id"]
    call("intake", "decline_intake", COORDINATOR, client_id=declined, reason="client_withdrew", note="moved abroad")
    call("intake", "reopen_intake", COORDINATOR, client_id=declined, reason="she called back")  # declined again:
    call("intake", "decline_intake", COORDINATOR, client_id=declined, reason="client_withdrew", note="moved abroad")
    call("intake", "request_erasure", COORDINATOR, client_id=declined, legal_basis="consent_withdrawn",
         note="she asked for it")
    call("intake", "refuse_erasure", DPO, client_id=declined, reason="a court asked to keep the file until June")
    call("intake", "place_legal_hold", DPO, client_id=declined, ground="legal_claims", note="court case 2026/17")
    call("intake", "client_file", COORDINATOR, client_id=declined)  # held: its legal hold is shown
    call("intake", "lift_legal_hold", DPO, client_id=declined, note="the case is closed")
    call("intake", "request_erasure", COORDINATOR, client_id=declined, legal_basis="no_longer_necessary")
    call("intake", "approve_erasure", DPO, client_id=declined)
    call("intake", "client_file", COORDINATOR, client_id=declined)  # erased: its personal fields are null
    call("intake", "apply_retention", DPO, dry_run=True)

    call("intake", "register_agency", ADMIN, code="new-agency", name="A new agency", languages=["nl"],
         telephone_interpreters=False)
    call("intake", "add_staff_member", ADMIN, agency="new-agency", user_id="new-sa-1", display_name="New worker",
         profile="social_assistant", languages=["nl"])
    call("intake", "deactivate_staff_member", ADMIN, agency="new-agency", user_id="new-sa-1")
    call("intake", "reactivate_staff_member", ADMIN, agency="new-agency", user_id="new-sa-1")
    call("intake", "directory")
    call.sync()

    # -- guidance -------------------------------------------------------------------
    case = {"client_id": client}
    call("guidance", "trajectory", WORKER, **case)
    goals = [{"domain": "housing", "goal": "a stable home"}]
    call("guidance", "agree_plan", WORKER, **case, goals=goals, intensity="weekly", expected_weeks=26)
    call("guidance", "review_plan", WORKER, **case, goals=goals + [{"domain": "addiction", "goal": "less drinking"}],
         intensity="fortnightly", expected_weeks=30, reason="a second need came up")
    call("guidance", "record_intervention", WORKER, **case, at=iso(start - dt.timedelta(hours=2)), minutes=45,
         place="office", method="listening_support", sub_kind="listening_ear", domains=["housing"],
         interpreter={"language": "ar", "kind": "present"}, note="confidential", next_steps="call the landlord")
    call("guidance", "recommend_psychologist", WORKER, **case, reason="anxiety")
    condition = call("guidance", "record_condition", WORKER, **case, kind="prohibition",
                     description="no contact with the victim", starts=iso(today),
                     ends=iso(today + dt.timedelta(days=45)), authority="sentence_enforcement_court")["condition_id"]
    call("guidance", "record_condition", WORKER, **case, kind="condition", description="follow a treatment",
         starts=iso(today), authority="court")
    call("guidance", "support_condition", WORKER, **case, condition_id=condition, support="explained it", on=iso(today))
    held = call("guidance", "plan_appointment", WORKER, **case, at=iso(start - dt.timedelta(hours=1)),
                with_actor="lawyer", purpose="prepare the hearing", accompanied_by="apo-sa-1")["appointment_id"]
    call("guidance", "record_appointment_outcome", WORKER, **case, appointment_id=held, outcome="held")
    permit = {"from": iso(start + dt.timedelta(days=2)), "until": iso(start + dt.timedelta(days=4))}
    call("guidance", "plan_appointment", WORKER, **case, at=iso(start + dt.timedelta(days=3)),
         with_actor="ocmw_cpas", purpose="income", leave_permit=permit)
    member = call("guidance", "add_network_member", WORKER, **case, relation="sibling", known_as="the brother")
    call("guidance", "record_network_contact", WORKER, **case, member_id=member["member_id"], on=iso(today),
         kind="phone", note="willing to help")
    call("guidance", "prepare_return_home", WORKER, **case, member_id=member["member_id"], leave_permit=permit,
         note="a room is ready")
    procedure = call("guidance", "start_procedure", WORKER, **case, kind="rehabilitation", on=iso(today))
    call("guidance", "record_procedure_step", WORKER, **case, procedure_id=procedure["procedure_id"],
         step="request filed", on=iso(today))
    call("guidance", "end_procedure", WORKER, **case, procedure_id=procedure["procedure_id"], outcome="granted",
         on=iso(today))
    residence = call("guidance", "start_procedure", WORKER, **case, kind="residence_status", on=iso(today))
    call("guidance", "record_document_expiry", WORKER, **case, procedure_id=residence["procedure_id"],
         expires=iso(today + dt.timedelta(days=200)))
    call("guidance", "issue_attendance_certificate", WORKER, **case, language="fr", recipient="justice_assistant",
         person_name="Samira Testperson", **{"from": iso(today - dt.timedelta(days=1)), "until": iso(today)})
    call("guidance", "activity", COORDINATOR, **{"from": iso(today - dt.timedelta(days=1)), "until": iso(today)})
    # Corrections (issue 20): an intervention amended then retracted, an appointment moved then cancelled.
    wrong = call("guidance", "record_intervention", WORKER, **case, at=iso(start - dt.timedelta(hours=3)), minutes=20,
                 place="phone", method="listening_support", sub_kind="listening_ear",
                 domains=["housing"])["intervention_id"]
    call("guidance", "amend_intervention", WORKER, intervention_id=wrong, minutes=25, reason="typed it wrong")
    call("guidance", "retract_intervention", WORKER, intervention_id=wrong, reason="recorded twice")
    moved = call("guidance", "plan_appointment", WORKER, **case, at=iso(start + dt.timedelta(days=5)),
                 with_actor="doctor", purpose="check-up")["appointment_id"]
    call("guidance", "reschedule_appointment", WORKER, **case, appointment_id=moved,
         at=iso(start + dt.timedelta(days=6)), reason="the doctor is away")
    call("guidance", "cancel_appointment", WORKER, **case, appointment_id=moved, reason="no longer needed")
    call.sync()

    # -- referrals ------------------------------------------------------------------
    referral = call("referrals", "propose_referral", WORKER, **case, partner="transit", domains=["housing"],
                    reason="a supported home")["referral_id"]
    for step in ("sent", "acknowledged", "accepted", "started"):
        call("referrals", "record_referral_step", WORKER, referral_id=referral, step=step)
    call("referrals", "record_referral_step", WORKER, referral_id=referral, step="completed", outcome="effective")
    refused = call("referrals", "propose_referral", WORKER, **case, partner="transit", domains=["addiction"],
                   reason="day programme")["referral_id"]
    for step in ("sent", "acknowledged"):
        call("referrals", "record_referral_step", WORKER, referral_id=refused, step=step)
    call("referrals", "record_referral_step", WORKER, referral_id=refused, step="declined", reason="full")
    call("referrals", "add_referral_note", WORKER, referral_id=refused, note="asked them to keep a place")
    # A partner's own user, on the referrals sent to their organisation.
    answered = call("referrals", "propose_referral", WORKER, **case, partner="transit", domains=["addiction"],
                    reason="support with use")["referral_id"]
    call("referrals", "record_referral_step", WORKER, referral_id=answered, step="sent")
    call("referrals", "record_partner_step", TRANSIT, referral_id=answered, step="acknowledged")
    call("referrals", "add_partner_note", TRANSIT, referral_id=answered, note="first meeting on Monday")
    call("referrals", "partner_referrals", TRANSIT)
    call("referrals", "partner_referral", TRANSIT, referral_id=answered)
    # Corrections (issue 20): one cancelled, one reopened after a drop-out, then withdrawn.
    cancelled = call("referrals", "propose_referral", WORKER, **case, partner="transit", domains=["work"],
                     reason="a training")["referral_id"]
    call("referrals", "cancel_referral", WORKER, referral_id=cancelled, reason="proposed in error")
    corrected = call("referrals", "propose_referral", WORKER, **case, partner="transit", domains=["work"],
                     reason="a job")["referral_id"]
    call("referrals", "record_referral_step", WORKER, referral_id=corrected, step="sent")
    for step in ("acknowledged", "accepted", "started"):
        call("referrals", "record_partner_step", TRANSIT, referral_id=corrected, step=step)
    call("referrals", "record_partner_step", TRANSIT, referral_id=corrected, step="dropped_out", reason="moved")
    call("referrals", "reopen_referral", WORKER, referral_id=corrected, reason="back in Brussels")
    call("referrals", "record_partner_step", TRANSIT, referral_id=corrected, step="accepted")
    call("referrals", "withdraw_referral", WORKER, referral_id=corrected, reason="found work elsewhere")
    call("referrals", "partner_referral", TRANSIT, referral_id=corrected)  # its steps name the corrections
    # The partner directory, kept by coordinators and admins.
    desk = {"code": "apo-housing-desk", "name": "APO housing desk", "kind": "housing", "agency": "apo",
            "domains": ["housing"], "languages": ["fr", "nl"], "channel": "internal", "typical_wait_days": 5}
    call("referrals", "register_partner", COORDINATOR, **desk)
    call("referrals", "change_partner", COORDINATOR, **{**desk, "typical_wait_days": 8})
    call("referrals", "deactivate_partner", ADMIN, code="apo-housing-desk")
    kept = call("referrals", "add_coordination_actor", WORKER, **case, role="lawyer", organisation="Bar",
                contact="+32 2 000 00 00", does="the hearing")
    gone = call("referrals", "add_coordination_actor", WORKER, **case, role="employer", organisation="Shop",
                does="a trial job")
    call("referrals", "remove_coordination_actor", WORKER, **case, actor_id=gone["actor_id"])
    assert kept["actor_id"] != gone["actor_id"]
    conference = call("referrals", "hold_case_conference", WORKER, **case, on=iso(today),
                      participants=["apo-sa-1", "lawyer"], decisions=["apply for housing"],
                      actions=[{"action": "file the form", "owner": "apo-sa-1", "due": iso(today)},
                               {"action": "call back", "owner": "lawyer", "due": iso(today)}])
    call("referrals", "complete_conference_action", WORKER, conference_id=conference["conference_id"], index=0,
         on=iso(today))
    # Joint guidance: dsr joins the plan under the client's consent for coordination.
    call("intake", "give_consent", WORKER, **case, recipient="dsr", purpose="coordination",
         scope=["identity", "referrals"])
    call.sync()
    call("referrals", "add_coordinating_agency", COORDINATOR, **case, agency="dsr", does="looks for a home")
    call("referrals", "coordination", WORKER, **case)
    call("referrals", "remove_coordinating_agency", COORDINATOR, **case, agency="dsr")
    call("referrals", "partners")
    call("referrals", "partner_figures", WORKER, **{"from": iso(today - dt.timedelta(days=1)),
                                                     "until": iso(today + dt.timedelta(days=1))})
    call.sync()

    # -- a transfer: what each agency reads of the file since (issue 16, item 5) ---------
    moving = call("intake", "register_client", WORKER, **anyone)["client_id"]
    call("intake", "receive_help_request", WORKER, client_id=moving, source="justice_assistant",
         domains=["housing"], question="A room.", urgency="normal")
    call("intake", "accept_intake", COORDINATOR, client_id=moving, worker="apo-sa-1")
    call("intake", "give_consent", WORKER, client_id=moving, recipient="sab", purpose="transfer",
         scope=["identity", "help_request"])
    call.sync()
    call("referrals", "propose_referral", WORKER, client_id=moving, partner="transit", domains=["addiction"],
         reason="support with use")  # not consented: the new agency reads its id only
    call("intake", "transfer_client", COORDINATOR, client_id=moving, to_agency="sab", worker="sab-jur-1")
    call.sync()
    call("intake", "client_file", WORKER, client_id=moving)  # the agency it left: what it recorded
    call("intake", "client_file", SAB_COORDINATOR, client_id=moving)  # the earlier file, as consented
    call("guidance", "trajectory", WORKER, client_id=moving)  # the one apo ran, closed
    call("guidance", "earlier_trajectories", SAB_COORDINATOR, client_id=moving)
    call("referrals", "referral_history", SAB_COORDINATOR, client_id=moving)

    # -- time passes: gaps, ending conditions, stalled referrals, undelivered mail ------
    clock.now = start + dt.timedelta(days=40)
    call("guidance", "check_time", COORDINATOR)
    call("guidance", "apply_retention", DPO, dry_run=True)
    call("referrals", "check_time", COORDINATOR)
    call.sync()
    call.notifications.deliver_due()
    call("intake", "reassign_client", COORDINATOR, client_id=client, worker="apo-crim-1",
         interpreter={"language": "fr", "kind": "present"})
    call.sync()
    call("guidance", "close_trajectory", COORDINATOR, **case, reason="goals_reached", summary="housed",
         goal_outcomes=[{"goal_number": 1, "outcome": "reached"}, {"goal_number": 2, "outcome": "partly"}])
    call("guidance", "reopen_trajectory", COORDINATOR, **case, reason="lost the home")
    call("guidance", "caseload", COORDINATOR)
    call("guidance", "trajectory", WORKER, **case)  # on the case: reads the notes
    call("guidance", "trajectory", NOT_ON_THE_CASE, **case)  # does not
    call("referrals", "referral_history", WORKER, **case)
    call("intake", "client_file", COORDINATOR, client_id=client)
    call("intake", "client_file", SAB_COORDINATOR, client_id=waiting)
    try:  # another agency's coordinator opens the file: refused, and on the access log audit answers with
        call("intake", "client_file", SAB_COORDINATOR, client_id=client)
    except Forbidden:
        pass
    else:
        raise AssertionError("a coordinator of another agency opened the file")
    call("intake", "search_clients", WORKER, name="testperson")

    # -- notifications and audit ------------------------------------------------------
    inbox = call("notifications", "inbox", WORKER)
    call("notifications", "mark_read", WORKER, notification_id=inbox[0]["notification_id"])
    call("notifications", "inbox", WORKER)
    call("notifications", "dead_letters", ADMIN)
    call.sync()
    window = {"since": iso(start - dt.timedelta(minutes=1)), "until": iso(clock.now)}
    call("audit", "timeline", AUDITOR, **case, purpose="inspection", purpose_detail="yearly round")
    call("audit", "replay", AUDITOR, **case, purpose="inspection", at=iso(clock.now))
    call("audit", "changes", AUDITOR, **case, purpose="inspection", **window)
    call("audit", "export", AUDITOR, **case, purpose="inspection", **window)
    call("audit", "export_report", AUDITOR, **case, purpose="inspection", **window)
    call("audit", "apply_retention", DPO, dry_run=True)
    call("referrals", "apply_retention", DPO, dry_run=True)

    # -- accounts: an admin opens one and resets another; a jurist changes their password --
    call("accounts", "open_account", ADMIN, username="dpo-2", role="data_protection_officer", agency="platform")
    call("accounts", "reset_account", ADMIN, username="transit-1")
    call("accounts", "change_password", {"user_id": "sab-jur-1", "role": "jurist", "agency": "sab"},
         current_password="sample-sab-jur-1", new_password="a long walk to the OCMW")
    call("accounts", "choose_language", {"user_id": "sab-jur-1", "role": "jurist", "agency": "sab"}, language="fr")

    # -- a partner catching up with its organisation's feed ------------------------------
    call("sharing", "feed", TRANSIT, organisation="transit", after=0)

    # -- figures for a funder and a coordinator (services/statistics) --------------------
    call.sync()
    month = clock.now.date().replace(day=1)
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    call("statistics", "figures", FUNDER, **{"from": iso(month), "until": iso(last)})
    call("statistics", "figures", COORDINATOR, **{"from": iso(month), "until": iso(last)},
         dimensions=["interventions", "waiting"])

    # -- verifying each store, against what audit witnessed ------------------------------
    for service in SERVICES:
        call.take_checkpoint(service)  # as its relay does
    call.sync()
    for service in SERVICES:
        witnessed = call("audit", "last_witnessed", AUDITOR, service=service) if service in WITNESSED else None
        job = call(service, "start_verification", AUDITOR, witnessed_last=witnessed and {
            "number": witnessed["number"], "digest": witnessed["digest"]})
        finished = call(service, "verification", AUDITOR, job_id=job["job_id"])
        assert finished["result"]["holds"], finished["result"]["problems"]

    # -- a replay the file cannot give, through the gateway ---------------------------
    replay = f"/audit/clients/{client}/replay"
    call.refused_over_http("audit.replay", "auditor-1", replay, at=iso(start), purpose="inspection")  # no file yet
    call.refused_over_http("audit.replay", "auditor-1", replay, at=iso(clock.now + dt.timedelta(minutes=1)),
                           purpose="inspection")  # after audit's clock
    return call
