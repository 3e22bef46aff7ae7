"""GET /me/calendar-feed through the gateway, on the services in memory: whether one's
feed is on, never its address; the pages' account page asks the same."""
from shared import context
from shared.context import RequestContext
from tests.unit.gateway.test_agenda_http import World


def test_whether_the_feed_is_on_and_never_its_address():
    world = World()
    world.platform.sync()  # accounts learns the agencies' staff from intake's directory

    def send(method):
        try:
            return world.http.open("/me/calendar-feed", method=method, headers=world.bearer["apo-sa-1"])
        finally:
            context.use(RequestContext())

    off = world.get("/me/calendar-feed", "apo-sa-1")
    assert off.status_code == 200 and off.json == {"calendar_feed": False, "path": None}
    assert off.headers["Cache-Control"] == "no-store"
    path = send("POST").json["path"]
    on = world.get("/me/calendar-feed", "apo-sa-1")
    assert on.json == {"calendar_feed": True, "path": None} and path not in on.get_data(as_text=True)
    assert world.get("/me/calendar-feed", "apo-crim-1").json["calendar_feed"] is False  # each their own
    assert send("DELETE").status_code == 200
    assert world.get("/me/calendar-feed", "apo-sa-1").json["calendar_feed"] is False
    assert world.get("/me/calendar-feed").status_code == 401
