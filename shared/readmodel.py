"""Read models kept by tailing the service's own notification log.

Any instance of a service answers queries from the shared store: before answering,
a read model reads only what was stored since it last looked, so it is never
behind what the caller could have written through another instance."""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod

PAGE = 500


class LogTail(ABC):
    """Subclasses name the ``TOPICS`` they read and ``apply`` each such event."""

    TOPICS: tuple[str, ...] = ()

    def __init__(self, app):
        self.app = app
        self.position = 0
        self._lock = threading.Lock()

    def refresh(self) -> None:
        with self._lock:
            while True:
                batch = self.app.recorder.select_notifications(
                    start=self.position, limit=PAGE, topics=self.TOPICS, inclusive_of_start=False
                )
                for notification in batch:
                    self.apply(self.app.mapper.to_domain_event(notification))
                    self.position = notification.id
                if len(batch) < PAGE:
                    return

    @abstractmethod
    def apply(self, event) -> None:
        """Take one event of the ``TOPICS`` into the read model."""
