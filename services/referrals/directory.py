"""The partner directory kept over the API: coordinators and admins register,
describe anew and deactivate partners. A partner that is part of an agency (its
psychologist) is kept by that agency's coordinators; the admins keep them all.
The sample file loaded at first start goes through ``Partner.register`` too, so
every partner of the directory was published as registered."""
from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError

from shared.access import allow
from shared.errors import Conflict

from services.referrals.domain import Partner

if TYPE_CHECKING:
    from services.referrals.application import ReferralsApplication

KEEPERS = {"coordinator", "admin"}


class Directory:
    def __init__(self, app: ReferralsApplication):
        self.app = app

    def _allow(self, actor: dict, command: str, *agencies: str | None) -> None:
        allow(actor, KEEPERS, command)
        for agency in agencies:
            if agency is not None and actor["role"] == "coordinator":
                allow(actor, KEEPERS, command, agency, elsewhere="this partner is part of another agency")

    def register(self, actor: dict, **description) -> Partner:
        self._allow(actor, "register_partner", description.get("agency"))
        try:
            self.app.repository.get(Partner.create_id(description["code"]))
        except AggregateNotFoundError:
            partner = Partner.register(description, registered_by=actor)
            self.app.save(partner)
            return partner
        raise Conflict("a partner with this code is in the directory already",
                       {"code": [f"{description['code']} is taken"]})

    def change(self, actor: dict, code: str, **description) -> Partner:
        partner = self.app.partner(code)
        self._allow(actor, "change_partner", partner.agency, description.get("agency"))
        partner.change({**description, "code": code}, changed_by=actor)
        self.app.save(partner)
        return partner

    def deactivate(self, actor: dict, code: str) -> Partner:
        partner = self.app.partner(code)
        self._allow(actor, "deactivate_partner", partner.agency)
        partner.deactivate(deactivated_by=actor)
        self.app.save(partner)
        return partner
