"""Sample people and payloads for tests and the bench: invented, like the sample
directory."""
from __future__ import annotations

import datetime as dt

from marshmallow.utils import missing

from shared.contracts.declare import command_fields
from shared.contracts.guidance import Intervention

WORKER = {"user_id": "apo-sa-1", "role": "social_assistant", "agency": "apo"}
COORDINATOR = {"user_id": "apo-coord", "role": "coordinator", "agency": "apo"}
AUDITOR = {"user_id": "audit-1", "role": "auditor", "agency": "platform"}

PERSON = {
    "given_names": "Samira",
    "family_name": "Testperson",
    "birth_date": dt.date(1985, 7, 30),
    "legal_position": "convicted",
    "situation": "probation",
    "languages": ["fr", "ar"],
    "preferred_language": "ar",
    "interpreter_needed": True,
}

INTERVENTION = {
    "minutes": 45,
    "place": "office",
    "method": "listening_support",
    "sub_kind": "listening_ear",
    "domains": ["housing"],
    "interpreter": None,
    "note": "",
    "next_steps": "",
}


def registration_args(**overrides) -> dict:
    """Keyword arguments of IntakeApplication.register_client (without the actor)."""
    return {**PERSON, **overrides}


def registration_payload(actor: dict = WORKER, **overrides) -> dict:
    """The same registration as an RPC payload."""
    args = registration_args(**overrides)
    if isinstance(args.get("birth_date"), dt.date):
        args["birth_date"] = args["birth_date"].isoformat()
    return {"actor": actor, **args}


def trajectory_args(**overrides) -> dict:
    """What opens guidance's trajectory for PERSON (Trajectory's fields, without its
    ids, its opening fact and its worker)."""
    person = {k: PERSON[k] for k in ("legal_position", "situation", "languages", "preferred_language")}
    return {**person, "interpreter": None, "domains": INTERVENTION["domains"], **overrides}


def intervention_args(at: dt.datetime, **overrides) -> dict:
    """What a worker gives for one intervention at ``at``: the given fields of
    shared.contracts.guidance.Intervention, each one the sample leaves out at its
    declared default, as the command would load it."""
    defaults = {name: field.load_default() if callable(field.load_default) else field.load_default
                for name, field in command_fields(Intervention).items() if field.load_default is not missing}
    return {**defaults, "at": at, **INTERVENTION, **overrides}
