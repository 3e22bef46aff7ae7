"""The command line takes a command's options from its contract (jww/options.py)."""
import argparse

import pytest
from marshmallow import fields, validate

from jww.main import parser
from shared.contracts.base import CommandSchema
from jww.options import add_options, body_from

CLIENT = "00000000-0000-4000-8000-000000000000"


def test_record_intervention_sends_what_the_intervention_declaration_asks_for():
    args = parser().parse_args([
        "record-intervention", CLIENT, "--method", "listening_support", "--sub-kind", "listening_ear",
        "--domain", "housing", "--domain", "work", "--minutes", "30",
        "--interpreter", '{"language": "ar", "kind": "telephone"}'])
    body = body_from(args)
    assert body.pop("at").endswith("+00:00")  # now, when left out
    assert body == {"minutes": 30, "place": "office", "method": "listening_support", "sub_kind": "listening_ear",
                    "domains": ["housing", "work"], "interpreter": {"language": "ar", "kind": "telephone"}}


def test_a_value_outside_the_contract_is_a_usage_error(capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["record-intervention", CLIENT, "--method", "gardening", "--sub-kind", "x",
                             "--domain", "housing", "--minutes", "30"])
    assert "invalid choice: 'gardening'" in capsys.readouterr().err


class Visit(CommandSchema):
    client_id = fields.UUID(required=True)
    rooms = fields.List(fields.String(validate=validate.OneOf(["a", "b"])), required=True)
    starts = fields.Date(required=True, data_key="from")
    mood = fields.String()


def test_a_field_added_to_a_contract_is_an_option_at_once():
    cli = argparse.ArgumentParser()
    add_options(cli, Visit)
    args = cli.parse_args(["--room", "a", "--starts", "2026-01-01", "--mood", "calm"])
    assert body_from(args) == {"rooms": ["a"], "from": "2026-01-01", "mood": "calm"}
    with pytest.raises(SystemExit):
        cli.parse_args(["--room", "c", "--starts", "2026-01-01"])
