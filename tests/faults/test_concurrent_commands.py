"""Two caseworkers change the same client file at the same moment."""
import threading

from shared.errors import Conflict
from tests.support.followers import FOLLOWERS, wait_applied
from tests.support.platform import count_events, last_published
from tests.support.samples import WORKER, registration_payload


def test_the_loser_gets_a_clear_conflict_and_no_event_is_lost_or_duplicated(platform):
    platform.start_services("intake", *FOLLOWERS)
    with platform.rpc() as rpc:
        payload = registration_payload(WORKER, languages=["nl"], preferred_language="nl")
        clients = [rpc.intake.register_client(payload)["client_id"] for _ in range(5)]

    outcomes = {client: [] for client in clients}
    start = threading.Barrier(2 * len(clients))

    def change(client, language):
        start.wait()
        command = {
            "actor": WORKER, "client_id": client, "expected_version": 1,
            "languages": [language], "preferred_language": language, "interpreter_needed": False,
        }
        with platform.rpc() as rpc:
            try:
                outcomes[client].append(("ok", rpc.intake.record_languages(command)["version"]))
            except Conflict as conflict:
                outcomes[client].append(("conflict", conflict.details))

    threads = [threading.Thread(target=change, args=(c, lang)) for c in clients for lang in ("fr", "ar")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    for results in outcomes.values():
        assert sorted(kind for kind, _ in results) == ["conflict", "ok"], results
        assert [v for kind, v in results if kind == "ok"] == [2]
    intake = platform.application("intake")
    assert count_events(intake, "Client.Registered") == 5
    assert count_events(intake, "Client.LanguagesRecorded") == 5
    wait_applied(platform, FOLLOWERS, last_published(intake))
