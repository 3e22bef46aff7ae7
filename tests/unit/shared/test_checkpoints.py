"""Checkpoints (shared.checkpoints) on an in-memory store: what one says, when the
relay takes one, how it is kept (the log, the relay's file) and published, and what
the copies reveal when they disagree or do not hold. The campaign of changes to
real stores is tests/tamper."""
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared import checkpoints, keys
from shared.keys import SigningKey
from shared.outbox import Outbox
from tests.support import fakes


@pytest.fixture
def intake():
    return fakes.intake(clients=2)


@pytest.fixture
def taker(intake, tmp_path):
    return checkpoints.Checkpointer(intake, keys.signing_key(keys.events_key_name("intake")),
                                    tmp_path / "relay" / "checkpoints.jsonl", every_seconds=0)


def public():
    return keys.public_keys(keys.events_key_name("intake"))


def test_the_first_checkpoint_names_every_head_and_is_kept_in_the_log_and_the_file(intake, taker):
    first = taker.take()
    position, heads = intake.recorder.heads_at()
    assert (first["number"], first["previous"], first["service"]) == (1, "", "intake")
    assert first["position"] == position - 1  # its own event came after what it covers
    assert set(first["changed"]) == set(heads) - {str(checkpoints.CheckpointTaken.create_id(first))}
    assert first["streams"] == len(first["changed"]) and first["root"] == checkpoints.merkle_root(
        {s: tuple(h) for s, h in first["changed"].items()})
    assert checkpoints.signature_problem(first, public()) is None
    assert checkpoints.checkpoints_in_log(intake) == [first]
    assert checkpoints.read(taker.path) == ([first], [])
    # Published on intake's events stream as it was signed, for audit to keep.
    (published,) = [e for e in Outbox(intake).read(0, 100) if e["type"] == "be.jww.intake.checkpoint-taken.v1"]
    assert published["data"] == first


def test_the_next_one_names_only_what_changed_and_its_previous(intake, taker):
    first = taker.take()
    assert not taker.due()  # nothing new but the checkpoint's own event
    client = fakes.register(intake)
    assert taker.due()
    second = taker.take()
    assert second["previous"] == checkpoints.digest(first) and second["number"] == 2
    assert str(client) in second["changed"] and str(checkpoints.CheckpointTaken.create_id(first)) in second["changed"]
    assert checkpoints.chain_problems([first, second], public(), "the log") == []
    assert checkpoints.cross_check(checkpoints_records(intake), [first, second]) == []


def checkpoints_records(app):
    from shared import chain

    return chain.checked(chain.records(app.recorder), [])


def test_a_relay_that_starts_again_continues_from_the_log_and_repairs_its_file(intake, taker):
    first = taker.take()
    fakes.register(intake)
    again = checkpoints.Checkpointer(intake, taker.key, taker.path, every_seconds=0)
    assert again.last == first and again.due()
    taker.path.unlink()  # a crash after the log, before the file: the file catches up
    checkpoints.Checkpointer(intake, taker.key, taker.path, every_seconds=0)
    assert checkpoints.read(taker.path)[0] == [first]


def test_not_before_the_interval_has_passed(intake, tmp_path):
    slow = checkpoints.Checkpointer(intake, keys.signing_key(keys.events_key_name("intake")),
                                    tmp_path / "c.jsonl", every_seconds=3600)
    assert slow.maybe() is not None  # the first one at once
    fakes.register(intake)
    assert slow.maybe() is None


def test_a_checkpoint_signed_by_another_key_or_edited_does_not_hold(intake, taker):
    first = taker.take()
    forger = SigningKey("intake-events", Ed25519PrivateKey.generate())
    assert checkpoints.signature_problem(checkpoints.sign(checkpoints.body_of(first), forger), public()) == (
        "it is not signed by the relay's key")
    edited = {**first, "position": first["position"] + 1}
    assert checkpoints.signature_problem(edited, public()) == "its signature does not hold"


def test_copies_may_lag_only_in_the_order_they_are_written(intake, taker):
    first = taker.take()
    fakes.register(intake)
    second = taker.take()
    log, file, witness = [first, second], [first, second], [first]
    assert checkpoints.agreeing([("the log", log), ("the file", file), ("audit", witness)], public())[1] == []
    # A crash between the log and the file:
    assert checkpoints.agreeing([("the log", log), ("the file", [first]), ("audit", [])], public())[1] == []
    (problem,) = checkpoints.agreeing([("the log", log), ("the file", []), ("audit", [])], public())[1]
    assert problem == "the file: ends at checkpoint 0, but checkpoint 2 was taken"
    (problem,) = checkpoints.agreeing([("the log", [first]), ("the file", log), ("audit", log)], public())[1]
    assert problem.startswith("the log: ends at checkpoint 1")
    changed = {**second, "at": "2026-01-01T00:00:00+00:00"}
    assert "audit: checkpoint 2 differs from the other copies (its signature does not hold)" in checkpoints.agreeing(
        [("the log", log), ("audit", [first, changed])], public())[1]


def test_a_file_line_that_is_not_a_checkpoint_is_named(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"format": checkpoints.FORMAT, "number": 1}) + "\nnot json\n")
    found, problems = checkpoints.read(path)
    assert len(found) == 1 and problems == [f"line 2 of {path} is not a checkpoint"]


def test_the_merkle_root_depends_on_every_head():
    heads = {f"s{i}": (i, f"c{i}") for i in range(5)}
    root = checkpoints.merkle_root(heads)
    assert root == checkpoints.merkle_root(dict(reversed(heads.items())))  # not on their order
    for stream in heads:
        assert checkpoints.merkle_root({**heads, stream: (99, "other")}) != root
    assert checkpoints.merkle_root({k: v for k, v in heads.items() if k != "s4"}) != root


def test_a_checkpoint_stored_though_its_connection_died_is_not_taken_again_under_its_number(intake, taker):
    # PostgreSQL's connection killed during COMMIT: the checkpoint is stored, the relay
    # is told it failed. Taking the same number again from memory collided at every
    # try, and the relay published nothing more (the full fault campaign found it).
    save = intake.save

    def stored_then_lost(*aggregates):
        save(*aggregates)
        raise ConnectionError("server closed the connection unexpectedly")

    intake.save = stored_then_lost
    with pytest.raises(ConnectionError):
        taker.take()
    intake.save = save
    fakes.register(intake)
    taker.resume()  # what the relay does after a failure
    second = taker.take()
    assert [c["number"] for c in checkpoints.checkpoints_in_log(intake)] == [1, 2]
    assert second["previous"] == checkpoints.digest(checkpoints.checkpoints_in_log(intake)[0])
    assert [c["number"] for c in checkpoints.read(taker.path)[0]] == [1, 2]  # the file repaired on the way
