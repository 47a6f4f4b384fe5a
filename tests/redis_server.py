"""A private, throwaway redis-server for tests that break Redis on purpose.

Restarting or freezing the shared Redis (port 6379) would disturb every other test and
engineer using it, so outage tests get their own server on a free port instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from types import TracebackType

import pytest
import redis


def require_redis_server() -> None:
    """Skip the calling module where redis-server is not installed (a developer's laptop);
    where a Redis URL is configured for the tests (CI), a missing binary is an error."""
    if shutil.which("redis-server") is not None:
        return
    if os.environ.get("PLAYROLL_TEST_REDIS_URL"):
        raise RuntimeError("PLAYROLL_TEST_REDIS_URL is set but redis-server is not installed")
    pytest.skip(
        "redis-server is not installed; CI sets PLAYROLL_TEST_REDIS_URL and requires it",
        allow_module_level=True,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """One redis-server subprocess; the port is kept across restarts."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not on PATH: install Redis to run these tests")
        self._binary = binary
        self.port = _free_port()
        if self.port == 6379:  # never the shared server, however unlikely
            self.port = _free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="playroll-redis-")
        self._process: subprocess.Popen[bytes] | None = None
        self._paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        if self._process is not None:
            raise RuntimeError("redis-server already running")
        # fmt: off
        command = [
            self._binary, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", self._dir.name,
            "--daemonize", "no", "--loglevel", "warning",
        ]
        # fmt: on
        log = open(os.path.join(self._dir.name, "redis.log"), "ab")  # noqa: SIM115
        try:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        finally:
            log.close()  # the child has its own copy of the descriptor
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited at start: {self._log_tail()}")
            if self._answers_ping():
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not start within {timeout}s: {self._log_tail()}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if self._paused:  # a stopped process cannot handle SIGTERM
            process.send_signal(signal.SIGCONT)
            self._paused = False
        if process.poll() is None:
            process.terminate()  # SIGTERM: redis shuts down at once with --save ""
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        # The port must be free again before restart() binds it: wait for the listener.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self._port_in_use():
            time.sleep(0.02)

    def restart(self) -> None:
        self.stop()
        self.start()

    def pause(self) -> None:
        """Freeze the server: connections stay open but nothing answers (a hung Redis)."""
        assert self._process is not None, "redis-server is not running"
        self._process.send_signal(signal.SIGSTOP)
        self._paused = True

    def resume(self) -> None:
        assert self._process is not None, "redis-server is not running"
        self._process.send_signal(signal.SIGCONT)
        self._paused = False

    def numsub(self, channel: str) -> int:
        """How many connections are subscribed to ``channel`` right now."""
        with redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2) as r:
            counts = r.pubsub_numsub(channel)
        return int(counts[0][1])

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _answers_ping(self) -> bool:
        try:
            with redis.Redis(
                host="127.0.0.1", port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5
            ) as r:
                return bool(r.ping())
        except redis.RedisError:
            return False

    def _port_in_use(self) -> bool:
        with socket.socket() as probe, contextlib.suppress(OSError):
            # As redis does: connections it closed may linger in TIME_WAIT on the port.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", self.port))
            return False
        return True

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError), open(os.path.join(self._dir.name, "redis.log")) as f:
            return f.read()[-2000:]
        return "(no log)"
