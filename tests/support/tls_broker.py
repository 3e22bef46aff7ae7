"""A throw-away RabbitMQ node that speaks AMQP over TLS only to this test session
(WAVE2 20): a throw-away node (chaos/nodes.py: its own node name, ports, data and
logs in a temporary folder, the system node's Erlang cookie) with a certificate
authority of its own, provisioned by `jww broker setup`'s own code and stopped at
the end. The system broker's configuration is never touched."""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chaos.nodes import Node, ctl, free_port
from jww import broker as broker_command


@dataclass(frozen=True)
class TlsBroker:
    node: str
    port: int
    management_port: int
    ca_file: str
    stranger_ca_file: str  # a CA that did not sign the node's certificate

    def uri(self, host: str = "localhost") -> str:
        return f"amqps://guest:guest@{host}:{self.port}/"

    def connections(self) -> list[dict]:
        """The node's client connections: each one's broker user and whether it is TLS."""
        out = ctl(self.node, "list_connections", "user", "ssl", "--formatter", "json", timeout=60)
        return json.loads(out.stdout)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _certificate(subject: str, key, issuer: str, issuer_key, ca: bool, names=()) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write_ca(folder: Path, name: str) -> tuple[Path, object]:
    key = ec.generate_private_key(ec.SECP256R1())
    path = folder / f"{name}.pem"
    path.write_bytes(_certificate(name, key, name, key, ca=True).public_bytes(serialization.Encoding.PEM))
    return path, key


def make_certificates(folder: Path) -> dict[str, Path]:
    """A CA, the node's certificate it signed (localhost and 127.0.0.1), and a
    stranger CA that signed nothing the node presents."""
    ca_file, ca_key = _write_ca(folder, "throwaway-ca")
    stranger_file, _ = _write_ca(folder, "stranger-ca")
    key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate("localhost", key, "throwaway-ca", ca_key, ca=False, names=(
        x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))))
    (folder / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(_key_pem(key))
    return {"ca": ca_file, "stranger": stranger_file, "cert": folder / "server.pem", "key": folder / "server.key"}


def _listeners(files: dict[str, Path], port: int) -> list[str]:
    return [
        "listeners.tcp = none",
        f"listeners.ssl.default = {port}",
        f"ssl_options.cacertfile = {files['ca']}",
        f"ssl_options.certfile = {files['cert']}",
        f"ssl_options.keyfile = {files['key']}",
        "ssl_options.verify = verify_none",
        "ssl_options.fail_if_no_peer_cert = false",
    ]


@pytest.fixture(scope="session")
def tls_broker(broker_users):
    folder = Path(tempfile.mkdtemp(prefix="jww-tls-"))
    files = make_certificates(folder)
    port = free_port()
    node = Node("jwwtls", amqp_port=port, listeners=_listeners(files, port), folder=folder)
    try:
        node.start()
        broker_command.setup(f"http://guest:guest@127.0.0.1:{node.management_port}", "/", os.environ)
        yield TlsBroker(node.name, port, node.management_port, str(files["ca"]), str(files["stranger"]))
    finally:
        node.close()
