"""Throw-away RabbitMQ nodes on this machine (WAVE2 20), and a cluster of them.

Each node has its own name (``<prefix>-<random>@localhost``), its own AMQP,
management and distribution ports, and its configuration, data and logs in a
temporary folder; it runs as the system node's user, with the system node's Erlang
cookie, as the wrappers in /usr/sbin start it, so ``rabbitmqctl -n <node>`` reaches
it. The system broker (its node, configuration and data) is never touched.

A node keeps its name, ports and data over ``stop``/``kill`` and ``start``, so
durable queues and their persistent messages survive a restart, as they would on a
server; ``close`` stops it and deletes everything.

``provision`` makes the platform's users, permissions and topology on a node (or a
cluster) with ``jww broker setup``'s own code, and returns what a platform process
needs to connect to it.
"""
from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import quote

from jww import broker as broker_command

RUNS_AS = "rabbitmq"  # the wrappers in /usr/sbin switch root to this user
GUEST = "guest"  # allowed from localhost only (RabbitMQ's loopback_users), which is where the tests are
TERM_GRACE = 30.0  # how long a signalled VM has to exit before it is SIGKILLed
START_TIMEOUT = 300.0  # a restart on a loaded 2-core machine (load average 15) took over two minutes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ctl(node: str, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    """``rabbitmqctl -n <node> ...``: it reaches the node with the shared cookie.

    It runs in a process group of its own, all of which is killed when it does not
    answer in time: the wrapper's Erlang VM would otherwise live on, holding one of
    the few distribution ports every rabbitmqctl shares, until none is left."""
    command = ["rabbitmqctl", "-q", "-n", node, *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    done = subprocess.CompletedProcess(command, process.returncode, out, err)
    if check:
        done.check_returncode()
    return done


def hand_over(folder: Path) -> None:
    """The node runs as the system node's user, which must read and write here."""
    if os.getuid() != 0:
        return
    user = pwd.getpwnam(RUNS_AS)
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)


class NodeFailed(Exception):
    pass


class Node:
    """One throw-away node. ``listeners`` replaces the plain AMQP listener's lines of
    its rabbitmq.conf (a TLS node names its own); ``amqp_port`` is then the port they
    listen on."""

    def __init__(self, prefix: str = "jwwchaos", amqp_port: int | None = None, listeners: Sequence[str] = (),
                 folder: Path | None = None):
        self.folder = Path(folder or tempfile.mkdtemp(prefix=f"jww-{prefix}-"))
        self.name = f"{prefix}-{uuid.uuid4().hex[:6]}@localhost"
        self.amqp_port = amqp_port or free_port()
        self.management_port = free_port()
        self.dist_port = free_port()
        self.pid_file = self.folder / "node.pid"
        self._vm_pid: int | None = None  # the running VM's, kept: the node deletes its pid file as it shuts down
        self._listeners = list(listeners) or [f"listeners.tcp.default = {self.amqp_port}"]
        # With its own listeners the node ignores RABBITMQ_NODE_PORT: a port of its own all the same.
        self._node_port = free_port() if listeners else self.amqp_port
        self._prepared = False
        self.timings: list[tuple[str, float]] = []  # (what, seconds): start, stop, kill, for reports

    # Where it is -------------------------------------------------------------------

    @property
    def management_uri(self) -> str:
        return f"http://{GUEST}:{GUEST}@127.0.0.1:{self.management_port}"

    def amqp_uri(self, vhost: str = "/", user: str = GUEST, password: str = GUEST, host: str = "127.0.0.1") -> str:
        login = f"{quote(user, safe='')}:{quote(password, safe='')}@" if user else ""
        return f"amqp://{login}{host}:{self.amqp_port}/{quote(vhost, safe='')}"

    def address(self, vhost: str = "/") -> str:
        """The AMQP address without credentials, as AMQP_URI holds it for a process."""
        return self.amqp_uri(vhost, user="")

    def __repr__(self) -> str:
        return f"Node({self.name}, amqp {self.amqp_port}, management {self.management_port})"

    # Life ----------------------------------------------------------------------------

    def _prepare(self) -> None:
        (self.folder / "rabbitmq.conf").write_text("\n".join([
            *self._listeners,
            "management.tcp.ip = 127.0.0.1",
            f"management.tcp.port = {self.management_port}",
            "",
        ]))
        (self.folder / "enabled_plugins").write_text("[rabbitmq_management].\n")
        for sub in ("mnesia", "log"):
            (self.folder / sub).mkdir(exist_ok=True)
        hand_over(self.folder)
        self._prepared = True

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.folder / "advanced.config"),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(self.pid_file),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self._node_port),
        }

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the VM and the broker in it; returns once the node answers. With the
        same data as before, if it ran before."""
        if not self._prepared:
            self._prepare()
        began = time.monotonic()
        subprocess.run(["rabbitmq-server", "-detached"], env=self._env(), check=True, capture_output=True,
                       timeout=60)
        self.await_startup(timeout)
        self.pid()
        self.timings.append(("start", time.monotonic() - began))

    def await_startup(self, timeout: float = START_TIMEOUT) -> None:
        """``await_startup`` answers at once, in error, while the detached VM is not up
        yet; on a loaded machine rabbitmqctl itself may not answer in two minutes, which
        is one more try, not the end of the fault thread."""
        deadline = time.monotonic() + timeout
        while not self._answers_started():
            if time.monotonic() > deadline:
                raise NodeFailed(f"the throw-away node {self.name} did not start:\n{self.log_tail()}")
            time.sleep(0.5)

    def _answers_started(self) -> bool:
        try:
            return ctl(self.name, "await_startup", check=False).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def stop(self) -> None:
        """Graceful: the broker closes its connections and the VM exits. Given the pid
        file, ``stop`` returns once the VM has exited; a VM that does not answer is
        ended by its pid."""
        began = time.monotonic()
        try:
            stopped = ctl(self.name, "stop", str(self.pid_file), check=False).returncode == 0
        except subprocess.TimeoutExpired:  # a VM too busy to answer in two minutes: ended by its pid too
            stopped = False
        if not stopped:
            self._end(signal.SIGTERM)
        self.timings.append(("stop", time.monotonic() - began))

    def _end(self, signum: int) -> None:
        """Signal the VM and wait until it is gone; one that outlives SIGTERM (stuck in
        its shutdown) is SIGKILLed: a start must never meet it still holding the name."""
        pid = self.pid()
        self._signal(signum)
        if pid and not _wait_gone(pid, TERM_GRACE) and signum != signal.SIGKILL:
            self._signal(signal.SIGKILL)
            _wait_gone(pid, TERM_GRACE)

    def kill(self) -> None:
        """Hard: SIGKILL the node's VM (beam.smp), as a crash or a power cut would."""
        began = time.monotonic()
        self._end(signal.SIGKILL)
        self.timings.append(("kill", time.monotonic() - began))

    def restart(self, hard: bool = False) -> None:
        self.kill() if hard else self.stop()
        self.start()

    def close(self) -> None:
        """End it and delete its folder; nothing of it is left. Its VM is killed, not
        stopped: its data goes with it, so a graceful stop (seconds) would buy nothing."""
        try:
            self._end(signal.SIGKILL)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def pid(self) -> int | None:
        """The OS process id of the node's VM: from its pid file, or, once the file is
        gone, the last one read while that process still lives."""
        try:
            self._vm_pid = int(self.pid_file.read_text().strip())
            return self._vm_pid
        except (FileNotFoundError, ValueError):
            pass
        if self._vm_pid is not None and not _wait_gone(self._vm_pid, 0):
            return self._vm_pid
        return None

    def running(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def _signal(self, signum: int) -> None:
        pid = self.pid()
        if pid is None:
            return  # it never got as far as running
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    # Looking in --------------------------------------------------------------------

    def ctl(self, *args: str, check: bool = True, timeout: float = 120) -> str:
        return ctl(self.name, *args, check=check, timeout=timeout).stdout

    def connections(self, *items: str) -> list[dict]:
        """The client connections the cluster knows of, with the info items asked
        (``user``, ``ssl``, ``port``: the node's AMQP port it reached, ``peer_port``...)."""
        out = self.ctl("list_connections", *(items or ("user", "port")), "--formatter", "json", timeout=60)
        return json.loads(out)

    def management(self) -> broker_command.Management:
        return broker_command.Management(self.management_uri)

    def log_tail(self, chars: int = 2000) -> str:
        return "\n".join(path.read_text(errors="replace")[-chars:] for path in (self.folder / "log").glob("*.log"))


def _wait_gone(pid: int, timeout: float = 30) -> bool:
    """Whether the process ``pid`` is gone, waiting up to ``timeout`` for it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


class Cluster:
    """``size`` throw-away nodes joined into one RabbitMQ cluster: the first node
    starts alone, each other one joins it (``stop_app``, ``join_cluster``,
    ``start_app``). A node stopped and started again rejoins by itself, with its
    data. ``address`` is the failover list a platform process is given."""

    def __init__(self, size: int = 3, prefix: str = "jwwchaos"):
        if size < 1:
            raise ValueError(f"a cluster has at least one node, not {size}")
        self.nodes = [Node(f"{prefix}{index + 1}") for index in range(size)]

    def start(self) -> None:
        """Every node, started side by side, then joined to the first one."""
        try:
            _each(self.nodes, Node.start)
            first = self.nodes[0].name
            for node in self.nodes[1:]:
                node.ctl("stop_app")
                node.ctl("join_cluster", first)
                node.ctl("start_app")
                node.await_startup()
            running = self.running_nodes()
            if sorted(running) != sorted(node.name for node in self.nodes):
                raise NodeFailed(f"the cluster runs {running}, not all of {[n.name for n in self.nodes]}")
        except BaseException:
            self.close()
            raise

    def running_nodes(self, via: int | None = None) -> list[str]:
        """The nodes the cluster counts as running, as one of its live nodes sees it."""
        node = self.nodes[via] if via is not None else self._live()
        status = json.loads(node.ctl("cluster_status", "--formatter", "json", timeout=60))
        return list(status.get("running_nodes", []))

    def address(self, vhost: str = "/") -> str:
        """Every node's AMQP address, separated by ``;``, in the nodes' order."""
        return ";".join(node.address(vhost) for node in self.nodes)

    def amqp_uri(self, vhost: str = "/", user: str = GUEST, password: str = GUEST) -> str:
        return ";".join(node.amqp_uri(vhost, user, password) for node in self.nodes)

    @property
    def management_uri(self) -> str:
        """A running node's management API: each answers for the whole cluster."""
        return self._live().management_uri

    def management(self) -> broker_command.Management:
        return self._live().management()

    def _live(self) -> Node:
        for node in self.nodes:
            if node.running():
                return node
        raise NodeFailed("no node of the cluster is running")

    def node_at_port(self, amqp_port: int) -> int | None:
        """The index of the node listening on ``amqp_port`` (a connection's ``port``)."""
        return next((index for index, node in enumerate(self.nodes) if node.amqp_port == amqp_port), None)

    def connections(self, *items: str) -> list[dict]:
        return self._live().connections(*items)

    def stop_node(self, index: int) -> None:
        self.nodes[index].stop()

    def kill_node(self, index: int) -> None:
        self.nodes[index].kill()

    def start_node(self, index: int) -> None:
        self.nodes[index].start()

    @property
    def timings(self) -> list[tuple[str, str, float]]:
        return [(node.name, what, seconds) for node in self.nodes for what, seconds in node.timings]

    def close(self) -> None:
        _each(self.nodes, Node.close)


def _each(nodes: list[Node], action) -> None:
    """``action`` on every node at once (a node takes seconds to start or stop);
    the first error once all are done."""
    errors: list[BaseException] = []

    def run(node: Node) -> None:
        try:
            action(node)
        except BaseException as error:  # re-raised below, once every node is done
            errors.append(error)

    threads = [threading.Thread(target=run, args=(node,)) for node in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


@dataclass(frozen=True)
class Provisioned:
    """What a platform process needs to connect: ``env`` holds AMQP_URI (no
    password), the broker user prefix and the folder of each process kind's password
    file (``<prefix>-<service>.password``, ``<prefix>-<service>-relay.password``), which
    ``jww serve`` / ``jww relay`` read (shared/config.py BrokerAccess), and the queue
    type its queues were made as."""
    address: str
    vhost: str
    prefix: str
    secrets_dir: Path
    queue_type: str
    users: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return {"AMQP_URI": self.address, "JWW_BROKER_USER_PREFIX": self.prefix,
                "JWW_BROKER_SECRETS_DIR": str(self.secrets_dir), "JWW_AMQP_QUEUE_TYPE": self.queue_type}

    def password(self, user: str) -> str:
        return (self.secrets_dir / f"{user}.password").read_text().strip()


def provision(management_uri: str, address: str, vhost: str = "/", prefix: str | None = None,
              secrets_dir: Path | None = None, queue_type: str = "classic",
              organisations: list[str] | None = None, env: Mapping[str, str] | None = None) -> Provisioned:
    """Make the platform's broker users, vhost, permissions and topology, as ``jww
    broker setup --organisations`` does (``organisations``: None for every
    organisation of the directory, as the test vhosts have them). ``address`` is the
    AMQP address (or ``;``-separated addresses of a cluster's nodes) without
    credentials; ``prefix`` and ``secrets_dir`` default to the environment's
    (``JWW_BROKER_USER_PREFIX``, ``JWW_BROKER_SECRETS_DIR``; without it, a new
    temporary folder, which the caller removes)."""
    base = dict(os.environ if env is None else env)
    prefix = prefix or base.get("JWW_BROKER_USER_PREFIX") or "jww"
    secrets_dir = Path(secrets_dir or base.get("JWW_BROKER_SECRETS_DIR") or tempfile.mkdtemp(prefix="jww-broker-"))
    settings = {**base, "JWW_BROKER_USER_PREFIX": prefix, "JWW_BROKER_SECRETS_DIR": str(secrets_dir),
                "JWW_AMQP_QUEUE_TYPE": queue_type, "AMQP_URI": address}
    users, vhost = broker_command.setup(management_uri, vhost, settings,
                                        organisations=[] if organisations is None else organisations)
    return Provisioned(address, vhost, prefix, secrets_dir, queue_type, users)
