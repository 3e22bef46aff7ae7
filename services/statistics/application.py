"""The statistics service's use cases: following the other services' facts into
tallies (``policies``), and answering figures from the projection (``figures``),
never by reading the stores of those services."""
from __future__ import annotations

import datetime as dt
import functools

from shared.store import ServiceApplication

from services.statistics import figures, pseudonyms
from services.statistics.integration import PUBLICATIONS, SEALED
from services.statistics.policies import Policies
from services.statistics.projection import FiguresTail


class StatisticsApplication(ServiceApplication):
    service_name = "statistics"
    publications = PUBLICATIONS
    sealed = SEALED  # statistics shows no client's file, so records no file reads

    def __init__(self, store=None, env=None):
        super().__init__(store=store, env=env)
        self.tail = FiguresTail(self)

    @functools.cached_property
    def lookup_key(self) -> bytes:
        return pseudonyms.lookup_key(self)

    def policies(self):
        return Policies(self).by_type()

    def figures(self, actor: dict, from_: dt.date, until: dt.date, agency: str | None = None,
                dimensions: list[str] | None = None) -> dict:
        return figures.figures(self.tail.current(), actor, from_, until, agency, dimensions)

