"""Signed checkpoints of every stream's head, on an in-memory store: taken, checked
clean, and what they reveal when heads are rewritten or a checkpoint is forged."""
import dataclasses
import json

import pytest

from shared import checkpoints, chain
from tests.support import fakes


@pytest.fixture
def intake():
    return fakes.intake(clients=2)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "witness" / "checkpoints.jsonl"


def test_a_checkpoint_lists_every_stream_head_and_is_appended(intake, path):
    taken = checkpoints.take(intake.recorder, path)
    streams = {str(n.originator_id) for n in intake.recorder.select_notifications(1, 1000)}
    assert set(taken["heads"]) == streams
    assert all(head[1].startswith(chain.SCHEME_2) for head in taken["heads"].values())
    assert taken["position"] == intake.head()
    checkpoints.take(intake.recorder, path)
    first, _ = path.read_text().splitlines()  # appended, not replaced
    assert json.loads(first) == taken


def test_an_untouched_store_checks_clean_even_after_new_events(intake, path):
    client = fakes.register(intake)
    checkpoints.take(intake.recorder, path)
    fakes.change_languages(intake, client)  # a newer head: the signed one is still there
    assert checkpoints.check(intake.recorder, path) == []


def test_no_checkpoint_yet_is_nothing_to_report(intake, path):
    assert checkpoints.check(intake.recorder, path) == []


def rewrite_newest_record(app) -> tuple[str, int]:
    """Recompute a record's chain, as someone who rewrote the store would."""
    records = app.recorder._stored_events  # eventsourcing's in-memory store
    record = records[-1]
    forged = chain.SCHEME_2 + "f" * 64
    records[-1] = dataclasses.replace(record, state=record.state.replace(chain.chain_of(record.state).encode(),
                                                                         forged.encode()))
    return str(record.originator_id), record.originator_version


def test_a_rewritten_head_is_found(intake, path):
    checkpoints.take(intake.recorder, path)
    stream, version = rewrite_newest_record(intake)
    (problem,) = checkpoints.check(intake.recorder, path)
    assert problem.startswith("checkpoint 1 (")
    assert f"stream {stream} version {version} is no longer what was signed" in problem


def test_a_checkpoint_edited_to_match_is_found_forged(intake, path):
    checkpoints.take(intake.recorder, path)
    stream, version = rewrite_newest_record(intake)
    signed = json.loads(path.read_text())
    signed["heads"][stream] = [version, chain.chain_of(intake.recorder._stored_events[-1].state)]
    path.write_text(json.dumps(signed) + "\n")
    (problem,) = checkpoints.check(intake.recorder, path)
    assert problem.endswith("its signature does not hold")


def test_a_checkpoint_signed_with_another_key_is_found_forged(intake, path, monkeypatch):
    monkeypatch.setenv("JWW_CHECKPOINT_KEY", "the forger's key")
    checkpoints.take(intake.recorder, path)
    monkeypatch.setenv("JWW_CHECKPOINT_KEY", "the relay's key")
    checkpoints.take(intake.recorder, path)
    (problem,) = checkpoints.check(intake.recorder, path)
    assert problem.startswith("checkpoint 1 (") and problem.endswith("its signature does not hold")
