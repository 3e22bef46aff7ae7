"""Whether a client's guidance ended, learnt from the guidance service.

Guidance publishes each trajectory closed and reopened. Intake follows those two
facts (deploy/intake/service.toml ``follows``) and notes on the client's file that
the trajectory at their agency closed, or was reopened: a closed client's file takes
no correction, and their intake can be reopened (``Client.reopen_intake``).

A closing on a transfer is intake's own decision, already on the file: the client
goes on at the new agency. What intake learns arrives a moment after guidance
recorded it; a correction made in that moment stands, as one made just before would.
"""
from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from shared.contracts import event_type

from services.intake.domain import Client

CLOSED = event_type("guidance", "trajectory-closed", 1)
REOPENED = event_type("guidance", "trajectory-reopened", 1)


class TrajectoryEndings:
    """Mixed into the intake application (a ServiceApplication)."""

    def trajectory_policies(self):
        return {CLOSED: self.note_trajectory_closed, REOPENED: self.note_trajectory_reopened}

    def note_trajectory_closed(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        if data["reason"] == "transferred":
            return
        client = self._followed_client(data["client_id"], processing)
        if client is not None and client.note_guidance_ended(data["agency"], data["trajectory_id"]):
            processing.collect_events(client)

    def note_trajectory_reopened(self, event: dict, processing: ProcessingEvent) -> None:
        client = self._followed_client(event["data"]["client_id"], processing)
        if client is not None and client.note_guidance_resumed(event["data"]["trajectory_id"]):
            processing.collect_events(client)

    def _followed_client(self, client_id, processing: ProcessingEvent) -> Client | None:
        try:
            return self.aggregate_in(processing, client_id)
        except AggregateNotFoundError:  # not intake's (a test's guidance alone): nothing to note
            return None
