"""The one answering pipeline behind every surface. The CLI, the HTTP API and Slack translate
to and from these calls; no retrieval or answering logic lives anywhere else."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from assistant.compose import (
    ABSTAIN_MESSAGE,
    NO_DOCUMENTS_MESSAGE,
    OUT_OF_SCOPE_MESSAGE,
    Composition,
    ExtractiveComposer,
)
from assistant.db.activity import ActivityLog, FeedbackItem, Gap
from assistant.errors import NotFoundError, SignpostError
from assistant.llm import LLMComposer, LLMError
from assistant.notices import jurisdiction_notice, review_notice, safeguarding_notice
from assistant.query import correct_spelling, expand_query
from assistant.redaction import Redaction, redact
from assistant.retrieval import HybridRetriever, Passage
from assistant.schemas import (
    AskRequest,
    AskResponse,
    DocumentInfo,
    DocumentList,
    FeedbackRequest,
    FeedbackResponse,
    SearchRequest,
    SearchResponse,
    SearchResult,
)
from assistant.scope import in_scope
from ingest.documents import DocumentError, DocumentRecord
from ingest.knowledge_index import KnowledgeIndex
from ingest.pipeline import Ingestor, IngestReport, Outcome, Progress

logger = logging.getLogger(__name__)
WRITER_WAIT_S = 300.0  # how long a write waits for another writer before a 503

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
        activity: ActivityLog,
        llm: LLMComposer | None = None,
    ) -> None:
        self.activity = activity
        #: Called with every answer and its surface (metrics hook onto this).
        self.observers: list[Callable[[AskResponse, str], None]] = []
        self._write_lock = threading.Lock()
        self.index = index
        self.retriever = retriever
        self.composer = composer
        self.ingestor = ingestor
        self.llm = llm

    # -- answering ------------------------------------------------------------------------
    def ask(self, request: AskRequest, *, surface: str = "api") -> AskResponse:
        """Answer a question. Personal data is removed first: the redacted text is what is
        retrieved with, stored, and (when configured) sent to the LLM."""
        return self.answer(request, surface=surface)[0]

    def answer(
        self, request: AskRequest, *, surface: str = "api", record: bool = True
    ) -> tuple[AskResponse, list[Passage]]:
        """`ask`, also returning the retrieved passages (for evaluation). With `record=False`
        the question is not logged (evaluation runs must not show up as knowledge gaps)."""
        started = time.perf_counter()
        passages: list[Passage] = []
        question_id = uuid.uuid4().hex
        redaction = redact(request.question)
        # an unreachable index raises StoreUnavailable; each surface reports it (HTTP: 503)
        if not self.index.records():
            composition = Composition(NO_DOCUMENTS_MESSAGE, False, 0.0, [])
        else:
            query = self._query(redaction.text)
            passages = self.retriever.retrieve(query, request.top_k, request.filters)
            composition = self.composer.compose(query, passages)
            if composition.answered and self.llm is not None:
                composition = self._with_llm(redaction.text, passages, composition)
        composition.notices[:0] = self._notices(redaction, composition, passages)
        scoped = composition.answered or in_scope(
            redaction.text, max((p.similarity for p in passages), default=0.0)
        )
        if passages and not scoped:
            composition.answer = OUT_OF_SCOPE_MESSAGE
        if record:
            self.activity.record_question(
                question_id,
                redaction.text,
                answered=composition.answered,
                confidence=composition.confidence,
                cited_doc_ids=list(dict.fromkeys(c.doc_id for c in composition.citations)),
                surface=surface,
                in_scope=scoped,
            )
        logger.info(
            "answered question",
            extra={
                "question_id": question_id,
                "surface": surface,
                "answered": composition.answered,
                "confidence": composition.confidence,
                "citations": len(composition.citations),
                "redacted": sorted(redaction.found),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        response = AskResponse(
            question_id=question_id,
            answer=composition.answer,
            answered=composition.answered,
            confidence=composition.confidence,
            citations=composition.citations,
            notices=composition.notices,
        )
        for observe in self.observers:
            observe(response, surface)
        return response, passages

    def warm_up(self) -> None:
        """Load the model, the lexical index and the chunks now rather than on the first
        questions."""
        self.index.records()
        self.index.store.preload()
        self.retriever.embedder.embed_query("warm up")

    def _notices(
        self, redaction: Redaction, composition: Composition, passages: list[Passage]
    ) -> list[str]:
        """Personal data, safeguarding, other UK nations, stale sources: beside the answer."""
        records = {p.record.doc_id: p.record for p in passages}
        cited = [(c.n, records[c.doc_id]) for c in composition.citations if c.doc_id in records]
        found = [
            redaction.notice(),
            safeguarding_notice(redaction.text),
            jurisdiction_notice(redaction.text, [r for _, r in cited]),
            review_notice(cited, dt.date.today()),
        ]
        return [n for n in found if n]

    def feedback(self, request: FeedbackRequest) -> FeedbackResponse:
        comment = redact(request.comment).text if request.comment else None
        feedback_id = self.activity.record_feedback(request.question_id, request.helpful, comment)
        return FeedbackResponse(
            feedback_id=feedback_id, question_id=request.question_id, helpful=request.helpful
        )

    @staticmethod
    def redacted(text: str) -> str:
        """What the surfaces may show back of a question: the redacted text."""
        return redact(text).text

    def claim_event(self, event_id: str) -> bool:
        return self.activity.claim_event(event_id)

    def remember_thread(self, channel: str, thread_ts: str) -> None:
        self.activity.remember_thread(channel, thread_ts)

    def is_bot_thread(self, channel: str, thread_ts: str) -> bool:
        return self.activity.is_bot_thread(channel, thread_ts)

    def add_feedback_comment(self, feedback_id: int, comment: str) -> None:
        self.activity.add_comment(feedback_id, redact(comment).text)

    def gaps(self, limit: int = 100, *, in_scope: bool = True) -> list[Gap]:
        """Knowledge gaps (in scope: unanswered, weak or marked not helpful), or with
        `in_scope=False` the unanswered questions outside Signpost's scope."""
        return self.activity.gaps(limit, in_scope=in_scope)

    def feedback_list(self, limit: int = 200) -> list[FeedbackItem]:
        return self.activity.feedback(limit)

    def purge(self, older_than_days: int) -> tuple[int, int]:
        """Delete stored questions and feedback older than the retention period."""
        questions, feedback = self.activity.purge(dt.timedelta(days=older_than_days))
        logger.info("purged old records", extra={"questions": questions, "feedback": feedback})
        return questions, feedback

    def check_ready(self) -> None:
        """Raise StoreUnavailable or UnavailableError naming what is unreachable."""
        self.index.store.heartbeat()  # StoreUnavailable
        self.activity.ping()  # UnavailableError

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

    def _query(self, text: str) -> str:
        """The retrieval query: abbreviations expanded, typos corrected."""
        return correct_spelling(
            expand_query(text), self.index.vocabulary(), self.retriever.embedder.dictionary
        )

    def search(self, request: SearchRequest) -> SearchResponse:
        query = self._query(request.query)
        passages = self.retriever.retrieve(query, request.top_k, request.filters)
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

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer of the index at a time: in this process (a thread lock) and across
        processes and replicas (the activity database's writer lock)."""
        with self._write_lock, self.activity.writer_lock(wait_s=WRITER_WAIT_S) as taken:
            if not taken:
                raise SignpostError(
                    "writer_busy",
                    "another sync or upload is changing the knowledge base; try again shortly",
                    status=503,
                )
            yield

    def sync_if_free(self, folder: Path) -> IngestReport | None:
        """`sync`, unless another process or replica is writing right now (then None): at
        start-up one replica syncs the knowledge folder and the others pick it up."""
        with self._write_lock, self.activity.writer_lock(wait_s=0) as taken:
            if not taken:
                return None
            try:
                return self.ingestor.sync_dir(folder)
            except DocumentError as exc:
                raise SignpostError("bad_folder", str(exc)) from exc

    def remove(self, doc_id: str) -> DocumentInfo:
        with self._writing():
            record = self.ingestor.remove(doc_id)
        if record is None:
            raise NotFoundError("document_not_found", f"no document with id {doc_id!r}")
        return _info(record)

    def ingest(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        with self._writing():
            return self.ingestor.ingest_paths(paths, progress)

    def sync(self, folder: Path, progress: Progress | None = None) -> IngestReport:
        try:
            with self._writing():
                return self.ingestor.sync_dir(folder, progress)
        except DocumentError as exc:
            raise SignpostError("bad_folder", str(exc)) from exc

    def upload(
        self, data: bytes, fmt: str, *, filename: str, metadata: Mapping[str, object]
    ) -> Outcome:
        try:
            with self._writing():
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
