"""How a person is told: in their language, through every channel configured, at
the address each channel uses, and once per (fact, recipient, channel)."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable
from uuid import UUID

from eventsourcing.application import ProcessingEvent

from services.notifications.domain import INBOX, Notification, Team
from services.notifications.messages import Message, language_for

if TYPE_CHECKING:
    from services.notifications.application import NotificationsApplication

Render = Callable[[Message], tuple[str, str]]  # a message in one language -> (subject, body)


class Addressing:
    def __init__(self, app: NotificationsApplication):
        self.app = app

    def tell(
        self, processing: ProcessingEvent, event: dict, kind: str, recipients: list[str], render: Render,
        due: dt.datetime | None = None, about_client: bool = True,
    ) -> None:
        """Tell staff of the event's agency, each in their language, through every
        channel; a member who is no longer active is not told."""
        client_id = event["data"]["client_id"] if about_client else None
        agency = event["data"].get("agency") or event.get("jwwagency")
        team = self.app.find(Team.create_id(agency), processing)
        for recipient in dict.fromkeys(r for r in recipients if r):
            member = team.members.get(recipient) if team else None
            if member is not None and not member["active"]:
                continue
            language = language_for(member["languages"]) if member else "en"
            subject, body = render(Message(language))
            for channel in self.app.channels:
                address = recipient if channel == INBOX else self.app.email_address.format(
                    user_id=recipient, agency=agency)
                self.add(processing, caused_by=event["id"], client_id=client_id, agency=agency, kind=kind,
                         recipient=recipient, address=address, channel=channel, language=language, subject=subject,
                         body=body, due=due or self.app.clock())

    def add(
        self, processing: ProcessingEvent, *, caused_by: str, client_id: UUID | None, agency: str, kind: str,
        recipient: str, address: str, channel: str, language: str, subject: str, body: str, due: dt.datetime,
    ) -> None:
        if self.app.find(Notification.create_id(caused_by, recipient, channel), processing) is not None:
            return  # the same fact told this person through this channel already
        processing.collect_events(Notification(
            caused_by=caused_by, client_id=client_id, agency=agency, kind=kind, recipient=recipient, address=address,
            channel=channel, language=language, subject=subject, body=body, due=due,
        ))

    def language_of(self, processing: ProcessingEvent, agency: str, user_id: str) -> str:
        team = self.app.find(Team.create_id(agency), processing)
        member = team.members.get(user_id) if team else None
        return language_for(member["languages"]) if member else "en"
