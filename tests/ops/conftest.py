"""A real Prefect server (``prefect server start``) for the operations tests: its own PREFECT_HOME, a
free port on 127.0.0.1, no telemetry. Started once per test session, only when a test asks for it, and
stopped (with every process the tests start) at the end."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PREFECT = [str(BIN / "prefect")] if (BIN / "prefect").exists() else [sys.executable, "-m", "prefect"]
BANKFLOW = [sys.executable, "-c", "from flows.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Procs:
    """Processes started by a test, each with its stdout+stderr in a log file; stopped by group."""

    log_dir: Path
    procs: list[subprocess.Popen] = field(default_factory=list)

    def start(self, name: str, cmd: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")
        p = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=kw.pop("cwd", REPO),
                             start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def stop(self, p: subprocess.Popen) -> None:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)  # its own session: the worker's flow-run children too
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)

    def stop_all(self) -> None:
        for p in reversed(self.procs):
            self.stop(p)


class _RetryTransport(httpx.HTTPTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(8):
            resp = super().handle_request(request)
            if resp.status_code not in (429, 503) or attempt == 7:
                return resp
            resp.close()
            time.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")


@dataclass
class Server:
    url: str          # .../api
    home: Path
    env: dict[str, str]
    procs: Procs
    log_dir: Path
    started_in: float

    def api(self) -> httpx.Client:
        """A client for the REST API that retries 503s, as Prefect's own client does: a busy SQLite
        server answers "Service Unavailable" when its database is locked."""
        return httpx.Client(base_url=self.url, timeout=30, transport=_RetryTransport())

    def run(self, name: str, cmd: list[str], *, env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
        """Run a command to completion with the server's environment; its output is kept in a log."""
        p = subprocess.run(cmd, env={**self.env, **(env or {})}, input=input, capture_output=True, text=True,
                           timeout=timeout, cwd=REPO)
        (self.log_dir / f"{name}.log").write_text(p.stdout + p.stderr, "utf-8")
        return p


def base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "INFO",
                "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")})
    return env


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("prefect-server")
    home, log_dir = root / "home", root / "logs"
    home.mkdir()
    log_dir.mkdir()
    port = free_port()
    env = base_env(home)
    procs = Procs(log_dir)
    started = time.monotonic()
    proc = procs.start("server", [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise AssertionError("prefect server exited:\n" + (log_dir / "server.log").read_text())
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("prefect server not healthy after 120 s:\n" + (log_dir / "server.log").read_text())
            time.sleep(0.3)
        env = {**env, "PREFECT_API_URL": url}
        yield Server(url=url, home=home, env=env, procs=procs, log_dir=log_dir,
                     started_in=time.monotonic() - started)
    finally:
        procs.stop_all()


@pytest.fixture(scope="session")
def deployed(prefect_server: Server) -> Server:
    """The server after `bankflow deploy`: work pool, per-bank limits, deployments."""
    p = prefect_server.run("deploy", [*BANKFLOW, "deploy"], env={"BANKFLOW_PROJECT_DIR": str(REPO)})
    assert p.returncode == 0, p.stdout + p.stderr
    assert "deployed bankflow-sync/daily-sync" in p.stdout and "deployed bankflow-sync/monthly-statements" in p.stdout
    return prefect_server
