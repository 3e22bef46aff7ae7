"""The restart policy of `jww run`, on a fake clock with stand-ins for the processes."""
import signal
from pathlib import Path

from jww.supervisor import Child, Policy, Supervisor


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class FakeProcess:
    """Runs until told to exit; exits when sent SIGTERM unless it ignores it."""

    def __init__(self, exit_at_once: int | None = None, ignores_sigterm: bool = False):
        self.returncode = exit_at_once
        self.ignores_sigterm = ignores_sigterm
        self.signals: list[int] = []

    def poll(self):
        return self.returncode

    def exit(self, code: int) -> None:
        self.returncode = code

    def send_signal(self, signum: int) -> None:
        self.signals.append(signum)
        if not self.ignores_sigterm:
            self.returncode = -signum

    def kill(self) -> None:
        self.signals.append(signal.SIGKILL)
        self.returncode = -signal.SIGKILL

    def wait(self) -> int:
        return self.returncode


class Started(list):
    """A child's start function that keeps every process it made."""

    def __init__(self, **fake):
        super().__init__()
        self.fake = fake

    def __call__(self) -> FakeProcess:
        self.append(FakeProcess(**self.fake))
        return self[-1]


def supervisor(*children: Child, clock: Clock) -> tuple[Supervisor, list[str]]:
    lines: list[str] = []
    the_supervisor = Supervisor(list(children), Policy(), clock=clock, sleep=clock.sleep,
                                say=lambda child, line, final=False: lines.append(line))
    the_supervisor.start()
    return the_supervisor, lines


def crash_after(the_supervisor: Supervisor, started: Started, clock: Clock, uptime: float) -> None:
    """Let the current process run `uptime` seconds, kill it, and wait out its backoff."""
    clock.sleep(uptime)
    started[-1].exit(-9)
    the_supervisor.check()
    clock.sleep(the_supervisor.children[0].restart_at - clock.now)
    the_supervisor.check()


def test_a_child_that_exits_is_started_again_after_its_backoff_with_one_line():
    clock, started = Clock(), Started()
    the_supervisor, lines = supervisor(Child("guidance serve", started), clock=clock)
    clock.sleep(120)
    started[0].exit(-9)

    the_supervisor.check()
    assert lines == ["guidance serve exited (code -9); restarting in 0.5 s (restart 1)"]
    clock.sleep(0.4)
    the_supervisor.check()
    assert len(started) == 1, "not before its backoff is over"
    clock.sleep(0.1)
    the_supervisor.check()
    assert len(started) == 2 and started[1].poll() is None
    assert len(lines) == 1


def test_the_backoff_doubles_and_stops_at_its_cap():
    clock, started = Clock(), Started()
    the_supervisor, lines = supervisor(Child("audit relay", started), clock=clock)
    for _ in range(9):
        crash_after(the_supervisor, started, clock, uptime=10)  # not quick: no give-up

    delays = [line.split("restarting in ")[1].split(" s")[0] for line in lines]
    assert delays == ["0.5", "1", "2", "4", "8", "16", "30", "30", "30"]
    assert lines[-1].endswith("(restart 9)")
    assert len(started) == 10


def test_the_backoff_is_quick_again_after_a_long_enough_run():
    clock, started = Clock(), Started()
    the_supervisor, lines = supervisor(Child("intake serve", started), clock=clock)
    for _ in range(4):
        crash_after(the_supervisor, started, clock, uptime=10)
    crash_after(the_supervisor, started, clock, uptime=59)
    crash_after(the_supervisor, started, clock, uptime=60)

    assert "restarting in 8 s" in lines[-2], "59 s up is not yet steady"
    assert "restarting in 0.5 s" in lines[-1]
    assert lines[-1].endswith("(restart 6)"), "the count of restarts goes on"


def test_five_quick_exits_in_a_row_stop_the_platform_naming_the_process_and_its_log():
    clock, healthy, failing = Clock(), Started(), Started(exit_at_once=1)
    the_supervisor, lines = supervisor(
        Child("intake serve", healthy, Path("var/log/intake-serve.log")),
        Child("guidance relay", failing, Path("var/log/guidance-relay.log")),
        clock=clock,
    )

    gave_up = the_supervisor.watch(interval=0.2)
    the_supervisor.stop(grace=15)

    assert gave_up is the_supervisor.children[1]
    assert len(failing) == 5
    assert lines[:4] == [f"guidance relay exited (code 1); restarting in {d} s (restart {n})"
                         for n, d in enumerate(("0.5", "1", "2", "4"), start=1)]
    assert lines[4:] == ["guidance relay exited within 5 s of starting 5 times in a row "
                         "(log: var/log/guidance-relay.log); stopping the platform."]
    assert healthy[0].signals == [signal.SIGTERM] and len(healthy) == 1


def test_quick_exits_must_be_in_a_row_to_count():
    clock, started = Clock(), Started()
    the_supervisor, lines = supervisor(Child("notifications serve", started), clock=clock)
    for _ in range(4):
        crash_after(the_supervisor, started, clock, uptime=1)
    crash_after(the_supervisor, started, clock, uptime=30)  # ran fine for a while, then died
    for _ in range(4):
        crash_after(the_supervisor, started, clock, uptime=1)

    assert not the_supervisor.check()
    assert len(lines) == 9 and all("restarting in" in line for line in lines)
    assert started[-1].poll() is None


def test_children_that_exit_on_ctrl_c_are_not_started_again():
    clock, serve, relay = Clock(), Started(), Started()
    the_supervisor, lines = supervisor(Child("referrals serve", serve), Child("referrals relay", relay),
                                       clock=clock)
    the_supervisor.check()
    # Ctrl-C reaches the whole terminal group: the children go while the handler runs.
    the_supervisor.request_stop(signal.SIGINT, None)
    serve[0].exit(-signal.SIGINT)

    assert the_supervisor.watch() is None
    the_supervisor.stop(grace=15)

    assert lines == []
    assert len(serve) == 1 and len(relay) == 1
    assert relay[0].signals == [signal.SIGTERM]
    assert serve[0].signals == [], "a child already gone gets no signal"


def test_a_child_waiting_for_its_backoff_is_not_started_by_a_stop():
    clock, started = Clock(), Started()
    the_supervisor, lines = supervisor(Child("sharing serve", started), clock=clock)
    clock.sleep(10)
    started[0].exit(-9)
    the_supervisor.check()
    the_supervisor.request_stop()
    clock.sleep(1)

    the_supervisor.check()
    the_supervisor.stop(grace=15)

    assert len(started) == 1


def test_a_child_deaf_to_sigterm_is_killed_after_the_grace():
    clock, deaf = Clock(), Started(ignores_sigterm=True)
    the_supervisor, _ = supervisor(Child("gateway serve", deaf), clock=clock)
    the_supervisor.request_stop()
    started = clock.now

    the_supervisor.stop(grace=15)

    assert deaf[0].signals == [signal.SIGTERM, signal.SIGKILL]
    assert 15 <= clock.now - started < 15.2
