"""Independent deploys (WAVE2 18, issue 17): a follower built before its upstream's
new event version stops that upstream at the first event of it, instead of dropping
it, and says so (a metric an alert fires on, an error naming the type); once upgraded
it goes on from where it stopped and nothing is lost."""
import subprocess
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from shared.contracts import event_type
from shared.outbox import Outbox
from tests.support import broker
from tests.support.broker import wait_until
from tests.support.followers import assert_each_client_on_record_once, store_clients, wait_caught_up
from tests.support.platform import count_events, free_port
from tests.support.samples import WORKER

V2 = event_type("intake", "consent-given", 2)  # guidance's old build knows consent-given.v1 only
QUEUE = "jww.guidance.from.intake"


def stopped(port: int) -> float | None:
    """guidance's jww_follower_stopped for intake, as Prometheus scrapes it (None: not up yet)."""
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
    except OSError:
        return None
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "jww_follower_stopped" and sample.labels == {
                    "service": "guidance", "upstream": "intake", "reason": "unknown_version"}:
                return sample.value
    return None


def start_old_guidance(platform):
    log = open(platform.workdir / "guidance-serve.log", "ab")
    process = subprocess.Popen([sys.executable, "-m", "tests.support.old_build", V2, "serve", "guidance"],
                               env=platform.env("guidance"), stdout=log, stderr=subprocess.STDOUT)
    platform.processes[("guidance", "serve")] = process  # stopped with the rest, whatever happens


def test_an_old_follower_stops_at_a_new_version_and_once_upgraded_loses_nothing(platform):
    port = free_port()
    platform.extra_env["guidance"] = {"JWW_METRICS_PORT": str(port)}
    platform.start_services("intake")
    start_old_guidance(platform)
    platform.wait_healthy("guidance")

    intake = platform.application("intake")
    before = store_clients(platform, 1)
    wait_caught_up(platform, ["guidance"])
    applied = platform.application("guidance").position_of("intake")
    # Intake publishes the giving in v2 and, beside it, v1; then more clients.
    intake.give_consent(WORKER, before[0], "family", "family_involvement", ["identity"])
    after = store_clients(platform, 2)
    published = Outbox(intake).read(after=applied, limit=100)
    assert published[0]["type"] == V2

    wait_until(lambda: stopped(port) == 1, timeout=30, what="guidance to stop on intake")
    assert platform.application("guidance").position_of("intake") == applied  # nothing from it on
    log = platform.logs("guidance", "serve")
    assert '"level": "error"' in log and V2 in log and "does not know" in log
    platform.stop("guidance", "serve")
    assert platform.application("guidance").position_of("intake") == applied
    # Never acknowledged: the v2, the v1 beside it and the clients after wait in the queue.
    assert broker.queue_messages(platform.amqp_uri, QUEUE) >= len(published)

    platform.start("guidance")  # the upgrade: the build whose policies read consent-given.v2
    wait_caught_up(platform, ["guidance"])
    assert_each_client_on_record_once(platform, ["guidance"], before + after)
    assert count_events(platform.application("guidance"), "FamilyConsentNoted") == 1  # the giving, once
    wait_until(lambda: stopped(port) == 0, timeout=30, what="the upgraded guidance to report it follows")
