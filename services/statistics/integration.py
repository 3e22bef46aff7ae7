"""What statistics publishes: only that it carried out a client's erasure (the
figures themselves are answered, never published).

Its other facts are private: tallies name no one, and the link from a client to
their pseudonym is sealed under the link's own key (``SEALED``), destroyed with the
client's."""
from __future__ import annotations

from shared.contracts import statistics as contracts
from shared.erasure import ErasureCarriedOut
from shared.outbox import publish_as

from services.statistics.domain import Person

PUBLICATIONS = {
    # Recorded by shared code for a client on intake's decision.
    ErasureCarriedOut.Recorded: publish_as(contracts.ErasureCarriedOutV1, agency=lambda e: None),
}

SEALED = {
    Person.Pseudonymised: contracts.Pseudonymisation,
}
