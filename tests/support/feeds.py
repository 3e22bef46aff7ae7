"""An upstream service's feed as a follower receives it, written by hand, for tests
where the upstream does not run: facts of its published contract, signed with its
event key as its relay signs them, delivered through the follower's real ``Follower``."""
from __future__ import annotations

import datetime as dt
import uuid

from shared import keys, signing
from shared.contracts import encode, envelope, event_type
from shared.follower import Follower


class UpstreamFeed:
    def __init__(self, app, upstream: str):
        self.app, self.upstream = app, upstream
        self.dead_letters: list = []
        self.follower = Follower(app, app.service_name, upstream, app.reactions(), pull=lambda after, until: [],
                                 dead_letter=lambda body, reason: self.dead_letters.append(reason))
        self.position = app.position_of(upstream)
        self.key = keys.signing_key(keys.events_key_name(upstream))

    def publish(self, fact: str, data: dict, subject: str, aggregate_id: uuid.UUID, agency: str | None,
                actor: str = "coordinator-1", actor_role: str = "coordinator") -> str:
        """Deliver one ``be.jww.<upstream>.<fact>.v1``; returns what the follower did with it."""
        prev, self.position = self.position, self.position + 1
        event = signing.sign(envelope(
            service=self.upstream, type_=event_type(self.upstream, fact, 1), subject=subject,
            time=dt.datetime.now(dt.timezone.utc), data=data, position=self.position, prev_position=prev,
            aggregate_id=aggregate_id, aggregate_version=self.position, agency=agency, actor=actor,
            actor_role=actor_role,
        ), self.key)
        return self.follower.receive(encode(event))


class GuidanceFeed(UpstreamFeed):
    """Guidance's trajectory closings and reopenings, as intake's follower receives them."""

    def __init__(self, app):
        super().__init__(app, "guidance")

    def tell(self, fact: str, client_id, trajectory_id, agency: str = "apo", **more) -> str:
        data = {"client_id": str(client_id), "trajectory_id": str(trajectory_id), "agency": agency, **more}
        return self.publish(fact, data, subject=str(client_id), aggregate_id=trajectory_id, agency=agency)

    def closed(self, client_id, trajectory_id, reason: str = "goals_reached", agency: str = "apo") -> str:
        return self.tell("trajectory-closed", client_id, trajectory_id, agency, reason=reason)

    def reopened(self, client_id, trajectory_id, agency: str = "apo") -> str:
        return self.tell("trajectory-reopened", client_id, trajectory_id, agency)
