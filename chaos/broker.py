"""The campaign's broker: one throw-away node, or a 3-node cluster of them
(chaos/nodes.py), provisioned with ``jww broker setup``'s code, so that restarting
it harms nothing else on this machine (the system broker is never touched).

It also counts redeliveries, from the management API's per-queue
``message_stats.redeliver``. Those figures live in the node's memory and start
again at zero when the node restarts, so they are sampled every second and each
node lifetime's highest figure per queue is added up.
"""
from __future__ import annotations

import os
import threading
from typing import Callable

from chaos import nodes
from jww.broker import directory_organisations


class Broker:
    def __init__(self, cluster: bool, say: Callable[[str], None] = lambda line: None):
        # nodes.Cluster is looked up only for a cluster campaign.
        self.cluster = nodes.Cluster(3) if cluster else None
        self.node = None if cluster else nodes.Node()
        self.say = say
        self._redelivered_before = 0  # summed over finished node lifetimes
        self._redelivered_now: dict[tuple[str, str], int] = {}  # (node, queue) -> highest this lifetime
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample_forever, name="chaos-redeliveries", daemon=True)

    @property
    def nodes(self) -> list:
        return list(self.cluster.nodes) if self.cluster else [self.node]

    def start(self) -> None:
        (self.cluster or self.node).start()
        source = self.cluster or self.node
        # Every organisation's feed too, as `jww broker setup --organisations` makes them:
        # sharing publishes to them.
        self.provisioned = nodes.provision(source.management_uri, source.address(),
                                     queue_type="quorum" if self.cluster else "classic",
                                     organisations=directory_organisations(os.environ))
        os.environ.update(self.provisioned.env)
        self._sampler.start()

    @property
    def address(self) -> str:
        """What AMQP_URI holds for a platform process (no credentials)."""
        return self.provisioned.address

    @property
    def amqp_uri(self) -> str:
        """guest's URI of the first node, for the campaign's own connections."""
        return self.nodes[0].amqp_uri()

    def restart(self, hard: bool, index: int = 0) -> float:
        """Stop (or SIGKILL) a node and start it again with its data; its seconds."""
        node = self.nodes[index % len(self.nodes)]
        self._end_lifetime(node)
        if self.cluster:
            (self.cluster.kill_node if hard else self.cluster.stop_node)(index % len(self.nodes))
            self.cluster.start_node(index % len(self.nodes))
        else:
            node.restart(hard=hard)
        return sum(seconds for _, seconds in node.timings[-2:])

    def stop_node(self, index: int) -> None:
        self._end_lifetime(self.nodes[index])
        self.cluster.stop_node(index)

    def start_node(self, index: int) -> None:
        self.cluster.start_node(index)

    def _end_lifetime(self, node) -> None:
        """A single node's figures start again at zero: keep what it counted. A
        cluster's figures survive one node's restart, so they are kept as they are."""
        if self.cluster:
            return
        with self._lock:
            for (name, queue), count in list(self._redelivered_now.items()):
                if name == node.name:
                    self._redelivered_before += count
                    del self._redelivered_now[(name, queue)]

    def _sample_forever(self) -> None:
        while not self._stop.wait(1.0):
            self.sample()

    def sample(self) -> None:
        for node in self.nodes:  # the first that answers: one node's API shows every queue
            try:
                queues = node.management().call("GET", "/api/queues?columns=name,message_stats.redeliver")
            except Exception:  # down or restarting: a single node's figures start again anyway
                continue
            owner = "cluster" if self.cluster else node.name
            with self._lock:
                for queue in queues or ():
                    count = int(((queue.get("message_stats") or {}).get("redeliver")) or 0)
                    key = (owner, queue["name"])
                    self._redelivered_now[key] = max(self._redelivered_now.get(key, 0), count)
            return

    def redeliveries(self) -> int:
        self.sample()
        with self._lock:
            return self._redelivered_before + sum(self._redelivered_now.values())

    def close(self) -> None:
        self._stop.set()
        (self.cluster or self.node).close()
