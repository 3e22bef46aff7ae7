"""When the thread that makes the campaign's faults fails, the plan cannot be kept:
the campaign says why and stops its load at once, rather than send the rest of its
commands to a platform that may have a broker node down for good."""
import subprocess

from chaos import faults
from chaos.load import Load


class BrokerThatCannotRestart:
    def restart(self, hard: bool, index: int) -> None:
        raise subprocess.TimeoutExpired(["rabbitmqctl", "await_startup"], 120)


def test_a_fault_thread_that_fails_stops_the_load_and_says_why():
    said, stopped = [], []
    the_faults = faults.Faults([faults.Fault(0.0, "broker_restart_graceful")], platform=None,
                               broker=BrokerThatCannotRestart(), progress=lambda: 0.5, say=said.append)
    the_faults.on_failure = lambda: stopped.append(True)
    the_faults.start()
    the_faults.finish(timeout=10)
    assert the_faults.failed == "TimeoutExpired: Command '['rabbitmqctl', 'await_startup']' timed out after 120 seconds"
    assert stopped == [True] and said[-1].startswith("faults: the fault thread failed, the campaign stops")
    the_faults.gate(1.0)  # the load's threads wait for no fault any more: returns at once


def test_a_stopped_load_sends_nothing_more():
    load = Load("http://127.0.0.1:9", tokens=None, clients={"c1": "apo-sa-1"}, commands=5, threads=2, rate=100,
                run="r", seed=1)
    load.stop()
    load.run()
    assert {c.outcome for c in load.commands} == {"not_sent"} and load.done == 5
