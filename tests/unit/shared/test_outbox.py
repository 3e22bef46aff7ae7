from shared.contracts.base import ACCESS, EVENTS
from shared.outbox import Outbox
from tests.support import fakes
from tests.support.samples import COORDINATOR


def test_each_published_event_points_at_the_previous_published_position():
    app = fakes.intake(private_languages=True)
    first = fakes.register(app)            # position 1, published
    fakes.change_languages(app, first)     # position 2, private
    fakes.change_languages(app, first)     # position 3, private
    fakes.register(app)                    # position 4, published

    events = Outbox(app).read(after=0, limit=100)

    assert [(e["jwwposition"], e["jwwprevposition"]) for e in events] == [(1, 0), (4, 1)]
    assert Outbox(app).last_published_at_or_before(3) == 1
    assert Outbox(app).read(after=1, limit=100)[0]["jwwprevposition"] == 1


def test_a_read_stops_at_until_and_limit():
    app = fakes.intake()
    for _ in range(5):
        fakes.register(app)
    outbox = Outbox(app)
    assert [e["jwwposition"] for e in outbox.read(after=1, until=3, limit=100)] == [2, 3]
    assert [e["jwwposition"] for e in outbox.read(after=0, limit=2)] == [1, 2]


def test_published_data_carries_no_personal_free_text():
    app = fakes.intake()
    fakes.register(app)
    (event,) = Outbox(app).read(after=0, limit=10)
    assert set(event["data"]) == {
        "client_id", "agency", "legal_position", "languages", "preferred_language", "interpreter_needed"
    }
    assert (event["jwwactor"], event["jwwactorrole"], event["jwwagency"]) == ("sa-1", "social_assistant", "apo")


def test_reads_of_a_file_form_their_own_stream_and_leave_no_hole_in_the_events_stream():
    app = fakes.intake()
    client = fakes.register(app)                                      # position 1, an event
    app.client_file(COORDINATOR, client, "court_request", "2026/17")  # position 2, a read
    fakes.register(app)                                               # position 3, an event
    app.client_file(COORDINATOR, client)                              # position 4, a read
    outbox = Outbox(app)

    events = outbox.read(after=0, limit=100)
    reads = outbox.read(after=0, limit=100, streams=(ACCESS,))
    both = outbox.read(after=0, limit=100, streams=(EVENTS, ACCESS))

    assert [(e["jwwposition"], e["jwwprevposition"]) for e in events] == [(1, 0), (3, 1)]
    assert [(e["jwwposition"], e["jwwprevposition"]) for e in reads] == [(2, 0), (4, 2)]
    assert both == sorted(events + reads, key=lambda e: e["jwwposition"])  # each chained in its own stream
    assert [outbox.stream_of(e) for e in both] == [EVENTS, ACCESS, EVENTS, ACCESS]
    assert outbox.last_published_at_or_before(4, ACCESS) == 4 and outbox.last_published_at_or_before(4) == 3
    # On the bus a read says why as a code; what the reader added stays in the store.
    assert [r["data"]["purpose"] for r in reads] == ["court_request", "casework"]
    assert "2026/17" not in str(both)
