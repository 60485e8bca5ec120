"""Start and stop a real `signpost serve` process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[str]
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def live_server(
    workdir: Path, env: dict[str, str] | None = None, timeout: float = 180.0
) -> Iterator[LiveServer]:
    port = free_port()
    full_env = (
        {k: v for k, v in os.environ.items() if not k.startswith(("SIGNPOST_", "SLACK_"))}
        | {
            "HF_HUB_OFFLINE": "1",
            "SIGNPOST_DATA_DIR": str(workdir / "data"),
            "SIGNPOST_KNOWLEDGE_DIR": str(workdir / "knowledge"),
            "SIGNPOST_RATE_LIMIT_PER_MINUTE": "0",  # tests that want a limit set one
        }
        | (env or {})
    )
    log_path = workdir / f"serve-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
            cwd=workdir,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"signpost serve exited early:\n{server.output()}")
            try:
                if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"signpost serve not ready in {timeout}s:\n{server.output()}")
            time.sleep(0.3)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
