"""What intake's facts do in guidance: a registered client is noted, an accepted
intake opens a trajectory, a reassignment changes its worker, a transfer closes it
and opens one at the new agency, a change of legal situation shows on the open
trajectory, and family consents and legal holds are followed.

Each policy creates aggregates with ids derived from the upstream fact and loads
what it changes through ``aggregate_in``, so an event applied twice collides in the
store instead of acting twice (shared/follower.py).
"""
from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent

from shared.contracts import event_type

from services.guidance.domain import OPEN, ClientOnRecord, Trajectory


def _intake(fact: str) -> str:
    return event_type("intake", fact, 1)


class Policies:
    """Mixed into the guidance application."""

    def policies(self):
        return {
            _intake("client-registered"): self.note_registered_client,
            _intake("intake-accepted"): self.open_trajectory,
            _intake("client-reassigned"): self.follow_reassignment,
            _intake("client-transferred"): self.follow_transfer,
            # Intake publishes a giving in both versions side by side (WAVE2 18); the
            # family's consent is a purpose in force, which both say alike.
            _intake("consent-given"): self.follow_consent,
            event_type("intake", "consent-given", 2): self.follow_consent,
            _intake("consent-withdrawn"): self.follow_consent,
            _intake("legal-hold-placed"): self.follow_legal_hold,
            _intake("legal-hold-lifted"): self.follow_legal_hold,
            _intake("legal-situation-changed"): self.follow_legal_situation,
        }

    def follow_legal_hold(self, event: dict, processing: ProcessingEvent) -> None:
        try:
            record = self.aggregate_in(processing, event["data"]["client_id"])
        except AggregateNotFoundError:  # registered before guidance followed intake: nothing of theirs here
            return
        record.note_legal_hold(event["type"] == _intake("legal-hold-placed"))
        processing.collect_events(record)

    def follow_legal_situation(self, event: dict, processing: ProcessingEvent) -> None:
        """Intake recorded where the client stands now (issue 20): guidance's record and
        the open trajectory show it. A closed trajectory keeps what it said when it closed."""
        data = event["data"]
        try:
            record = self.aggregate_in(processing, data["client_id"])
        except AggregateNotFoundError:  # registered before guidance followed intake
            return
        if record.legal_position != data["legal_position"]:
            record.note_legal_position(data["legal_position"])
            processing.collect_events(record)
        if record.trajectory_id is None:
            return
        trajectory = self.aggregate_in(processing, record.trajectory_id)
        now = (data["legal_position"], data["situation"])
        if trajectory.status == OPEN and (trajectory.legal_position, trajectory.situation) != now:
            trajectory.note_legal_situation(*now)
            processing.collect_events(trajectory)

    def note_registered_client(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        processing.collect_events(ClientOnRecord(
            client_id=data["client_id"], legal_position=data["legal_position"], languages=data["languages"],
            interpreter_needed=data["interpreter_needed"],
        ))

    def open_trajectory(self, event: dict, processing: ProcessingEvent) -> None:
        data = event["data"]
        trajectory = Trajectory(
            opened_by_event=event["id"], client_id=data["client_id"], agency=data["agency"], worker=data["worker"],
            legal_position=data["legal_position"], situation=data["situation"], languages=data["languages"],
            preferred_language=data["preferred_language"], interpreter=data["interpreter"], domains=data["domains"],
        )
        record = self.aggregate_in(processing, data["client_id"])
        record.follow_trajectory(trajectory.id)
        processing.collect_events(trajectory, record)

    def follow_reassignment(self, event: dict, processing: ProcessingEvent) -> None:
        trajectory = self.current_trajectory(event["data"]["client_id"], processing)
        if trajectory is not None and trajectory.status == OPEN:
            trajectory.change_worker(event["data"]["worker"], event["data"]["interpreter"])
            processing.collect_events(trajectory)

    def follow_transfer(self, event: dict, processing: ProcessingEvent) -> None:
        """The old agency's trajectory closes; a worker at the new agency opens a new one."""
        data = event["data"]
        old = self.current_trajectory(data["client_id"], processing)
        new = None
        if old is not None:
            old.close_on_transfer(data["agency"])
            processing.collect_events(old)
        if old is not None and data["worker"] is not None:
            new = Trajectory(
                opened_by_event=event["id"], client_id=old.client_id, agency=data["agency"], worker=data["worker"],
                legal_position=old.legal_position, situation=old.situation, languages=old.languages,
                preferred_language=old.preferred_language, interpreter=None, domains=old.domains,
            )
            processing.collect_events(new)
        try:
            record = self.aggregate_in(processing, data["client_id"])
        except AggregateNotFoundError:  # registered before guidance followed intake
            return
        if new is not None:
            record.follow_trajectory(new.id)
        # What each agency reads after the transfer (queries.py) follows from it.
        record.note_transfer(data["from_agency"], data["agency"], event["time"],
                             None if old is None else old.id, None if new is None else new.id)
        processing.collect_events(record)

    def follow_consent(self, event: dict, processing: ProcessingEvent) -> None:
        if event["data"]["purpose"] == "transfer":
            self.follow_transfer_consent(event, processing)
            return
        if event["data"]["purpose"] != "family_involvement":
            return
        try:
            record = self.aggregate_in(processing, event["data"]["client_id"])
        except AggregateNotFoundError:
            return
        active = event["type"] != _intake("consent-withdrawn")
        if record.family_consent != active:
            record.note_family_consent(active)
            processing.collect_events(record)

    def follow_transfer_consent(self, event: dict, processing: ProcessingEvent) -> None:
        """Version 2 of a giving names the categories (version 1, published beside it, does not)."""
        data = event["data"]
        if event["type"] == _intake("consent-given"):
            return
        try:
            record = self.aggregate_in(processing, data["client_id"])
        except AggregateNotFoundError:
            return
        categories = data.get("categories") if event["type"] != _intake("consent-withdrawn") else None
        if record.transfer_consents.get(data["recipient"]) != categories:
            record.note_transfer_consent(data["recipient"], categories)
            processing.collect_events(record)

    def current_trajectory(self, client_id: UUID, processing: ProcessingEvent | None = None) -> Trajectory | None:
        """The client's trajectory now (as the batch being applied sees it)."""
        load = (lambda i: self.aggregate_in(processing, i)) if processing else self.repository.get
        try:
            record = load(client_id)
        except AggregateNotFoundError:
            return None
        return None if record.trajectory_id is None else load(record.trajectory_id)
