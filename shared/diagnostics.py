"""What an engineer on call asks a stuck process: ``kill -USR2 <pid>`` writes the
stack of every green thread and OS thread to its standard error.

A nameko process runs its consumers, workers and timers as eventlet green threads
on one OS thread, so a tool that reads OS threads (py-spy) sees only the idle hub;
this walks the greenlets themselves. Stacks hold code locations only, never values.
"""
from __future__ import annotations

import gc
import signal
import sys
import threading
import traceback


def stacks() -> str:
    import greenlet

    parts = []
    for thread_id, frame in sys._current_frames().items():
        name = next((t.name for t in threading.enumerate() if t.ident == thread_id), str(thread_id))
        parts.append(f"--- thread {name}\n" + "".join(traceback.format_stack(frame)))
    for obj in gc.get_objects():
        try:
            if not isinstance(obj, greenlet.greenlet) or obj.gr_frame is None:
                continue
        except ReferenceError:  # a weak proxy whose object is gone: not a green thread
            continue
        parts.append(f"--- green thread {type(obj).__name__} at 0x{id(obj):x}\n"
                     + "".join(traceback.format_stack(obj.gr_frame)))
    return "\n".join(parts)


def install() -> None:
    def dump(signum, frame):
        sys.stderr.write(f"=== stacks on SIGUSR2\n{stacks()}=== end of stacks\n")
        sys.stderr.flush()

    signal.signal(signal.SIGUSR2, dump)
