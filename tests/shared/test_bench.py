"""`signpost bench` end to end at a tiny size: it must produce every figure and the report
files. Timings are printed by the bench, never asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.shared


def test_bench_writes_every_figure_and_the_report(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNPOST_")} | {
        "HF_HUB_OFFLINE": "1"
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "bench",
            "--json",
            "--out",
            str(tmp_path / "out"),
            "--sizes",
            "300",
            "--abstracts",
            "10",
            "--no-scifact",
            "--load-seconds",
            "2",
            "--knowledge",
            str(REPO / "knowledge"),
            "--scifact-dir",
            str(REPO.parent / "shared" / "bench" / "scifact"),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert figures["ingest"]["chunks"] > 150
    assert figures["ingest"]["ingest_vs_encode"] > 0
    assert figures["ingest"]["ingest_vs_backend_encode"] > 0
    assert figures["ingest"]["backend"] == "onnx"
    ask = figures["ask"]
    assert {"ask_p50_vs_raw", "ask_p50_vs_backend_raw", "hit5", "peer_hit5"} <= set(ask)
    assert "ask_p50_vs_peer" in ask
    assert 0 <= ask["peer_hit5"] <= 1
    assert ask["hit5"] >= 0.9, "the golden set must still be found"
    assert figures["load"]["errors"] == 0
    assert figures["load"]["clients"] == 16
    assert figures["load"]["server_peak_rss_mb"] > 100
    assert [row["chunks"] for row in figures["scale"]] == [300]
    assert figures["scale"][0]["peak_rss_mb"] > 0
    out = tmp_path / "out"
    assert json.loads((out / "bench.json").read_text())["ingest"] == figures["ingest"]
    assert "## scale" in (out / "bench.md").read_text()
    assert (out / "latency_vs_size.png").read_bytes()[:4] == b"\x89PNG"
