"""The sharing service over the bus: it follows intake, guidance and referrals
(shared.service) and answers health; its relay publishes the feeds."""
import uuid

from shared import assertions, messaging
from shared.service import EventStore, ServiceBase

from services.sharing.application import SharingApplication


def configure(app: SharingApplication, settings) -> None:
    """Before a fact of guidance or referrals is copied, intake is asked whether it
    published anything this service has not applied yet (a withdrawal it must see
    first): the pull a follower fills a gap with, one event long."""
    signer = assertions.Signer(settings.service)

    def intake_drained(after: int) -> bool:
        args = (after, None, 1)
        assertion = signer.assertion(assertions.system_actor(settings.service), "intake",
                                     messaging.PULLS["events"], args, correlation_id=uuid.uuid4().hex)
        with messaging.pull_proxy(settings.service, settings.nameko_config, timeout=5,
                                  context_data={assertions.ASSERTION_KEY: assertion}) as rpc:
            return not rpc.intake.integration_events(*args)

    app.intake_drained = intake_drained


class SharingService(ServiceBase):
    name = "sharing"
    app = EventStore(SharingApplication, on_start=configure)
