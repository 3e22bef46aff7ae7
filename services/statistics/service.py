"""The statistics service over RPC: validate, call, serialise."""
from shared.contracts import statistics as contracts
from shared.rpc import command, rpc
from shared.service import EventStore, ServiceBase

from services.statistics.application import StatisticsApplication


def warm(app: StatisticsApplication, settings) -> None:
    """Rebuild the projection from the log at start, not at the first request."""
    app.tail.refresh()


class StatisticsService(ServiceBase):
    name = "statistics"
    app = EventStore(StatisticsApplication, on_start=warm)

    @rpc
    @command(contracts.Figures)
    def figures(self, data: dict) -> dict:
        return self.app.figures(**data)
