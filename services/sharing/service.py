"""The sharing service over the bus: it follows intake, guidance and referrals
(shared.service), sends the history a consent shares, and gives an organisation its
feed from where it left off; its relay publishes the feeds."""
import logging
import uuid

from nameko.timer import timer

from shared import assertions, messaging
from shared.contracts import sharing as contracts
from shared.rpc import command, rpc
from shared.service import EventStore, ServiceBase

from services.sharing.application import SharingApplication

log = logging.getLogger(__name__)


def configure(app: SharingApplication, settings) -> None:
    """Upstream logs are read as a follower fills a gap: the same RPC, as this service's
    own system actor. Before a fact of guidance or referrals is copied, intake is asked
    whether it published anything not applied here yet (a withdrawal to see first)."""
    signer = assertions.Signer(settings.service)

    def upstream_log(service: str, after: int, limit: int) -> list[dict]:
        args = (after, None, limit)
        assertion = signer.assertion(assertions.system_actor(settings.service), service,
                                     messaging.PULLS["events"], args, correlation_id=uuid.uuid4().hex)
        with messaging.pull_proxy(settings.service, settings.nameko_config, timeout=10,
                                  context_data={assertions.ASSERTION_KEY: assertion}) as rpc:
            return getattr(rpc, service).integration_events(*args)

    app.upstream_log = upstream_log
    app.intake_drained = lambda after: not upstream_log("intake", after, 1)


class SharingService(ServiceBase):
    name = "sharing"
    app = EventStore(SharingApplication, on_start=configure)

    @timer(interval=2)
    def send_history(self) -> None:
        """A consent that shares the history: its earlier facts go out within seconds."""
        try:
            self.app.share_history()
        except Exception as error:  # an upstream away, a feed changed meanwhile: next time
            log.warning("history not sent yet", extra={"error": type(error).__name__})

    @rpc
    @command(contracts.ReadFeed)
    def feed(self, data: dict) -> dict:
        return self.app.feed(**data)
