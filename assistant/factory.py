"""Builds the services from settings: the one place that picks and wires the components."""

from __future__ import annotations

import functools

from assistant.activity.log import ActivityLog
from assistant.answering.compose import ExtractiveComposer
from assistant.answering.llm import LLMComposer
from assistant.answering.query import contradicts, expand_query
from assistant.answering.retrieval import HybridRetriever
from assistant.answering.service import AnsweringService
from assistant.config import Settings
from assistant.curation.service import CurationService
from assistant.errors import ErrorCode, UnavailableError
from assistant.insights.service import Insights
from assistant.schemas import SearchRequest
from assistant.services import Signpost
from assistant.verified.service import VerifiedAnswers
from ingest.chunking import Chunker
from ingest.documents import DocumentError
from ingest.embedder import Embedder
from ingest.knowledge_index import KnowledgeIndex
from ingest.lexical_index import LexicalIndex
from ingest.pipeline import Ingestor
from ingest.sentence_vectors import SentenceVectors
from ingest.vector_store import ChromaStore, StoreUnavailable

# questions compared with each other (verified answers, gap clusters): abbreviations spelt out,
# without the retrieval hints a phrase adds (they make two different questions look alike)
compared_form = functools.partial(expand_query, phrases=False)


def build_services(settings: Settings, *, embedder: Embedder | None = None) -> Signpost:
    """Everything the surfaces need. The model itself loads on first use, once per process."""
    try:
        embedder = embedder or Embedder(
            settings.embedding_model, cache_dir=settings.model_cache, threads=settings.onnx_threads
        )
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = ChromaStore(
            settings.chroma_path,
            settings.chroma_url,
            embedding_model=embedder.name,
            dimension=embedder.dimension,
        )
    except (DocumentError, StoreUnavailable, OSError) as exc:
        raise UnavailableError(ErrorCode.INDEX_UNAVAILABLE, str(exc)) from exc
    index = KnowledgeIndex(store, LexicalIndex(settings.lexical_path))
    sentences = SentenceVectors(embedder, settings.sentence_vectors_path)
    activity = ActivityLog.connect(settings.database)
    llm = None
    if settings.llm_enabled:
        llm = LLMComposer(
            settings.llm_base_url or "",
            settings.llm_model or "",
            settings.llm_api_key,
            settings.llm_timeout_s,
        )
    verified = VerifiedAnswers(
        activity,
        index,
        embedder.embed_query,
        index.lexical.tokenize,
        normalise=compared_form,
        clash=contradicts,
    )
    answering = AnsweringService(
        index=index,
        retriever=HybridRetriever(
            index,
            embedder,
            candidates=settings.candidate_k,
            fusion=settings.fusion,
            alpha=settings.fusion_alpha,
            ranking=activity.ranking,
        ),
        composer=ExtractiveComposer(
            index.lexical.tokenize,
            min_similarity=settings.min_similarity,
            sentences=sentences,
            embed_query=embedder.embed_query,
            term_weights=index.idf,
        ),
        activity=activity,
        llm=llm,
        verified=verified,
    )
    ingestor = Ingestor(
        index,
        embedder,
        Chunker(settings.chunk_size, settings.chunk_overlap),
        parse_memory_mb=settings.parse_memory_mb,
        sentences=sentences,
    )
    curation = CurationService(index=index, ingestor=ingestor, activity=activity, verified=verified)

    def nearest(question: str) -> str | None:
        found = answering.search(SearchRequest(query=question, top_k=1)).results
        return found[0].doc_id if found and found[0].score >= settings.min_similarity else None

    insights = Insights(activity, index, embedder.embed_documents, nearest, normalise=compared_form)
    return Signpost(
        answering=answering,
        curation=curation,
        activity=activity,
        index=index,
        verified=verified,
        insights=insights,
    )
