"""Personal fields at rest (shared.sealing, shared.datakeys), on SQLite stores: sealed
under the client's data keys, chained as stored, unreadable once the keys are
shredded while every chain still verifies."""
import datetime as dt
import uuid

import pytest

from services.intake.application import IntakeApplication
from shared import chain, datakeys
from shared.config import StoreSettings
from shared.keys import KeyMissing
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
    sealed = sealer.sealed(client_id, client_id, "family_name", "case_file", "Zq7family")
    assert sealer.open(client_id, client_id, "family_name", sealed) == "Zq7family"
    with pytest.raises(ValueError):
        sealer.open(client_id, client_id, "given_names", sealed)


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
    assert only_new.key(client_id, "case_file") == before


def test_a_missing_key_encryption_key_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("JWW_DATA_KEK_FILE", str(tmp_path / "nowhere.kek"))
    with pytest.raises(KeyMissing, match="JWW_DATA_KEK_FILE"):
        IntakeApplication(store=sqlite_store(tmp_path / "intake.sqlite"))
