"""What a long-running command (`huiyin scheduler`, `huiyin worker`) needs from its process:
to stop cleanly when asked.

honcho (`make run`), systemd and Ctrl-C ask with SIGTERM or SIGINT. The work in hand
finishes; a sleep ends at once. The handler only sets a flag: Python writes a byte to the
wake-up socket before it runs any handler, so a signal that arrives just before `select`
still ends the sleep, and nothing is raised in the middle of a database write.
"""

import select
import signal
import socket
import time
from types import FrameType, TracebackType
from typing import Any

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stop:
    """`with Stop() as stop:` installs the handlers (main thread only) and puts the previous
    ones back on exit; `stop.sleep(seconds)` is False once a stop was asked."""

    def __init__(self) -> None:
        self.requested = False
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = -1
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> "Stop":
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous = {sig: signal.signal(sig, self._handle) for sig in SIGNALS}
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def sleep(self, seconds: float) -> bool:
        """Sleep `seconds` (less if a stop is asked); False when the process should stop."""
        deadline = time.monotonic() + seconds
        while not self.requested:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            select.select([self._reader], [], [], remaining)
            self._drain()
        return not self.requested

    def wait(self) -> None:
        """Sleep until a stop is asked (a process with nothing to do under a process manager,
        which would stop its siblings if this one exited)."""
        while self.sleep(3600):
            pass

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except BlockingIOError:
            pass
