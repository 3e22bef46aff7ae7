"""The person's messages, with how many are unread."""
from __future__ import annotations

from services.gateway.pages.app import PREFIX, Page
from services.gateway.pages.i18n import N_


def inbox(page: Page):
    messages = page.call("notifications", "inbox", {"actor": page.actor}, None)
    unread = sum(1 for m in messages if not m.get("read"))
    return page.render("inbox.html", title=page.t(N_("Inbox")), messages=messages, unread=unread)


def mark_read(page: Page, notification_id):
    page.command(page.posted())
    page.call("notifications", "mark_read", {"actor": page.actor, "notification_id": str(notification_id)}, None)
    return page.redirect(PREFIX + "inbox?notice=read")
