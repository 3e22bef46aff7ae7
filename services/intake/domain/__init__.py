"""Intake's aggregates, named after what intake workers do.

A *client* is registered once, receives help requests, and gets an intake decision:
accepted (assigned to an agency and a worker), declined or waitlisted; later a
reassignment to another worker or a transfer to another agency, a change of
where they stand in the justice system or of how to reach them (each effective from
a date), a declined intake reopened, and perhaps the
*erasure* of their personal data, which a *legal hold* keeps from happening while
the law requires the data. *Consent* records
what may be shared with whom and why, per recipient and purpose. The *agency* holds
the directory of its staff. A *national number claim* makes a national register
number belong to one client file only. A registration whose number is on another agency's
file is held for a *duplicate check* the coordinators of both agencies settle.

Each command method checks the aggregate's own rules, then triggers its event; the
event's body only changes state, since it runs again whenever the aggregate is
loaded. Each refusal is declared beside the aggregate that raises it. Every event
that leaves intake names its client (when it is about one), its agency and who
acted, so that it reads as a whole fact on its own.
"""
from services.intake.domain.agency import (
    CASEWORK_PROFILES, AlreadyOnStaff, Agency, Candidate, NotOnStaff,
)
from services.intake.domain.claim import NationalNumberClaim
from services.intake.domain.client import (
    ACCEPTED, DECLINED, OPEN, WAITLISTED, AlreadyAssigned, AlreadyWithAgency, Client, ClientErased,
    DecisionNotAllowed, EffectiveBeforeLastChange, EffectiveBeforeRegistration, EffectiveInTheFuture, FileChanged,
    IntakeNotReopenable, InterpreterLanguage, TrajectoryClosed, NoCommonLanguage, NoSuchWorker, NoTelephoneInterpreters,
    NoTransferConsent, NothingChanges, NothingToChange,
)
from services.intake.domain.consent import Consent, NoConsentInForce
from services.intake.domain.duplicate_check import DuplicateCheck
from services.intake.domain.erasure import Erasure, ErasureDecided, ErasureRequestedAlready, FourEyes
from services.intake.domain.legal_hold import HoldInForce, LegalHold, NoHoldInForce

__all__ = [
    "ACCEPTED", "CASEWORK_PROFILES", "DECLINED", "OPEN", "WAITLISTED",
    "Agency", "Candidate", "Client", "Consent", "Erasure", "LegalHold", "NationalNumberClaim",
    "ErasureDecided", "ErasureRequestedAlready", "FourEyes", "HoldInForce", "NoHoldInForce",
    "AlreadyAssigned", "AlreadyOnStaff", "AlreadyWithAgency", "DecisionNotAllowed", "FileChanged",
    "InterpreterLanguage", "NoCommonLanguage", "NoConsentInForce", "NoSuchWorker", "NoTelephoneInterpreters",
    "NoTransferConsent", "NotOnStaff", "DuplicateCheck",
    "ClientErased", "EffectiveBeforeLastChange", "EffectiveBeforeRegistration", "EffectiveInTheFuture",
    "IntakeNotReopenable", "NothingChanges", "NothingToChange", "TrajectoryClosed",
]
