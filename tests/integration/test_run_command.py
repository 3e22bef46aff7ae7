"""`jww run`, which `make run` calls: starts everything, starts again a process that
dies, stops everything on Ctrl-C, and says what is missing when RabbitMQ cannot be
reached."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from shared import config
from tests.support.broker import wait_until
from tests.support.platform import free_port, http


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def answers(amqp_uri: str, service: str) -> bool:
    from tests.support.platform import signed_rpc

    try:
        with signed_rpc(amqp_uri, timeout=2) as rpc:
            return getattr(rpc, service).health()["status"] == "ok"
    except Exception:
        return False


def _answers_http(url: str) -> bool:
    try:
        return http("GET", url)[0] == 200
    except OSError:
        return False


def run_env(tmp_path, amqp_uri):
    env = dict(os.environ, AMQP_URI=amqp_uri, JWW_METRICS_PORT="0", JWW_METRICS_RELAY_PORT="0")
    return env


def test_ctrl_c_stops_every_service_and_leaves_no_process_behind(tmp_path, amqp_uri):
    env = run_env(tmp_path, amqp_uri)
    # Each service's store in this test's folder rather than the developer's var/.
    env["JWW_STORE_SQLITE_PATH"] = str(tmp_path / "store.sqlite")
    env["JWW_RELAY_CHECKPOINT_PATH"] = str(tmp_path / "checkpoints.jsonl")
    env["JWW_SERVICE_FOLLOWS"] = ""  # all four share one file here; following is covered elsewhere
    env["JWW_GATEWAY_PORT"] = str(free_port())
    env["JWW_LOG_DIR"] = str(tmp_path / "log")
    process = subprocess.Popen(
        [sys.executable, "-m", "jww", "run"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    # A line per service, the gateway's (API and metrics), where people go (the pages), then "started".
    first_lines = [process.stdout.readline() for _ in range(len(config.SERVICES) + 3)]
    assert "All services started" in first_lines[-1], first_lines
    assert all("metrics http://127.0.0.1:" in line for line in first_lines[:-2])
    assert f"API http://127.0.0.1:{env['JWW_GATEWAY_PORT']}/" in first_lines[-3]
    assert f"pages          http://127.0.0.1:{env['JWW_GATEWAY_PORT']}/app/" in first_lines[-2]
    expected = 2 * len(config.SERVICES) + 1  # each service and its relay, and the gateway
    children = wait_until(lambda: len(children_of(process.pid)) == expected and children_of(process.pid),
                          what=f"{expected} processes")
    # Seventeen processes starting on two cores beside the rest of the suite: a minute, not twenty seconds.
    for service in config.SERVICES:
        wait_until(lambda: answers(amqp_uri, service), timeout=60, what=f"{service} to be up")
    gateway = f"http://127.0.0.1:{env['JWW_GATEWAY_PORT']}/health"
    wait_until(lambda: _answers_http(gateway), timeout=60, what="the gateway to be up")

    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches the whole group
    started = time.monotonic()
    output, _ = process.communicate(timeout=30)

    assert process.returncode == 0
    assert "Stopped." in output
    assert "Traceback" not in output
    # The terminal is for a person; each process's JSON lines are in its own file.
    assert not [line for line in output.splitlines() if line.startswith("{")], output
    assert '"service": "intake-relay"' in (tmp_path / "log" / "intake-relay.log").read_text()
    assert time.monotonic() - started < 10, "a graceful stop, not the kill after the grace period"
    assert not [pid for pid in children if alive(pid)]


def serving(pid: int, service: str) -> list[int]:
    """The children of `pid` that are `jww serve SERVICE`."""
    wanted = ["-m", "jww", "serve", service]
    found = []
    for child in children_of(pid):
        try:
            arguments = Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0")
        except FileNotFoundError:
            continue
        if arguments[1:5] == wanted and alive(child):
            found.append(child)
    return found


def test_a_killed_process_is_started_again_and_the_platform_keeps_running(tmp_path, amqp_uri):
    env = run_env(tmp_path, amqp_uri)
    env["JWW_STORE_SQLITE_PATH"] = str(tmp_path / "store.sqlite")
    env["JWW_RELAY_CHECKPOINT_PATH"] = str(tmp_path / "checkpoints.jsonl")
    env["JWW_LOG_DIR"] = str(tmp_path / "log")
    process = subprocess.Popen(
        [sys.executable, "-m", "jww", "run", "intake"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        first = wait_until(lambda: serving(process.pid, "intake"), what="intake serve")
        wait_until(lambda: answers(amqp_uri, "intake"), what="intake to be up")

        os.kill(first[0], signal.SIGKILL)
        second = wait_until(lambda: [pid for pid in serving(process.pid, "intake") if pid not in first],
                            what="a new intake serve")
        wait_until(lambda: answers(amqp_uri, "intake"), what="the new intake serve to answer")
        assert process.poll() is None, "the platform keeps running"
        assert len(children_of(process.pid)) == 2  # the new intake serve and the relay, untouched
    finally:
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)

    assert process.returncode == 0
    assert "intake serve exited (code -9); restarting in 0.5 s (restart 1)" in output
    assert "Stopped." in output and "Traceback" not in output
    assert not alive(second[0])


def test_an_unreachable_broker_is_reported_in_one_sentence(tmp_path):
    env = run_env(tmp_path, "amqp://guest:guest@127.0.0.1:1/")
    result = subprocess.run(
        [sys.executable, "-m", "jww", "run"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    message = result.stderr.strip()
    assert message.count("\n") == 0, message
    assert message.startswith("RabbitMQ is not reachable at amqp://127.0.0.1:1/")
    assert "rabbitmq-server" in message and "AMQP_URI" in message
