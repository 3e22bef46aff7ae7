"""Whether a person's calendar feed is on (what the account pages show): off until
turned on, on after a renewal, off once turned off; never the address again, which
accounts keeps only as a digest."""
from shared.contracts import accounts as contracts

JURIST = {"user_id": "sab-jur-1", "role": "jurist", "agency": "sab"}


def test_the_state_follows_turning_on_renewing_and_off_and_never_holds_the_address(world):
    _, accounts, _ = world
    feeds = accounts.calendar_feeds
    assert feeds.state(JURIST) == {"calendar_feed": False, "path": None}
    feeds.turn_on(JURIST)
    feeds.turn_on(JURIST)  # renewed
    state = feeds.state(JURIST)
    assert state == {"calendar_feed": True, "path": None} and contracts.CalendarFeedAnswer().load(state) == state
    feeds.turn_off(JURIST)
    assert feeds.state(JURIST)["calendar_feed"] is False
