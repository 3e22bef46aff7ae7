"""Hash chains over every stream, so that a changed, removed or reordered record
is detectable (DESIGN §3).

Each stored event carries ``chain``: the SHA-256 of its predecessor's chain (empty
for the first event of a stream) and of its own content as the store keeps it
(identity, version, topic and the encoded state, minus the chain itself).
Verification recomputes every chain from the stored records alone, so it does not
depend on the code that wrote them, nor on upcasters added since.

Two schemes are in stores. The first hashed a canonical re-encoding of the state,
so verifying meant decoding and encoding every record again. The second (chains
written as ``2:<hex>``) hashes the stored bytes themselves with the chain's value
blanked: verifying is a byte search and a hash. Records of both verify.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Iterable, Iterator
from uuid import UUID

from eventsourcing.persistence import StoredEvent

GENESIS = ""
PAGE = 1000
SCHEME_2 = "2:"
_BLANK = (SCHEME_2 + "0" * 64).encode()
# The chain is the event's third attribute, after its timestamp and correlation id
# (shared.domain.ServiceAggregate.Event); inside a JSON string a quote is escaped, so
# the first unescaped occurrence of this key is it.
_KEY = b'"chain":"'


def _link(prev: str, originator_id: UUID, version: int, topic: str, state: dict) -> str:
    content = json.dumps(
        {"id": str(originator_id), "version": version, "topic": topic, "state": state},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(f"{prev}\n{content}".encode()).hexdigest()


def _link_2(prev: str, originator_id: UUID, version: int, topic: str, *blanked: bytes) -> str:
    """``blanked``: the stored state with the chain's value blanked, in pieces."""
    digest = hashlib.sha256(f"{prev}\n{originator_id.hex}\n{version}\n{topic}\n".encode())
    for piece in blanked:
        digest.update(piece)
    return SCHEME_2 + digest.hexdigest()


def _chain_in(state: bytes) -> tuple[int, int]:
    """Where the chain's value lies in a stored state: (start, end), or (-1, -1)."""
    at = state.find(_KEY)
    if at < 0:
        return -1, -1
    start = at + len(_KEY)
    return start, state.find(b'"', start)


def seal(events, aggregates, mapper) -> list[StoredEvent]:
    """Chain the pending events of a save, in order, to their streams' heads; the
    records to store. The store's own mapper gives the bytes it keeps (no compressor
    or cipher is set): each event is mapped once, and its chain written into them."""
    records = []
    for event in events:
        aggregate = aggregates.get(event.originator_id)
        prev = getattr(aggregate, "_chain", GENESIS) if aggregate is not None else GENESIS
        object.__setattr__(event, "chain", _BLANK.decode())  # events are frozen; this one is not stored yet
        stored = mapper.to_stored_event(event)
        head = _link_2(prev, event.originator_id, event.originator_version, stored.topic, stored.state)
        object.__setattr__(event, "chain", head)
        if aggregate is not None:
            aggregate._chain = head
        start, end = _chain_in(stored.state)
        records.append(StoredEvent(stored.originator_id, stored.originator_version, stored.topic,
                                   stored.state[:start] + head.encode() + stored.state[end:]))
    return records


@dataclass(frozen=True)
class Break:
    """The first link that does not hold, named so an auditor can find the record."""

    originator_id: UUID
    version: int
    notification_id: int
    reason: str

    def __str__(self) -> str:
        return f"stream {self.originator_id} version {self.version} (log position {self.notification_id}): {self.reason}"


def records(recorder, progress=None, until: int | None = None) -> Iterator:
    """Every stored record in log order (up to position ``until``, when given), a page
    at a time; ``progress(count)`` after each page."""
    position, read = 0, 0
    while True:
        page = recorder.select_notifications(start=position, limit=PAGE, stop=until, inclusive_of_start=False)
        yield from page
        read += len(page)
        if progress is not None:
            progress(read)
        if len(page) < PAGE:
            return
        position = page[-1].id


def verify(recorder, progress=None) -> Iterator[Break]:
    """Recompute every chain from the stored records; yield each broken link (the
    first one per stream). ``progress(count)`` is called as records are read."""
    breaks: list[Break] = []
    for _ in checked(records(recorder, progress), breaks):
        yield from breaks
        breaks.clear()
    yield from breaks


def checked(stored: Iterable, breaks: list[Break]) -> Iterator[tuple]:
    """The records, passed on as they are read with the chain each carries, each broken
    link (the first one per stream) appended to ``breaks``: so one pass over a log
    serves more than one check."""
    # Keyed by the id's integer: a UUID object hashes in Python, three times per record.
    heads: dict[int, tuple[int, str]] = {}
    broken: set[int] = set()
    for record in stored:
        state = record.state
        start, end = _chain_in(state)
        stored_chain = state[start:end].decode() if start >= 0 else ""
        yield record, stored_chain
        stream = record.originator_id.int
        if stream in broken:
            continue
        version, prev = heads.get(stream, (0, GENESIS))
        problem = None
        if record.originator_version != version + 1:
            problem = f"version {version + 1} is missing (found {record.originator_version} next)"
        else:
            if not stored_chain:
                problem = "the record carries no chain"
            elif _recomputed(prev, record, state, start, end, stored_chain) != stored_chain:
                problem = "its content or its place in the stream was changed"
        if problem:
            broken.add(stream)
            breaks.append(Break(record.originator_id, record.originator_version, record.id, problem))
        else:
            heads[stream] = (record.originator_version, stored_chain)


def _recomputed(prev: str, record, state: bytes, start: int, end: int, stored_chain: str) -> str:
    if stored_chain.startswith(SCHEME_2):
        whole = memoryview(state)  # hashed in place, not copied
        return _link_2(prev, record.originator_id, record.originator_version, record.topic,
                       whole[:start], _BLANK, whole[end:])
    content = json.loads(state)
    content.pop("chain")
    return _link(prev, record.originator_id, record.originator_version, record.topic, content)


def chain_of(state: bytes) -> str:
    """The chain a stored record carries ("" when none)."""
    state = bytes(state)
    start, end = _chain_in(state)
    return state[start:end].decode() if start >= 0 else ""


def heads(recorder) -> dict[str, list]:
    """Each stream's last version and chain: what a signed checkpoint records."""
    return {str(record.originator_id): [record.originator_version, chain_of(record.state)]
            for record in records(recorder)}
