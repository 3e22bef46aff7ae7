"""The campaign's throw-away node when rabbitmqctl does not answer in time on a loaded
machine (the full PostgreSQL campaign met both, and the thread that made the faults
died with the timeout each time): a stop ends the VM by its pid; a start waits on
until its own deadline."""
import os
import subprocess
import sys
import threading

import pytest

from chaos import nodes


def test_a_node_that_does_not_answer_its_stop_in_time_is_ended_by_its_pid(tmp_path, monkeypatch):
    vm = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # stands in for beam.smp
    node = nodes.Node(folder=tmp_path)
    node.pid_file.write_text(str(vm.pid))

    def too_busy(*args, **kwargs):
        raise subprocess.TimeoutExpired(["rabbitmqctl", *args], 120)

    monkeypatch.setattr(nodes, "ctl", too_busy)
    reaper = threading.Thread(target=vm.wait)  # the real VM is no child of ours: gone once it exits
    reaper.start()
    node.stop()
    reaper.join(5)
    assert vm.returncode == -15  # SIGTERM
    assert [what for what, _ in node.timings] == ["stop"]


def test_a_start_whose_rabbitmqctl_does_not_answer_in_time_is_awaited_until_its_deadline(tmp_path, monkeypatch):
    answers = iter([subprocess.TimeoutExpired(["rabbitmqctl"], 120), subprocess.TimeoutExpired(["rabbitmqctl"], 120),
                    subprocess.CompletedProcess(["rabbitmqctl"], 0)])

    def slow(*args, **kwargs):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(nodes, "ctl", slow)
    monkeypatch.setattr(nodes.time, "sleep", lambda seconds: None)
    nodes.Node(folder=tmp_path).await_startup(timeout=60)  # returns: the third try answered


def test_a_node_that_never_answers_fails_at_its_deadline_naming_itself(tmp_path, monkeypatch):
    def never(*args, **kwargs):
        raise subprocess.TimeoutExpired(["rabbitmqctl"], 120)

    monkeypatch.setattr(nodes, "ctl", never)
    monkeypatch.setattr(nodes.time, "sleep", lambda seconds: None)
    node = nodes.Node(folder=tmp_path)
    with pytest.raises(nodes.NodeFailed, match=node.name):
        node.await_startup(timeout=0)


def test_a_vm_stuck_in_its_shutdown_is_killed_though_its_pid_file_is_gone(tmp_path, monkeypatch):
    """The full PostgreSQL run: a graceful stop hung, SIGTERM did not end the VM, the
    node had deleted its pid file, and the next start met the old VM holding the name."""
    stubborn = subprocess.Popen([sys.executable, "-c", "import signal, time; "
                                 "signal.signal(signal.SIGTERM, signal.SIG_IGN); print('deaf', flush=True); "
                                 "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    assert stubborn.stdout.readline() == "deaf\n"  # SIGTERM ignored from now on
    node = nodes.Node(folder=tmp_path)
    node.pid_file.write_text(str(stubborn.pid))
    assert node.pid() == stubborn.pid  # read once while it ran
    node.pid_file.unlink()  # RabbitMQ deletes it as it shuts down

    def too_busy(*args, **kwargs):
        raise subprocess.TimeoutExpired(["rabbitmqctl", *args], 120)

    monkeypatch.setattr(nodes, "ctl", too_busy)
    monkeypatch.setattr(nodes, "TERM_GRACE", 1.0)
    reaper = threading.Thread(target=stubborn.wait)
    reaper.start()
    node.stop()
    reaper.join(5)
    assert stubborn.returncode == -9  # SIGTERM ignored, then SIGKILL
    assert node.pid() is None and not node.running()


def test_a_rabbitmqctl_that_does_not_answer_is_killed_with_everything_it_started(tmp_path, monkeypatch):
    """Its Erlang VM is a grandchild: left alive, each would keep one of the few
    distribution ports every rabbitmqctl shares."""
    child_pid = tmp_path / "child.pid"
    fake = tmp_path / "rabbitmqctl"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {child_pid}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(subprocess.TimeoutExpired):
        nodes.ctl("jwwchaos-test@localhost", "await_startup", timeout=1)
    grandchild = int(child_pid.read_text())
    assert nodes._wait_gone(grandchild, 5)
