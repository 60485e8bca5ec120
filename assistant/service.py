"""The one answering pipeline behind every surface. The CLI, the HTTP API and Slack translate
to and from these calls; no retrieval or answering logic lives anywhere else."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

from assistant.compose import (
    ABSTAIN_MESSAGE,
    NO_DOCUMENTS_MESSAGE,
    Composition,
    ExtractiveComposer,
)
from assistant.errors import NotFoundError, SignpostError, UnavailableError
from assistant.llm import LLMComposer, LLMError
from assistant.query import expand_query
from assistant.retrieval import HybridRetriever, Passage
from assistant.schemas import (
    AskRequest,
    AskResponse,
    DocumentInfo,
    DocumentList,
    SearchRequest,
    SearchResponse,
    SearchResult,
)
from ingest.documents import DocumentError, DocumentRecord
from ingest.knowledge_index import KnowledgeIndex
from ingest.pipeline import Ingestor, IngestReport, Outcome, Progress
from ingest.vector_store import StoreUnavailable

logger = logging.getLogger(__name__)

LLM_FALLBACK_NOTICE = (
    "The language model did not answer in time, so this answer quotes the sources directly."
)


class AssistantService:
    def __init__(
        self,
        *,
        index: KnowledgeIndex,
        retriever: HybridRetriever,
        composer: ExtractiveComposer,
        ingestor: Ingestor,
        llm: LLMComposer | None = None,
    ) -> None:
        self.index = index
        self.retriever = retriever
        self.composer = composer
        self.ingestor = ingestor
        self.llm = llm

    # -- answering ------------------------------------------------------------------------
    def ask(self, request: AskRequest) -> AskResponse:
        started = time.perf_counter()
        question_id = uuid.uuid4().hex
        try:
            if not self.index.records():
                composition = Composition(NO_DOCUMENTS_MESSAGE, False, 0.0, [])
            else:
                query = expand_query(request.question)
                passages = self.retriever.retrieve(query, request.top_k, request.filters)
                composition = self.composer.compose(query, passages)
                if composition.answered and self.llm is not None:
                    composition = self._with_llm(request.question, passages, composition)
        except StoreUnavailable as exc:
            raise UnavailableError("index_unavailable", str(exc)) from exc
        logger.info(
            "answered question",
            extra={
                "question_id": question_id,
                "answered": composition.answered,
                "confidence": composition.confidence,
                "citations": len(composition.citations),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return AskResponse(
            question_id=question_id,
            answer=composition.answer,
            answered=composition.answered,
            confidence=composition.confidence,
            citations=composition.citations,
            notices=composition.notices,
        )

    def _with_llm(
        self, question: str, passages: list[Passage], extractive: Composition
    ) -> Composition:
        if self.llm is None:
            return extractive
        try:
            generated = self.llm.compose(question, passages)
        except LLMError as exc:
            logger.warning("LLM failed, using the extractive answer: %s", exc)
            extractive.notices.append(LLM_FALLBACK_NOTICE)
            return extractive
        if not generated.answered:
            return Composition(ABSTAIN_MESSAGE, False, extractive.confidence, [])
        generated.confidence = extractive.confidence
        return generated

    def search(self, request: SearchRequest) -> SearchResponse:
        try:
            query = expand_query(request.query)
            passages = self.retriever.retrieve(query, request.top_k, request.filters)
        except StoreUnavailable as exc:
            raise UnavailableError("index_unavailable", str(exc)) from exc
        return SearchResponse(
            results=[
                SearchResult(
                    doc_id=p.record.doc_id,
                    chunk_id=p.chunk.chunk_id,
                    title=p.record.title,
                    source_type=p.record.source_type,
                    section=p.chunk.section,
                    source_url=p.record.source_url,
                    published=p.record.published,
                    text=p.chunk.text,
                    score=round(p.similarity, 4),
                )
                for p in passages
            ]
        )

    # -- curating -------------------------------------------------------------------------
    def documents(self) -> DocumentList:
        records = sorted(self.index.records().values(), key=lambda r: r.title.lower())
        return DocumentList(documents=[_info(r) for r in records])

    def document(self, doc_id: str) -> DocumentInfo:
        record = self.index.records().get(doc_id)
        if record is None:
            raise NotFoundError("document_not_found", f"no document with id {doc_id!r}")
        return _info(record)

    def remove(self, doc_id: str) -> DocumentInfo:
        record = self.ingestor.remove(doc_id)
        if record is None:
            raise NotFoundError("document_not_found", f"no document with id {doc_id!r}")
        return _info(record)

    def ingest(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        return self.ingestor.ingest_paths(paths, progress)

    def sync(self, folder: Path, progress: Progress | None = None) -> IngestReport:
        try:
            return self.ingestor.sync_dir(folder, progress)
        except DocumentError as exc:
            raise SignpostError("bad_folder", str(exc)) from exc

    def upload(
        self, data: bytes, fmt: str, *, filename: str, metadata: Mapping[str, object]
    ) -> Outcome:
        try:
            return self.ingestor.add_upload(data, fmt, filename=filename, metadata=metadata)
        except DocumentError as exc:
            raise SignpostError("bad_document", str(exc), status=422) from exc


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
