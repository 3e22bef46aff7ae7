"""The platform's keys, loaded in one place (DESIGN §11).

A key lives in a folder named by ``JWW_KEYS_DIR`` (``var/keys`` by default; a
mounted secret in production): ``<name>.key.pem`` holds a private key, and
``<name>.pub.pem`` (and, during a rotation, ``<name>.previous.pub.pem``) the public
ones a verifier accepts. Every key is known by its id: the RFC 7638 thumbprint of
its public JWK, carried beside every signature, so a verifier picks the key by id
and a key rotates without downtime (sign with the new one, accept both).

Only Ed25519 signing keys live here yet: the key each service signs its
integration events with (``<service>-events``), and the keys actor assertions are
signed with (``gateway-actors`` for people, ``<service>-actors`` for a service's
system actor: ``shared.assertions``).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared import jws
from shared.config import PROJECT_ROOT


class KeyMissing(Exception):
    """A key a process needs is not where its settings say; the message names it."""


def keys_dir() -> Path:
    return Path(os.environ.get("JWW_KEYS_DIR") or PROJECT_ROOT / "var" / "keys")


def events_key_name(service: str) -> str:
    return f"{service}-events"


def event_key_names() -> list[str]:
    """Each service's event key: what a platform signs with, and its JWKS document lists."""
    from shared.config import SERVICES

    return [events_key_name(service) for service in SERVICES]


def actors_key_name(holder: str) -> str:
    return f"{holder}-actors"


def actor_holders() -> list[str]:
    """Who signs actor assertions: the gateway, for people, and each service, for itself."""
    from shared.config import SERVICES

    return ["gateway", *SERVICES]


def actor_key_names() -> list[str]:
    return [actors_key_name(holder) for holder in actor_holders()]


def platform_key_names() -> list[str]:
    """Every key the platform's processes sign with: what development makes on its
    first run (and a test session), and what the JWKS document lists."""
    return event_key_names() + actor_key_names()


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def jwk(public: Ed25519PublicKey) -> dict:
    """The public key as a JWK (RFC 8037), with its id."""
    key = {"crv": "Ed25519", "kty": "OKP", "x": jws.b64url(_raw(public))}
    # RFC 7638: the thumbprint hashes the required members, sorted, without spaces.
    thumbprint = hashlib.sha256(json.dumps(key, sort_keys=True, separators=(",", ":")).encode()).digest()
    return {**key, "kid": jws.b64url(thumbprint), "use": "sig", "alg": "Ed25519"}


def from_jwks(document: dict, name: str) -> dict[str, Ed25519PublicKey]:
    """The public keys of ``name`` a JWKS document lists, by id: what a verifier outside
    the platform checks a signature with."""
    return {key["kid"]: Ed25519PublicKey.from_public_bytes(jws.unb64url(key["x"]))
            for key in document.get("keys", []) if key.get("jww:key") == name and key.get("crv") == "Ed25519"}


def key_id(public: Ed25519PublicKey) -> str:
    return jwk(public)["kid"]


@dataclass(frozen=True)
class SigningKey:
    name: str
    private: Ed25519PrivateKey

    @property
    def kid(self) -> str:
        return key_id(self.private.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def signing_key(name: str) -> SigningKey:
    path = keys_dir() / f"{name}.key.pem"
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyMissing(f"the signing key {name} is missing: {path} (make run creates development keys)") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyMissing(f"{path} is not an Ed25519 private key")
    return SigningKey(name, private)


def public_keys(name: str) -> dict[str, Ed25519PublicKey]:
    """Every public key a verifier accepts for ``name`` (current and previous), by id."""
    found = {}
    for path in (keys_dir() / f"{name}.pub.pem", keys_dir() / f"{name}.previous.pub.pem"):
        if path.exists():
            public = serialization.load_pem_public_key(path.read_bytes())
            found[key_id(public)] = public
    if not found:
        raise KeyMissing(f"no public key for {name} in {keys_dir()} (make run creates development keys)")
    return found


def jwks(names: list[str]) -> dict:
    """The JWKS document of the public keys of ``names`` (/.well-known/jwks.json)."""
    return {"keys": [{**jwk(public), "jww:key": name}
                     for name in names for public in public_keys(name).values()]}


def ensure_development_keys(names: list[str], folder: Path | None = None) -> list[str]:
    """Create the keys of ``names`` that do not exist yet (a developer's first run, a
    test session); returns the names created. Never for production: there, keys are
    made and mounted by ops."""
    from shared import production  # imports this module

    production.no_development_keys()
    folder = folder or keys_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    created = []
    for name in names:
        private_path, public_path = folder / f"{name}.key.pem", folder / f"{name}.pub.pem"
        if private_path.exists():
            continue
        private = Ed25519PrivateKey.generate()
        private_path.write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        os.chmod(private_path, 0o600)
        public_path.write_bytes(private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        created.append(name)
    return created
