"""The unit tier needs neither a broker nor a database (make test-unit): a unit test
that tries to reach one over the network, or PostgreSQL (libpq connects in C, so
psycopg itself is guarded), is refused here as if nothing listened, instead of
passing only where servers run."""
import socket

import psycopg

import pytest

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def _refused(sock, address) -> bool:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        return True
    return sock.family == socket.AF_UNIX and ".s.PGSQL" in str(address)


def _guarded_connect(sock, address):
    if _refused(sock, address):
        raise ConnectionRefusedError(f"a unit test may not connect to {address!r}")
    return _connect(sock, address)


def _guarded_connect_ex(sock, address):
    if _refused(sock, address):
        return 111  # ECONNREFUSED
    return _connect_ex(sock, address)


def _no_database(*args, **kwargs):
    raise psycopg.OperationalError("a unit test may not connect to PostgreSQL")


@pytest.fixture(autouse=True)
def no_servers(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(psycopg.Connection, "connect", classmethod(_no_database))
    monkeypatch.setattr(psycopg, "connect", _no_database)
