"""Personal fields at rest on PostgreSQL: sealed in the events database, the data keys
only wrapped and in a database of their own; shredded, every chain still holds."""
import uuid

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from services.intake.application import IntakeApplication
from shared import chain
from shared.config import StoreSettings
from shared.contracts.declare import RETENTION_CLASSES
from tests.support.samples import COORDINATOR, WORKER, registration_args

PG = dict(host="127.0.0.1", port=5432, user="postgres")
MARKERS = ("Zq7given", "Zq7family", "Zq7question", "Zq7note")


def store(prefix: str) -> StoreSettings:
    return StoreSettings(kind="postgres", sqlite_path=None, postgres_dbname=f"{prefix}_intake", postgres_host="127.0.0.1",
                         postgres_port=5432, postgres_user="postgres", postgres_schema="public")


def every_byte(dbname: str) -> bytes:
    """Every row of every table of the database, as text."""
    with psycopg.connect(dbname=dbname, **PG) as db:
        tables = [r[0] for r in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
        return b"".join(str(db.execute(f'SELECT * FROM "{table}"').fetchall()).encode() for table in tables)


def test_personal_fields_are_sealed_on_postgres_and_the_keys_kept_apart(pg_prefix):
    intake = IntakeApplication(store=store(pg_prefix))
    client_id = intake.register_client(WORKER, **registration_args(given_names=MARKERS[0], family_name=MARKERS[1]))
    intake.receive_help_request(WORKER, client_id, "lawyer", ["housing"], MARKERS[2], "normal")
    intake.decline(COORDINATOR, client_id, "client_withdrew", MARKERS[3])

    events, keys = every_byte(f"{pg_prefix}_intake"), every_byte(f"{pg_prefix}_intake_keys")
    for marker in MARKERS:
        assert marker.encode() not in events + keys
    assert keys and b"data_keys" not in events  # the key store is a database of its own, not empty
    assert IntakeApplication(store=store(pg_prefix)).repository.get(client_id).family_name == MARKERS[1]

    intake.data_keys.shred(client_id, list(RETENTION_CLASSES), "erasure 2026/1")
    reopened = IntakeApplication(store=store(pg_prefix))
    assert reopened.repository.get(client_id).family_name is None
    assert list(chain.verify(reopened.recorder)) == []


def test_a_key_is_assigned_on_postgres_only_with_the_facts_it_seals(pg_prefix):
    intake = IntakeApplication(store=store(pg_prefix))
    client_id = intake.register_client(WORKER, **registration_args())
    assigned = intake.recorder.client_keys(client_id)
    assert any(name.endswith("/case_file") for name in assigned)
    (stored,) = intake.recorder.select_events(client_id, limit=1)
    stranger = uuid.uuid4()
    with pytest.raises(IntegrityError):  # the same record again: nothing of this save is stored
        intake.recorder.insert_events([stored], client_keys=[(str(stranger), f"{stranger}/case_file", "k1")])
    assert intake.recorder.client_keys(stranger) == {}
    reopened = IntakeApplication(store=store(pg_prefix))
    assert reopened.recorder.client_keys(client_id) == assigned
    assert reopened.repository.get(client_id).family_name == registration_args()["family_name"]
