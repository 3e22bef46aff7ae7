"""Personal fields at rest (shared.sealing, shared.datakeys), on SQLite stores: sealed
under the client's data keys, chained as stored, unreadable once the keys are
shredded while every chain still verifies."""
import datetime as dt
import json
import sqlite3
import uuid

import pytest
from eventsourcing.persistence import IntegrityError

from services.intake.application import IntakeApplication
from shared import chain, datakeys
from shared.config import StoreSettings
from shared.keys import KeyMissing
from shared.sealing import SEALED_KEY, link_owner
from tests.support.samples import COORDINATOR, WORKER, registration_args

MARKERS = {"given_names": "Zq7given", "family_name": "Zq7family"}
NATIONAL_NUMBER = "85.07.30-033.28"


def sqlite_store(path) -> StoreSettings:
    return StoreSettings(kind="sqlite", sqlite_path=path, postgres_dbname="", postgres_host="", postgres_port=0,
                         postgres_user="", postgres_schema="")


@pytest.fixture
def intake(tmp_path):
    return IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))


def register(app) -> uuid.UUID:
    client_id = app.register_client(WORKER, **registration_args(
        given_names=MARKERS["given_names"], family_name=MARKERS["family_name"], national_number=NATIONAL_NUMBER,
        contact={"phone": "+32 470 11 22 33", "email": "zq7@example.org"}))
    app.receive_help_request(WORKER, client_id, "lawyer", ["housing"], "Zq7question about a home", "normal")
    app.decline(COORDINATOR, client_id, "client_withdrew", "Zq7note on why")
    return client_id


def on_disk(tmp_path) -> bytes:
    return b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())


def test_personal_fields_are_sealed_on_disk_and_open_again_when_loaded(intake, tmp_path):
    client_id = register(intake)
    disk = on_disk(tmp_path)
    for marker in (*MARKERS.values(), "85073003328", "zq7@example.org", "Zq7question", "Zq7note"):
        assert marker.encode() not in disk, marker
    client = intake.repository.get(client_id)
    assert (client.given_names, client.family_name, client.contact["email"]) == (
        MARKERS["given_names"], MARKERS["family_name"], "zq7@example.org")
    assert client.help_requests[0]["question"] == "Zq7question about a home"
    assert list(chain.verify(intake.recorder)) == []


def test_the_data_keys_live_apart_from_the_events_and_only_wrapped(intake, tmp_path):
    client_id = register(intake)
    keys_file = tmp_path / "intake-keys.sqlite"
    assert keys_file.exists()
    assert b"data_keys" not in (tmp_path / "intake.sqlite").read_bytes()
    raw = intake.data_keys.key(client_id, "case_file")
    assert raw is not None and raw not in keys_file.read_bytes()


def test_shredded_keys_leave_every_chain_whole_and_the_fields_unreadable(intake, tmp_path):
    erased, kept = register(intake), register_another(intake)
    shredded = intake.data_keys.shred(erased, ["case_file", "case_notes", "access_log"], "erasure 2026/1")
    assert sorted(shredded) == ["access_log", "case_file", "case_notes"]
    assert intake.data_keys.shred(erased, ["case_file"], "again") == []  # nothing more happens
    reopened = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    gone = reopened.repository.get(erased)
    assert (gone.given_names, gone.family_name, gone.national_number) == (None, None, None)
    assert reopened.repository.get(kept).family_name == "Otherperson"
    assert list(chain.verify(reopened.recorder)) == []
    assert [t["retention"] for t in reopened.data_keys.tombstones(erased)] == ["access_log", "case_file",
                                                                              "case_notes"]


def register_another(app) -> uuid.UUID:
    return app.register_client(WORKER, **registration_args(family_name="Otherperson",
                                                           national_number="90.01.01-001.23",
                                                           birth_date=dt.date(1990, 1, 1)))


def test_a_moved_sealed_value_does_not_open(intake):
    client_id = register(intake)
    sealer = intake.mapper.sealer
    (stored,) = intake.recorder.select_events(client_id, limit=1)
    sealed = json.loads(stored.state)[SEALED_KEY]
    assert sealer.open(client_id, client_id, 1, sealed)["family_name"] == MARKERS["family_name"]
    with pytest.raises(ValueError):  # the same values, said to be another record's
        sealer.open(client_id, uuid.uuid4(), 1, sealed)
    with pytest.raises(ValueError):  # or another version of this one
        sealer.open(client_id, client_id, 2, sealed)


def test_the_key_encryption_key_rotates_by_rewrapping_only(intake, tmp_path, monkeypatch):
    client_id = register(intake)
    before = intake.data_keys.key(client_id, "case_file")
    new = tmp_path / "new.kek"
    datakeys.ensure_development_keks(["new"], tmp_path)
    (tmp_path / "new-data.kek").rename(new)
    store = datakeys.sqlite_store(tmp_path / "intake-keys.sqlite")
    old = datakeys.load_keks("intake")
    rotated = datakeys.DataKeys(store, [datakeys._read_kek(new, "new"), *old])
    assert rotated.rewrap() >= 1
    only_new = datakeys.DataKeys(store, [datakeys._read_kek(new, "new")])
    only_new.ledger = intake.data_keys.ledger  # which key is the client's: in the event store
    assert only_new.key(client_id, "case_file") == before


def test_a_missing_key_encryption_key_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("JWW_DATA_KEK_FILE", str(tmp_path / "nowhere.kek"))
    with pytest.raises(KeyMissing, match="JWW_DATA_KEK_FILE"):
        IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))


def claim_of(app, national_number: str):
    from services.intake.domain.claim import NationalNumberClaim

    digits = "".join(c for c in national_number if c.isdigit())
    return app.repository.get(NationalNumberClaim.create_id(NationalNumberClaim.digest(digits,
                                                                                      app.national_number_key)))


def test_keys_are_made_ahead_and_assigned_in_the_transaction_of_the_facts_they_seal(intake, tmp_path):
    clients = [register(intake), register_another(intake)]
    keys = sqlite3.connect(tmp_path / "intake-keys.sqlite")
    events = sqlite3.connect(tmp_path / "intake.sqlite")
    made = {key_id for key_id, in keys.execute("SELECT key_id FROM wrapped_keys")}
    assigned = dict(events.execute("SELECT name, key_id FROM client_keys"))
    assert len(made) == datakeys.MADE_AHEAD  # one commit to the key store, for both clients
    assert set(assigned.values()) <= made
    assert {name.split("/")[1] for name in assigned} >= {"case_file"}
    # Each client's own keys, and the link of each number's claim, named under its client.
    assert {uuid.UUID(client) for client, in events.execute("SELECT DISTINCT client_id FROM client_keys")} == set(
        clients)
    intake.close()
    left = {key_id for key_id, in keys.execute("SELECT key_id FROM wrapped_keys")}
    assert left == set(assigned.values())  # the keys made ahead and not used are given back


def test_a_save_that_fails_assigns_no_key(intake, tmp_path):
    client_id = register(intake)
    (stored,) = intake.recorder.select_events(client_id, limit=1)
    stranger = str(uuid.uuid4())
    with pytest.raises(IntegrityError):  # the same record again: nothing of this save is stored
        intake.recorder.insert_events([stored], client_keys=[(stranger, f"{stranger}/case_file", "k1")])
    assert intake.recorder.client_keys(uuid.UUID(stranger)) == {}
    assert intake.repository.get(client_id).family_name == MARKERS["family_name"]


def test_erasing_a_client_shreds_the_link_of_its_number_too(intake, tmp_path):
    client_id = register(intake)
    assert claim_of(intake, NATIONAL_NUMBER).client_id == client_id
    intake.data_keys.shred(client_id, ["case_file", "case_notes", "access_log"], "erasure 2026/2")
    reopened = IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
    assert claim_of(reopened, NATIONAL_NUMBER).client_id is None  # the number leads nowhere now
    # Nor does the id of the key that sealed the link: no store names it with the client any more.
    claim = claim_of(reopened, NATIONAL_NUMBER)
    (claimed,) = reopened.recorder.select_events(claim.id, limit=1)
    ((_, link_key),) = json.loads(claimed.state)[SEALED_KEY].values()
    assert link_key and reopened.recorder.client_keys(client_id) == {}
    assert link_key.encode() not in (tmp_path / "intake-keys.sqlite").read_bytes()
    # Nor is a key made afresh for a new link of the erased client: nothing of them is stored.
    made = datakeys.KeysMade()
    new_link = link_owner(uuid.uuid4(), client_id)
    assert reopened.data_keys.for_sealing(client_id, new_link, "case_file", made) == ("", None)
    assert made.rows() == []


def test_a_key_store_of_the_earlier_development_version_is_refused_with_what_to_do(tmp_path):
    with sqlite3.connect(tmp_path / "intake-keys.sqlite") as earlier:
        earlier.execute("CREATE TABLE data_keys (client_id TEXT, retention TEXT)")
    with pytest.raises(KeyMissing, match="make clean"):
        IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))


def test_an_erasure_cut_short_between_the_two_stores_completes_when_asked_again(intake):
    client_id = register(intake)
    forget = intake.data_keys.forget

    def crash(*args):
        raise OSError("the process stopped here")

    intake.data_keys.forget = crash
    with pytest.raises(OSError):
        intake.data_keys.shred(client_id, ["case_file", "case_notes", "access_log"], "erasure 2026/3")
    assert intake.data_keys.erased(client_id) and not intake.data_keys.forgotten(client_id)
    intake.data_keys.forget = forget
    assert intake.data_keys.shred(client_id, ["case_file", "case_notes", "access_log"], "erasure 2026/3") == []
    assert intake.data_keys.forgotten(client_id)
