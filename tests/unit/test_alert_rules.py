"""The alert rules of deploy/prometheus pass their own unit tests (alerts.test.yml),
as `promtool test rules` runs them. `make test` installs promtool (Debian package
prometheus) where it is missing; a run without it fails rather than pass unchecked."""
import shutil
import subprocess
from pathlib import Path

import pytest

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")


@pytest.mark.parametrize("command", [["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"]],
                         ids=["check", "test"])
def test_the_alert_rules_pass_promtool(command):
    assert PROMTOOL, "promtool is not installed: make test installs it (Debian: apt-get install prometheus)"
    run = subprocess.run([PROMTOOL, *command], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
