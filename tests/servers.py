"""Real servers for tests, on loopback and free ports: a `chroma run` from the installed package
and a throwaway PostgreSQL cluster from Debian's packages."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.live import free_port


@dataclass
class ChromaServer:
    url: str
    process: subprocess.Popen[bytes]
    path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_chroma(path: Path, port: int | None = None, timeout: float = 60) -> ChromaServer:
    port = port or free_port()
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    log = (path.parent / f"chroma-{port}.log").open("wb")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        env=os.environ | {"ANONYMIZED_TELEMETRY": "False"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = ChromaServer(f"http://127.0.0.1:{port}", process, path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited: see {log.name}")
        try:
            if httpx.get(f"{server.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError("chroma run did not become ready")


@contextmanager
def chroma_server(path: Path) -> Iterator[ChromaServer]:
    server = start_chroma(path)
    try:
        yield server
    finally:
        server.stop()


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise RuntimeError(f"PostgreSQL's {name} not found: apt-get install postgresql")
    return found[-1]


@dataclass
class PostgresServer:
    url: str
    data: Path
    port: int
    run_as: list[str]
    sockets: Path

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-o", options, "-l", str(self.data.parent / "pg.log"), "start")

    def ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, _pg_bin("pg_ctl"), "-D", str(self.data), "-w", *args],
            check=True,
            capture_output=True,
        )


@contextmanager
def postgres_server(root: Path) -> Iterator[PostgresServer]:
    """initdb a throwaway cluster, start it on a free port (trust auth, loopback only),
    create database `signpost`, and remove it all afterwards. As root, the cluster lives in
    a directory of its own owned by the postgres user (PostgreSQL refuses to run as root,
    and pytest's temporary directories are private to root)."""
    run_as: list[str] = []
    owned: Path | None = None
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        owned = Path(tempfile.mkdtemp(prefix="signpost-pg-"))
        owned.chmod(0o755)
        os.chown(owned, user.pw_uid, user.pw_gid)
        root = owned
        run_as = ["runuser", "-u", "postgres", "--"]
    data, sockets = root / "pgdata", root / "pgsock"
    subprocess.run([*run_as, "mkdir", "-p", str(sockets)], check=True)
    subprocess.run(
        [*run_as, _pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = PostgresServer(
        f"postgresql+psycopg://postgres@127.0.0.1:{port}/signpost", data, port, run_as, sockets
    )
    server.start()
    try:
        subprocess.run(
            [
                *run_as,
                _pg_bin("createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "signpost",
            ],
            check=True,
            capture_output=True,
        )
        yield server
    finally:
        try:
            server.ctl("-m", "fast", "stop")
        finally:
            if owned is not None:
                shutil.rmtree(owned, ignore_errors=True)
