"""Vectors for the sentences of the indexed passages, so the answer composer can judge each
sentence against the question by meaning, not only by shared words.

Computed at ingest and kept on disk, because computing them at answer time is the slow way:
measured here, the 40 or so sentences of five passages take 350 ms to embed on two cores,
while the whole bundled knowledge base (about 300 sentences) takes under 2 s once at ingest
and a lookup costs under a millisecond. A sentence never seen (an index written by another
replica, or before this store existed) is embedded when first needed and then kept.

The store is content-addressed (model name + sentence text), so it never needs to agree with
the index: a stale entry is merely unused, and a crash mid-write loses only cache entries.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ingest.embedder import Embedder
from ingest.sentences import in_context, split_sentences

log = logging.getLogger(__name__)

MEMORY_ENTRIES = 20_000  # about 30 MB of float32 vectors at 384 dimensions


class SentenceVectors:
    def __init__(self, embedder: Embedder, path: Path | None) -> None:
        self.embedder = embedder
        self._lock = threading.Lock()
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._db: sqlite3.Connection | None = None
        #: how many sentences this process has embedded (the rest came from memory or disk)
        self.embedded = 0
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS sentence_vectors "
                    "(key TEXT PRIMARY KEY, vector BLOB)"
                )
                self._db.commit()
            except (OSError, sqlite3.Error) as exc:  # a cache: answer on, computing as needed
                log.warning("sentence vectors kept in memory only (%s): %s", path, exc)
                self._db = None

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.embedder.name}\0{text}".encode()).hexdigest()

    def prepare(self, passages: Iterable[tuple[str | None, str]]) -> int:
        """At ingest: embed the sentences of these (heading, text) passages that are not
        stored yet, each read with its heading, and the headings themselves (the composer
        judges a section by its heading too). Returns how many were embedded."""
        pairs = list(passages)
        texts = list(
            dict.fromkeys(
                [
                    *(in_context(h, s) for h, text in pairs for s in split_sentences(text)),
                    *(h for h, _ in pairs if h),
                ]
            )
        )
        before = self.embedded
        self.vectors(texts)
        return self.embedded - before

    def vectors(self, texts: list[str]) -> np.ndarray:
        """One normalised vector per text, in order: from memory, from disk, or embedded now."""
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        # memory is keyed by the text itself (every answer looks up about 15 sentences, and
        # hashing each for its disk key cost more than the lookup); disk by the hashed key
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                hit = self._memory.get(text)
                if hit is not None:
                    self._memory.move_to_end(text)
                    found[text] = hit
        unseen = [t for t in dict.fromkeys(texts) if t not in found]
        if unseen:
            keys = {self._key(t): t for t in unseen}
            if self._db is not None:
                with self._lock:
                    stored = self._read(list(keys))
                found.update({keys[k]: v for k, v in stored.items()})
            missing = [t for t in unseen if t not in found]
            if missing:
                computed = self.embedder.embed_documents(missing)
                fresh = dict(zip(missing, computed, strict=True))
                found.update(fresh)
                with self._lock:
                    self.embedded += len(fresh)
                    if self._db is not None:
                        rows = [
                            (self._key(t), v.astype(np.float32).tobytes()) for t, v in fresh.items()
                        ]
                        self._db.executemany(
                            "INSERT OR IGNORE INTO sentence_vectors (key, vector) VALUES (?, ?)",
                            rows,
                        )
                        self._db.commit()
            with self._lock:
                for text in unseen:
                    self._memory[text] = found[text]
                while len(self._memory) > MEMORY_ENTRIES:
                    self._memory.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def _read(self, keys: list[str]) -> dict[str, np.ndarray]:
        assert self._db is not None
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT key, vector FROM sentence_vectors WHERE key IN ({marks})",  # noqa: S608
                part,
            ).fetchall()
            out.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        return out

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
