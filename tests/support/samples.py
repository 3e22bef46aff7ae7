"""Sample people and payloads for tests: invented, like the sample directory."""
from __future__ import annotations

import datetime as dt

WORKER = {"user_id": "apo-sa-1", "role": "social_assistant", "agency": "apo"}
COORDINATOR = {"user_id": "apo-coord", "role": "coordinator", "agency": "apo"}

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


def registration_args(**overrides) -> dict:
    """Keyword arguments of IntakeApplication.register_client (without the actor)."""
    return {**PERSON, **overrides}


def registration_payload(actor: dict = WORKER, **overrides) -> dict:
    """The same registration as an RPC payload."""
    args = registration_args(**overrides)
    if isinstance(args.get("birth_date"), dt.date):
        args["birth_date"] = args["birth_date"].isoformat()
    return {"actor": actor, **args}
