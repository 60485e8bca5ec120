"""The knowledge index as readers and writers see it: Chroma's chunks and catalog plus the BM25
index, kept consistent. Only chunks of a document's committed version are ever visible."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

from ingest.documents import DocumentRecord
from ingest.lexical_index import LexicalHit, LexicalIndex
from ingest.vector_store import ChromaStore, StoredChunk, fingerprint

#: Orphan chunks younger than this are left alone by garbage collection.
GC_GRACE_S = 15 * 60.0


def retrieval_text(title: str, section: str | None, text: str) -> str:
    """What is embedded and BM25-indexed for a chunk: its place in the document, then its text."""
    heading = f"{title} — {section}" if section else title
    return f"{heading}\n{text}"


class KnowledgeIndex:
    def __init__(
        self, store: ChromaStore, lexical: LexicalIndex, *, refresh_interval_s: float = 2.0
    ) -> None:
        self.store = store
        self.lexical = lexical
        self._interval = refresh_interval_s
        self._records: dict[str, DocumentRecord] = {}
        self._checked_at = float("-inf")
        self._revision: str | None = None
        self._lock = threading.RLock()

    def records(self) -> dict[str, DocumentRecord]:
        """The committed documents, re-read from the catalog at most every refresh interval,
        so a replica sees what another one indexed."""
        if time.monotonic() - self._checked_at >= self._interval:
            if self.store.revision() == self._revision:  # one tiny read, usually enough
                self._checked_at = time.monotonic()
            else:
                self.refresh()
        return self._records

    def revision(self) -> str:
        """The catalog revision the records above belong to (checked as often as they are)."""
        self.records()
        return self._revision or ""

    def refresh(self) -> None:
        with self._lock:
            self._revision = self.store.revision()
            records = self.store.documents()
            self._records = records
            self._checked_at = time.monotonic()
            current = fingerprint(records)
            if self.lexical.fingerprint != current and not self.lexical.load(current):
                self.lexical.rebuild(self._lexical_rows(records), current)

    def _lexical_rows(self, records: dict[str, DocumentRecord]) -> Iterator[tuple[str, str, str]]:
        for chunk in self.store.iter_chunks():
            record = records.get(chunk.doc_id)
            if record is not None and record.version == chunk.version:
                yield (
                    chunk.chunk_id,
                    chunk.doc_id,
                    retrieval_text(record.title, chunk.section, chunk.text),
                )

    def lexical_search(
        self, query: str, k: int, *, doc_ids: Sequence[str] | None = None
    ) -> list[LexicalHit]:
        """BM25 hits over the committed chunks, with the index brought up to date first."""
        self.records()
        return self.lexical.search(query, k, doc_ids=doc_ids)

    def idf(self) -> dict[str, float]:
        """Each indexed token's BM25 idf, with the index brought up to date first (a question
        asked before any search, such as a follow-up being read, sees the same weights)."""
        self.records()
        return self.lexical.idf()

    def vocabulary(self) -> frozenset[str]:
        self.records()
        return self.lexical.vocabulary

    def is_current(self, chunk: StoredChunk) -> bool:
        record = self._records.get(chunk.doc_id)
        return record is not None and record.version == chunk.version

    def chunks(self, doc_id: str) -> list[StoredChunk]:
        record = self.records().get(doc_id)
        return [] if record is None else self.store.chunks_of(doc_id, record.version)

    def collect_garbage(self, grace_s: float = GC_GRACE_S) -> int:
        """Delete chunks no committed document points at (left by an interrupted ingest) once
        they are older than `grace_s`. Run by writers only, under the writer lock; the grace
        period also spares chunks another writer has written but not yet committed, should a
        writer ever run without the lock (an older replica, a Chroma shared beyond it)."""
        records = self.store.documents()
        cutoff = time.time() - grace_s
        orphans = [
            c.chunk_id
            for c in self.store.iter_chunks()
            if ((r := records.get(c.doc_id)) is None or r.version != c.version)
            and c.written_at < cutoff
        ]
        self.store.delete_ids(orphans)
        return len(orphans)
