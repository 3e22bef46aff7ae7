"""The short fault campaign (issue 18; the full size is `make chaos`): a few hundred
commands over the HTTP API while a throw-away broker node restarts twice (once
gracefully, once hard) and guidance's worker is SIGKILLed, on SQLite stores. It
runs ``python -m chaos`` as `make chaos` does and holds its summary to the zeros."""
import json
import signal
import subprocess
import sys

from shared.config import PROJECT_ROOT

SHORT = ["--commands", "300", "--threads", "10", "--clients", "10", "--broker-restarts", "2", "--kills", "1",
         "--store", "sqlite", "--no-cluster", "--deadline", "60", "--load-timeout", "120",
         "--settle-timeout", "60"]


def run_campaign(args: list[str], timeout: float) -> tuple[int, str]:
    """Its exit status and stderr. Past ``timeout`` it is asked to stop (SIGTERM), so
    that it stops its processes and its broker node: a SIGKILL would leave them."""
    campaign = subprocess.Popen([sys.executable, "-m", "chaos", *args], cwd=PROJECT_ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = campaign.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        campaign.send_signal(signal.SIGTERM)
        _, stderr = campaign.communicate(timeout=180)
        stderr += f"\n(stopped after {timeout} s)"
    return campaign.returncode, stderr


def test_the_short_campaign_loses_doubles_and_ghosts_nothing(tmp_path):
    summary_file = tmp_path / "chaos.json"
    status, stderr = run_campaign([*SHORT, "--json", str(summary_file)], timeout=420)
    assert summary_file.exists(), stderr[-5000:]
    summary = json.loads(summary_file.read_text())
    told = f"{json.dumps(summary, indent=1)[:6000]}\n{stderr[-4000:]}"
    assert "error" not in summary, told
    assert summary["faults_done"] == summary["faults_planned"] == {
        "broker_restart_graceful": 1, "broker_restart_hard": 1, "process_kill": 1}, told
    commands = summary["commands"]
    assert commands["sent"] == commands["planned"] == 300, told
    assert commands["acknowledged"] + commands["refused"] + commands["gave_up"] == 300, told
    assert summary["settled"], told
    assert (summary["lost"], summary["doubled"], summary["ghost"]) == (0, 0, 0), told
    assert summary["followers_equal"] == {"audit": True, "notifications": True}, told
    assert summary["redeliveries"] > 0, told
    assert summary["passed"] and status == 0, told
