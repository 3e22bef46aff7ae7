"""Structured JSON logs, one object per line, with the correlation id.

Log records carry ids, codes and counts only. Names, national register numbers,
notes and free text never go into a message or an ``extra`` field.
"""
from __future__ import annotations

import json
import logging
import sys
import time
import traceback

from shared import context

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        cid = context.correlation_id()
        if cid:
            entry["correlation_id"] = cid
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            # The exception's type and where it was raised, never its message or
            # local values: those can carry personal data.
            entry["error"] = record.exc_info[0].__name__
            entry["where"] = [
                f"{frame.filename}:{frame.lineno} {frame.name}"
                for frame in traceback.extract_tb(record.exc_info[2])[-6:]
            ]
        return json.dumps(entry, default=str)


# Our own code logs ids, codes and counts at every level. Libraries do not: at DEBUG,
# nameko logs each RPC reply's body (names, national numbers, notes) and kombu/amqp
# log frames. So whatever the service's level, a library speaks at INFO at most.
OWN_PACKAGES = ("shared", "services", "jww")
LIBRARY_FLOOR = logging.INFO
LIBRARIES = ("nameko", "kombu", "amqp", "eventlet", "urllib3", "psycopg", "sqlalchemy")


def ours(name: str) -> bool:
    return name.split(".", 1)[0] in OWN_PACKAGES


class NoLibraryDebug(logging.Filter):
    """Drops a library's records below INFO, even if its logger was set lower later
    (on the handler, so a level set anywhere else cannot let a message body through)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= LIBRARY_FLOOR or ours(record.name)


def configure(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler.addFilter(NoLibraryDebug())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for library in LIBRARIES:  # not even built: a debug record's arguments are the payloads
        logging.getLogger(library).setLevel(max(LIBRARY_FLOOR, root.level))
    # nameko logs whole tracebacks of failed workers; our own command wrapper logs them safely.
    logging.getLogger("nameko.containers").setLevel(logging.CRITICAL)
