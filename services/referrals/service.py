"""The referrals service over RPC: validate, call, serialise."""
import datetime as dt

from nameko.timer import timer

from shared.contracts import referrals as contracts
from shared.rpc import command, rpc
from shared.service import EventStore, RetentionJob, ServiceBase

from services.referrals.application import ReferralsApplication

CHECK_EVERY_SECONDS = 300  # stalled referrals are noticed within this


def configure(app: ReferralsApplication, settings) -> None:
    """The deployment's expected stays, and (on development and test platforms)
    the sample partner directory."""
    for entry in settings.options.get("expected_days", []):
        state, days = entry.split("=")
        app.expected_stay[state.strip()] = dt.timedelta(days=float(days))
    path = settings.options.get("sample_partners")
    if path:
        app.load_partners(settings.resolve(path))


class ReferralsService(RetentionJob, ServiceBase):
    name = "referrals"
    app = EventStore(ReferralsApplication, on_start=configure)

    @rpc
    @command(contracts.ProposeReferral)
    def propose_referral(self, data: dict) -> dict:
        return {"referral_id": str(self.app.propose_referral(**data))}

    @rpc
    @command(contracts.RecordReferralStep)
    def record_referral_step(self, data: dict) -> dict:
        return {"referral_id": str(data["referral_id"]), "state": self.app.record_step(**data)}

    @rpc
    @command(contracts.CancelReferral)
    def cancel_referral(self, data: dict) -> dict:
        return {"referral_id": str(data["referral_id"]), "state": self.app.corrections.cancel(**data)}

    @rpc
    @command(contracts.WithdrawReferral)
    def withdraw_referral(self, data: dict) -> dict:
        return {"referral_id": str(data["referral_id"]), "state": self.app.corrections.withdraw(**data)}

    @rpc
    @command(contracts.ReopenReferral)
    def reopen_referral(self, data: dict) -> dict:
        return {"referral_id": str(data["referral_id"]), "state": self.app.corrections.reopen(**data)}

    @rpc
    @command(contracts.ReferralHistory)
    def referral_history(self, data: dict) -> list:
        return self.app.referral_history(**data)

    @rpc
    @command(contracts.AddCoordinationActor)
    def add_coordination_actor(self, data: dict) -> dict:
        return {"actor_id": self.app.coordination.add_actor(**data)}

    @rpc
    @command(contracts.RemoveCoordinationActor)
    def remove_coordination_actor(self, data: dict) -> dict:
        self.app.coordination.remove_actor(**data)
        return {"actor_id": data["actor_id"]}

    @rpc
    @command(contracts.AddCoordinatingAgency)
    def add_coordinating_agency(self, data: dict) -> dict:
        return {"agency": self.app.coordination.add_agency(**data)}

    @rpc
    @command(contracts.RemoveCoordinatingAgency)
    def remove_coordinating_agency(self, data: dict) -> dict:
        return {"agency": self.app.coordination.remove_agency(**data)}

    @rpc
    @command(contracts.HoldCaseConference)
    def hold_case_conference(self, data: dict) -> dict:
        return {"conference_id": str(self.app.coordination.hold_conference(**data))}

    @rpc
    @command(contracts.ConferenceActionsDue)
    def conference_actions_due(self, data: dict) -> list:
        return self.app.agenda.actions_due(**data)

    @rpc
    @command(contracts.CompleteConferenceAction)
    def complete_conference_action(self, data: dict) -> dict:
        self.app.coordination.complete_action(**data)
        return {"conference_id": str(data["conference_id"]), "index": data["index"]}

    @rpc
    @command(contracts.CoordinationQuery)
    def coordination(self, data: dict) -> dict:
        return self.app.coordination.plan(**data)

    @rpc
    @command(contracts.PartnerFigures)
    def partner_figures(self, data: dict) -> list:
        return self.app.partner_figures(**data)

    @rpc
    @command(contracts.AddReferralNote)
    def add_referral_note(self, data: dict) -> dict:
        return {"referral_id": str(data["referral_id"]), "notes": self.app.add_note(**data)}

    @rpc
    @command()
    def partners(self, _=None) -> list:
        """The active partners: those that take new referrals."""
        return [
            {"code": p.code, "name": p.name, "kind": p.kind, "agency": p.agency, "domains": p.domains,
             "languages": p.languages, "channel": p.channel, "typical_wait_days": p.typical_wait_days,
             "sample": p.sample}
            for p in self.app.partners()
        ]

    # -- the partner directory, kept by coordinators and admins ------------------------

    @rpc
    @command(contracts.RegisterPartner)
    def register_partner(self, data: dict) -> dict:
        return _kept(self.app.directory.register(**data))

    @rpc
    @command(contracts.ChangePartner)
    def change_partner(self, data: dict) -> dict:
        return _kept(self.app.directory.change(**data))

    @rpc
    @command(contracts.DeactivatePartner)
    def deactivate_partner(self, data: dict) -> dict:
        return _kept(self.app.directory.deactivate(**data))

    # -- the partner's own users, on the referrals sent to their organisation ----------

    @rpc
    @command(contracts.PartnerReferrals)
    def partner_referrals(self, data: dict) -> list:
        return self.app.partner_side.referrals(**data)

    @rpc
    @command(contracts.ReferralCommand)
    def partner_referral(self, data: dict) -> dict:
        return self.app.partner_side.referral(**data)

    @rpc
    @command(contracts.RecordPartnerStep)
    def record_partner_step(self, data: dict) -> dict:
        return {"referral_id": str(data["referral_id"]), "state": self.app.partner_side.record_step(**data)}

    @rpc
    @command(contracts.AddReferralNote)
    def add_partner_note(self, data: dict) -> dict:
        return {"referral_id": str(data["referral_id"]), "notes": self.app.partner_side.add_note(**data)}

    @timer(interval=CHECK_EVERY_SECONDS)
    def notice_stalled_referrals(self) -> None:
        self.app.check_time()

    @rpc
    @command(contracts.CheckTime)
    def check_time(self, data: dict) -> dict:
        """Run the periodic check now (ops, and tests on a running platform)."""
        return {"raised": self.app.check_time_now(**data)}


def _kept(partner) -> dict:
    return {"code": partner.code, "active": partner.active}
