"""The access check every service makes on every command: the actor's role, and
for a client's file the actor's agency. A refusal says why and is logged by ids
and a reason code only, never with personal data; the reason also travels with the
refusal, so the RPC edge records it in the access log (shared.access_log)."""
from __future__ import annotations

import logging

from shared.errors import Forbidden

log = logging.getLogger(__name__)


def allow(
    actor: dict, roles: set[str], command: str, agency: str | None = None,
    elsewhere: str = "this client is followed by another agency", client_id=None,
) -> None:
    """Refuse unless ``actor`` has one of ``roles`` and, when ``agency`` is given,
    works there; ``elsewhere`` is what an actor of another agency is told.
    ``client_id`` names whose file a command about one of its records concerns."""
    if actor["role"] not in roles:
        reason, message = "role", f"a {actor['role'].replace('_', ' ')} may not {command.replace('_', ' ')}"
    elif agency is not None and actor["agency"] != agency:
        reason, message = "agency", elsewhere
    else:
        return
    log.warning("refused", extra={
        "command": command, "actor": actor["user_id"], "actor_role": actor["role"],
        "actor_agency": actor["agency"], "reason": reason,
    })
    raise Forbidden(message, rule=reason, client_id=client_id)
