"""Where an organisation's feed entries lie in the sharing service's log, on each
store kind: what the catch-up read (``GET /feeds/<org>?after=N``) starts from."""
import uuid

import pytest

from services.sharing.application import SharingApplication
from services.sharing.domain import Feed
from shared.config import StoreSettings


@pytest.fixture(params=["sqlite", "postgres"])
def sharing(request, tmp_path, pg_prefix):
    store = StoreSettings(
        kind=request.param, sqlite_path=tmp_path / "sharing.sqlite", postgres_dbname=f"{pg_prefix}_sharing",
        postgres_host="127.0.0.1", postgres_port=5432, postgres_user="postgres", postgres_schema="public")
    app = SharingApplication(store=store)
    yield app
    app.close()


def test_the_positions_of_a_feed_s_entries_after_a_sequence_number(sharing):
    feeds = {org: Feed(organisation=org) for org in ("dsr", "sab")}
    sharing.save(*feeds.values())
    for _ in range(3):
        for feed in feeds.values():  # the two feeds' entries alternate in the log
            feed.tell_withdrawal(client_id=uuid.uuid4(), purpose="coordination",
                                 withdrawn="2026-12-01T10:00:00.000000+00:00")
            sharing.save(feed)
    positions = sharing.recorder.positions_in_stream(Feed.create_id("dsr"), 1, 10)  # after its opening
    assert len(positions) == 3 and positions == sorted(positions)
    assert sharing.recorder.positions_in_stream(Feed.create_id("dsr"), 2, 1) == positions[1:2]  # after entry 1
    assert sharing.recorder.positions_in_stream(Feed.create_id("sab"), 1, 10) == [p + 1 for p in positions]
    assert sharing.recorder.positions_in_stream(Feed.create_id("wsw"), 0, 10) == []
