"""Personal fields sealed in the stored state, under their client's data keys.

Which attributes of which domain event are personal, and in which retention class,
is read off the facts' declarations (``shared.contracts.declare``): a service names,
per domain event class, the fact it records (``ServiceApplication.sealed``).

A save seals its events before they are chained (``shared.chain``). An event's
personal attributes of one retention class are sealed together, AES-256-GCM under
the data key of the event's client and that class (``shared.datakeys``), with the
record's identity, version and class as associated data, so a sealed value moved
to another record does not open. In the stored state those attributes are null and
the sealed values sit beside them, under ``_sealed``: ``{class: [base64, key id]}``.
Everything else, the chain included, stays in clear. The event is encrypted exactly
once, and the bytes stored are the bytes chained: shredding a key later leaves
every chain intact.

Loading opens the sealed values again, before any upcaster reads the state; the
attributes of a class whose key was shredded load as ``None``, which the
aggregates and answers read as erased.

A snapshot of a client's record holds the record's whole state: it is sealed whole,
under the client's ``case_notes`` key, and names the client's other classes too
(``[null, ""]``), since its state may hold their values. It opens only while none
of them is shredded (by retention or by erasure); one that does not is passed over,
and the record is rebuilt from its events, each sealed under its own classes
(``shared.concurrency.CheckedRepository``).
"""
from __future__ import annotations

import binascii
import functools
import secrets
import uuid
from typing import Any, Mapping
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, MapperDeserialisationError
from eventsourcing.utils import resolve_topic

from shared.contracts.declare import properties
from shared.datakeys import DataKeys, KeysMade

# The stored state's attribute that holds an event's sealed values. No declared
# attribute starts with an underscore, so it never meets one.
SEALED_KEY = "_sealed"
SNAPSHOT_RETENTION = "case_notes"
# The classes a snapshot's state may hold values of, besides its own.
SNAPSHOT_HOLDS = ("case_file", "access_log")
_LINKS = UUID("0f6c1c8e-3b52-4f0e-9d6a-2a7b8c9d0e1f")


def personal_fields(fact) -> dict[str, str]:
    """The fact's personal fields and their retention classes."""
    return {name: properties(field)["retention"] for name, field in fact._declared_fields.items()
            if properties(field)["personal"]}


def by_retention(fields: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """``fields`` (name -> class) as class -> names."""
    classes: dict[str, list[str]] = {}
    for name, retention in fields.items():
        classes.setdefault(retention, []).append(name)
    return {retention: tuple(names) for retention, names in classes.items()}


@functools.lru_cache(maxsize=4096)
def _cipher(key: bytes) -> AESGCM:
    """One cipher object per data key in use: making one costs more than a decryption."""
    return AESGCM(key)


def _aad(originator_id: UUID, version: int, retention: str) -> bytes:
    return f"{originator_id}/{version}/{retention}".encode()


def link_owner(record_id: UUID, client_id: UUID) -> UUID:
    """Whose data key seals the link between a record and a client: that link's own,
    assigned under the client, so that an erasure of the client destroys it."""
    return uuid.uuid5(_LINKS, f"{record_id}:{client_id}")


class SnapshotShredded(Exception):
    """A snapshot whose key is gone: rebuild the record from its events."""


class Sealer:
    """Seals the personal attributes of a service's events and opens them again.
    ``store_keys(made)`` stores the keys a seal outside a save assigns (a snapshot's)."""

    def __init__(self, keys: DataKeys, declared: Mapping[type, Any], transcoder, store_keys=None):
        self.keys = keys
        self.transcoder = transcoder
        self.store_keys = store_keys
        # event class -> {retention class: attribute names}
        self.classes = {cls: by_retention(personal_fields(fact)) for cls, fact in declared.items()}
        self.classes = {cls: classes for cls, classes in self.classes.items() if classes}
        # Whose key seals a fact: the event's client, or (``sealed_with = "link"``) the
        # link between the fact's record and that client, when the link itself must
        # not be readable once the client is erased (then the client's id is one of
        # the sealed attributes, and the key is named by its id).
        self.own_key = {cls for cls, fact in declared.items() if getattr(fact, "sealed_with", "") == "link"}

    def seal(self, events) -> KeysMade:
        """Seal the events of a save; the keys it assigns, to be stored with them."""
        made = KeysMade(fresh={event.originator_id for event in events if event.originator_version == 1})
        for event in events:
            classes = self.classes.get(type(event))
            # A fact of a kind that names no client this time (a notice about a whole
            # agency) says nothing about any one person: stored as written. A kind
            # without the attribute at all fails here, loudly.
            if classes is None or event.client_id is None:
                continue
            client_id = event.client_id
            own = type(event) in self.own_key
            owner = link_owner(event.originator_id, client_id) if own else client_id
            sealed = self._sealed(client_id, owner, own, event.originator_id, event.originator_version,
                                  classes, event.__dict__, made)
            for names in classes.values():
                for name in names:
                    object.__setattr__(event, name, None)  # events are frozen; this one is not stored yet
            if sealed:
                object.__setattr__(event, SEALED_KEY, sealed)
        return made

    def _sealed(self, client_id: UUID, owner: UUID, own: bool, originator_id: UUID, version: int,
                classes: dict[str, tuple[str, ...]], state: dict, made: KeysMade) -> dict[str, list]:
        """The state's values of these classes, sealed: ``{class: [base64, key id]}``. A
        class whose key is shredded already is left out: nothing personal is stored."""
        sealed = {}
        for retention, names in classes.items():
            values = {name: state[name] for name in names if state.get(name) is not None}
            if not values:
                continue
            key_id, key = self.keys.for_sealing(client_id, owner, retention, made)
            if key is None:
                continue
            nonce = secrets.token_bytes(12)
            blob = nonce + _cipher(key).encrypt(nonce, self.transcoder.encode(values),
                                                _aad(originator_id, version, retention))
            sealed[retention] = [binascii.b2a_base64(blob, newline=False).decode(), key_id if own else ""]
        return sealed

    def seal_snapshot(self, client_id: UUID, originator_id: UUID, version: int, state: dict) -> dict[str, list]:
        """A snapshot's whole state, sealed under the client's ``case_notes`` key; a key
        assigned now is stored at once (a snapshot is taken after its save)."""
        made = KeysMade()
        sealed = self._sealed(client_id, client_id, False, originator_id, version,
                              {SNAPSHOT_RETENTION: ("state",)}, {"state": state}, made)
        if made.keys:
            self.store_keys(made)
        return {**sealed, **{retention: [None, ""] for retention in SNAPSHOT_HOLDS}}

    def open_snapshot(self, client_id: UUID, originator_id: UUID, version: int, sealed: dict[str, list]) -> dict | None:
        """A snapshot's state, or None when any class it holds was shredded since."""
        if any(blob is None and self.keys.shredded(client_id, retention) for retention, (blob, _) in sealed.items()):
            return None
        return self.open(client_id, originator_id, version,
                         {retention: entry for retention, entry in sealed.items() if entry[0] is not None}).get("state")

    def open(self, client_id: UUID | None, originator_id: UUID, version: int, sealed: dict[str, list]) -> dict:
        """The values sealed in a stored state; those of a class whose key is shredded
        are missing."""
        opened = {}
        for retention, (blob, key_id) in sealed.items():
            key = self.keys.by_id(key_id) if key_id else self.keys.key(client_id, retention)
            if key is None:
                continue
            blob = binascii.a2b_base64(blob)
            try:
                plain = _cipher(key).decrypt(blob[:12], blob[12:], _aad(originator_id, version, retention))
            except InvalidTag:
                raise ValueError(f"the sealed {retention} values of {originator_id} version {version} do not "
                                 f"open: moved or changed") from None
            opened.update(self.transcoder.decode(plain))
        return opened


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
                **vars(domain_event), "client_id": client_id, "state": None,
                SEALED_KEY: self.sealer.seal_snapshot(client_id, domain_event.originator_id,
                                                  domain_event.originator_version, domain_event.state),
            })
            domain_event = sealed
        return super().to_stored_event(domain_event)

    def to_domain_event(self, stored_event):
        """The library's own mapping (no compressor or cipher is set), with the sealed
        values opened before any upcaster reads the state."""
        cls = resolve_topic(stored_event.topic)
        try:
            state: dict[str, Any] = self.transcoder.decode(stored_event.state)
        except Exception as e:
            raise MapperDeserialisationError(f"the stored state of {stored_event.originator_id} version "
                                             f"{stored_event.originator_version} does not decode: {e}") from e
        sealed = state.pop(SEALED_KEY, None)
        if sealed is not None and self.sealer is not None:
            if issubclass(cls, Snapshot):
                state["state"] = self.sealer.open_snapshot(state.pop("client_id"), stored_event.originator_id,
                                                           stored_event.originator_version, sealed)
                if state["state"] is None:
                    raise SnapshotShredded(str(stored_event.originator_id))
            else:
                state.update(self.sealer.open(state.get("client_id"), stored_event.originator_id,
                                              stored_event.originator_version, sealed))
        state["originator_id"] = stored_event.originator_id
        state["originator_version"] = stored_event.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event
