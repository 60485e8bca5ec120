"""An ingest killed with SIGKILL part-way, twice, then run again, leaves exactly what a clean
run leaves: same documents, same chunk counts, no orphans, the lexical index in step."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assistant.config import Settings
from assistant.factory import build_services
from ingest.chunking import Chunker
from ingest.embedder import Embedder
from ingest.loaders import load_path
from tests.conftest import REPO


def make_documents(folder: Path, count: int = 200) -> None:
    """200 distinct research-summary style documents, built from the knowledge base's own
    paragraphs (each document a different rotation of them), so the test needs nothing beside
    the clone."""
    paragraphs = [
        chunk.text
        for path in sorted((REPO / "knowledge").rglob("*.md"))
        for chunk in Chunker().split(load_path(path))
        if len(chunk.text) > 300
    ]
    assert len(paragraphs) > 50
    folder.mkdir(parents=True)
    for i in range(count):
        title = f"Practice summary {i:03d}"
        body = "\n\n".join(paragraphs[(i * 7 + k) % len(paragraphs)] for k in range(3))
        topics = "research, evidence" if i % 2 else "research"
        (folder / f"summary-{i:03d}.md").write_text(
            f"---\ntitle: {json.dumps(title)}\nsource_type: survey\n"
            f"topics: [{topics}]\n---\n# {title}\n\n{body}\n"
        )


def cli(data: Path) -> tuple[list[str], dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNPOST_")} | {
        "HF_HUB_OFFLINE": "1",
        "SIGNPOST_DATA_DIR": str(data),
    }
    return [sys.executable, "-m", "assistant"], env


def snapshot(data: Path, cwd: Path) -> list[tuple[str, str, str, int, tuple[str, ...]]]:
    run, env = cli(data)
    out = subprocess.run(
        [*run, "docs", "--json"], env=env, cwd=cwd, capture_output=True, text=True, check=True
    )
    return sorted(
        (d["doc_id"], d["title"], d["source_type"], d["chunks"], tuple(d["topics"]))
        for d in json.loads(out.stdout)["documents"]
    )


def kill_part_way(data: Path, docs: Path, cwd: Path, extra_s: float) -> None:
    """Start an ingest, wait until it is writing to the index, then SIGKILL it."""
    run, env = cli(data)
    sqlite = data / "chroma" / "chroma.sqlite3"
    before = sqlite.stat().st_mtime if sqlite.exists() else 0.0
    process = subprocess.Popen(
        [*run, "ingest", str(docs)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if sqlite.exists() and sqlite.stat().st_mtime > before:
            break
        assert process.poll() is None, "the ingest finished before it could be killed"
        time.sleep(0.05)
    time.sleep(extra_s)
    assert process.poll() is None, "the ingest finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_sigkill_twice_then_rerun_equals_a_clean_run(tmp_path: Path, embedder: Embedder) -> None:
    docs = tmp_path / "docs"
    make_documents(docs)
    run, env = cli(tmp_path / "clean")
    clean = subprocess.run(
        [*run, "ingest", str(docs)], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert clean.returncode == 0, clean.stderr
    expected = snapshot(tmp_path / "clean", tmp_path)
    assert len(expected) == 200

    crashed = tmp_path / "crashed"
    kill_part_way(crashed, docs, tmp_path, extra_s=1.0)
    kill_part_way(crashed, docs, tmp_path, extra_s=2.5)
    run, env = cli(crashed)
    final = subprocess.run(
        [*run, "ingest", str(docs)], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert final.returncode == 0, final.stderr
    assert "0 failed" in final.stdout
    assert snapshot(crashed, tmp_path) == expected

    # inside: no orphan or duplicate chunks, and BM25 covers exactly the committed chunks
    service = build_services(Settings(data_dir=crashed, _env_file=None), embedder=embedder)
    records = service.index.records()
    stored = [c for c in service.index.store.iter_chunks()]
    assert len(stored) == sum(r.chunks for r in records.values())
    assert all(records[c.doc_id].version == c.version for c in stored)
    assert len({c.chunk_id for c in stored}) == len(stored)
    assert set(service.index.lexical._ids) == {c.chunk_id for c in stored}
