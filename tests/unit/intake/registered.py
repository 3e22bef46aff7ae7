"""A client file made on the aggregate itself, for the tests that need no
application and no store: the sample person (tests/support/samples.py) with a
national number and a way to reach them."""
import uuid

from services.intake.domain import Client
from tests.support.samples import PERSON, WORKER

NATIONAL_NUMBER = "85073003328"  # born 1985-07-30, serial 033: valid by the modulo-97 rule
CONTACT = {"phone": "+32 2 555 01 23", "address": "Rue Exemple 1, 1000 Bruxelles"}


def registered(**overrides) -> Client:
    """The sample person's file at ``apo``; ``overrides`` are Client's own arguments."""
    return Client(**{
        "client_id": uuid.uuid4(), "agency": "apo", "registered_by": WORKER, "national_number": NATIONAL_NUMBER,
        "contact": CONTACT, "mandating_actor": None, **PERSON, **overrides,
    })
