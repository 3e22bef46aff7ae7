"""Prometheus metrics shared by every service. Labels carry service, command and
upstream names and outcome codes only, never a client id or anything personal."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

COMMANDS = Counter(
    "jww_commands_total", "RPC commands and queries handled, by outcome", ["service", "command", "outcome"]
)
COMMAND_SECONDS = Histogram(
    "jww_command_seconds",
    "Time to handle an RPC command or query",
    ["service", "command"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
RELAY_PUBLISHED = Counter("jww_relay_published_total", "Integration events published and confirmed", ["service"])
RELAY_BACKLOG = Gauge("jww_relay_backlog", "Stored events the relay has not yet examined", ["service"])
RELAY_POSITION = Gauge("jww_relay_position", "Log position up to which the relay has published", ["service"])
RELAY_FAILURES = Counter("jww_relay_failures_total", "Relay rounds that failed and were retried", ["service"])
CONSUMED = Counter(
    "jww_consumer_events_total",
    "Upstream events handled, by outcome (applied, ignored, duplicate, pulled)",
    ["service", "upstream", "outcome"],
)
CONSUMER_POSITION = Gauge("jww_consumer_position", "Last upstream position applied", ["service", "upstream"])
CONSUMER_LAG = Gauge(
    "jww_consumer_lag", "Messages waiting in the follower's queue for this upstream", ["service", "upstream"]
)
CONSUMER_DELAY = Histogram(
    "jww_consumer_delay_seconds",
    "Time from an upstream event being stored to its effect being stored here",
    ["service", "upstream"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300),
)
DEAD_LETTERS = Counter(
    "jww_dead_letters_total", "Messages set aside as undecodable, by reason", ["service", "upstream", "reason"]
)
HTTP_REQUESTS = Counter(
    "jww_http_requests_total", "HTTP requests answered by the gateway, by route template and status",
    ["route", "method", "status"],
)
HTTP_SECONDS = Histogram(
    "jww_http_request_seconds",
    "Time for the gateway to answer an HTTP request",
    ["route", "method"],
    buckets=(0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
FOLLOWER_STOPPED = Gauge(
    "jww_follower_stopped",
    "1 while a follower stands still on an upstream, by reason (unknown_version: an event version it does "
    "not know, of a fact it acts on; upgrade it)",
    ["service", "upstream", "reason"],
)
GAPS = Counter("jww_consumer_gaps_total", "Gaps detected and pulled from the upstream's log", ["service", "upstream"])


def serve(addr: str, port: int) -> None:
    """Expose ``/metrics`` on ``addr:port`` (port 0 disables it, for tests that run many processes)."""
    if port:
        start_http_server(port, addr=addr)
