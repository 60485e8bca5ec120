"""The BM25 side of hybrid retrieval (bm25s, with a Snowball stemmer), kept in step with Chroma.

The index is rebuilt from the chunk collection whenever the catalog's fingerprint changes and
saved to disk with that fingerprint, so a restart with an unchanged index only loads it.
"""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

_K1, _B = 1.2, 0.75
#: Saved with the index; a different value means the saved index must be rebuilt.
TOKENIZER_VERSION = 5
STOPWORDS = sorted(
    set(STOPWORDS_EN_PLUS)
    | {"could", "would", "might", "must", "shall", "may", "also", "many", "much"}
)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_TOKENS = re.compile(r"(?u)\b\w\w+\b")  # bm25s.tokenize's default pattern
_STOPSET = frozenset(STOPWORDS)
# an acronym's plural is the acronym: "PAs", "DPs", "ISFs" ("pas" would never match "PA")
_ACRONYM_PLURAL = re.compile(r"\b([A-Z]{2,})s\b")
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass
class LexicalHit:
    chunk_id: str
    score: float


# "section 1", "regulation 7", "chapter 12", "session 4": also one token, so the number counts
# ("what does section 1 say?" would otherwise search "section" alone: a number of one digit is
# no token)
_REFERENCE = re.compile(
    r"\b(section|regulation|chapter|paragraph|schedule|part|session|step|stage|phase)s?\s+"
    r"(\d+[A-Za-z]?)\b",
    re.I,
)


def _reference(match: re.Match[str]) -> str:
    return f"{match.group(0)} {match.group(1).lower()}{match.group(2).lower()}"


def as_tokenised(text: str) -> str:
    """The text as it is tokenised: an acronym's plural read as the acronym, and a legal
    reference ("section 42") given a token of its own ("section42") beside its words."""
    return _REFERENCE.sub(_reference, _ACRONYM_PLURAL.sub(r"\1", text))


class LexicalIndex:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._stemmer = Stemmer.Stemmer("english")
        self._lock = threading.Lock()
        self._retriever: bm25s.BM25 | None = None
        self._ids: list[str] = []
        self._doc_ids: np.ndarray = np.array([], dtype=object)
        self._vocabulary: frozenset[str] = frozenset()
        self.fingerprint: str | None = None
        self._idf: tuple[bm25s.BM25, dict[str, float]] | None = None

    def tokenize(self, texts: list[str]) -> list[list[str]]:
        """What `bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=..., return_ids=False)`
        returns, token for token (a test holds them equal), without its per-text set-up:
        a query's words and every candidate sentence are tokenised on each request."""
        stem = self._stemmer.stemWords
        return [
            stem([w for w in _TOKENS.findall(as_tokenised(text).lower()) if w not in _STOPSET])
            for text in texts
        ]

    def load(self, fingerprint: str) -> bool:
        """Load the saved index if it was built for `fingerprint`."""
        state = self._path / "state.json"
        try:
            saved = json.loads(state.read_text())
            if saved.get("fingerprint") != fingerprint:
                return False
            if saved.get("tokenizer") != TOKENIZER_VERSION:
                return False
            retriever = bm25s.BM25.load(str(self._path / "bm25"))
        except (OSError, ValueError, KeyError):
            return False
        with self._lock:
            self._retriever = retriever if saved["ids"] else None
            self._ids = list(saved["ids"])
            self._doc_ids = np.array(saved["doc_ids"], dtype=object)
            self._vocabulary = frozenset(saved.get("vocabulary", []))
            self.fingerprint = fingerprint
        return True

    def rebuild(self, rows: Iterable[tuple[str, str, str]], fingerprint: str) -> None:
        """Index (chunk_id, doc_id, text) rows and persist them under `fingerprint`."""
        ids, doc_ids, texts = [], [], []
        for cid, doc_id, text in rows:
            ids.append(cid)
            doc_ids.append(doc_id)
            texts.append(text)
        vocabulary = sorted({w for t in texts for w in _WORDS.findall(t.lower())})
        retriever: bm25s.BM25 | None = None
        if texts:
            retriever = bm25s.BM25(k1=_K1, b=_B)
            retriever.index(self.tokenize(texts), show_progress=False)
        self._save(retriever, ids, doc_ids, vocabulary, fingerprint)
        with self._lock:
            self._retriever = retriever
            self._ids = ids
            self._doc_ids = np.array(doc_ids, dtype=object)
            self._vocabulary = frozenset(vocabulary)
            self.fingerprint = fingerprint

    def _save(
        self,
        retriever: bm25s.BM25 | None,
        ids: list[str],
        doc_ids: list[str],
        vocabulary: list[str],
        fingerprint: str,
    ) -> None:
        """Write to a sibling folder, then swap it in, so a crash never leaves half an index."""
        self._path.parent.mkdir(parents=True, exist_ok=True)
        staging = self._path.with_name(self._path.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        if retriever is not None:
            retriever.save(str(staging / "bm25"))
        state = {
            "fingerprint": fingerprint,
            "tokenizer": TOKENIZER_VERSION,
            "ids": ids,
            "doc_ids": doc_ids,
            "vocabulary": vocabulary,
        }
        (staging / "state.json").write_text(json.dumps(state))
        old = self._path.with_name(self._path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self._path.exists():
            self._path.rename(old)
        staging.rename(self._path)
        shutil.rmtree(old, ignore_errors=True)

    def idf(self) -> dict[str, float]:
        """Inverse document frequency of each indexed token (BM25's form): how much finding a
        word says. A token the index has never seen is rarer than any (see `rarest`)."""
        with self._lock:
            retriever = self._retriever
            cached = self._idf
        if retriever is None:
            return {}
        if cached is not None and cached[0] is retriever:
            return cached[1]
        indptr = np.asarray(retriever.scores["indptr"])
        total = int(retriever.scores["num_docs"])
        weights: dict[str, float] = {}
        for token, column in retriever.vocab_dict.items():
            if column + 1 < len(indptr):
                df = int(indptr[column + 1] - indptr[column])
                weights[token] = math.log(1 + (total - df + 0.5) / (df + 0.5))
        with self._lock:
            self._idf = (retriever, weights)
        return weights

    @property
    def vocabulary(self) -> frozenset[str]:
        """Lower-case surface words of the indexed chunks (for spelling correction)."""
        return self._vocabulary

    def search(
        self, query: str, k: int, *, doc_ids: Sequence[str] | None = None
    ) -> list[LexicalHit]:
        with self._lock:
            retriever, ids, owners = self._retriever, self._ids, self._doc_ids
        if retriever is None or not ids:
            return []
        tokens = self.tokenize([query])
        if not tokens[0]:
            return []
        mask = None
        if doc_ids is not None:
            mask = np.isin(owners, list(doc_ids)).astype(np.float32)
            if not mask.any():
                return []
        found, scores = retriever.retrieve(
            tokens, k=min(k, len(ids)), show_progress=False, weight_mask=mask, n_threads=0
        )
        return [
            LexicalHit(ids[int(i)], float(s))
            for i, s in zip(found[0], scores[0], strict=False)
            if float(s) > 0.0
        ]
