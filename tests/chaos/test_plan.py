"""The full campaign's faults, as `make chaos` plans them: the issue's counts, each
kind spread over the load, none before the load starts or after it ends."""
from collections import Counter

from chaos import faults


def test_the_full_size_plan_has_the_issues_faults_spread_over_the_load():
    plan = faults.plan(broker_restarts=20, kills=10, cluster_stop=True)

    assert Counter(f.kind for f in plan) == {"broker_restart_graceful": 10, "broker_restart_hard": 10,
                                             "process_kill": 10, "cluster_node_stop": 1}
    shares = [f.at for f in plan]
    assert shares == sorted(shares) and 0 < shares[0] and shares[-1] < 1
    kills = [f for f in plan if f.kind == "process_kill"]
    assert {f.target.split()[0] for f in kills} == {"guidance", "audit", "notifications"}
    assert {f.target.split()[1] for f in kills} == {"serve", "relay"}
    # Kills fall between restarts, not all at the end.
    assert plan[1].kind == "process_kill" and plan[-1].kind != "process_kill"


def test_the_short_plan():
    assert [f.kind for f in faults.plan(2, 1, False)] == [
        "broker_restart_graceful", "process_kill", "broker_restart_hard"]
