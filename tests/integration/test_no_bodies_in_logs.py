"""At JWW_SERVICE_LOG_LEVEL=DEBUG, libraries would log every RPC request and reply
with its body (nameko's reply event, kombu and amqp frames): real processes on the
real RabbitMQ, personal data sent through the gateway and back, and none of it in
any process's log."""
import json

from shared import config
from tests.support.broker import wait_until
from tests.support.platform import http

MARKER = "Zyxquorbelova"  # a family name no log line holds unless a body leaked
NATIONAL_NUMBER = "85.07.30-033.28"
PERSON = {"given_names": "Samira", "family_name": MARKER, "birth_date": "1985-07-30",
          "national_number": NATIONAL_NUMBER, "legal_position": "convicted", "situation": "probation",
          "languages": ["ar", "fr"], "preferred_language": "ar"}


def test_no_process_logs_a_message_body_at_debug(platform):
    debug = {"JWW_SERVICE_LOG_LEVEL": "DEBUG"}
    services = [s for s in ("intake", "accounts") if s in config.SERVICES]  # accounts: sign-in, when it is a service
    for service in services:
        platform.extra_env[service] = debug
    platform.start_services(*services)
    url = platform.start_gateway(**debug)
    status, _, token = http("POST", url + "/auth/token", {"username": "apo-sa-1", "password": "sample-apo-sa-1"})
    assert status == 200
    auth = {"Authorization": f"Bearer {token['access_token']}"}

    status, _, registered = http("POST", url + "/clients", PERSON, auth)
    assert status == 201, registered
    client = registered["client_id"]
    status, _, _ = http("POST", url + f"/clients/{client}/help-requests", {
        "source": "justice_assistant", "domains": ["housing"], "question": f"{MARKER} zoekt een woning."}, auth)
    assert status == 201
    status, _, found = http("POST", url + "/clients/search", {"name": MARKER}, auth)
    assert status == 200 and [f["client_id"] for f in found["items"]] == [client]
    status, _, file = http("GET", url + f"/clients/{client}", None, auth)
    assert status == 200 and MARKER in json.dumps(file)  # the reply did carry it, through nameko

    # The gateway logged each request, by route template.
    wait_until(lambda: '"route": "/clients/search"' in platform.logs("gateway", "serve"),
               what="the gateway to log the search")
    logs = {path.name: path.read_text() for path in platform.workdir.glob("*.log")}
    assert {"intake-serve.log", "intake-relay.log", "gateway-serve.log"} <= set(logs)
    for name, text in logs.items():
        for personal in (MARKER, MARKER.lower(), "85073003328", NATIONAL_NUMBER, "zoekt een woning", "sample-apo-sa-1"):
            assert personal not in text, f"{personal!r} in {name}"
