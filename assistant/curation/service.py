"""How trainers change the knowledge base: list, ingest, sync, upload and remove documents.
One writer at a time, across processes and replicas."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from assistant.activity.log import ActivityLog, DocumentFeedback, Ranking
from assistant.errors import ErrorCode, NotFoundError, SignpostError
from assistant.schemas import DocumentInfo, DocumentList, DocumentRanking
from assistant.verified.service import VerifiedAnswers
from ingest.documents import DocumentError, DocumentRecord
from ingest.knowledge_index import KnowledgeIndex
from ingest.pipeline import Ingestor, IngestReport, Outcome, Progress

WRITER_WAIT_S = 300.0  # how long a write waits for another writer before a 503


class CurationService:
    def __init__(
        self,
        *,
        index: KnowledgeIndex,
        ingestor: Ingestor,
        activity: ActivityLog,
        verified: VerifiedAnswers | None = None,
    ) -> None:
        self.index = index
        self.ingestor = ingestor
        self.activity = activity
        #: verified answers citing a document that changes are suspended after every write
        self.verified = verified
        self._write_lock = threading.Lock()

    def documents(self) -> DocumentList:
        records = sorted(self.index.records().values(), key=lambda r: r.title.lower())
        ranking, votes = self.activity.ranking(), self.activity.document_feedback()
        return DocumentList(documents=[_ranked(_info(r), ranking, votes) for r in records])

    def document(self, doc_id: str) -> DocumentInfo:
        record = self.index.records().get(doc_id)
        if record is None:
            raise NotFoundError(ErrorCode.DOCUMENT_NOT_FOUND, f"no document with id {doc_id!r}")
        return _ranked(_info(record), self.activity.ranking(), self.activity.document_feedback())

    def rank(self, doc_id: str, change: DocumentRanking) -> DocumentInfo:
        """A trainer boosts, demotes or hides a document (retrieval multiplies its chunks'
        scores by the boost; hidden documents are never retrieved or cited)."""
        self.document(doc_id)  # 404 for an unknown document
        self.activity.set_document(doc_id, boost=change.boost, hidden=change.hidden)
        return self.document(doc_id)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer of the index at a time: in this process (a thread lock) and across
        processes and replicas (the activity database's writer lock)."""
        with self._write_lock, self.activity.writer_lock(wait_s=WRITER_WAIT_S) as taken:
            if not taken:
                raise SignpostError(
                    ErrorCode.WRITER_BUSY,
                    "another sync or upload is changing the knowledge base; try again shortly",
                )
            try:
                yield
            finally:
                self._check_verified()

    def _check_verified(self) -> None:
        if self.verified is not None:  # the ingestor has refreshed the index by now
            self.verified.check_sources()

    def sync_if_free(self, folder: Path) -> IngestReport | None:
        """`sync`, unless another process or replica is writing right now (then None): at
        start-up one replica syncs the knowledge folder and the others pick it up."""
        with self._write_lock, self.activity.writer_lock(wait_s=0) as taken:
            if not taken:
                return None
            try:
                return self.ingestor.sync_dir(folder)
            except DocumentError as exc:
                raise SignpostError(ErrorCode.BAD_FOLDER, str(exc)) from exc
            finally:
                self._check_verified()

    def remove(self, doc_id: str) -> DocumentInfo:
        with self._writing():
            record = self.ingestor.remove(doc_id)
        if record is None:
            raise NotFoundError(ErrorCode.DOCUMENT_NOT_FOUND, f"no document with id {doc_id!r}")
        return _info(record)

    def ingest(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        with self._writing():
            return self.ingestor.ingest_paths(paths, progress)

    def sync(self, folder: Path, progress: Progress | None = None) -> IngestReport:
        try:
            with self._writing():
                return self.ingestor.sync_dir(folder, progress)
        except DocumentError as exc:
            raise SignpostError(ErrorCode.BAD_FOLDER, str(exc)) from exc

    def upload(
        self, data: bytes, fmt: str, *, filename: str, metadata: Mapping[str, object]
    ) -> Outcome:
        try:
            with self._writing():
                return self.ingestor.add_upload(data, fmt, filename=filename, metadata=metadata)
        except DocumentError as exc:
            raise SignpostError(ErrorCode.BAD_DOCUMENT, str(exc)) from exc


def _ranked(
    info: DocumentInfo, ranking: Ranking, votes: Mapping[str, DocumentFeedback]
) -> DocumentInfo:
    """A document's trainer ranking (boost, hidden) and the votes on answers citing it."""
    info.boost = ranking.boosts.get(info.doc_id, 1.0)
    info.hidden = info.doc_id in ranking.hidden
    tally = votes.get(info.doc_id)
    if tally is not None:
        info.helpful, info.not_helpful = tally.helpful, tally.not_helpful
    return info


def _info(record: DocumentRecord) -> DocumentInfo:
    return DocumentInfo(
        doc_id=record.doc_id,
        title=record.title,
        source_type=record.source_type,
        topics=record.topics,
        chunks=record.chunks,
        reviewed=record.reviewed,
        published=record.published,
        publisher=record.publisher,
        source_url=record.source_url,
        jurisdiction=record.jurisdiction,
        origin=record.origin,
        indexed_at=record.indexed_at,
    )
