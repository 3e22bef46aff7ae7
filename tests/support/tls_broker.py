"""A throw-away RabbitMQ node that speaks AMQP over TLS only to this test session
(WAVE2 20): its own node name, ports, data, logs and certificate authority in a
temporary folder, the system node's Erlang cookie (the node runs as the system
node's user), provisioned by `jww broker setup`'s own code and stopped at the end.
The system broker's configuration is never touched."""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from jww import broker as broker_command
from tests.support.platform import free_port

RUNS_AS = "rabbitmq"  # the wrappers in /usr/sbin switch root to this user


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
        out = subprocess.run(["rabbitmqctl", "-q", "-n", self.node, "list_connections", "user", "ssl",
                              "--formatter", "json"], check=True, capture_output=True, text=True, timeout=60)
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


def _config(files: dict[str, Path], port: int, management_port: int) -> str:
    return "\n".join([
        "listeners.tcp = none",
        f"listeners.ssl.default = {port}",
        f"ssl_options.cacertfile = {files['ca']}",
        f"ssl_options.certfile = {files['cert']}",
        f"ssl_options.keyfile = {files['key']}",
        "ssl_options.verify = verify_none",
        "ssl_options.fail_if_no_peer_cert = false",
        "management.tcp.ip = 127.0.0.1",
        f"management.tcp.port = {management_port}",
        "",
    ])


def _hand_over(folder: Path) -> None:
    """The node runs as the system node's user, which must read and write here."""
    if os.getuid() != 0:
        return
    user = pwd.getpwnam(RUNS_AS)
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)


def _ctl(node: str, *args: str, check: bool = True) -> int:
    return subprocess.run(["rabbitmqctl", "-q", "-n", node, *args], check=check, capture_output=True,
                          timeout=120).returncode


def _await_startup(node: str, folder: Path, timeout: float = 90) -> None:
    """await_startup answers at once while the detached VM is not up yet."""
    deadline = time.monotonic() + timeout
    while _ctl(node, "await_startup", check=False) != 0:
        if time.monotonic() > deadline:
            logs = "\n".join(path.read_text()[-2000:] for path in (folder / "log").glob("*.log"))
            raise RuntimeError(f"the throw-away node {node} did not start:\n{logs}")
        time.sleep(1)


def _stop(node: str, pid_file: Path) -> None:
    """Given the pid file, stop returns once the VM has exited, so nothing writes in
    the folder after it is removed; a VM that never answered is ended by its pid."""
    if _ctl(node, "stop", str(pid_file), check=False) == 0:
        return
    try:
        os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        pass  # it never got as far as running


@pytest.fixture(scope="session")
def tls_broker(broker_users):
    folder = Path(tempfile.mkdtemp(prefix="jww-tls-"))
    files = make_certificates(folder)
    port, management_port = free_port(), free_port()
    node = f"jwwtls{uuid.uuid4().hex[:6]}@localhost"
    pid_file = folder / "node.pid"
    (folder / "rabbitmq.conf").write_text(_config(files, port, management_port))
    (folder / "enabled_plugins").write_text("[rabbitmq_management].\n")
    for sub in ("mnesia", "log"):
        (folder / sub).mkdir()
    _hand_over(folder)
    env = {
        **os.environ,
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(folder / "advanced.config"),
        "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
        "RABBITMQ_LOG_BASE": str(folder / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
        "RABBITMQ_PID_FILE": str(pid_file),
        "RABBITMQ_DIST_PORT": str(free_port()),
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(free_port()),  # overridden by listeners.tcp = none: no plain AMQP
    }
    subprocess.run(["rabbitmq-server", "-detached"], env=env, check=True, capture_output=True, timeout=60)
    try:
        _await_startup(node, folder)
        broker_command.setup(f"http://guest:guest@127.0.0.1:{management_port}", "/", os.environ)
        yield TlsBroker(node, port, management_port, str(files["ca"]), str(files["stranger"]))
    finally:
        try:
            _stop(node, pid_file)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
