import argparse
import stat

from jww import api_client, api_commands


def test_the_token_file_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("JWW_TOKEN_FILE", str(tmp_path / "jww" / "token.json"))
    api_client.save_login({"url": "http://api", "token": "t"})
    assert stat.S_IMODE((tmp_path / "jww" / "token.json").stat().st_mode) == 0o600
    assert api_client.saved_login() == {"url": "http://api", "token": "t"}


def test_a_refusal_is_told_with_its_fields_and_how_to_sign_in_again(monkeypatch, capsys):
    def refused(args):
        raise api_client.ApiError(401, {"title": "Unauthorized", "detail": "the token has expired",
                                        "errors": {"token": ["expired"]}})

    assert api_commands.run(argparse.Namespace(api_command=refused)) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == ["jww: 401 Unauthorized: the token has expired", "  token: expired",
                                "  sign in (again) with: jww login USERNAME"]


def test_a_body_that_is_not_json_is_a_usage_error_and_sends_nothing(monkeypatch, capsys):
    sent = []
    monkeypatch.setattr(api_commands, "call", lambda *args, **kwargs: sent.append(args))
    args = argparse.Namespace(api_command=api_commands.api, method="POST", path="/clients", data="{not json",
                              if_match=None, include=False)
    assert api_commands.run(args) == 2
    assert capsys.readouterr().err.startswith("jww: Expecting property name")
    assert sent == []
