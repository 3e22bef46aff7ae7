"""Every command and query of the platform as an HTTP route: one table.

A route maps a method and a path to one RPC method of one service and names the
contract (``shared/contracts``) that service validates it with. The gateway
builds the payload from the path parameters, the query string (reads) or the JSON
body (commands), and the actor from the bearer token, never from the client.
Each route names its answer too: the schema of the success body (for a list,
of each item), from ``shared/contracts/<service>_answers.py``. The OpenAPI
document is generated from this table and these contracts (``openapi.py``); unit
tests fail if a service answers an RPC that no route reaches, if a route has no
answer schema, or if a service's real answer does not fit it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from marshmallow import Schema

from shared import config
from shared.contracts import accounts, audit, base, guidance, intake, intake_directory, notifications, referrals, sharing
from shared.contracts import statistics
from shared.contracts import audit_answers as audit_out
from shared.contracts import guidance_answers as guidance_out
from shared.contracts import intake_answers as intake_out
from shared.contracts import notifications_answers as notifications_out
from shared.contracts import referrals_answers as referrals_out
from shared.contracts.base import TimeChecked


@dataclass(frozen=True)
class Filter:
    """``?param=value`` keeps the items whose ``field`` equals it (or, for a list
    field, contains it)."""

    param: str
    field: str
    kind: str = "string"  # or "boolean"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # OpenAPI style: /clients/{client_id}
    service: str
    rpc: str
    schema: type[Schema] | None  # None: the RPC takes no payload (public directories)
    summary: str
    status: int = 200
    filters: tuple[Filter, ...] | None = None  # set: the answer is a list, paged and filtered
    etag: str | None = None  # the answer's id field that, with its "version", makes the ETag
    answer: type[Schema] | None = None  # the success body (of a list: each item)
    # Set, with the reason, only where the answer has no fixed shape; then answer is None.
    free_form: str | None = None
    # Renders the answer as CSV, the body when the caller's Accept prefers text/csv.
    csv: Callable[[dict], str] | None = None

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def rule(self) -> str:
        """The path as a werkzeug rule."""
        return re.sub(r"{(\w+)}", r"<\1>", self.path)

    @property
    def operation_id(self) -> str:
        return f"{self.service}.{self.rpc}"

    @property
    def command(self) -> bool:
        """Changes something: a POST, PUT or DELETE that is not a search by POST."""
        return self.method != "GET" and self.filters is None

    @property
    def reads(self) -> bool:
        """Input in the query string (GET) rather than a JSON body."""
        return self.method in ("GET", "DELETE")


def _route(method: str, status: int):
    def make(path, service, rpc, schema, summary, **options) -> Route:
        return Route(method, path, service, rpc, schema, summary, options.pop("status", status), **options)

    return make


GET, POST, PUT, DELETE = _route("GET", 200), _route("POST", 201), _route("PUT", 200), _route("DELETE", 200)
STATUS = Filter("status", "status")


ROUTES: tuple[Route, ...] = (
    # -- intake: clients, help requests, consent, decisions -------------------------
    POST("/clients", "intake", "register_client", intake.RegisterClient,
         "Register a client (held for a coordinator's check when its national number may be a duplicate)",
         answer=intake_out.ClientRegistered),
    # A search by POST: names and national numbers in a URL would reach proxy and
    # access logs; in the body they reach no log. GET /clients is refused (api.py).
    POST("/clients/search", "intake", "search_clients", intake.SearchClients,
         "Search the agency's clients by name or national register number, given in the JSON body (paging "
         "and the status filter stay in the query: send the same body again for the next page)", status=200,
         filters=(STATUS,), answer=intake_out.ClientFound),
    GET("/clients/{client_id}", "intake", "client_file", intake.GetClientFile, "Read a client's file",
        etag="client_id", answer=intake_out.ClientFile),
    PUT("/clients/{client_id}/languages", "intake", "record_languages", intake.RecordLanguages,
        "Record the languages a client speaks", answer=intake_out.ClientVersion),
    POST("/clients/{client_id}/help-requests", "intake", "receive_help_request", intake.ReceiveHelpRequest,
         "Record a help request", answer=intake_out.HelpRequestReceived),
    POST("/clients/{client_id}/consents", "intake", "give_consent", intake.GiveConsent,
         "Record the client's consent for a recipient and purpose", answer=intake_out.ConsentRecorded),
    DELETE("/clients/{client_id}/consents/{recipient}/{purpose}", "intake", "withdraw_consent",
           intake.WithdrawConsent, "Record that the client withdrew a consent", answer=intake_out.ConsentRecorded),
    POST("/clients/{client_id}/erasure", "intake", "request_erasure", intake.RequestErasure,
         "Ask for the erasure of the client's personal data, on a legal ground (coordinator)",
         answer=intake_out.ErasureStatus),
    POST("/clients/{client_id}/erasure/approval", "intake", "approve_erasure", intake.ApproveErasure,
         "Approve an erasure someone else asked for; it is carried out at once (admin, data-protection officer)",
         status=200, answer=intake_out.ErasureStatus),
    POST("/clients/{client_id}/erasure/refusal", "intake", "refuse_erasure", intake.RefuseErasure,
         "Refuse an erasure, saying why the data is kept (admin, data-protection officer)",
         status=200, answer=intake_out.ErasureStatus),
    POST("/clients/{client_id}/legal-hold", "intake", "place_legal_hold", intake.PlaceLegalHold,
         "Place a legal hold on the client's data (GDPR art. 17(3)): no erasure, on request or by a retention "
         "rule, until it is lifted (admin, data-protection officer)", status=200, answer=intake_out.LegalHoldStatus),
    POST("/clients/{client_id}/legal-hold/lifting", "intake", "lift_legal_hold", intake.LiftLegalHold,
         "Lift the legal hold on the client's data (admin, data-protection officer)", status=200,
         answer=intake_out.LegalHoldStatus),
    POST("/retention/trajectories", "guidance", "apply_retention", base.ApplyRetention,
         "List the clients whose closed trajectory's personal data guidance's retention policy makes due, or "
         "destroy guidance's keys for them (admin, data-protection officer; a dry run unless dry_run is false)",
         status=200, answer=base.RetentionApplied),
    POST("/retention/referrals", "referrals", "apply_retention", base.ApplyRetention,
         "List the clients whose access log in referrals its retention policy makes due, or destroy what "
         "readers added to those reads (admin, data-protection officer; a dry run unless dry_run is false)",
         status=200, answer=base.RetentionApplied),
    POST("/retention/audit", "audit", "apply_retention", base.ApplyRetention,
         "List the clients whose access log in audit its retention policy makes due, or destroy what "
         "auditors added to those reads (admin, data-protection officer; a dry run unless dry_run is false)",
         status=200, answer=base.RetentionApplied),
    POST("/retention", "intake", "apply_retention", base.ApplyRetention,
         "List the clients whose personal data the retention policy makes due, or erase them "
         "(admin, data-protection officer; a dry run unless dry_run is false)", status=200,
         answer=base.RetentionApplied),
    POST("/clients/{client_id}/acceptance", "intake", "accept_intake", intake.AcceptIntake,
         "Accept the intake and assign a worker (coordinator)", status=200, etag="client_id",
         answer=intake_out.ClientFile),
    POST("/clients/{client_id}/decline", "intake", "decline_intake", intake.DeclineIntake,
         "Decline the intake (coordinator)", status=200, answer=intake_out.IntakeStatus),
    POST("/clients/{client_id}/waitlisting", "intake", "waitlist_intake", intake.WaitlistIntake,
         "Put the client on the waitlist (coordinator)", status=200, answer=intake_out.IntakeStatus),
    POST("/clients/{client_id}/reassignment", "intake", "reassign_client", intake.ReassignClient,
         "Assign the client to another worker (coordinator)", status=200, answer=intake_out.ClientReassigned),
    POST("/clients/{client_id}/transfer", "intake", "transfer_client", intake.TransferClient,
         "Transfer the client to another agency, under consent (coordinator)", status=200,
         answer=intake_out.ClientTransferred),
    POST("/clients/{client_id}/legal-situation", "intake", "change_legal_situation", intake.ChangeLegalSituation,
         "Record a change of the client's legal position, situation or mandating actor, effective from a date "
         "(today or earlier), with a reason", status=200, etag="client_id", answer=intake_out.LegalSituationChanged),
    PUT("/clients/{client_id}/contact", "intake", "change_contact_details", intake.ChangeContactDetails,
        "Record the client's contact details, whole, effective from a date (today or earlier)", etag="client_id",
        answer=intake_out.ClientVersion),
    POST("/clients/{client_id}/intake-reopening", "intake", "reopen_intake", intake.ReopenIntake,
         "Reopen the intake of a declined client, or of one whose trajectory closed, with a reason: the client "
         "waits for a decision again (coordinator)",
         status=200, answer=intake_out.IntakeStatus),
    GET("/duplicate-checks", "intake", "duplicate_checks", intake.DuplicateChecks,
        "The registrations held as possible duplicates that your agency is a party to (coordinator)",
        filters=(STATUS,), answer=intake_out.DuplicateCheckSeen),
    POST("/duplicate-checks/{check_id}/findings", "intake", "settle_duplicate_check", intake.SettleDuplicateCheck,
         "State a finding on a possible duplicate: same_person or different_person; a coordinator of the other "
         "agency confirms it (coordinator)", status=200, answer=intake_out.DuplicateCheckSeen),
    # -- intake: the directory of agencies and staff --------------------------------
    GET("/agencies", "intake", "directory", None, "The agencies, their languages and staff",
        filters=(Filter("language", "languages"), Filter("telephone_interpreters", "telephone_interpreters", "boolean")),
        answer=intake_out.Agency),
    POST("/agencies", "intake", "register_agency", intake_directory.RegisterAgency, "Register an agency (admin)",
         answer=intake_out.AgencyRegistered),
    GET("/agencies/{agency}/waitlist", "intake", "waitlist", intake.Waitlist, "The agency's waitlist (coordinator)",
        filters=(), answer=intake_out.WaitingClient),
    GET("/agencies/{agency}/pending-intakes", "intake", "pending_intakes", intake.PendingIntakes,
        "The agency's registrations waiting for an intake decision, oldest first (coordinator)", filters=(),
        answer=intake_out.PendingIntake),
    POST("/agencies/{agency}/staff", "intake", "add_staff_member", intake_directory.AddStaffMember,
         "Add a staff member to an agency", answer=intake_out.StaffMemberKey),
    POST("/agencies/{agency}/staff/{user_id}/deactivation", "intake", "deactivate_staff_member",
         intake_directory.ChangeStaffMember, "Deactivate a staff member", status=200,
         answer=intake_out.StaffMemberActive),
    POST("/agencies/{agency}/staff/{user_id}/reactivation", "intake", "reactivate_staff_member",
         intake_directory.ChangeStaffMember, "Reactivate a staff member", status=200,
         answer=intake_out.StaffMemberActive),

    # -- guidance: the trajectory of a client, by the client's id --------------------
    GET("/trajectories/{client_id}", "guidance", "trajectory", guidance.GetTrajectory,
        "Read the client's current trajectory", etag="trajectory_id", answer=guidance_out.Trajectory),
    GET("/trajectories/{client_id}/earlier", "guidance", "earlier_trajectories", guidance.GetTrajectory,
        "After a transfer, the agency's earlier trajectories of the client, in the transfer consent's "
        "categories only (the agency the client was transferred to)", filters=(Filter("agency", "agency"),),
        answer=guidance_out.Trajectory),
    PUT("/trajectories/{client_id}/plan", "guidance", "agree_plan", guidance.AgreePlan,
        "Agree the support plan", etag="trajectory_id", answer=guidance_out.Trajectory),
    POST("/trajectories/{client_id}/plan/reviews", "guidance", "review_plan", guidance.ReviewPlan,
         "Review the support plan", etag="trajectory_id", answer=guidance_out.Trajectory),
    POST("/trajectories/{client_id}/interventions", "guidance", "record_intervention",
         guidance.RecordIntervention, "Record an intervention", answer=guidance_out.InterventionRecorded),
    # Corrections (issue 20): an intervention is addressed by its own id, as the trajectory lists it.
    PUT("/interventions/{intervention_id}", "guidance", "amend_intervention", guidance.AmendIntervention,
        "Amend an intervention: the fields given replace the recorded ones, with a reason", etag="intervention_id",
        answer=guidance_out.InterventionAmended),
    POST("/interventions/{intervention_id}/retraction", "guidance", "retract_intervention",
         guidance.RetractIntervention, "Retract an intervention recorded in error, with a reason; with client_id, "
         "it was recorded on the wrong client and is recorded again on that one, linked", status=200,
         etag="intervention_id", answer=guidance_out.InterventionRetracted),
    POST("/trajectories/{client_id}/psychologist-recommendations", "guidance", "recommend_psychologist",
         guidance.RecommendPsychologist, "Recommend a psychologist", answer=guidance_out.PsychologistRecommended),
    POST("/trajectories/{client_id}/closing", "guidance", "close_trajectory", guidance.CloseTrajectory,
         "Close the trajectory", status=200, answer=guidance_out.TrajectoryStatus),
    POST("/trajectories/{client_id}/reopening", "guidance", "reopen_trajectory", guidance.ReopenTrajectory,
         "Reopen a closed trajectory (coordinator)", status=200, answer=guidance_out.TrajectoryStatus),
    POST("/trajectories/{client_id}/conditions", "guidance", "record_condition", guidance.RecordCondition,
         "Record a condition or prohibition", answer=guidance_out.ConditionKey),
    POST("/trajectories/{client_id}/conditions/{condition_id}/support", "guidance", "support_condition",
         guidance.SupportCondition, "Record support given with a condition", answer=guidance_out.ConditionKey),
    POST("/trajectories/{client_id}/appointments", "guidance", "plan_appointment", guidance.PlanAppointment,
         "Plan an appointment or accompaniment", answer=guidance_out.AppointmentKey),
    PUT("/trajectories/{client_id}/appointments/{appointment_id}/outcome", "guidance",
        "record_appointment_outcome", guidance.RecordAppointmentOutcome, "Record how an appointment went",
        answer=guidance_out.AppointmentOutcome),
    PUT("/trajectories/{client_id}/appointments/{appointment_id}", "guidance", "reschedule_appointment",
        guidance.RescheduleAppointment, "Reschedule an appointment to a time still to come, with a reason",
        answer=guidance_out.AppointmentRescheduled),
    POST("/trajectories/{client_id}/appointments/{appointment_id}/cancellation", "guidance", "cancel_appointment",
         guidance.CancelAppointment, "Cancel an appointment before it takes place, with a reason", status=200,
         answer=guidance_out.AppointmentCancelled),
    POST("/trajectories/{client_id}/network", "guidance", "add_network_member", guidance.AddNetworkMember,
         "Add a member of the client's relational network", answer=guidance_out.NetworkMemberKey),
    POST("/trajectories/{client_id}/network/{member_id}/contacts", "guidance", "record_network_contact",
         guidance.RecordNetworkContact, "Record a contact with a network member (under family consent)",
         answer=guidance_out.NetworkMemberKey),
    POST("/trajectories/{client_id}/network/{member_id}/return-home", "guidance", "prepare_return_home",
         guidance.PrepareReturnHome, "Prepare a return home during a leave permit",
         answer=guidance_out.NetworkMemberKey),
    POST("/trajectories/{client_id}/procedures", "guidance", "start_procedure", guidance.StartProcedure,
         "Start a rehabilitation or residence procedure", answer=guidance_out.ProcedureKey),
    POST("/trajectories/{client_id}/procedures/{procedure_id}/steps", "guidance", "record_procedure_step",
         guidance.RecordProcedureStep, "Record a step of a procedure", answer=guidance_out.ProcedureKey),
    PUT("/trajectories/{client_id}/procedures/{procedure_id}/outcome", "guidance", "end_procedure",
        guidance.EndProcedure, "Record how a procedure ended", answer=guidance_out.ProcedureEnded),
    PUT("/trajectories/{client_id}/procedures/{procedure_id}/document-expiry", "guidance",
        "record_document_expiry", guidance.RecordDocumentExpiry,
        "Record the day a residence-status procedure's document expires: the worker is reminded before "
        "([guidance] document_notice_days) and the agenda shows it", answer=guidance_out.DocumentExpiryRecorded),
    POST("/trajectories/{client_id}/attendance-certificates", "guidance", "issue_attendance_certificate",
         guidance.IssueAttendanceCertificate, "Issue an attendance certificate (Dutch or French)",
         answer=guidance_out.AttendanceCertificate),
    GET("/caseload", "guidance", "caseload", guidance.Caseload,
        "Open trajectories, the most overdue first (a coordinator may name any worker)",
        filters=(Filter("overdue", "overdue", "boolean"),), answer=guidance_out.CaseloadEntry),
    GET("/reports/activity", "guidance", "activity", guidance.ActivityReport,
        "The agency's interventions per domain and method over a period (coordinator)", answer=guidance_out.Activity),
    POST("/guidance/checks", "guidance", "check_time", guidance.CheckTime,
         "Notice continuity gaps and ending conditions now (coordinator, admin)", status=200, answer=TimeChecked),

    # -- referrals ------------------------------------------------------------------
    POST("/clients/{client_id}/referrals", "referrals", "propose_referral", referrals.ProposeReferral,
         "Propose a referral to a partner", answer=referrals_out.ReferralProposed),
    GET("/clients/{client_id}/referrals", "referrals", "referral_history", referrals.ReferralHistory,
        "The client's referrals and their history",
        filters=(Filter("state", "state"), Filter("partner", "partner")), answer=referrals_out.ReferralHistoryEntry),
    POST("/referrals/{referral_id}/steps", "referrals", "record_referral_step", referrals.RecordReferralStep,
         "Record a referral's next step: sent (under consent), then the partner's answers", status=200,
         answer=referrals_out.ReferralState),
    GET("/clients/{client_id}/coordination", "referrals", "coordination", referrals.CoordinationQuery,
        "The client's coordination plan and case conferences (an agency in the plan: those it took part in)",
        answer=referrals_out.Coordination),
    POST("/clients/{client_id}/coordination/agencies", "referrals", "add_coordinating_agency",
         referrals.AddCoordinatingAgency,
         "Add another agency to the coordination plan, under the client's consent for coordination",
         answer=referrals_out.CoordinatingAgencyKey),
    POST("/clients/{client_id}/coordination/agencies/{agency}/removal", "referrals", "remove_coordinating_agency",
         referrals.RemoveCoordinatingAgency, "Remove an agency from the coordination plan", status=200,
         answer=referrals_out.CoordinatingAgencyKey),
    POST("/clients/{client_id}/coordination/actors", "referrals", "add_coordination_actor",
         referrals.AddCoordinationActor, "Add an actor to the coordination plan",
         answer=referrals_out.CoordinationActorKey),
    DELETE("/clients/{client_id}/coordination/actors/{actor_id}", "referrals", "remove_coordination_actor",
           referrals.RemoveCoordinationActor, "Remove an actor from the coordination plan",
           answer=referrals_out.CoordinationActorKey),
    POST("/clients/{client_id}/case-conferences", "referrals", "hold_case_conference",
         referrals.HoldCaseConference, "Record a case conference held", answer=referrals_out.CaseConferenceHeld),
    POST("/case-conferences/{conference_id}/actions/{index}/completion", "referrals",
         "complete_conference_action", referrals.CompleteConferenceAction,
         "Record that a case conference's action is done", status=200, answer=referrals_out.ConferenceActionDone),
    # Corrections (issue 20): each with a reason; the partner learns of it through its feed.
    POST("/referrals/{referral_id}/cancellation", "referrals", "cancel_referral", referrals.CancelReferral,
         "Cancel a referral before the partner answered (proposed, sent, acknowledged), saying why", status=200,
         answer=referrals_out.ReferralState),
    POST("/referrals/{referral_id}/withdrawal", "referrals", "withdraw_referral", referrals.WithdrawReferral,
         "Withdraw a referral after the partner answered (waitlisted, accepted, started), saying why", status=200,
         answer=referrals_out.ReferralState),
    POST("/referrals/{referral_id}/reopening", "referrals", "reopen_referral", referrals.ReopenReferral,
         "Reopen a referral the client dropped out of, saying why (under consent): it waits for the partner's "
         "answer again", status=200, answer=referrals_out.ReferralState),
    POST("/referrals/{referral_id}/notes", "referrals", "add_referral_note", referrals.AddReferralNote,
         "Add a note to a referral", answer=referrals_out.ReferralNoteAdded),
    GET("/partners", "referrals", "partners", None, "The partner directory: those that take new referrals",
        filters=(Filter("kind", "kind"), Filter("domain", "domains"), Filter("language", "languages"),
                 Filter("agency", "agency")), answer=referrals_out.Partner),
    POST("/partners", "referrals", "register_partner", referrals.RegisterPartner,
         "Add a partner to the directory (coordinator, admin)", answer=referrals_out.PartnerKept),
    PUT("/partners/{code}", "referrals", "change_partner", referrals.ChangePartner,
        "Describe a partner anew, whole (coordinator, admin)", answer=referrals_out.PartnerKept),
    POST("/partners/{code}/deactivation", "referrals", "deactivate_partner", referrals.DeactivatePartner,
         "Deactivate a partner: it takes no new referrals (coordinator, admin)", status=200,
         answer=referrals_out.PartnerKept),
    # -- a partner organisation's own users, on the referrals sent to it ---------------
    GET("/partner/referrals", "referrals", "partner_referrals", referrals.PartnerReferrals,
        "The referrals sent to your organisation, newest first (partner)", filters=(Filter("state", "state"),),
        answer=referrals_out.PartnerReferral),
    GET("/partner/referrals/{referral_id}", "referrals", "partner_referral", referrals.ReferralCommand,
        "A referral sent to your organisation (partner)", answer=referrals_out.PartnerReferral),
    POST("/partner/referrals/{referral_id}/steps", "referrals", "record_partner_step", referrals.RecordPartnerStep,
         "Record your organisation's answer or how the help went: acknowledged, accepted, declined, waitlisted, "
         "started, completed, dropped out (partner)", status=200, answer=referrals_out.ReferralState),
    POST("/partner/referrals/{referral_id}/notes", "referrals", "add_partner_note", referrals.AddReferralNote,
         "Add a note to a referral sent to your organisation (partner)", answer=referrals_out.ReferralNoteAdded),
    GET("/reports/partners", "referrals", "partner_figures", referrals.PartnerFigures,
        "Per partner, the referrals the agency sent over a period and how they went", filters=(),
        answer=referrals_out.PartnerFiguresEntry),
    POST("/referrals/checks", "referrals", "check_time", referrals.CheckTime,
         "Notice stalled referrals now (coordinator, admin)", status=200, answer=TimeChecked),

    # -- notifications --------------------------------------------------------------
    GET("/inbox", "notifications", "inbox", notifications.Inbox, "Your messages, newest first",
        filters=(Filter("read", "read", "boolean"), Filter("kind", "kind")), answer=notifications_out.InboxEntry),
    POST("/inbox/{notification_id}/read", "notifications", "mark_read", notifications.MarkRead,
         "Mark a message read", status=200, answer=notifications_out.MessageRead),
    GET("/notifications/dead-letters", "notifications", "dead_letters", notifications.Inbox,
        "Messages that could not be delivered (admin)",
        filters=(Filter("channel", "channel"), Filter("kind", "kind"), Filter("recipient", "recipient")),
        answer=notifications_out.DeadLetter),

    # -- audit (every read states its purpose, and is recorded) ----------------------
    GET("/audit/clients/{client_id}/timeline", "audit", "timeline", audit.Timeline,
        "Who did what, when, in which agency; and who read the file (auditor)", answer=audit_out.Timeline),
    GET("/audit/clients/{client_id}/replay", "audit", "replay", audit.Replay,
        "The client's file as it stood at an instant, rebuilt from the facts (auditor)", answer=audit_out.FileReplay),
    GET("/audit/clients/{client_id}/changes", "audit", "changes", audit.Changes,
        "What changed in the file between two instants, and the facts that changed it (auditor)",
        answer=audit_out.FileChanges),
    GET("/audit/clients/{client_id}/export", "audit", "export", audit.Export,
        "The client's history over a time window, whole, to keep (auditor)", answer=audit_out.AuditExport),
    GET("/audit/clients/{client_id}/report", "audit", "export_report", audit.Export,
        "The same history as a readable report (auditor)", answer=audit_out.AuditReport),

    # -- figures for funders and coordinators, no one identified (services/statistics) --
    GET("/figures", "statistics", "figures", statistics.Figures,
        "Figures for a whole calendar month, quarter or year (or whole years, at most 5): clients, intakes, "
        "interventions, interpreters, referrals, waiting times and continuity gaps, in distinct persons; cells of "
        "fewer than 5 persons show \"< 5\", and cells that would reveal one \"x\" (a funder: all agencies or "
        "one; a coordinator: their own). With Accept: text/csv, the same as CSV: a header row, then one line per "
        "cell", answer=statistics.FiguresAnswer, csv=statistics.as_csv),

    # -- an organisation's feed, from where it left off (services/sharing) ---------------
    GET("/feeds/{organisation}", "sharing", "feed", sharing.ReadFeed,
        "Your organisation's feed entries after the last sequence number you hold, signed and sealed as "
        "they were published (partner users, and coordinators of an agency, for their own organisation)",
        answer=sharing.FeedPage),

    # -- accounts: opened and reset by admins, passwords changed by their owners (services/accounts) --
    POST("/accounts", "accounts", "open_account", accounts.OpenAccount,
         "Open an account in a role intake's directory holds no one in (auditor, data-protection officer, partner user...); the "
         "answer's enrolment code, shown once, is for its owner to choose a password with (admin)",
         answer=accounts.EnrolmentAnswer),
    POST("/accounts/{username}/reset", "accounts", "reset_account", accounts.ResetAccount,
         "Reset an account whose password or phone was lost: its password, second factor, sessions and tokens "
         "stop now; the answer's enrolment code, shown once, is for its owner to enrol again (admin)",
         answer=accounts.EnrolmentAnswer),
    POST("/auth/password", "accounts", "change_password", accounts.ChangePassword,
         "Change your own password, giving the current one", status=200,
         answer=accounts.PasswordChangedAnswer),
    PUT("/auth/language", "accounts", "choose_language", accounts.ChooseLanguage,
        "Choose the language the pages speak to you (nl, fr, en): your next sign-in, on any browser, starts in it",
        answer=accounts.LanguageAnswer),

    # -- verification of each store, against audit's witness (auditor; shared.verification) --
    GET("/audit/witnessed/{service}", "audit", "last_witnessed", base.LastWitnessed,
        "Audit's last witnessed checkpoint of a service, to verify that service's store against (auditor)",
        answer=base.WitnessedAnswer),
    *(route for service in config.SERVICES for route in (
        POST(f"/verifications/{service}", service, "start_verification", base.StartVerification,
             f"Start verifying {service}'s store: every chain, checkpoint and snapshot, against audit's last "
             f"witnessed checkpoint when given (auditor)", status=202, answer=base.VerificationJob),
        GET(f"/verifications/{service}/{{job_id}}", service, "verification", base.GetVerification,
            f"How far a verification of {service}'s store got; once finished, its result as {service} signed it "
            f"(auditor)", answer=base.VerificationStatus),
    )),
)

INTERNAL_RPCS = {"health", "integration_events", "access_events"}  # between services and for ops, not for people
# What the gateway's own endpoints call, more than one service at a time (api.py).
COMPOSED_RPCS = {"subject_access"}  # GET /clients/{client_id}/subject-access
# GET /agenda, POST and DELETE /me/calendar-feed, GET /calendar/{secret}.ics (calendar.py)
COMPOSED_RPCS |= {"agenda", "conference_actions_due", "open_calendar_feed", "close_calendar_feed",
                  "calendar_feed_owner"}
COMPOSED_RPCS |= {"calendar_feed"}  # GET /me/calendar-feed: whether it is on
# What the gateway's /auth/* endpoints call: accounts signs people in (WAVE2 7, api.py).
AUTH_RPCS = {"sign_in", "refresh", "sign_out", "revocations", "enrol"}
