"""The campaign's checks can fail: on in-memory services (tests/support/fakes.py),
a command recorded twice is counted doubled, one never recorded is counted lost,
one recorded but never acknowledged is counted a ghost, and a follower that missed
events differs from its fresh replay."""
import datetime as dt

from chaos import checks
from chaos.load import Command
from shared import config
from shared.messaging import feed_parts
from tests.support import fakes
from tests.support.fakes import Clock, Link, deliver
from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args

RUN = "testrun1"
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class InMemory:
    """What the checks ask of the campaign's platform, with in-memory services."""

    def __init__(self):
        self.apps = fakes.services(Clock(NOW))
        intake = self.apps["intake"]
        # Each follower on every feed it follows when deployed, as the fresh replays are.
        self.links = [Link(self.apps[follower], self.apps[feed_parts(feed)[0]], feed)
                      for follower in ("guidance", "notifications", "audit")
                      for feed in config.load(follower, {}).follows]
        self.client = intake.register_client(WORKER, **registration_args())
        intake.receive_help_request(WORKER, self.client, "justice_assistant", ["housing"], "...", "normal")
        intake.accept(COORDINATOR, self.client, "apo-sa-1")
        deliver(self.links)

    def application(self, service):
        return self.apps[service]

    def env(self, service):
        return {}

    def command(self, index: int, outcome: str, times: int) -> Command:
        at = NOW - dt.timedelta(days=1, seconds=index)
        command = Command(index, "intervention", str(self.client), "apo-sa-1", f"key-{index}",
                          f"chaos {RUN} command {index}", at.isoformat(), outcome=outcome)
        for _ in range(times):
            command.effect_id = str(self.apps["guidance"].record_intervention(
                WORKER, self.client, **intervention_args(at, note=command.marker)))
        return command


def test_doubles_losses_and_ghosts_are_counted():
    world = InMemory()
    commands = [world.command(0, "acknowledged", 1), world.command(1, "acknowledged", 2),
                world.command(2, "acknowledged", 0), world.command(3, "gave_up", 1),
                world.command(4, "refused", 0)]
    deliver(world.links)

    counted = checks.count_effects(world, commands, RUN)

    assert counted["effects_in_guidance"] == 4
    assert counted["doubled_by_service"] == {"guidance": 1, "audit": 1}
    assert counted["lost_by_service"] == {"guidance": 1}
    assert [ghost["command"] for ghost in counted["ghosts"]] == [3]
    assert (counted["lost"], counted["doubled"], counted["ghost"]) == (1, 2, 1)


def test_a_follower_that_missed_events_differs_from_its_fresh_replay():
    world = InMemory()
    world.command(0, "acknowledged", 1)
    deliver(world.links)
    assert checks.followers_equal(world, lambda line: None)["audit"]["equal"]

    world.command(1, "acknowledged", 1)  # audit is not told of it
    compared = checks.followers_equal(world, lambda line: None)

    assert not compared["audit"]["equal"] and compared["audit"]["clients_differing"] == 1
    assert compared["notifications"]["equal"]  # it acts on no intervention
