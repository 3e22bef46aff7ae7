"""A real SMTP server process for tests: it accepts every message and writes each
to a file in the folder given, so a test can count what arrived.

    python -m tests.support.smtp_sink PORT FOLDER
"""
from __future__ import annotations

import signal
import sys
import threading
import uuid
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        name = self.folder / f"{uuid.uuid4().hex}.eml"
        name.with_suffix(".tmp").write_bytes(envelope.content)
        name.with_suffix(".tmp").rename(name)  # whole files only
        return "250 Message accepted for delivery"


def main() -> None:
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
