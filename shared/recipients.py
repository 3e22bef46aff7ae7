"""What a recipient organisation's feed seals for it alone (WAVE2 14): a JWE in
compact serialization (RFC 7516) with direct key agreement, ``ECDH-ES`` over the
organisation's X25519 public key (RFC 8037), and ``A256GCM`` (RFC 7518 4.6), so
that any JOSE library on the partner's side opens it with its private key.

Each organisation gives the platform its public key; the key's id (``kid``) is the
RFC 7638 thumbprint of its JWK. In development, ``make run`` and the tests make a
pair per organisation of the directory under ``<keys dir>/organisations/``; in
production only the public keys are there, mounted by ops.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash

from shared import keys

ENC = "A256GCM"


def folder() -> Path:
    return keys.keys_dir() / "organisations"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: X25519PublicKey) -> str:
    """The RFC 7638 thumbprint of the key's JWK: what the partner knows its key by."""
    canonical = json.dumps({"crv": "X25519", "kty": "OKP", "x": _b64(_raw(public))}, separators=(",", ":"))
    return _b64(hashlib.sha256(canonical.encode()).digest())


# path -> (modification time, key): a key is read again only when its file changes.
_loaded: dict[Path, tuple[float, X25519PublicKey]] = {}


def public_key(organisation: str) -> X25519PublicKey | None:
    """The organisation's public key, or None while its feed is not provisioned (a
    key added or replaced by ops is seen at the next call)."""
    path = folder() / f"{organisation}.x25519.pub.pem"
    try:
        changed = path.stat().st_mtime
    except FileNotFoundError:
        return None
    if path in _loaded and _loaded[path][0] == changed:
        return _loaded[path][1]
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, X25519PublicKey):
        raise keys.KeyMissing(f"{path} is not an X25519 public key")
    _loaded[path] = (changed, key)
    return key


def private_key(organisation: str) -> X25519PrivateKey:
    """A development organisation's private key (the partner's own, in production)."""
    path = folder() / f"{organisation}.x25519.key.pem"
    if not path.exists():
        raise keys.KeyMissing(f"no private key for {organisation} in {folder()}")
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def ensure_development_keys(organisations: list[str]) -> list[str]:
    """Make the key pairs of the organisations that have none yet; the names made."""
    where = folder()
    where.mkdir(parents=True, exist_ok=True)
    os.chmod(where, 0o700)
    made = []
    for organisation in organisations:
        private_path = where / f"{organisation}.x25519.key.pem"
        if private_path.exists():
            continue
        private = X25519PrivateKey.generate()
        private_path.write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        os.chmod(private_path, 0o600)
        (where / f"{organisation}.x25519.pub.pem").write_bytes(private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        made.append(organisation)
    return made


def _content_key(shared_secret: bytes) -> bytes:
    """RFC 7518 4.6.2: the Concat KDF over the agreed secret, for direct use as the
    A256GCM key (AlgorithmID is then ``enc``; no PartyU/PartyV information)."""
    other = struct.pack(">I", len(ENC)) + ENC.encode() + struct.pack(">I", 0) + struct.pack(">I", 0) \
        + struct.pack(">I", 256)
    return ConcatKDFHash(algorithm=hashes.SHA256(), length=32, otherinfo=other).derive(shared_secret)


def seal(recipient: X25519PublicKey, content: bytes) -> str:
    """``content`` as a compact JWE only the holder of ``recipient``'s private key opens."""
    ephemeral = X25519PrivateKey.generate()
    header = {"alg": "ECDH-ES", "enc": ENC, "kid": key_id(recipient),
              "epk": {"kty": "OKP", "crv": "X25519", "x": _b64(_raw(ephemeral.public_key()))}}
    protected = _b64(json.dumps(header, separators=(",", ":")).encode())
    iv = os.urandom(12)
    sealed = AESGCM(_content_key(ephemeral.exchange(recipient))).encrypt(iv, content, protected.encode())
    return ".".join((protected, "", _b64(iv), _b64(sealed[:-16]), _b64(sealed[-16:])))


def open_sealed(private: X25519PrivateKey, token: str) -> bytes:
    """What ``seal`` sealed (raises on any change: the tag covers the header too)."""
    protected, encrypted_key, iv, ciphertext, tag = token.split(".")
    header = json.loads(_unb64(protected))
    if header.get("alg") != "ECDH-ES" or header.get("enc") != ENC or encrypted_key:
        raise ValueError("not an ECDH-ES/A256GCM JWE")
    sender = X25519PublicKey.from_public_bytes(_unb64(header["epk"]["x"]))
    return AESGCM(_content_key(private.exchange(sender))).decrypt(
        _unb64(iv), _unb64(ciphertext) + _unb64(tag), protected.encode())
