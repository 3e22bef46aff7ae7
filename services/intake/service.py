"""Intake over RPC: validate, call, serialise; and the daily retention job."""
import datetime as dt

from shared.contracts import intake as contracts
from shared.contracts import intake_directory as directory
from shared.rpc import MARKER, command, rpc
from shared.service import EventStore, RetentionJob, ServiceBase

from services.intake.application import IntakeApplication


def on_start(app: IntakeApplication, settings) -> None:
    """Complete any erasure a crash interrupted; development and test platforms start
    with the sample directory from deploy/."""
    if "declined_retention_days" in settings.options:
        app.declined_retention = dt.timedelta(days=float(settings.options["declined_retention_days"]))
    app.carry_out_erasures()
    path = settings.options.get("sample_directory")
    if path:
        app.load_directory(settings.resolve(path))


class IntakeService(RetentionJob, ServiceBase):
    name = "intake"
    app = EventStore(IntakeApplication, on_start=on_start)

    @rpc
    @command(contracts.RegisterClient)
    def register_client(self, data: dict) -> dict:
        client_id = self.app.register_client(**data)
        # Held as a possible duplicate: the worker learns that, and only that (WAVE2 15).
        return {"client_id": str(client_id), "version": 1, **self.app.duplicate_notice(client_id)}

    @rpc
    @command(contracts.DuplicateChecks)
    def duplicate_checks(self, data: dict) -> list:
        return self.app.duplicate_checks(**data)

    @rpc
    @command(contracts.SettleDuplicateCheck)
    def settle_duplicate_check(self, data: dict) -> dict:
        return self.app.settle_duplicate_check(**data)

    @rpc
    @command(contracts.RecordLanguages)
    def record_languages(self, data: dict) -> dict:
        return {"client_id": str(data["client_id"]), "version": self.app.record_languages(**data)}

    @rpc
    @command(contracts.ReceiveHelpRequest)
    def receive_help_request(self, data: dict) -> dict:
        return {"request_id": str(self.app.receive_help_request(**data))}

    @rpc
    @command(contracts.GiveConsent)
    def give_consent(self, data: dict) -> dict:
        return {"consent_id": str(self.app.give_consent(**data))}

    @rpc
    @command(contracts.WithdrawConsent)
    def withdraw_consent(self, data: dict) -> dict:
        return {"consent_id": str(self.app.withdraw_consent(**data))}

    @rpc
    @command(contracts.RequestErasure)
    def request_erasure(self, data: dict) -> dict:
        return {"erasure_id": str(self.app.request_erasure(**data)), "status": "requested"}

    # The keys are destroyed once the approval is on record: its save is not held back.
    @rpc
    @command(contracts.ApproveErasure, retry=MARKER)
    def approve_erasure(self, data: dict) -> dict:
        return {"erasure_id": str(self.app.approve_erasure(**data)), "status": "approved"}

    @rpc
    @command(contracts.RefuseErasure)
    def refuse_erasure(self, data: dict) -> dict:
        return {"erasure_id": str(self.app.refuse_erasure(**data)), "status": "refused"}

    @rpc
    @command(contracts.PlaceLegalHold)
    def place_legal_hold(self, data: dict) -> dict:
        return self.app.place_legal_hold(**data)

    @rpc
    @command(contracts.LiftLegalHold)
    def lift_legal_hold(self, data: dict) -> dict:
        return self.app.lift_legal_hold(**data)

    @rpc
    @command(contracts.AcceptIntake)
    def accept_intake(self, data: dict) -> dict:
        self.app.accept(**data)
        return self.app.client_file(data["actor"], data["client_id"], query="accept_intake")

    @rpc
    @command(contracts.DeclineIntake)
    def decline_intake(self, data: dict) -> dict:
        self.app.decline(**data)
        return {"client_id": str(data["client_id"]), "status": "declined"}

    @rpc
    @command(contracts.WaitlistIntake)
    def waitlist_intake(self, data: dict) -> dict:
        self.app.waitlist(**data)
        return {"client_id": str(data["client_id"]), "status": "waitlisted"}

    @rpc
    @command(contracts.ReassignClient)
    def reassign_client(self, data: dict) -> dict:
        self.app.reassign(**data)
        return {"client_id": str(data["client_id"]), "worker": data["worker"]}

    @rpc
    @command(contracts.TransferClient)
    def transfer_client(self, data: dict) -> dict:
        self.app.transfer(**data)
        return {"client_id": str(data["client_id"]), "agency": data["to_agency"]}

    @rpc
    @command(contracts.ChangeLegalSituation)
    def change_legal_situation(self, data: dict) -> dict:
        return self.app.change_legal_situation(**data)

    @rpc
    @command(contracts.ChangeContactDetails)
    def change_contact_details(self, data: dict) -> dict:
        return self.app.change_contact_details(**data)

    @rpc
    @command(contracts.ReopenIntake)
    def reopen_intake(self, data: dict) -> dict:
        return self.app.reopen_intake(**data)

    @rpc
    @command(contracts.GetClientFile)
    def client_file(self, data: dict) -> dict:
        return self.app.client_file(**data)

    @rpc
    @command(contracts.SearchClients)
    def search_clients(self, data: dict) -> list:
        return self.app.search(**data)

    @rpc
    @command(contracts.Waitlist)
    def waitlist(self, data: dict) -> list:
        return self.app.waitlist_of(**data)

    @rpc
    @command(contracts.PendingIntakes)
    def pending_intakes(self, data: dict) -> list:
        return self.app.pending_intakes(**data)

    @rpc
    @command(directory.RegisterAgency)
    def register_agency(self, data: dict) -> dict:
        self.app.register_agency(**data)
        return {"code": data["code"]}

    @rpc
    @command(directory.AddStaffMember)
    def add_staff_member(self, data: dict) -> dict:
        self.app.add_staff_member(**data)
        return {"agency": data["agency"], "user_id": data["user_id"]}

    @rpc
    @command(directory.ChangeStaffMember)
    def deactivate_staff_member(self, data: dict) -> dict:
        self.app.set_staff_member_active(**data, active=False)
        return {"agency": data["agency"], "user_id": data["user_id"], "active": False}

    @rpc
    @command(directory.ChangeStaffMember)
    def reactivate_staff_member(self, data: dict) -> dict:
        self.app.set_staff_member_active(**data, active=True)
        return {"agency": data["agency"], "user_id": data["user_id"], "active": True}

    @rpc
    @command()
    def directory(self, _=None) -> list:
        return self.app.directory()
