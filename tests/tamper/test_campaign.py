"""The tamper campaign (issue 15, WAVE2 24): each change an intruder with write access
could make to a range a witnessed checkpoint covers, on a fresh copy of a realistic
store, on SQLite and on PostgreSQL; ``verify`` finds every one and names where, and
passes every untouched copy. ``make test`` runs a sample (JWW_TAMPERS per store kind,
25 by default); ``make tamper`` runs 1,000 per store kind."""
import os
import uuid

import pytest

from services.guidance.application import GuidanceApplication
from shared import evidence
from tests.tamper import changes, world

TAMPERS = int(os.environ.get("JWW_TAMPERS", "25"))
# Every kind of change is drawn at least once in the sample (seed modulo the kinds).
assert TAMPERS >= len(changes.CHANGES)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def original(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"tamper-{request.param}")
    if request.param == "sqlite":
        store = world.sqlite_store(folder / "guidance.sqlite")
    else:
        store = world.postgres_store(f"jwwtamper_{uuid.uuid4().hex[:8]}")
    built = world.build(store, folder / "checkpoints.jsonl")
    yield built
    world.drop(built)


def verified(copy: world.World) -> list[str]:
    app = GuidanceApplication(store=copy.store)
    try:
        return evidence.verify(app, copy.checkpoint_path, copy.witnessed)
    finally:
        app.close()


def test_an_untouched_copy_verifies(original, tmp_path):
    copy = world.copy_of(original, tmp_path, "untouched")
    try:
        assert verified(copy) == []
    finally:
        world.drop(copy)


@pytest.mark.parametrize("seed", range(TAMPERS))
def test_every_change_to_a_covered_range_is_found_and_named(original, seed, tmp_path):
    copy = world.copy_of(original, tmp_path, f"t{seed}")
    try:
        did, named = changes.apply(copy, seed)
        found = verified(copy)
        assert any(named in problem for problem in found), f"{did}: found {found}"
    finally:
        world.drop(copy)
