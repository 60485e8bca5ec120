"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates fused by reciprocal rank,
filtered by topic and source type, with near-duplicate passages collapsed."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.activity.log import Ranking
from assistant.answering.query import jaccard
from assistant.schemas import Filters
from ingest.documents import DocumentRecord
from ingest.embedder import Embedder
from ingest.knowledge_index import KnowledgeIndex
from ingest.vector_store import StoredChunk

RRF_K = 60
PREFER_FACTOR = 1.5
_WORD = re.compile(r"[a-z0-9%£]+")


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    """A chunk's words, to tell near-duplicates apart (a chunk's text never changes)."""
    return frozenset(_WORD.findall(text.lower()))


@dataclass
class Passage:
    chunk: StoredChunk
    record: DocumentRecord
    fused: float  # reciprocal-rank-fusion score, for ordering
    similarity: float  # cosine similarity of query and chunk, for calibrated confidence
    lexical: float  # BM25 score (0 when only the dense side found it)


def sibling_docs(passages: list[Passage], top_k: int) -> set[str]:
    """The documents whose further sections may follow the top_k passages: the best
    passage's, and the one closest in meaning to the question's ("does a PA on 8 hours a week
    need a pension?": BM25 put sections on holiday first, the pension note is closest)."""
    closest = max(passages[:top_k], key=lambda p: p.similarity)
    return {passages[0].record.doc_id, closest.record.doc_id}


class HybridRetriever:
    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Embedder,
        *,
        candidates: int = 30,
        fusion: str = "rrf",
        alpha: float = 0.7,
        ranking: Callable[[], Ranking] | None = None,
    ) -> None:
        #: trainers' document boosts and hiding, and bounded feedback factors per chunk
        self.ranking = ranking
        self.index = index
        self.embedder = embedder
        self.candidates = candidates
        self.fusion = fusion
        self.alpha = alpha

    def allowed_documents(self, filters: Filters | None) -> list[str] | None:
        """Doc ids that pass the filters (None: no filter at all)."""
        if filters is None or filters.empty:
            return None
        topics, types = set(filters.topics), set(filters.source_types)
        return [
            r.doc_id
            for r in self.index.records().values()
            if (not topics or topics & set(r.topics)) and (not types or r.source_type in types)
        ]

    def retrieve(
        self,
        query: str,
        top_k: int,
        filters: Filters | None = None,
        *,
        siblings: int = 0,
        prefer: list[str] | None = None,
    ) -> list[Passage]:
        """The top_k passages, then up to `siblings` more sections of the best passage's
        document from further down the candidates (its other sections are where the rest of
        the answer most often is: "Who can have one" under "What a direct payment is")."""
        records = self.index.records()
        allowed = self.allowed_documents(filters)
        ranking = self.ranking() if self.ranking is not None else None
        if ranking is not None and ranking.hidden:  # hidden documents are never cited
            pool = allowed if allowed is not None else list(records)
            allowed = [d for d in pool if d not in ranking.hidden]
        if allowed is not None and not allowed:
            return []
        vector = self.embedder.embed_query(query)
        dense = self.index.store.nearest(vector, self.candidates, doc_ids=allowed)
        lexical = self.index.lexical_search(query, self.candidates, doc_ids=allowed)

        lexical_scores = {hit.chunk_id: hit.score for hit in lexical}
        similarities = dict(dense)
        wanted = list(dict.fromkeys([*similarities, *lexical_scores]))
        known: dict[str, tuple[StoredChunk, float]] = {}
        for cid, (chunk, stored_vector) in self.index.store.get_chunks(wanted).items():
            if self.index.is_current(chunk):
                similarity = similarities.get(cid)
                if similarity is None:  # found by BM25 only
                    similarity = float(np.dot(stored_vector, vector))
                known[cid] = (chunk, similarity)

        fused: dict[str, float] = {}
        if self.fusion == "convex":
            # similarity and max-normalised BM25, mixed: keeps the size of score gaps
            top_lexical = max(lexical_scores.values(), default=0.0) or 1.0
            for cid, (_, similarity) in known.items():
                fused[cid] = self.alpha * similarity + (1 - self.alpha) * (
                    lexical_scores.get(cid, 0.0) / top_lexical
                )
        else:
            for rank, cid in enumerate(c for c, _ in dense if c in known):
                fused[cid] = 1.0 / (RRF_K + rank + 1)
            for rank, lhit in enumerate(lexical):
                fused[lhit.chunk_id] = fused.get(lhit.chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)

        if ranking is not None:
            for cid in fused:
                if cid in known:
                    fused[cid] *= ranking.factor(known[cid][0].doc_id, cid)
        if prefer:  # a follow-up: the documents the conversation's last answer cited
            for cid in fused:
                if cid in known and known[cid][0].doc_id in prefer:
                    fused[cid] *= PREFER_FACTOR
        ranked = sorted(fused.items(), key=lambda item: item[1], reverse=True)
        passages: list[Passage] = []
        extra = 0
        seen: list[frozenset[str]] = []
        family: set[str] = set()  # the sibling documents, fixed once the top_k are in
        for cid, score in ranked:
            if cid not in known:
                continue
            chunk, similarity = known[cid]
            record = records.get(chunk.doc_id)
            if record is None or record.version != chunk.version:
                continue
            if len(passages) >= top_k:
                family = family or sibling_docs(passages, top_k)
                if chunk.doc_id not in family:
                    continue
            words = _words(chunk.text)
            if any(jaccard(words, other) >= 0.8 for other in seen):
                continue  # a near-duplicate of a better-ranked passage
            seen.append(words)
            passages.append(Passage(chunk, record, score, similarity, lexical_scores.get(cid, 0.0)))
            extra += len(passages) > top_k
            if len(passages) >= top_k and extra >= siblings:
                break
        return passages
