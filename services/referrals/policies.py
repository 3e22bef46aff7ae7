"""What intake's and guidance's facts do here: referrals learns of each client,
follows the agency that guides them and their consents, and proposes a
psychologist when guidance recommends one."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from shared.contracts import event_type

from services.referrals.domain import (
    COORDINATION_PURPOSE, FROM_PSYCHOLOGIST, REFERRAL_PURPOSE, ClientOnRecord, CoordinationPlan, Partner, Referral,
)

if TYPE_CHECKING:
    from services.referrals.application import ReferralsApplication

log = logging.getLogger(__name__)

# Intake publishes a giving in both versions side by side (WAVE2 18): v2 names
# categories, v1 scopes. The gate needs only the recipient and purpose in force, which
# both say alike, so either one is enough and the second changes nothing.
CONSENT_GIVEN = (event_type("intake", "consent-given", 1), event_type("intake", "consent-given", 2))


class UpstreamPolicies:
    def __init__(self, app: ReferralsApplication):
        self.app = app

    def by_type(self) -> dict[str, Callable[[dict, ProcessingEvent], None]]:
        return {
            event_type("intake", "client-registered", 1): self.note_registered_client,
            event_type("intake", "intake-accepted", 1): self.follow_agency,
            event_type("intake", "client-transferred", 1): self.follow_transfer,
            **dict.fromkeys(CONSENT_GIVEN, self.follow_consent),
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
        if record is not None and record.follow_agency(event["data"]["agency"]):
            processing.collect_events(record)

    def follow_transfer(self, event: dict, processing: ProcessingEvent) -> None:
        """The new agency guides the client; the transfer, with its consent's categories,
        says what each agency reads of the referrals since (application.referral_history)."""
        self.follow_agency(event, processing)
        data = event["data"]
        record = self._record_in(processing, data["client_id"])
        if record is not None:
            record.note_transfer(data["from_agency"], data["agency"], event["time"])
            processing.collect_events(record)

    def follow_consent(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        record = self._record_in(processing, data["client_id"])
        if record is None:
            return
        # A transfer's consent: its categories, which only version 2 of a giving names.
        if data["purpose"] == "transfer" and event["type"] != CONSENT_GIVEN[0]:
            categories = None if event["type"] not in CONSENT_GIVEN else data["categories"]
            if record.note_transfer_consent(data["recipient"], categories):
                processing.collect_events(record)
        active = event["type"] in CONSENT_GIVEN
        if active and record.consents_to(data["recipient"], data["purpose"]):
            return  # in force already: the same giving in its other version, or given again
        record.note_consent(data["recipient"], data["purpose"], active)
        processing.collect_events(record)
        if not active and data["purpose"] == COORDINATION_PURPOSE:
            self._agency_leaves(processing, data["client_id"], data["recipient"])
        if active or data["purpose"] != REFERRAL_PURPOSE:
            return
        for referral_id in record.referrals:
            referral: Referral = self.app.aggregate_in(processing, referral_id)
            if referral.note_consent_withdrawn(data["recipient"]):
                processing.collect_events(referral)

    def _agency_leaves(self, processing: ProcessingEvent, client_id: UUID, agency: str) -> None:
        """The client withdrew the consent an agency joined their coordination plan
        under: it leaves the plan, and with it what it read there."""
        try:
            plan: CoordinationPlan = self.app.aggregate_in(processing, CoordinationPlan.create_id(client_id))
        except AggregateNotFoundError:
            return
        if plan.consent_withdrawn(agency):
            processing.collect_events(plan)

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
        referral = Referral.propose(
            origin=FROM_PSYCHOLOGIST + event["id"], client_id=data["client_id"], agency=data["agency"],
            partner=partner.code, purpose=REFERRAL_PURPOSE, domains=["psychosocial_wellbeing"],
            reason="psychologist recommended in guidance", at=event["time"], proposed_by=actor,
        )
        record.link_referral(referral.id)
        processing.collect_events(referral, record)

    def _psychologist_for(self, agency: str, languages: list[str]) -> Partner | None:
        psychologists = [p for p in self.app.partners() if p.kind == "psychologist"]
        inside = [p for p in psychologists if p.agency == agency]
        speaking = [p for p in psychologists if p.agency is None and set(p.languages) & set(languages)]
        others = [p for p in psychologists if p.agency is None]
        for candidates in (inside, speaking, others):
            if candidates:
                return min(candidates, key=lambda p: p.typical_wait_days)
        return None

    def _record_in(self, processing: ProcessingEvent, client_id: UUID) -> ClientOnRecord | None:
        try:
            return self.app.aggregate_in(processing, client_id)
        except AggregateNotFoundError:
            return None
