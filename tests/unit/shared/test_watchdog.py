"""The consumer watchdog's rule, on fakes: a queue the broker shows without a consumer
on two checks in a row has its consumer's connection cut; after four, the process
exits to be started again; a check the broker could not answer is no evidence."""
from types import SimpleNamespace

from shared import watchdog


class Socket:
    def __init__(self):
        self.shut = 0

    def shutdown(self, how):
        self.shut += 1


def consumer():
    return SimpleNamespace(channel=SimpleNamespace(connection=SimpleNamespace(sock=Socket())))


def dog(counts: list):
    rpc = consumer()
    exits = []
    dog = watchdog.Watchdog(lambda: {"rpc-guidance": rpc}, lambda name: counts.pop(0), exits.append)
    return dog, rpc.channel.connection.sock, exits


def test_a_queue_with_a_consumer_or_a_broker_that_does_not_answer_is_left_alone():
    check, sock, exits = dog([1, None, 1, None, None, None])
    for _ in range(6):
        check.check()
    assert sock.shut == 0 and exits == []


def test_a_lost_consumer_is_reconnected_on_the_second_check_and_the_process_exits_on_the_fourth():
    check, sock, exits = dog([0, 0, 0, 0])
    check.check()
    assert sock.shut == 0  # once could be a consumer reconnecting between two checks
    check.check()
    assert sock.shut == 1 and exits == []
    check.check()
    check.check()
    assert exits == [watchdog.EXIT_STATUS]


def test_a_consumer_that_comes_back_starts_the_count_again():
    check, sock, exits = dog([0, 0, 1, 0, 0, 0])
    for _ in range(6):
        check.check()
    assert sock.shut == 2 and exits == []  # cut twice, each after two misses in a row; never exited
