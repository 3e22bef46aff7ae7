"""The consumer watchdog's rule, on fakes: a queue the broker shows without a consumer
on three checks in a row makes the process exit to be started again; a consumer back
in between starts the count again; a check the broker could not answer is no evidence."""
from shared import watchdog


def dog(counts: list):
    exits = []
    return watchdog.Watchdog(lambda: ["rpc-guidance"], lambda name: counts.pop(0), exits.append), exits


def test_a_queue_with_a_consumer_or_a_broker_that_does_not_answer_is_left_alone():
    check, exits = dog([1, None, 1, None, None, None])
    for _ in range(6):
        check.check()
    assert exits == []


def test_a_lost_consumer_makes_the_process_exit_on_the_third_check():
    check, exits = dog([0, 0, 0])
    check.check()
    check.check()
    assert exits == []  # a consumer reconnecting after a broker restart is back by then
    check.check()
    assert exits == [watchdog.EXIT_STATUS]


def test_a_consumer_that_comes_back_starts_the_count_again():
    check, exits = dog([0, 0, 1, 0, 0, None, 0])
    for _ in range(7):
        check.check()
    assert exits == []
