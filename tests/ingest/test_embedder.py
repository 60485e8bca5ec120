"""The embedding model on ONNX Runtime: the same vectors as sentence-transformers, exported
once into the data dir and reused without torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ingest.embedder import Embedder
from ingest.onnx_backend import _cgroup_quota, exportable


def _texts(articles: Path) -> list[str]:
    """Real passages of different lengths, including one longer than the model's 256 tokens."""
    texts = []
    for path in sorted(articles.iterdir()):
        body = path.read_text(encoding="utf-8", errors="replace")
        texts += [body[:120], body[200:1100], body[:4000]]
    return [*texts, "can my client pay her daughter as her PA?", "x"]


def test_onnx_vectors_match_sentence_transformers(
    tmp_path: Path, embedder: Embedder, articles: Path
) -> None:
    onnx = Embedder(cache_dir=tmp_path / "models")
    torch = Embedder(backend="torch")
    texts = _texts(articles)
    got, want = onnx.embed_documents(texts), torch.embed_documents(texts)
    assert onnx.backend == "onnx"
    assert torch.backend == "torch"
    assert got.shape == want.shape == (len(texts), 384)
    assert np.abs(got - want).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    single = onnx.embed_query(texts[-2])
    assert np.abs(single - want[-2]).max() < 1e-5


def test_export_is_kept_in_the_data_dir_and_reused_without_torch(tmp_path: Path) -> None:
    cache = tmp_path / "models"
    Embedder(cache_dir=cache).embed_query("export it")
    (exported,) = cache.glob("all-MiniLM-L6-v2-*.onnx")
    assert exported.stat().st_size > 50_000_000
    assert not list(cache.glob("*.part")), "no half-written export is left behind"
    # a fresh process embeds from the exported file alone: torch is never imported
    probe = (
        "import sys; from pathlib import Path; from ingest.embedder import Embedder; "
        f"e = Embedder(cache_dir=Path({str(cache)!r})); v = e.embed_query('hello'); "
        "print(e.backend, len(v), 'torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == ["onnx", "384", "False"]


def test_a_model_with_another_pooling_stays_on_sentence_transformers(
    tmp_path: Path, embedder: Embedder
) -> None:
    model = tmp_path / "cls-model"
    shutil.copytree(embedder.model_path, model)
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config |= {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}
    pooling.write_text(json.dumps(config))
    assert exportable(embedder.model_path)
    assert not exportable(model)
    cls = Embedder(str(model), cache_dir=tmp_path / "models")
    assert cls.backend == "torch"
    assert cls.embed_query("hello").shape == (384,)
    assert not (tmp_path / "models").exists()


def test_an_unwritable_cache_keeps_the_export_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    embedder = Embedder(cache_dir=blocker / "models")
    assert embedder.embed_query("hello").shape == (384,)
    assert embedder.backend == "onnx"
    assert blocker.read_text() == "a file where the cache folder would go"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "150000 100000\n"}, 2),
        ({"cpu.max": "50000 100000\n"}, 1),
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({}, None),
    ],
)
def test_the_cgroup_cpu_quota_sizes_the_model_threads(
    tmp_path: Path, files: dict[str, str], expected: int | None
) -> None:
    """A pod limited to 1.5 CPUs gets 2 threads, not one per core of the node."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert _cgroup_quota(tmp_path) == expected


def test_the_thread_setting_reaches_the_onnx_sessions() -> None:
    embedder = Embedder(threads=1)
    assert embedder.backend == "onnx"
    encoder = embedder._encoder()
    assert encoder is not None
    assert encoder.workers == 1
    assert encoder.session.get_session_options().intra_op_num_threads == 1
