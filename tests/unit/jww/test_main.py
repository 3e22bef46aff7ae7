import argparse
import json

import pytest

from jww import audit, lookup
from jww.main import main, parser
from services.intake.application import IntakeApplication
from shared import config


def test_every_command_says_what_carries_it_out():
    choices = parser()._subparsers._group_actions[0].choices
    assert {"run", "serve", "relay", "verify", "catalogue", "timeline", "export", "login", "api"} <= set(choices)
    for name, sub in choices.items():
        assert callable(sub.get_default("run")), name


def test_a_relay_is_only_for_a_service_with_a_store(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["relay", config.GATEWAY])
    assert exit.value.code == 2
    assert "invalid choice: 'gateway'" in capsys.readouterr().err


def test_the_catalogue_is_printed_as_asyncapi(capsys):
    assert main(["catalogue"]) == 0
    assert "asyncapi" in json.loads(capsys.readouterr().out)


def test_a_service_s_classes_are_found_by_its_name():
    assert lookup.application_class("intake") is IntakeApplication
    assert lookup.service_class("intake").name == "intake"


def test_an_instant_without_an_offset_is_brussels_time_and_nonsense_is_refused():
    assert audit.instant("2026-11-29") == "2026-11-29T00:00:00+01:00"
    assert audit.instant("2026-07-01T14:30") == "2026-07-01T14:30:00+02:00"
    assert audit.instant("2026-07-01T14:30+00:00") == "2026-07-01T14:30:00+00:00"
    with pytest.raises(argparse.ArgumentTypeError, match="'yesterday' is not a date or instant"):
        audit.instant("yesterday")


def test_a_service_without_its_key_encryption_key_stops_in_one_sentence(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JWW_DATA_KEK_FILE", str(tmp_path / "missing.kek"))
    assert main(["serve", "intake"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "JWW_DATA_KEK_FILE" in err and "Traceback" not in err


def test_a_service_process_is_green_before_any_library_takes_a_blocking_sleep():
    """`jww serve` patches eventlet before jww.main imports anything: kombu's
    reconnect loop took ``time.sleep`` at import, and a blocking one there stalled
    every follower of a service at once after a broker restart (issue 18's campaign)."""
    import subprocess
    import sys

    probe = ("import sys; sys.argv = ['jww', 'serve', 'audit']; import jww.main; "
             "import kombu.utils.functional as f; print(f.sleep.__module__)")
    run = subprocess.run([sys.executable, "-W", "ignore", "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().startswith("eventlet"), run.stdout
