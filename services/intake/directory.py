"""The directory of agencies and their staff: who works where, in which languages.

Other services learn their teams from its published staff facts, and the intake
decisions choose workers from it. Development and test platforms start from the
sample directory in ``deploy/intake/``.
"""
from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from shared.access import allow
from shared.errors import Conflict, NotFound
from shared.store import ServiceApplication

from services.intake.domain import Agency
from services.intake.roles import ADMIN, COORDINATOR

# Who loads a directory file: a system actor, not a person.
LOADER = {"user_id": "directory-loader", "role": "admin", "agency": "platform"}


class StaffDirectory(ServiceApplication):
    """The directory's use cases; ``IntakeApplication`` adds the clients to them."""

    def _get(self, aggregate_id: UUID, cls: type, field: str):
        """The record, or a refusal naming ``field`` when there is none of this kind."""
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no such {field.removesuffix('_id').replace('_', ' ')}", {field: ["not found"]})
        return aggregate

    def _save_changed(self, aggregate) -> None:
        # A command that changed nothing stores nothing, not even its request's marker
        # (shared/once.py), so asking again is answered the same way.
        if aggregate.pending_events:
            self.save(aggregate)

    def agency(self, code: str) -> Agency:
        return self._get(Agency.create_id(code), Agency, "agency")

    def register_agency(
        self, actor: dict, code: str, name: str, languages: list[str], telephone_interpreters: bool, sample: bool = False
    ) -> UUID:
        allow(actor, ADMIN, "register_agency")
        if Agency.create_id(code) in self.repository:
            raise Conflict("an agency with this code is already registered", {"code": [code]})
        agency = Agency(code=code, name=name, languages=languages, telephone_interpreters=telephone_interpreters,
                        sample=sample, registered_by=actor)
        self.save(agency)
        return agency.id

    def add_staff_member(
        self, actor: dict, agency: str, user_id: str, display_name: str, profile: str, languages: list[str]
    ) -> None:
        allow(actor, ADMIN | COORDINATOR, "add_staff_member", agency=self._own_agency(actor, agency))
        the_agency = self.agency(agency)
        the_agency.add_staff_member(user_id, display_name, profile, languages, added_by=actor)
        self.save(the_agency)

    def set_staff_member_active(self, actor: dict, agency: str, user_id: str, active: bool) -> None:
        allow(actor, ADMIN | COORDINATOR, "change_staff_member", agency=self._own_agency(actor, agency))
        the_agency = self.agency(agency)
        if active:
            the_agency.reactivate_staff_member(user_id, reactivated_by=actor)
        else:
            the_agency.deactivate_staff_member(user_id, deactivated_by=actor)
        self._save_changed(the_agency)

    @staticmethod
    def _own_agency(actor: dict, agency: str) -> str | None:
        """An admin keeps every agency's staff; a coordinator only their own."""
        return None if actor["role"] == "admin" else agency

    def directory(self) -> list[dict]:
        notes = self.recorder.select_notifications(1, 10_000, topics=[get_topic(Agency.Registered)])
        agencies = [self.repository.get(n.originator_id) for n in notes]
        return [
            {"code": a.code, "name": a.name, "languages": a.languages, "telephone_interpreters": a.telephone_interpreters,
             "sample": a.sample, "staff": [m for m in a.staff.values()]}
            for a in agencies
        ]

    def load_directory(self, path: Path) -> int:
        """Load agencies and staff from a directory file (the sample one in deploy/),
        skipping those already there. Returns how many agencies were added."""
        content = json.loads(Path(path).read_text())
        added = 0
        for entry in content["agencies"]:
            try:
                self.register_agency(LOADER, entry["code"], entry["name"], entry["languages"],
                                     entry["telephone_interpreters"], sample=bool(content.get("sample")))
            except (Conflict, IntegrityError):  # already there, or another instance is loading it now
                continue
            added += 1
            for member in (m for m in content["staff"] if m["agency"] == entry["code"]):
                self.add_staff_member(LOADER, entry["code"], member["user_id"], member["display_name"],
                                      member["profile"], member["languages"])
                if not member.get("active", True):
                    self.set_staff_member_active(LOADER, entry["code"], member["user_id"], False)
        return added
