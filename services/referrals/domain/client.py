"""What referrals knows of a client that intake registered."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from shared.domain import NotPermitted, ServiceAggregate

REFERRAL_PURPOSE = "referral"  # the consent purpose a referral shares data under


class NoReferralConsent(NotPermitted):
    def __init__(self, partner: str):
        super().__init__(
            "the client has not consented to share their data with this partner for a referral",
            {"consent": [f"no consent in force for recipient {partner}, purpose {REFERRAL_PURPOSE}"]},
        )


class ClientOnRecord(ServiceAggregate):
    """What referrals needs to know of a client: languages, which agency guides
    them, what they consented to share with whom, and their referrals. Its id is
    the client's UUID.

    The languages and the recipients of consents are personal: each event that
    holds them names the client, under whose data keys they are stored sealed
    (shared.sealing); once the keys are shredded they replay as none."""

    @staticmethod
    def create_id(client_id: UUID) -> UUID:
        return client_id

    @event("Recorded")
    def __init__(self, client_id: UUID, languages: list[str] | None, preferred_language: str | None):
        self.client_id = client_id  # in the state: a snapshot of the record is sealed under its keys
        self.languages = list(languages or [])  # none once erased
        self.preferred_language = preferred_language
        self.agency: str | None = None
        self.consents: dict[str, bool] = {}  # "recipient/purpose" -> in force
        self.referrals: list[UUID] = []
        self.conferences: list[UUID] = []
        # Issue 16, item 5: what each agency reads after a transfer.
        self.transfer_consents: dict[str, list[str]] = {}  # agency -> categories of the consent in force
        self.transfers: list[dict] = []  # oldest first

    def follow_agency(self, agency: str) -> bool:
        """Follow the agency that guides the client now; False when it already does
        (an acceptance and a transfer may name the same agency)."""
        if agency == self.agency:
            return False
        self._agency_followed(agency)
        return True

    @event("AgencyFollowed")
    def _agency_followed(self, agency: str):
        self.agency = agency

    def note_consent(self, recipient: str, purpose: str, active: bool) -> None:
        self._consent_noted(client_id=self.id, recipient=recipient, purpose=purpose, active=active)

    @event("ConsentNoted")
    def _consent_noted(self, client_id: UUID, recipient: str | None, purpose: str, active: bool):
        if recipient is None:  # erased: no consent to anyone is known any more
            return
        self.consents[f"{recipient}/{purpose}"] = active

    def consents_to(self, recipient: str, purpose: str) -> bool:
        return self.consents.get(f"{recipient}/{purpose}", False)

    def expect_referral_consent(self, partner: str) -> None:
        """A referral goes to a partner only under a consent in force, as intake recorded it."""
        if not self.consents_to(partner, REFERRAL_PURPOSE):
            raise NoReferralConsent(partner)

    @event("ReferralLinked")
    def link_referral(self, referral_id: UUID):
        self.referrals.append(referral_id)

    @event("ConferenceLinked")
    def link_conference(self, conference_id: UUID):
        self.conferences.append(conference_id)

    def note_transfer_consent(self, recipient: str, categories: list[str] | None) -> bool:
        """The client's consent to a transfer to ``recipient`` names these categories
        (None: withdrawn); False when that is known already."""
        if self.transfer_consents.get(recipient) == categories:
            return False
        self._transfer_consent_noted(agency=recipient, categories=categories)
        return True

    @event("TransferConsentNoted")
    def _transfer_consent_noted(self, agency: str, categories: list[str] | None):
        # The recipient of a transfer is an agency, not a partner that says what help the person needs.
        if categories is None:
            self.transfer_consents.pop(agency, None)
        else:
            self.transfer_consents[agency] = list(categories)

    def note_transfer(self, from_agency: str, agency: str, at: str) -> None:
        """Intake transferred the client under the consent in force, whose categories
        the new agency reads the earlier referrals in."""
        self._transfer_noted(from_agency=from_agency, agency=agency, at=at,
                             categories=self.transfer_consents.get(agency, []))

    @event("TransferNoted")
    def _transfer_noted(self, from_agency: str, agency: str, at: str, categories: list[str]):
        self.transfers.append({"from_agency": from_agency, "agency": agency, "at": at, "categories": list(categories)})

    def arrival_of(self, agency: str) -> dict | None:
        """The transfer that brought the client to ``agency``, if the client is there now by one."""
        if self.transfers and self.transfers[-1]["agency"] == agency:
            return self.transfers[-1]
        return None

    def left(self, agency: str) -> bool:
        """Whether ``agency`` transferred the client away."""
        return any(transfer["from_agency"] == agency for transfer in self.transfers)
