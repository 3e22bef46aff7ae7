"""Personal fields sealed in the stored state, each under its client's data key.

Which attributes of which domain event are personal, and in which retention class,
is read off the facts' declarations (``shared.contracts.declare``): a service names,
per domain event class, the fact it records (``ServiceApplication.sealed``).

A save seals its events before they are chained (``shared.chain``): each personal
attribute's value becomes a ``Sealed`` value, AES-256-GCM under the data key of the
event's client and the field's class (``shared.datakeys``), with the record's
identity and the field's name as associated data, so a sealed value moved to
another record or field does not open. The event is encrypted exactly once, and the
bytes stored are the bytes chained: shredding a key later leaves every chain intact.

Loading opens each sealed value again; a value whose key was shredded loads as
``None``, which the aggregates and answers read as erased.

A snapshot of a client's record holds the record's whole state: it is sealed whole,
under the client's ``case_notes`` key, the first to be shredded (by retention or by
erasure). A snapshot that no longer opens is passed over: the record is rebuilt
from its events (``shared.concurrency.CheckedRepository``).
"""
from __future__ import annotations

import base64
import functools
import secrets
import uuid
from typing import Any, Mapping
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, Transcoding

from shared.contracts.declare import properties
from shared.datakeys import DataKeys


class Sealed:
    """A personal value as stored: its retention class and nonce + ciphertext
    (``None`` when the key was already shredded as it was stored: erased at birth),
    and whose key sealed it when that is not the event's client (``owner``)."""

    __slots__ = ("retention", "blob", "owner")

    def __init__(self, retention: str, blob: bytes | None, owner: UUID | None = None):
        self.retention, self.blob, self.owner = retention, blob, owner

    def __eq__(self, other) -> bool:
        return isinstance(other, Sealed) and (self.retention, self.blob, self.owner) == (
            other.retention, other.blob, other.owner)

    def __repr__(self) -> str:
        return f"Sealed({self.retention!r}, {len(self.blob or b'')} bytes)"


class SealedAsText(Transcoding):
    type = Sealed
    name = "sealed"

    def encode(self, obj: Sealed) -> list:
        blob = None if obj.blob is None else base64.b64encode(obj.blob).decode()
        return [obj.retention, blob] if obj.owner is None else [obj.retention, blob, str(obj.owner)]

    def decode(self, data: list) -> Sealed:
        return Sealed(data[0], None if data[1] is None else base64.b64decode(data[1]),
                      UUID(data[2]) if len(data) > 2 else None)


def personal_fields(fact) -> dict[str, str]:
    """The fact's personal fields and their retention classes."""
    return {name: properties(field)["retention"] for name, field in fact._declared_fields.items()
            if properties(field)["personal"]}


@functools.lru_cache(maxsize=4096)
def _cipher(key: bytes) -> AESGCM:
    """One cipher object per data key in use: making one costs more than a field's decryption."""
    return AESGCM(key)


def _aad(originator_id: UUID, name: str) -> bytes:
    return f"{originator_id}/{name}".encode()


SNAPSHOT_RETENTION = "case_notes"
_LINKS = UUID("0f6c1c8e-3b52-4f0e-9d6a-2a7b8c9d0e1f")


def link_owner(record_id: UUID, client_id: UUID) -> UUID:
    """Whose data key seals the link between a record and a client: that link's own,
    which an erasure of the client destroys (shared.datakeys keys it like a client)."""
    return uuid.uuid5(_LINKS, f"{record_id}:{client_id}")


class SnapshotShredded(Exception):
    """A snapshot whose key is gone: rebuild the record from its events."""


class Sealer:
    """Seals the personal attributes of a service's events and opens them again."""

    def __init__(self, keys: DataKeys, declared: Mapping[type, Any], transcoder):
        self.keys = keys
        self.transcoder = transcoder
        # event class -> {attribute: retention class}, for the attributes the event has
        self.fields = {cls: personal_fields(fact) for cls, fact in declared.items()}
        # Whose key seals a fact: the event's client, or (``sealed_with = "link"``) the
        # link between the fact's record and that client, when the link itself must
        # not be readable once the client is erased.
        self.own_key = {cls for cls, fact in declared.items() if getattr(fact, "sealed_with", "") == "link"}

    def seal(self, events) -> None:
        for event in events:
            fields = self.fields.get(type(event))
            # A fact of a kind that names no client this time (a notice about a whole
            # agency) says nothing about any one person: stored as written. A kind
            # without the attribute at all fails here, loudly.
            own = type(event) in self.own_key
            if not fields or (not own and event.client_id is None):
                continue
            owner = link_owner(event.originator_id, event.client_id) if own else event.client_id
            for name, retention in fields.items():
                value = event.__dict__.get(name)
                if value is None or isinstance(value, Sealed):
                    continue
                sealed = self.sealed(owner, event.originator_id, name, retention, value)
                if own:
                    sealed.owner = owner
                object.__setattr__(event, name, sealed)  # events are frozen; this one is not stored yet

    def sealed(self, client_id: UUID, originator_id: UUID, name: str, retention: str, value: Any) -> Sealed:
        key = self.keys.key(client_id, retention, create=True)
        if key is None:  # shredded already: nothing personal is stored about this client
            return Sealed(retention, None)
        nonce = secrets.token_bytes(12)
        return Sealed(retention, nonce + _cipher(key).encrypt(
            nonce, self.transcoder.encode(value), _aad(originator_id, name)))

    def open(self, client_id: UUID, originator_id: UUID, name: str, sealed: Sealed) -> Any:
        """The value, or None when its key is shredded."""
        if sealed.blob is None:
            return None
        key = self.keys.key(client_id, sealed.retention)
        if key is None:
            return None
        try:
            plain = _cipher(key).decrypt(sealed.blob[:12], sealed.blob[12:], _aad(originator_id, name))
        except InvalidTag:
            raise ValueError(f"the sealed {name} of {originator_id} does not open: moved or changed") from None
        return self.transcoder.decode(plain)


class SealingMapper(Mapper):
    """The store's mapper: seals a client's snapshots as they are stored, and opens
    sealed values as events and snapshots are loaded."""

    sealer: Sealer | None = None

    def to_stored_event(self, domain_event):
        if (self.sealer is not None and isinstance(domain_event, Snapshot)
                and domain_event.state.get("client_id") is not None):
            # Stored as a copy whose state is sealed, and which names the client in clear.
            client_id = domain_event.state["client_id"]
            sealed = object.__new__(type(domain_event))
            object.__setattr__(sealed, "__dict__", {
                **vars(domain_event), "client_id": client_id,
                "state": self.sealer.sealed(client_id, domain_event.originator_id, "state", SNAPSHOT_RETENTION,
                                            domain_event.state),
            })
            domain_event = sealed
        return super().to_stored_event(domain_event)

    def to_domain_event(self, stored_event):
        event = super().to_domain_event(stored_event)
        state = event.__dict__
        if self.sealer is None:
            return event
        if isinstance(event, Snapshot) and isinstance(event.state, Sealed):
            opened = self.sealer.open(state.pop("client_id"), stored_event.originator_id, "state", event.state)
            if opened is None:
                raise SnapshotShredded(str(stored_event.originator_id))
            state["state"] = opened
            return event
        for name, value in state.items():
            if isinstance(value, Sealed):
                owner = value.owner or state["client_id"]
                state[name] = self.sealer.open(owner, stored_event.originator_id, name, value)
        return event
