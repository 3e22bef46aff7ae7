"""The referrals service's commands, queries and policies, in simple types.

Every command takes the actor and checks that this actor may do it here: staff of
the agency that guides the client. Sharing a client's data with a partner needs a
consent in force for that partner and purpose, as intake recorded it.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import statistics
import uuid
from pathlib import Path
from typing import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from shared.contracts import event_type
from shared.errors import Conflict, Forbidden, NotFound
from shared import access_log
from shared.access import allow
from shared.jsonable import jsonable
from shared.store import ServiceApplication

from services.referrals.domain import (
    ACCEPTED, COMPLETED, DECLINED, DROPPED_OUT, EXPECTED_STAY, IN_THE_PARTNERS_HANDS, NEXT_STEPS, SENT, STARTED,
    CaseConference, ClientOnRecord, CoordinationPlan, Partner, Referral,
)
from services.referrals.integration import FROM_PSYCHOLOGIST, Publications
from services.referrals.projections import ReferralIndex

log = logging.getLogger(__name__)

CASEWORK = {"social_assistant", "criminologist", "jurist", "coordinator"}
CONSENT_PURPOSE = "referral"


class ReferralsApplication(ServiceApplication):
    service_name = "referrals"

    def __init__(self, store=None, env=None, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(store=store, env=env)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.index = ReferralIndex(self)
        self.publications = {**Publications(self.repository), **access_log.publication(self.service_name)}
        self.expected_stay = dict(EXPECTED_STAY)

    # -- policies: what intake's and guidance's facts do here -----------------------

    def policies(self):
        return {
            event_type("intake", "client-registered", 1): self.note_registered_client,
            event_type("intake", "intake-accepted", 1): self.follow_agency,
            event_type("intake", "client-transferred", 1): self.follow_agency,
            event_type("intake", "consent-given", 1): self.follow_consent,
            event_type("intake", "consent-withdrawn", 1): self.follow_consent,
            event_type("guidance", "psychologist-recommended", 1): self.propose_psychologist,
        }

    def note_registered_client(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        record = ClientOnRecord(client_id=data["client_id"], languages=data["languages"],
                                preferred_language=data["preferred_language"])
        record.follow_agency(data["agency"])
        processing.collect_events(record)

    def follow_agency(self, event: dict, processing: ProcessingEvent) -> None:
        record = self._record_in(processing, event["data"]["client_id"])
        if record is not None and record.agency != event["data"]["agency"]:
            record.follow_agency(event["data"]["agency"])
            processing.collect_events(record)

    def follow_consent(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        record = self._record_in(processing, data["client_id"])
        if record is None:
            return
        active = event["type"] == event_type("intake", "consent-given", 1)
        record.note_consent(data["recipient"], data["purpose"], active)
        processing.collect_events(record)
        if active or data["purpose"] != CONSENT_PURPOSE:
            return
        # Withdrawn from now on: referrals already with that partner are flagged,
        # and nothing more goes to it. What was shared before stays on record.
        for referral_id in record.referrals:
            referral: Referral = self.aggregate_in(processing, referral_id)
            if referral.partner == data["recipient"] and referral.state in IN_THE_PARTNERS_HANDS:
                referral.flag_consent_withdrawn()
                processing.collect_events(referral)

    def propose_psychologist(self, event: dict, processing: ProcessingEvent) -> None:
        """Guidance saw the person would benefit from a psychologist: propose one,
        inside the agency first where it has one, else one speaking the person's
        language."""
        data = event["data"]
        record = self._record_in(processing, data["client_id"])
        partner = self._psychologist_for(data["agency"], data["languages"])
        if record is None or partner is None:
            log.warning("no psychologist to propose", extra={"agency": data["agency"]})
            return
        actor = {"user_id": data["worker"], "role": "social_assistant", "agency": data["agency"]}
        referral = Referral(
            origin=FROM_PSYCHOLOGIST + event["id"], client_id=data["client_id"], agency=data["agency"],
            partner=partner.code, purpose=CONSENT_PURPOSE, domains=["psychosocial_wellbeing"],
            reason="psychologist recommended in guidance", at=event["time"], proposed_by=actor,
        )
        record.link_referral(referral.id)
        processing.collect_events(referral, record)

    def _psychologist_for(self, agency: str, languages: list[str]) -> Partner | None:
        psychologists = [p for p in self.partners() if p.kind == "psychologist"]
        inside = [p for p in psychologists if p.agency == agency]
        speaking = [p for p in psychologists if p.agency is None and set(p.languages) & set(languages)]
        others = [p for p in psychologists if p.agency is None]
        for candidates in (inside, speaking, others):
            if candidates:
                return min(candidates, key=lambda p: p.typical_wait_days)
        return None

    def _record_in(self, processing: ProcessingEvent, client_id: UUID) -> ClientOnRecord | None:
        try:
            return self.aggregate_in(processing, client_id)
        except AggregateNotFoundError:
            return None

    def client_on_record(self, client_id: UUID) -> ClientOnRecord:
        return self.repository.get(client_id)

    # -- the partner directory ----------------------------------------------------------

    def partners(self) -> list[Partner]:
        notes = self.recorder.select_notifications(1, 10_000, topics=[get_topic(Partner.Registered)])
        return [self.repository.get(n.originator_id) for n in notes]

    def partner(self, code: str) -> Partner:
        try:
            return self.repository.get(Partner.create_id(code))
        except AggregateNotFoundError:
            raise NotFound("no such partner", {"partner": [code]}) from None

    def load_partners(self, path: Path) -> int:
        """Load the partner directory file (the sample one in deploy/), skipping
        those already there. Returns how many were added."""
        content = json.loads(Path(path).read_text())
        added = 0
        for entry in content["partners"]:
            try:
                self.save(Partner(
                    code=entry["code"], name=entry["name"], kind=entry["kind"], agency=entry["agency"],
                    domains=entry["domains"], languages=entry["languages"], channel=entry["channel"],
                    typical_wait_days=entry["typical_wait_days"], sample=bool(content.get("sample")),
                ))
                added += 1
            except IntegrityError:  # already there, or another instance is loading it now
                continue
        return added

    # -- access -------------------------------------------------------------------------

    def _client(self, actor: dict, client_id: UUID, command: str) -> ClientOnRecord:
        try:
            record: ClientOnRecord = self.repository.get(client_id)
        except AggregateNotFoundError:
            raise NotFound("no such client here", {"client_id": ["not found"]}) from None
        self._allow(actor, record.agency, command)
        return record

    def _allow(self, actor: dict, agency: str, command: str) -> None:
        allow(actor, CASEWORK, command, agency, elsewhere="this client is guided by another agency")

    def _referral(self, actor: dict, referral_id: UUID, command: str) -> Referral:
        try:
            referral: Referral = self.repository.get(referral_id)
        except AggregateNotFoundError:
            raise NotFound("no such referral", {"referral_id": ["not found"]}) from None
        if not isinstance(referral, Referral):
            raise NotFound("no such referral", {"referral_id": ["not found"]})
        self._allow(actor, referral.agency, command)
        return referral

    # -- referrals ----------------------------------------------------------------------

    def propose_referral(self, actor: dict, client_id: UUID, partner: str, domains: list[str], reason: str) -> UUID:
        record = self._client(actor, client_id, "propose_referral")
        the_partner = self.partner(partner)
        referral = Referral(
            origin=f"worker:{uuid.uuid4()}", client_id=client_id, agency=record.agency, partner=the_partner.code,
            purpose=CONSENT_PURPOSE, domains=domains, reason=reason, at=self.clock(), proposed_by=actor,
        )
        record.link_referral(referral.id)
        self.save(referral, record)
        return referral.id

    def record_step(
        self, actor: dict, referral_id: UUID, step: str, reason: str | None = None, outcome: str | None = None
    ) -> str:
        referral = self._referral(actor, referral_id, "record_referral_step")
        if step not in NEXT_STEPS[referral.state]:
            allowed = ", ".join(sorted(NEXT_STEPS[referral.state])) or "none: it has ended"
            raise Conflict(
                f"a referral that is {referral.state.replace('_', ' ')} cannot become {step.replace('_', ' ')}",
                {"step": [f"the referral is {referral.state}; next can be: {allowed}"]},
            )
        if step == SENT:
            record: ClientOnRecord = self.repository.get(referral.client_id)
            if not record.consents_to(referral.partner, CONSENT_PURPOSE):
                raise Forbidden(
                    "the client has not consented to share their data with this partner for a referral",
                    {"consent": [f"no consent in force for recipient {referral.partner}, purpose {CONSENT_PURPOSE}"]},
                )
        elif referral.consent_withdrawn and step not in (DROPPED_OUT, COMPLETED):
            raise Forbidden(
                "the client withdrew their consent: nothing more goes to this partner",
                {"consent": [f"withdrawn for recipient {referral.partner}"]},
            )
        referral.record_step(step, self.clock(), reason, outcome, recorded_by=actor)
        self.save(referral)
        return referral.state

    def referral_history(self, actor: dict, client_id: UUID, purpose: str = access_log.CASEWORK) -> list[dict]:
        record = self._client(actor, client_id, "read_referrals")
        access_log.record(self, actor, [client_id], purpose, "referral_history")
        return [jsonable({
            "referral_id": r.id, "partner": r.partner, "domains": r.domains, "reason": r.reason, "state": r.state,
            "outcome": r.outcome, "consent_withdrawn": r.consent_withdrawn, "history": r.history,
            "stalled": r.stalled_in,
        }) for r in (self.repository.get(i) for i in record.referrals)]

    # -- follow-up: stalled referrals ---------------------------------------------------

    def check_time(self) -> int:
        """Raise a stalled fact for each referral stuck beyond its state's expected
        stay, once per stay. Returns how many were raised."""
        now = self.clock()
        raised = 0
        for referral_id in self.index.all():
            referral: Referral = self.repository.get(referral_id)
            if referral.stalled_now(now, self.expected_stay):
                limit = self.expected_stay[referral.state]
                referral.stall(referral.state, referral.state_since, limit.days)
                self.save(referral)
                raised += 1
        return raised

    # -- coordination -------------------------------------------------------------------

    def _plan(self, record: ClientOnRecord, client_id: UUID) -> CoordinationPlan:
        try:
            return self.repository.get(CoordinationPlan.create_id(client_id))
        except AggregateNotFoundError:
            return CoordinationPlan(client_id=client_id, agency=record.agency)

    def add_coordination_actor(
        self, actor: dict, client_id: UUID, role: str, organisation: str, does: str, contact: str = ""
    ) -> str:
        plan = self._plan(self._client(actor, client_id, "coordinate"), client_id)
        actor_id = uuid.uuid4().hex[:12]
        plan.add_actor(actor_id, role, organisation, contact, does, added_by=actor)
        self.save(plan)
        return actor_id

    def remove_coordination_actor(self, actor: dict, client_id: UUID, actor_id: str) -> None:
        plan = self._plan(self._client(actor, client_id, "coordinate"), client_id)
        if actor_id not in plan.actors:
            raise NotFound("no such actor in the coordination plan", {"actor_id": [actor_id]})
        plan.remove_actor(actor_id, removed_by=actor)
        self.save(plan)

    def hold_case_conference(
        self, actor: dict, client_id: UUID, on: dt.date, participants: list[str], decisions: list[str],
        actions: list[dict],
    ) -> UUID:
        record = self._client(actor, client_id, "hold_case_conference")
        if on > self.clock().date():
            raise Conflict("a case conference is recorded once it was held", {"on": ["is in the future"]})
        conference = CaseConference(client_id=client_id, agency=record.agency, on=on, participants=participants,
                                    decisions=decisions, actions=actions, held_by=actor)
        record.link_conference(conference.id)
        self.save(conference, record)
        return conference.id

    def complete_conference_action(self, actor: dict, conference_id: UUID, index: int, on: dt.date) -> None:
        try:
            conference: CaseConference = self.repository.get(conference_id)
        except AggregateNotFoundError:
            raise NotFound("no such case conference", {"conference_id": ["not found"]}) from None
        self._allow(actor, conference.agency, "complete_conference_action")
        if index >= len(conference.actions):
            raise NotFound("no such action", {"index": [f"the conference has {len(conference.actions)} actions"]})
        if conference.actions[index]["done"] is not None:
            raise Conflict("this action is already done", {"index": [str(index)]})
        conference.complete_action(index, on, done_by=actor)
        self.save(conference)

    def coordination(self, actor: dict, client_id: UUID, purpose: str = access_log.CASEWORK) -> dict:
        record = self._client(actor, client_id, "read_coordination")
        access_log.record(self, actor, [client_id], purpose, "coordination")
        plan = self._plan(record, client_id)
        conferences = [self.repository.get(i) for i in record.conferences]
        return jsonable({
            "client_id": client_id,
            "actors": list(plan.actors.values()),
            "case_conferences": [
                {"conference_id": c.id, "on": c.on, "participants": c.participants, "decisions": c.decisions,
                 "actions": c.actions}
                for c in conferences
            ],
        })

    # -- figures ------------------------------------------------------------------------

    def partner_figures(self, actor: dict, since: dt.date, until: dt.date, partner: str | None = None) -> list[dict]:
        """Per partner, for the referrals the actor's agency sent in the period: how
        many, how long until the partner started, how many it accepted, how they ended."""
        if actor["role"] not in CASEWORK:
            raise Forbidden(f"a {actor['role'].replace('_', ' ')} may not read partner figures")
        figures: dict[str, dict] = {}
        for entry in self.index.of_agency(actor["agency"]):
            sent = entry["steps"].get(SENT)
            if sent is None or not since <= sent.date() <= until or (partner and entry["partner"] != partner):
                continue
            row = figures.setdefault(entry["partner"], {"partner": entry["partner"], "sent": 0, "accepted": 0,
                                                         "declined": 0, "waits": [], "outcomes": {}})
            row["sent"] += 1
            for answer in (ACCEPTED, DECLINED):
                row[answer] += answer in entry["steps"]
            if STARTED in entry["steps"]:
                row["waits"].append((entry["steps"][STARTED] - sent).total_seconds() / 86400)
            if entry["outcome"]:
                row["outcomes"][entry["outcome"]] = row["outcomes"].get(entry["outcome"], 0) + 1
        results = []
        for row in sorted(figures.values(), key=lambda r: r["partner"]):
            answered = row["accepted"] + row["declined"]
            waits = row.pop("waits")
            results.append({
                **row,
                "acceptance_rate": round(row["accepted"] / answered, 2) if answered else None,
                "median_days_to_start": round(statistics.median(waits), 1) if waits else None,
            })
        return results
