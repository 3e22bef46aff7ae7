"""The notifications service over RPC: validate, call, serialise."""
from shared.service import EventStore, ServiceBase

from services.notifications.application import NotificationsApplication


class NotificationsService(ServiceBase):
    name = "notifications"
    app = EventStore(NotificationsApplication)
