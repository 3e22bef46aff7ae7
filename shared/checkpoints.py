"""Checkpoints an outsider can trust (WAVE2 21): what a service's log held at a
position, signed by its relay, chained one to the next, witnessed by audit.

A checkpoint names the service, its number, the log position it covers, the
streams there are then and a Merkle root over every stream's head (version and
chain, ``shared.chain``), the heads that changed since the previous checkpoint, and
that checkpoint's digest. The relay signs it with its Ed25519 key (the one that
signs its events; a verifier needs only the public key) and takes one whenever new
events were written and ``every_seconds`` passed. It is kept three times: as a fact
in the service's own log (``CheckpointTaken``, published like any event, so audit
keeps it as an independent witness: services/audit/witness.py), and appended to the
relay's file (``[relay] checkpoint_path``).

``verify`` checks a store against them: the checkpoints' own chain and signatures,
the copies against each other, and, in one pass over the log, that each checkpoint's
changed heads are exactly what the log holds at its position. So an edit, an insertion,
a deletion inside a stream, at its tail or of a whole stream, a reordering, or a
store rolled back is named with the stream, the versions and the checkpoint that
witnessed them. A missing, shortened or unverifiable copy is a failure, never a pass.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from eventsourcing.domain import event
from eventsourcing.utils import get_topic

from shared import chain, jws
from shared.domain import ServiceAggregate

FORMAT = "jww-checkpoint/2"
EVERY_SECONDS = 5.0
_NAMESPACE = uuid.UUID("c2b7e6a4-1f3d-4e58-9a0b-7d6c5e4f3a21")


class CheckpointTaken(ServiceAggregate):
    """A checkpoint, as the relay signed it: a fact of the log it covers."""

    @staticmethod
    def create_id(checkpoint: dict) -> UUID:
        """One per number: a second relay taking the same number collides instead."""
        return uuid.uuid5(_NAMESPACE, f"{checkpoint['service']}:{checkpoint['number']}")

    @event("Taken")
    def __init__(self, checkpoint: dict):
        self.checkpoint = checkpoint


TAKEN_TOPIC = get_topic(CheckpointTaken.Taken)


# -- what a checkpoint says, and its signature -------------------------------------------------

def merkle_root(heads: dict[str, tuple[int, str]]) -> str:
    """The root of a Merkle tree over every stream's head, streams in order (RFC 6962
    style: leaves and nodes hashed apart, an odd node carried up)."""
    level = [hashlib.sha256(b"\x00" + f"{stream}:{version}:{head}".encode()).digest()
             for stream, (version, head) in sorted(heads.items())]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0].hex()


def canonical(value) -> bytes:
    """RFC 8785 canonical JSON of what a checkpoint holds (objects, arrays, strings of
    hex, digits and ASCII, integers): for these, sorted keys and no whitespace are the
    whole of it, and the standard library writes them far faster."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def body_of(checkpoint: dict) -> dict:
    return {k: v for k, v in checkpoint.items() if k != "signature"}


def digest(checkpoint: dict) -> str:
    """What the next checkpoint names as its previous one: the whole, signature included."""
    return hashlib.sha256(canonical(checkpoint)).hexdigest()


def _header(kid: str) -> str:
    return jws.header(b64=False, crit=["b64"], kid=kid)


def sign(body: dict, key, encode=canonical) -> dict:
    """``body`` with its detached JWS (``encode``: its canonical JSON; RFC 8785 itself
    for anything that may hold a float or an unusual key)."""
    header = _header(key.kid)
    signature = key.sign(header.encode() + b"." + encode(body))
    return {**body, "signature": f"{header}..{jws.b64url(signature)}"}


def signature_problem(checkpoint: dict, public_keys: dict, encode=canonical) -> str | None:
    """Why the checkpoint's (or signed document's) signature does not hold under the
    signer's public keys, or None."""
    try:
        header_text, header, payload, signature = jws.split(checkpoint.get("signature"))
    except jws.Malformed as error:
        return f"its signature is malformed ({error})"
    key = public_keys.get(header.get("kid"))
    if payload or key is None:
        return "it is not signed by the relay's key"
    try:
        key.verify(signature, header_text.encode() + b"." + encode(body_of(checkpoint)))
    except InvalidSignature:
        return "its signature does not hold"
    return None


def publication(service: str):
    """How ``service`` publishes its checkpoints: the signed checkpoint as it is."""
    from shared.contracts import CATALOGUE, event_type
    from shared.outbox import Publication

    schema = CATALOGUE[event_type(service, "checkpoint-taken", 1)]

    def publish(event) -> Publication:
        return Publication(type=event_type(service, "checkpoint-taken", 1), subject=service,
                           data=dict(event.checkpoint))

    publish.schema, publish.reads, publish.about_client, publish.stream = schema, ("checkpoint",), False, schema.stream
    return {CheckpointTaken.Taken: publish}


# -- taking them: the relay ----------------------------------------------------------------------

class LogDigest:
    """A running hash over the log's records in order (position, stream, version,
    chain): a checkpoint's ``log`` says exactly which records, in which order, lie
    between it and the previous one, so no record is moved, added or removed there
    unseen, even across streams."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, record, head: str) -> None:
        # The chain commits to the stream, the version and the content already.
        self._hash.update(f"{record.id}:{head}\n".encode())

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _since(recorder, after: int, until: int) -> tuple[set[str], str]:
    """The streams with an event in the log positions ``(after, until]``, and the
    digest of those records."""
    touched, position, log = set(), after, LogDigest()
    while position < until:
        page = recorder.select_notifications(start=position + 1, limit=chain.PAGE, stop=until)
        if not page:
            break
        for record in page:
            touched.add(str(record.originator_id))
            log.add(record, chain.chain_of(record.state))
        position = page[-1].id
    return touched, log.hexdigest()


def _in_log(app) -> list[tuple[int, dict]]:
    """Every checkpoint the service's log holds, with its own log position, in order."""
    found, position = [], 0
    while True:
        page = app.recorder.select_notifications(start=position + 1, limit=chain.PAGE, topics=[TAKEN_TOPIC])
        found += [(n.id, app.mapper.to_domain_event(n).checkpoint) for n in page]
        if len(page) < chain.PAGE:
            return found
        position = page[-1].id


def checkpoints_in_log(app) -> list[dict]:
    return [checkpoint for _, checkpoint in _in_log(app)]


def last_in_log(app) -> tuple[dict | None, int]:
    """The last checkpoint the service's log holds and its own log position."""
    in_log = _in_log(app)
    return (in_log[-1][1], in_log[-1][0]) if in_log else (None, 0)


class Checkpointer:
    """The relay's part: take a checkpoint when new events were written and
    ``every_seconds`` passed since the last one; keep it in the log and in the file."""

    def __init__(self, app, key, path: Path, every_seconds: float = EVERY_SECONDS):
        self.app, self.key, self.path, self.every_seconds = app, key, Path(path), every_seconds
        self._taken_at: float | None = None  # monotonic; the first one is due at once
        self.resume()

    def resume(self) -> None:
        """Continue from the last checkpoint the log holds (the log is the relay's own
        memory). At start, and after a failure: a save whose connection died at
        COMMIT may have been stored all the same, and taking its number again from
        memory would collide with it at every try."""
        in_log = _in_log(self.app)
        self.covered, self.last = in_log[-1] if in_log else (0, None)
        append_missing(self.path, [checkpoint for _, checkpoint in in_log])

    def due(self) -> bool:
        # Past the last checkpoint's own event: something else was written since.
        waited = self._taken_at is None or time.monotonic() - self._taken_at >= self.every_seconds
        return waited and self.app.head() > self.covered

    def take(self) -> dict:
        position, heads = self.app.recorder.heads_at()
        previous = self.last
        after = previous["position"] if previous else 0
        touched, log = _since(self.app.recorder, after, position)
        body = {
            "format": FORMAT, "service": self.app.service_name, "number": (previous["number"] + 1) if previous else 1,
            "position": position, "at": datetime.now(timezone.utc).isoformat(), "streams": len(heads),
            "root": merkle_root(heads),
            "changed": {stream: list(heads[stream]) for stream in sorted(touched) if stream in heads},
            "log": log,
            "previous": digest(previous) if previous else "",
        }
        checkpoint = sign(body, self.key)
        # The log first: if the process dies before the file, the next start appends it there.
        recordings = self.app.save(CheckpointTaken(checkpoint=checkpoint))
        append(self.path, checkpoint)
        self.last, self.covered = checkpoint, recordings[-1].notification.id if recordings else self.app.head()
        self._taken_at = time.monotonic()
        return checkpoint

    def maybe(self) -> dict | None:
        return self.take() if self.due() else None


# -- the relay's file ------------------------------------------------------------------------------

def append(path: Path, checkpoint: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as file:
        file.write(json.dumps(checkpoint, sort_keys=True) + "\n")
        file.flush()
        os.fsync(file.fileno())


def read(path: Path) -> tuple[list[dict], list[str]]:
    """The checkpoints in a file, and what is wrong with its lines."""
    if not path.exists():
        return [], []
    found, problems = [], []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            checkpoint = json.loads(line)
            if checkpoint.get("format") != FORMAT:
                raise ValueError("not a checkpoint of this format")
            found.append(checkpoint)
        except ValueError:
            problems.append(f"line {number} of {path} is not a checkpoint")
    return found, problems


def append_missing(path: Path, in_log: list[dict]) -> None:
    """Append the log's checkpoints the file lacks at its end (a crash between the two)."""
    have, _ = read(path)
    known = {c["number"] for c in have}
    for checkpoint in in_log:
        if checkpoint["number"] not in known and (not have or checkpoint["number"] > have[-1]["number"]):
            append(path, checkpoint)


# -- verifying -------------------------------------------------------------------------------------

def chain_problems(checkpoints: list[dict], public_keys: dict, where: str) -> list[str]:
    """What is wrong with a sequence of checkpoints on its own: numbering from 1,
    each naming its previous one, each signed by the relay."""
    problems, previous = [], None
    for index, checkpoint in enumerate(checkpoints, start=1):
        number = checkpoint.get("number")
        if number != index:
            problems.append(f"{where}: checkpoint {index} is missing (found {number} in its place)")
            return problems
        why = signature_problem(checkpoint, public_keys)
        if why:
            problems.append(f"{where}: checkpoint {number}: {why}")
        if checkpoint.get("previous") != (digest(previous) if previous else ""):
            problems.append(f"{where}: checkpoint {number} does not name checkpoint {number - 1} as its previous")
        previous = checkpoint
    return problems


def agreeing(copies: list[tuple[str, list[dict]]], public_keys: dict) -> tuple[list[dict], list[str]]:
    """The longest copy, and every way the others differ from it. ``copies`` come in the
    order they are written (the log, the relay's file, audit's witness): a later one
    may lag (the file by the one checkpoint a crash can cut between the two writes; the
    witness by what is still on its way), an earlier one may not."""
    problems = []
    longest = max((copy for _, copy in copies), key=len, default=[])
    for index, (where, copy) in enumerate(copies):
        for place, checkpoint in enumerate(copy):
            if copy is not longest and checkpoint != longest[place]:  # the same, place by place
                why = signature_problem(checkpoint, public_keys)
                problems.append(f"{where}: checkpoint {checkpoint.get('number', place + 1)} differs from the other "
                                f"copies" + (f" ({why})" if why else ""))
        later = max((len(c) for _, c in copies[index + 1:]), default=0)
        earlier = max((len(c) for _, c in copies[:index]), default=0)
        if len(copy) < later or (index == 1 and len(copy) < earlier - 1):
            problems.append(f"{where}: ends at checkpoint {len(copy)}, but checkpoint {max(later, earlier)} "
                            f"was taken")
    return longest, problems


def _span(first: int, last: int) -> str:
    return f"version {first}" if first == last else f"versions {first}–{last}"


def _compare(checkpoint: dict, heads: dict[int, tuple[int, str, int]], touched: set[int]) -> list[str]:
    """The checkpoint's changed heads against the log's, at its position (streams
    keyed by their UUID's integer, as the pass over the log keeps them)."""
    number, problems = checkpoint["number"], []
    expected = {int(stream.replace("-", ""), 16): tuple(head) for stream, head in checkpoint["changed"].items()}
    for stream, (version, head) in sorted(expected.items()):
        found, name = heads.get(stream), UUID(int=stream)
        if found is None:
            problems.append(f"stream {name}: {_span(1, version)} missing; witnessed at checkpoint {number}")
        elif found[0] < version:
            problems.append(f"stream {name}: {_span(found[0] + 1, version)} missing; witnessed at checkpoint {number}")
        elif stream not in touched or found[1] != head:
            problems.append(f"stream {name}: version {version} is not what checkpoint {number} witnessed")
    for stream in sorted(touched - expected.keys()):
        version, _, position = heads[stream]
        problems.append(f"stream {UUID(int=stream)}: version {version} at position {position} was not witnessed "
                        f"by checkpoint {number}")
    return problems


def cross_check(records: Iterable[tuple], checkpoints: list[dict]) -> list[str]:
    """One pass over the log in order (``records``: each record with its chain): at
    each checkpoint's position, the heads changed since the previous one must be
    exactly those it names, the records in between must give its log digest, and at
    the last one the Merkle root over every head must match."""
    problems: list[str] = []
    heads: dict[int, tuple[int, str, int]] = {}
    touched: set[int] = set()
    pending = iter(sorted(checkpoints, key=lambda c: c["position"]))
    current = next(pending, None)
    last = max(checkpoints, key=lambda c: c["position"], default=None)
    last_position, log = 0, LogDigest()

    def compare(checkpoint: dict, since: int) -> list[str]:
        found = _compare(checkpoint, heads, touched)
        if log.hexdigest() != checkpoint.get("log"):
            found.append(f"the log between positions {since} and {checkpoint['position']} is not what checkpoint "
                         f"{checkpoint['number']} witnessed (a record there was changed, moved, added or removed)")
        # Every head, once: at the last checkpoint (the others are reached by their changes).
        if checkpoint is last and not found and merkle_root(
                {str(UUID(int=s)): h[:2] for s, h in heads.items()}) != last["root"]:
            found.append(f"the heads at checkpoint {last['number']} do not give its Merkle root")
        return found

    since = 0
    for record, head in records:
        position = record.id
        while current is not None and position > current["position"]:
            problems += compare(current, since)
            since, touched, log, current = current["position"], set(), LogDigest(), next(pending, None)
        stream = record.originator_id.int
        heads[stream] = (record.originator_version, head, position)
        touched.add(stream)
        log.add(record, head)
        last_position = position
    while current is not None:
        if current["position"] > last_position:
            problems.append(f"the log ends at position {last_position}, but checkpoint {current['number']} "
                            f"witnessed position {current['position']}")
        problems += compare(current, since)
        since, touched, log, current = current["position"], set(), LogDigest(), next(pending, None)
    return problems


def verify_records(records: Iterable, copies: list[tuple[str, list[dict]]], public_keys: dict,
               until: int | None = None, witnessed_last: dict | None = None) -> list[str]:
    """Everything the checkpoints reveal about a log (empty when all hold), reading
    ``records`` (the log, in order, up to position ``until`` when given) once and to the
    end. ``copies``: (where it was read, its checkpoints), in the order they are written
    (``agreeing``). ``witnessed_last``: the number and digest of the last checkpoint audit
    witnessed, when that is all audit sent: the checkpoints chain one to the next, so a
    copy holding that one as witnessed holds every one before it as witnessed too."""
    longest, problems = agreeing(copies, public_keys)
    if witnessed_last is not None:
        held = next((c for c in longest if c.get("number") == witnessed_last["number"]), None)
        if held is None or digest(held) != witnessed_last["digest"]:
            problems.append(f"audit's witness: checkpoint {witnessed_last['number']} was witnessed, and no copy here "
                            f"holds it as witnessed (lost or rewritten)")
    # The others are the longest, place by place, or named above: its own chain is the one to check.
    if longest:
        problems += chain_problems(longest, public_keys, next(where for where, copy in copies if copy is longest))
    if until is not None:  # what was written after the verification began is not read
        longest = [c for c in longest if c["position"] <= until]
    if longest:
        return problems + cross_check(records, longest)
    read = 0
    for _ in records:  # read to the end all the same: other checks ride on this pass
        read += 1
    # Records (up to where a verification stops: what was written after it began, its own
    # request among them, is not its concern) that no checkpoint covers.
    if read:
        problems.append("no checkpoint covers this log: the relay has not signed one, or every copy is gone")
    return problems
