"""Hash chains over every stream, so that a changed, removed or reordered record
is detectable (DESIGN §3).

Each stored event carries ``chain``: the SHA-256 of its predecessor's chain (empty
for the first event of a stream) and of its own canonical content, which is what
the store keeps for it (identity, version, topic and the encoded state, minus the
chain itself). Verification recomputes every chain from the stored records alone,
so it does not depend on the code that wrote them, nor on upcasters added since.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Iterator
from uuid import UUID

from eventsourcing.utils import get_topic

GENESIS = ""
PAGE = 1000


def _link(prev: str, originator_id: UUID, version: int, topic: str, state: dict) -> str:
    content = json.dumps(
        {"id": str(originator_id), "version": version, "topic": topic, "state": state},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(f"{prev}\n{content}".encode()).hexdigest()


def _encoded_state(transcoder, event) -> dict:
    """The event's state as the store keeps it, without its chain (see Mapper.to_stored_event)."""
    state = {k: v for k, v in vars(event).items() if k not in ("originator_id", "originator_version", "chain")}
    class_version = getattr(type(event), "class_version", 1)
    if class_version > 1:
        state["class_version"] = class_version
    return json.loads(transcoder.encode(state))


def seal(events, aggregates, transcoder) -> None:
    """Chain the pending events of a save, in order, to their streams' heads."""
    for event in events:
        aggregate = aggregates.get(event.originator_id)
        prev = getattr(aggregate, "_chain", GENESIS) if aggregate is not None else GENESIS
        head = _link(prev, event.originator_id, event.originator_version, get_topic(type(event)),
                     _encoded_state(transcoder, event))
        object.__setattr__(event, "chain", head)  # events are frozen; this one is not stored yet
        if aggregate is not None:
            aggregate._chain = head


@dataclass(frozen=True)
class Break:
    """The first link that does not hold, named so an auditor can find the record."""

    originator_id: UUID
    version: int
    notification_id: int
    reason: str

    def __str__(self) -> str:
        return f"stream {self.originator_id} version {self.version} (log position {self.notification_id}): {self.reason}"


def records(recorder, progress=None) -> Iterator:
    """Every stored record in log order, a page at a time; ``progress(count)`` after each page."""
    position, read = 0, 0
    while True:
        page = recorder.select_notifications(start=position, limit=PAGE, inclusive_of_start=False)
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
    heads: dict[UUID, tuple[int, str]] = {}
    broken: set[UUID] = set()
    for record in records(recorder, progress):
        if record.originator_id in broken:
            continue
        version, prev = heads.get(record.originator_id, (0, GENESIS))
        problem = None
        if record.originator_version != version + 1:
            problem = f"version {version + 1} is missing (found {record.originator_version} next)"
        else:
            state = json.loads(record.state)
            stored_chain = state.pop("chain", None)
            if not stored_chain:
                problem = "the record carries no chain"
            elif _link(prev, record.originator_id, record.originator_version, record.topic, state) != stored_chain:
                problem = "its content or its place in the stream was changed"
        if problem:
            broken.add(record.originator_id)
            yield Break(record.originator_id, record.originator_version, record.id, problem)
        else:
            heads[record.originator_id] = (record.originator_version, stored_chain)


def heads(recorder) -> dict[str, list]:
    """Each stream's last version and chain: what a signed checkpoint records."""
    return {
        str(record.originator_id): [record.originator_version, json.loads(record.state).get("chain", "")]
        for record in records(recorder)
    }
