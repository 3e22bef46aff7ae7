"""The guidance service over RPC: validate, call, serialise."""
from shared.service import EventStore, ServiceBase

from services.guidance.application import GuidanceApplication


class GuidanceService(ServiceBase):
    name = "guidance"
    app = EventStore(GuidanceApplication)
