"""The referrals service over RPC: validate, call, serialise."""
from shared.service import EventStore, ServiceBase

from services.referrals.application import ReferralsApplication


class ReferralsService(ServiceBase):
    name = "referrals"
    app = EventStore(ReferralsApplication)
