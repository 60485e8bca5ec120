"""The embedding model run on ONNX Runtime: the same weights and the same vectors as
sentence-transformers (max difference ~1e-7), at a fraction of the per-call cost.

sentence-transformers' own ONNX backend needs optimum-onnx, which pins transformers below 4.58, so
it cannot be installed beside the transformers 5 here. Instead the packaged PyTorch model is
exported once with `torch.onnx.export` (offline, ~1.5 s) into the user's cache directory
(the folder the settings name, by default ~/.cache/signpost/models; kept in memory when that is
not writable);
later processes load only ONNX Runtime and the `tokenizers` tokenizer, never torch (~0.3 s and
~200 MB instead of ~4.5 s and ~800 MB). Only the plain Transformer -> mean Pooling
(-> Normalize) layout is exported; any other model stays on sentence-transformers.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
BATCH = 2  # texts per ONNX Runtime call when embedding many: measured fastest here (1-2)
EXPORT_VERSION = 1  # bump when the export below changes, so old files are not reused
SUPPORTED_MODULES = (
    ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling"],
    [
        "sentence_transformers.models.Transformer",
        "sentence_transformers.models.Pooling",
        "sentence_transformers.models.Normalize",
    ],
)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def exportable(model_path: Path) -> bool:
    """True for a BERT-style model whose sentence vector is the mean of its token vectors."""
    try:
        modules = [m["type"] for m in _read_json(model_path / "modules.json")]
        pooling = _read_json(model_path / "1_Pooling" / "config.json")
    except (OSError, ValueError, KeyError, TypeError):
        return False
    others = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v]
    return (
        modules in SUPPORTED_MODULES
        and others == ["pooling_mode_mean_tokens"]
        and (model_path / "tokenizer.json").is_file()
    )


def model_digest(model_path: Path) -> str:
    """Names an export after the model files it came from, so a changed model is re-exported."""
    digest = hashlib.sha256(f"export-v{EXPORT_VERSION}".encode())
    for name in sorted(p.name for p in model_path.iterdir() if p.is_file()):
        stat = (model_path / name).stat()
        digest.update(f"{name}:{stat.st_size}".encode())
        if name.endswith(".json"):
            digest.update((model_path / name).read_bytes())
    return digest.hexdigest()[:16]


def export(model: SentenceTransformer) -> bytes:
    """The model's transformer as ONNX (token vectors out; pooling is done in numpy)."""
    import torch

    transformer = model[0].auto_model

    class TokenVectors(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.transformer(  # type: ignore[operator]  # a module, typed as Tensor
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = model.tokenizer(["an example sentence"], return_tensors="pt")
    if "token_type_ids" not in sample:
        raise ValueError("the model takes no token_type_ids")
    dynamic = {0: "batch", 1: "tokens"}
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            TokenVectors().eval(),
            tuple(sample[name] for name in INPUTS),
            buffer,  # type: ignore[arg-type]  # a file object is accepted at run time
            input_names=list(INPUTS),
            output_names=["token_vectors"],
            dynamic_axes={name: dynamic for name in [*INPUTS, "token_vectors"]},
            opset_version=17,
            dynamo=False,
        )
    return buffer.getvalue()


def default_cache_dir() -> Path:
    """Where the export goes when the caller names no folder (the service passes the one its
    settings give: SIGNPOST_MODEL_CACHE_DIR, or $XDG_CACHE_HOME/signpost/models)."""
    return Path.home() / ".cache" / "signpost" / "models"


def cached_export(model_path: Path, name: str, cache_dir: Path | None, load: Any) -> bytes | Path:
    """The exported model: a file in `cache_dir` (written once, atomically), or bytes in memory
    when there is no cache directory or it cannot be written. `load` returns the
    sentence-transformers model."""
    target = cache_dir / f"{name}-{model_digest(model_path)}.onnx" if cache_dir else None
    if target is not None and target.is_file():
        return target
    data = export(load())
    if target is None:
        return data
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    except OSError as exc:
        log.info("keeping the exported model in memory (%s is not writable: %s)", cache_dir, exc)
        return data
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    log.info("exported the embedding model to %s", target)
    return target


def available_cpus() -> int:
    """The CPUs this process may really use: the affinity mask, capped by a cgroup CPU quota
    (a container's limit), which os.cpu_count() ignores."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    quota = _cgroup_quota()
    return max(1, min(cpus, quota) if quota else cpus)


def _cgroup_quota(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """CPUs allowed by the cgroup (v2 cpu.max, or v1 cfs quota/period), rounded up; None when
    unlimited or unknown."""
    try:
        limit, period = (root / "cpu.max").read_text().split()[:2]
        if limit != "max":
            return max(1, -(-int(limit) // int(period)))
        return None
    except (OSError, ValueError):
        pass
    try:
        v1_quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        v1_period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return max(1, -(-v1_quota // v1_period)) if v1_quota > 0 and v1_period > 0 else None


class OnnxEncoder:
    """Tokenise with `tokenizers`, run the ONNX graph, mean-pool over real tokens, normalise.

    One text (a question) runs on a session using every core: lowest latency. Many texts (an
    ingest) run one or two at a time on a single-threaded session from one worker per core,
    longest first: measured on this 2-core machine, 2 x 1 thread gives ~50 chunks/s against
    ~39 for one 2-thread session and ~29 for batches of 8.
    """

    def __init__(
        self,
        model: bytes | Path,
        model_path: Path,
        *,
        workers: int | None = None,
        threads: int | None = None,
    ):
        from tokenizers import Tokenizer

        try:
            max_length = int(_read_json(model_path / "sentence_bert_config.json")["max_seq_length"])
        except (OSError, ValueError, KeyError):
            max_length = 256
        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_length)
        pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")
        self._model = str(model) if isinstance(model, Path) else model
        cpus = threads or available_cpus()
        self.workers = workers or max(1, min(cpus, 8))
        # not ONNX Runtime's default (every core of the node, whatever a container may use)
        self.session = self._session(threads=cpus)
        self._batch_session: Any = None
        self._lock = threading.Lock()

    def _session(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        return ort.InferenceSession(self._model, options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors in the order of `texts`."""
        if len(texts) <= BATCH or self.workers == 1:
            return np.concatenate(
                [self._run(self.session, texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
            )
        with self._lock:
            if self._batch_session is None:
                self._batch_session = self._session(threads=1)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        groups = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        with ThreadPoolExecutor(self.workers, thread_name_prefix="embed") as pool:
            in_order = pool.map(
                lambda group: self._run(self._batch_session, [texts[i] for i in group]), groups
            )
            longest_first = np.concatenate(list(in_order))
        out = np.empty_like(longest_first)
        out[order] = longest_first
        return out

    def _run(self, session: Any, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        tokens: np.ndarray = session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (tokens * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit
