"""The campaign's throw-away node, stopped gracefully when its VM is too busy to
answer rabbitmqctl in time (the full PostgreSQL campaign met it on a loaded machine,
and the thread that made the faults died with the timeout): ended by its pid."""
import subprocess
import sys
import threading

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
