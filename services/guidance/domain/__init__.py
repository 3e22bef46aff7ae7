"""The guidance service's aggregates: the support trajectory and everything done in it.

Guidance is tailored: the plan's goals, intensity and duration follow the person's
needs and are reviewed with a reason; every contact is an *intervention*, a fact of
its own (its own stream, so it can later be amended or retracted, and a long
trajectory stays small to load). The trajectory keeps what its rules need: the
plan, who is on the case, the last contact and the attended dates, and its open
items (conditions, appointments, procedures). The relational network is a
stream of its own too: it holds what third parties are called and said.

Each command method checks the trajectory's own rules, then triggers its event;
the event's body only changes state, since it runs again whenever the trajectory
is loaded.
"""
from services.guidance.domain.client import ClientOnRecord
from services.guidance.domain.intervention import Intervention
from services.guidance.domain.network import Network
from services.guidance.domain.rules import CLOSED, OPEN, NotYetHappened, TrajectoryClosed
from services.guidance.domain.trajectory import Trajectory

__all__ = [
    "CLOSED", "OPEN", "ClientOnRecord", "Intervention", "Network", "NotYetHappened", "Trajectory", "TrajectoryClosed",
]
