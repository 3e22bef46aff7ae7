"""A person's language for the pages, kept with their account (issue 19 part 1): chosen
once while signed in, it comes back with every later sign-in, on any browser. In
memory, on a clock the test moves."""
import pytest

from services.accounts.domain import Account
from shared.contracts import accounts as contracts
from shared.contracts import validate_command
from shared.errors import InvalidInput, NotFound
from tests.support.accounts import totp
from tests.support.declarations import event_fields

JURIST = {"user_id": "sab-jur-1", "role": "jurist", "agency": "sab"}


def sign_in(accounts, username):
    return accounts.sign_in(username, f"sample-{username}", "198.51.100.7", totp(username, accounts.clock()))


def test_the_language_chosen_comes_back_with_the_next_sign_in_and_the_refresh(world):
    _, accounts, _ = world
    first = sign_in(accounts, "sab-jur-1")
    assert first["outcome"] == "signed_in" and first["language"] is None  # never chose: the browser's
    assert accounts.choose_language(JURIST, "fr") == {"username": "sab-jur-1", "language": "fr"}
    again = sign_in(accounts, "sab-jur-1")
    assert again["language"] == "fr"
    assert accounts.refresh(again["refresh_token"])["language"] == "fr"
    accounts.choose_language(JURIST, "nl")
    assert sign_in(accounts, "sab-jur-1")["language"] == "nl"
    for answer in (first, again):
        assert contracts.SignInAnswer().load(answer) == answer


def test_choosing_the_same_language_again_records_nothing(world):
    _, accounts, _ = world
    accounts.choose_language(JURIST, "fr")
    account = accounts.repository.get(Account.create_id("sab-jur-1"))
    accounts.choose_language(JURIST, "fr")
    assert accounts.repository.get(Account.create_id("sab-jur-1")).version == account.version


def test_a_language_the_pages_do_not_speak_is_refused_and_an_unknown_account_is_not_found(world):
    _, accounts, _ = world
    with pytest.raises(InvalidInput) as refused:
        validate_command(contracts.ChooseLanguage, {"actor": JURIST, "language": "de"})
    assert "language" in refused.value.details
    with pytest.raises(NotFound):
        accounts.choose_language({"user_id": "nobody", "role": "jurist", "agency": "sab"}, "fr")


def test_a_refused_sign_in_says_no_language(world):
    _, accounts, _ = world
    accounts.choose_language(JURIST, "fr")
    refused = accounts.sign_in("sab-jur-1", "wrong", "198.51.100.7", "")
    assert refused["outcome"] == "refused" and "language" not in refused  # nothing about whom it was


def test_the_language_event_fits_its_declaration():
    assert event_fields(Account.LanguageChosen) == set(contracts.LanguageChosen._declared_fields)
