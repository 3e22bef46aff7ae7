"""How statistics finds a client's record, and a counted thing's, without keeping any
id in clear: by a keyed hash (HMAC-SHA256) of the upstream id.

The key is a random data key of the service's own, assigned once to a fixed owner
that is no client, and kept like every data key: wrapped by the service's KEK in its
key store (shared.datakeys), so it survives restarts, is shared by every instance,
and is re-wrapped, not changed, when the KEK rotates.

What erasure removes (``domain.Person``): the pseudonym of a client is random, not
derived from this key; the link from the client to it is sealed under the link's own
data key, destroyed with the client's. The keyed hash of the client's id still finds
the record, whose client and pseudonym then read as erased: nothing in it, or in the
key, leads to the pseudonym that the tallies hold.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from eventsourcing.persistence import IntegrityError

from shared.datakeys import KeysMade

# The owner the lookup key is assigned to: a fixed id that no client has.
LOOKUP_OWNER = uuid.UUID("6b1f0d3e-95c2-4a7e-b8d4-0e2c7a91f5d6")
LOOKUP_CLASS = "directory"  # never shredded: no retention rule or erasure names this owner


def lookup_key(app) -> bytes:
    """The service's lookup key, made on first use."""
    key = app.data_keys.key(LOOKUP_OWNER, LOOKUP_CLASS)
    if key is not None:
        return key
    made = KeysMade()
    _, key = app.data_keys.for_sealing(LOOKUP_OWNER, LOOKUP_OWNER, LOOKUP_CLASS, made)
    try:
        app._store_keys(made)
    except IntegrityError:  # another instance assigned it first: theirs is the one
        return app.data_keys.key(LOOKUP_OWNER, LOOKUP_CLASS)
    return key


def keyed(key: bytes, what: str) -> str:
    return hmac.new(key, what.encode(), hashlib.sha256).hexdigest()


def fresh_pseudonym() -> str:
    """Random: nothing about the client, nor the lookup key, derives it."""
    return secrets.token_hex(16)
