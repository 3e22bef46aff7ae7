"""The referrals service's use cases, in simple types: the partner directory and
referrals through their lifecycle (coordination: ``coordination.py``; what
upstream facts do here: ``policies.py``).

Every command takes the actor and checks that this actor may do it here: staff of
the agency that guides the client (``access.py``); the partner's own users act on
the referrals sent to it (``partner_side.py``); coordinators and admins keep the
partner directory (``directory.py``). The rules on a record's own
state are the aggregates' (``domain``); a rule that reads another record is
checked here: sending a client's data to a partner needs a consent in force for
that partner, as intake recorded it.
"""
from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from shared import access_log, consented
from shared.access import allow
from shared.contracts.referrals_answers import ReferralHistoryEntry as ReferralShown
from shared.errors import Forbidden, NotFound
from shared.jsonable import jsonable
from shared.retention import Retention
from shared.store import ServiceApplication

from services.referrals.access import CASEWORK, client_for, history_reader, referral_for
from services.referrals.agenda import ConferenceAgenda
from services.referrals.coordination import Coordination
from services.referrals.corrections import Corrections
from services.referrals.directory import Directory
from services.referrals.domain import (
    EXPECTED_STAY, PARTNER_SIDE, REFERRAL_PURPOSE, SENT, ClientOnRecord, Partner, PartnerAnswersItself, Referral,
)
from services.referrals.integration import PUBLICATIONS, SEALED
from services.referrals.partner_side import PartnerSide
from services.referrals.policies import UpstreamPolicies
from services.referrals.projections import ReferralIndex


class ReferralsApplication(Retention, ServiceApplication):
    service_name = "referrals"
    sealed = {**SEALED, **access_log.SEALED}  # the personal fields stored sealed (shared.sealing)

    def __init__(self, store=None, env=None, clock: Callable[[], dt.datetime] | None = None):
        super().__init__(store=store, env=env)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.index = ReferralIndex(self)
        self.publications = {**PUBLICATIONS, **access_log.publication(self.service_name)}
        self.expected_stay = dict(EXPECTED_STAY)
        self.coordination = Coordination(self)
        self.agenda = ConferenceAgenda(self)  # case-conference actions due (issue 20)
        self.corrections = Corrections(self)  # cancel, withdraw, reopen a referral (issue 20)
        self.directory = Directory(self)
        self.partner_side = PartnerSide(self)
        self.upstream = UpstreamPolicies(self)

    def policies(self):
        return self.upstream.by_type()

    def client_on_record(self, client_id: UUID) -> ClientOnRecord:
        return self.repository.get(client_id)

    # -- the partner directory ----------------------------------------------------------

    def partners(self, deactivated_too: bool = False) -> list[Partner]:
        """The active partners (which take new referrals), or all of them."""
        notes = self.recorder.select_notifications(1, 10_000, topics=[get_topic(Partner.Registered)])
        partners = [self.repository.get(n.originator_id) for n in notes]
        return [p for p in partners if deactivated_too or p.active]

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
                self.save(Partner.register({
                    name: entry[name] for name in (
                        "code", "name", "kind", "agency", "domains", "languages", "channel", "typical_wait_days")
                }, sample=bool(content.get("sample"))))
                added += 1
            except IntegrityError:  # already there, or another instance is loading it now
                continue
        return added

    # -- referrals ----------------------------------------------------------------------

    def propose_referral(self, actor: dict, client_id: UUID, partner: str, domains: list[str], reason: str) -> UUID:
        record = client_for(self.repository, actor, client_id, "propose_referral")
        the_partner = self.partner(partner)
        the_partner.expect_active()
        referral = Referral.propose(
            origin=f"worker:{uuid.uuid4()}", client_id=client_id, agency=record.agency, partner=the_partner.code,
            purpose=REFERRAL_PURPOSE, domains=domains, reason=reason, at=self.clock(), proposed_by=actor,
        )
        record.link_referral(referral.id)
        self.save(referral, record)
        return referral.id

    def record_step(
        self, actor: dict, referral_id: UUID, step: str, reason: str | None = None, outcome: str | None = None
    ) -> str:
        referral = referral_for(self.repository, actor, referral_id, "record_referral_step")
        partner = None if referral.erased else self.partner(referral.partner)
        # A partner that answers on the platform records its side itself; staff record
        # the answers of one that answers by phone, e-mail or at a visit.
        if step in PARTNER_SIDE and partner is not None and partner.answers_on_the_platform:
            raise PartnerAnswersItself(partner.code)
        # A step the lifecycle does not allow is refused for that, whatever the consents.
        if step == SENT and referral.may_become(SENT) and partner is not None:
            partner.expect_active()  # a deactivated partner takes no new referrals
            self.client_on_record(referral.client_id).expect_referral_consent(referral.partner)
        referral.record_step(step, self.clock(), reason, outcome, recorded_by=actor)
        self.save(referral)
        return referral.state

    def add_note(self, actor: dict, referral_id: UUID, note: str) -> int:
        """A note of the agency's staff on a referral; the partner's users add theirs
        through ``partner_side``. Returns how many notes it has."""
        referral = referral_for(self.repository, actor, referral_id, "add_referral_note")
        referral.add_note(note, self.clock(), written_by=actor)
        self.save(referral)
        return len(referral.notes)

    def referral_history(
        self, actor: dict, client_id: UUID, purpose: str = access_log.CASEWORK, purpose_detail: str = "",
    ) -> list[dict]:
        """The client's referrals as the actor's agency may read them: after a transfer,
        the agency the client left reads its own only; the new agency reads the earlier
        agency's in the categories of the transfer consent only (issue 16, item 5)."""
        record, earlier = history_reader(self.repository, actor, client_id, "read_referrals")
        access_log.record(self, actor, [client_id], purpose, purpose_detail, "referral_history")
        shown = []
        for referral in (self.repository.get(i) for i in record.referrals):
            if referral.agency != actor["agency"] and earlier is None:
                continue  # the agency the client left: another agency's
            entry = jsonable({
                "referral_id": referral.id, "partner": referral.partner, "domains": referral.domains,
                "reason": referral.reason, "state": referral.state, "outcome": referral.outcome,
                "consent_withdrawn": referral.consent_withdrawn, "history": referral.history,
                "stalled": referral.stalled_in, "notes": referral.notes, "withheld": {},
            })
            if referral.agency != actor["agency"]:
                entry = consented.withhold(entry, ReferralShown, earlier)
            shown.append(entry)
        return shown

    def check_time(self) -> int:
        """Raise a stalled fact for each referral stuck beyond its state's expected
        stay, once per stay. Returns how many were raised."""
        now = self.clock()
        raised = 0
        for referral_id in self.index.all():
            referral: Referral = self.repository.get(referral_id)
            if referral.notice_stall(now, self.expected_stay):
                self.save(referral)
                raised += 1
        return raised + self.agenda.notice_due()

    def check_time_now(self, actor: dict) -> int:
        """The periodic check, run now at a coordinator's or an admin's request."""
        allow(actor, {"coordinator", "admin"}, "check_time")
        return self.check_time()

    def partner_figures(self, actor: dict, since: dt.date, until: dt.date, partner: str | None = None) -> list[dict]:
        """Per partner, for the referrals the actor's agency sent in the period: how
        many, how long until the partner started, how many it accepted, how they ended."""
        if actor["role"] not in CASEWORK:
            raise Forbidden(f"a {actor['role'].replace('_', ' ')} may not read partner figures")
        return self.index.partner_figures(actor["agency"], since, until, partner)
