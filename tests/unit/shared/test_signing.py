"""Signed integration events (shared/signing.py, shared/keys.py), checked by our
verifier and by a stock JOSE library with nothing but the JWKS document."""
import warnings

import pytest
from joserfc import jws
from joserfc.jwk import OKPKey

from shared import keys, signing

EVENT = {"specversion": "1.0", "id": "e-1", "source": "/jww/intake", "type": "be.jww.intake.consent-given.v1",
         "subject": "c-1", "time": "2026-11-30T10:00:00+00:00", "data": {"purpose": "referral", "scope": ["identity"]},
         "jwwposition": 7, "jwwprevposition": 5}


@pytest.fixture(autouse=True)
def key_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("JWW_KEYS_DIR", str(tmp_path / "keys"))
    assert keys.ensure_development_keys(["intake-events", "guidance-events"]) == ["intake-events", "guidance-events"]
    assert keys.ensure_development_keys(["intake-events"]) == []  # made once
    return tmp_path / "keys"


def signed(event=EVENT, name="intake-events"):
    return signing.sign(event, keys.signing_key(name))


def test_a_signed_event_verifies_with_its_publisher_s_keys_only():
    event = signed()
    assert signing.verify(event, keys.public_keys("intake-events")) == keys.signing_key("intake-events").kid
    with pytest.raises(signing.BadSignature, match="unknown key"):
        signing.verify(event, keys.public_keys("guidance-events"))


@pytest.mark.parametrize("change", [
    {"data": {"purpose": "referral", "scope": ["identity", "contact"]}},
    {"jwwposition": 8}, {"subject": "c-2"}, {"type": "be.jww.intake.consent-withdrawn.v1"}, {"source": "/jww/x"},
])
def test_a_changed_attribute_breaks_the_signature(change):
    with pytest.raises(signing.BadSignature, match="does not hold"):
        signing.verify({**signed(), **change}, keys.public_keys("intake-events"))


def test_an_unsigned_or_mangled_signature_is_named():
    with pytest.raises(signing.BadSignature, match="unsigned"):
        signing.verify(EVENT, keys.public_keys("intake-events"))
    with pytest.raises(signing.BadSignature, match="malformed"):
        signing.verify({**EVENT, signing.ATTRIBUTE: "%%%.." + "A" * 10}, keys.public_keys("intake-events"))


def test_routing_details_are_not_covered_and_key_order_does_not_matter():
    event = signed()
    reordered = dict(reversed(list({**event, "jwwprevposition": 6}.items())))
    signing.verify(reordered, keys.public_keys("intake-events"))


def test_a_previous_key_is_still_accepted_during_a_rotation(key_folder):
    old = signed()
    (key_folder / "intake-events.pub.pem").rename(key_folder / "intake-events.previous.pub.pem")
    (key_folder / "intake-events.key.pem").unlink()
    keys.ensure_development_keys(["intake-events"])  # the new key
    accepted = keys.public_keys("intake-events")
    assert len(accepted) == 2
    signing.verify(old, accepted)
    signing.verify(signed(), accepted)


def test_a_stock_jose_library_verifies_with_the_jwks_document_alone():
    event = signed()
    document = keys.jwks(["intake-events", "guidance-events"])
    kid = jws.extract_compact(event[signing.ATTRIBUTE].encode(), payload=b"").headers()["kid"]
    (jwk,) = [k for k in document["keys"] if k["kid"] == kid]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        verified = jws.deserialize_compact(event[signing.ATTRIBUTE], OKPKey.import_key(jwk),
                                           payload=signing.signed_content(event), algorithms=["Ed25519"])
    assert verified.headers()["kid"] == kid and jwk["jww:key"] == "intake-events"


def test_a_missing_key_says_where_it_should_be(key_folder):
    with pytest.raises(keys.KeyMissing, match="referrals-events"):
        keys.signing_key("referrals-events")
    with pytest.raises(keys.KeyMissing, match="no public key for referrals-events"):
        keys.public_keys("referrals-events")
