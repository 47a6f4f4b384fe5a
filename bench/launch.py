"""Run a command that dies with the benchmark: ``python -m bench.launch CMD [ARGS...]``.

The benchmark is meant to be run under ``timeout -s KILL``, which gives it no chance to
stop the server it started. ``PR_SET_PDEATHSIG`` asks Linux to kill this process when
its parent dies, and the request survives the ``exec`` into the real command, so the
server never outlives the benchmark.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: python -m bench.launch CMD [ARGS...]")
    parent = os.getppid()
    # Not Linux: the command runs anyway, and is stopped normally at the end.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        sys.exit(1)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main(sys.argv[1:])
