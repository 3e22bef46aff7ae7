from shared.outbox import Outbox
from tests.support import fakes


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
