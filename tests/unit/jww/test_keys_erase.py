"""``jww keys erase``: a service carries out the erasures a copy of intake's tombstones
records, through its own erasure path (after a key store was restored from a backup)."""
import uuid

from jww.main import main
from services.guidance.application import GuidanceApplication
from shared import config
from shared.datakeys import KeysMade


def a_client_with_a_key(app) -> uuid.UUID:
    client_id, made = uuid.uuid4(), KeysMade()
    app.data_keys.for_sealing(client_id, client_id, "case_file", made)
    app._store_keys(made)
    return client_id


def test_the_tombstones_of_intake_are_carried_out_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JWW_STORE_SQLITE_PATH", str(tmp_path / "guidance.sqlite"))
    app = GuidanceApplication(store=config.load("guidance").store)
    erased, kept = a_client_with_a_key(app), a_client_with_a_key(app)
    app.close()
    tombstones = tmp_path / "tombstones.tsv"
    tombstones.write_text(f"{erased}\tcase_file\tk9\t2026-11-30T10:00:00+00:00\terasure-7\n"
                          f"{erased}\tcase_notes\t\\N\t2026-11-30T10:00:00+00:00\terasure-7\n")

    assert main(["keys", "erase", "guidance", str(tombstones)]) == 0
    assert "1 erasure(s) read, 1 carried out now" in capsys.readouterr().out
    assert main(["keys", "erase", "guidance", str(tombstones)]) == 0  # again: nothing more happens
    assert "1 erasure(s) read, 0 carried out now" in capsys.readouterr().out

    reopened = GuidanceApplication(store=config.load("guidance").store)
    assert reopened.data_keys.forgotten(erased) and reopened.data_keys.key(erased, "case_file") is None
    assert [t["decision"] for t in reopened.data_keys.tombstones(erased)] == ["erasure-7", "erasure-7"]
    assert reopened.data_keys.key(kept, "case_file") is not None


def test_a_file_that_is_not_tombstones_erases_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JWW_STORE_SQLITE_PATH", str(tmp_path / "guidance.sqlite"))
    junk = tmp_path / "junk.tsv"
    junk.write_text("client_id,retention\n")
    assert main(["keys", "erase", "guidance", str(junk)]) == 2
    assert "line 1" in capsys.readouterr().out
    assert not (tmp_path / "guidance.sqlite").exists()
