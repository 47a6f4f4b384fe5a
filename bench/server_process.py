"""``playroll serve`` in a child process, so its CPU time can be read on its own."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from server.settings import Settings

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


@dataclass
class ServerProcess:
    process: asyncio.subprocess.Process
    port: int
    log_path: Path

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the server process, all threads, from /proc."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        # The command name (field 2) may contain spaces: count fields after its ")".
        fields = stat.rsplit(")", 1)[1].split()
        utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
        return (utime + stime) / clock_tick_hz()

    def logged_errors(self) -> list[str]:
        """Error and traceback lines the server wrote: a run with any is suspect."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def clock_tick_hz() -> int:
    return os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _command(port: int, workers: int) -> list[str]:
    playroll = Path(sys.executable).with_name("playroll")
    serve = [str(playroll)] if playroll.exists() else [sys.executable, "-m", "server.cli"]
    serve += ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return [sys.executable, "-m", "bench.launch", *serve]


def _environment(settings: Settings) -> dict[str, str]:
    # The operator's own PLAYROLL_* variables would make this server differ from the
    # in-process one the other parts measure: pass exactly the benchmark's settings.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAYROLL_")}
    env |= {
        "PLAYROLL_DATABASE_URL": settings.database_url,
        "PLAYROLL_BROADCAST_URL": settings.broadcast_url,
        "PLAYROLL_SECRET_KEY": settings.secret_key.get_secret_value()
        if settings.secret_key
        else "",
        "PLAYROLL_DEBUG": "0",
        "PLAYROLL_WS_DEFLATE": "1" if settings.ws_deflate else "0",
        "PLAYROLL_MAX_SUBSCRIPTIONS_PER_CONNECTION": str(settings.max_subscriptions_per_connection),
    }
    return env


@asynccontextmanager
async def running(
    settings: Settings, workdir: Path, *, workers: int = 1
) -> AsyncIterator[ServerProcess]:
    """Start the server, wait for /healthz, and stop it (SIGTERM, then SIGKILL) after.

    With several workers the process is uvicorn's supervisor: its CPU time is not the
    workers' (parts that read the server's CPU run one worker).
    """
    port = free_port()
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *_command(port, workers),
            cwd=REPO,
            env=_environment(settings),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
    server = ServerProcess(process, port, log_path)
    try:
        await _wait_ready(server)
        yield server
    finally:
        await _stop(process)


async def _wait_ready(server: ServerProcess) -> None:
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        while asyncio.get_running_loop().time() < deadline:
            if server.process.returncode is not None:
                break
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the server did not start; its log ends:\n{server.log_tail()}")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()  # uvicorn closes its sockets and runs the lifespan shutdown
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
