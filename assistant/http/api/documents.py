"""Trainers curate the knowledge base: upload, list, inspect, delete, sync."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from assistant.curation.uploads import check_upload
from assistant.http.deps import ServiceDep, TrainerKey
from assistant.schemas import DocumentInfo, DocumentList, DocumentRanking

router = APIRouter(prefix="/documents", tags=["documents"], dependencies=[TrainerKey])

OptionalField = Annotated[str | None, Form()]


class UploadResult(BaseModel):
    doc_id: str
    title: str
    chunks: int
    status: str  # added | updated | unchanged
    format: str


class IndexedChunk(BaseModel):
    """One chunk of a document as the index holds it."""

    chunk_id: str
    index: int
    section: str | None
    text: str


class DocumentDetail(DocumentInfo):
    passages: list[IndexedChunk]


class SyncResult(BaseModel):
    added: int
    updated: int
    unchanged: int
    removed: int
    failed: list[dict[str, str]]
    chunks: int


@router.post("", response_model=UploadResult, status_code=status.HTTP_201_CREATED)
async def upload(
    request: Request,
    service: ServiceDep,
    file: Annotated[UploadFile, File(description="md, txt, html, pdf or docx")],
    id: OptionalField = None,  # noqa: A002 - the form field is called id
    title: OptionalField = None,
    source_type: OptionalField = None,
    topics: OptionalField = None,
    publisher: OptionalField = None,
    source_url: OptionalField = None,
    published: OptionalField = None,
    reviewed: OptionalField = None,
    jurisdiction: OptionalField = None,
) -> UploadResult:
    """Add or replace a document. The type is judged from the content, not the name."""
    limit = request.app.state.max_upload_bytes
    data = await file.read(limit + 1)
    filename = file.filename or "upload"
    fmt = check_upload(data, filename, limit)
    metadata = {
        "id": id,
        "title": title,
        "source_type": source_type,
        "topics": topics,
        "publisher": publisher,
        "source_url": source_url,
        "published": published,
        "reviewed": reviewed,
        "jurisdiction": jurisdiction,
    }
    outcome = await run_in_threadpool(
        service.curation.upload, data, fmt, filename=filename, metadata=metadata
    )
    return UploadResult(
        doc_id=outcome.doc_id or "",
        title=outcome.title or "",
        chunks=outcome.chunks,
        status=outcome.status,
        format=fmt,
    )


@router.get("", response_model=DocumentList)
def list_documents(service: ServiceDep) -> DocumentList:
    return service.curation.documents()


@router.post("/sync", response_model=SyncResult)
def sync_knowledge(request: Request, service: ServiceDep) -> SyncResult:
    """Make the documents from the knowledge folder match it (uploads are untouched)."""
    report = service.curation.sync(request.app.state.settings.knowledge_dir)
    counts = report.counts
    return SyncResult(
        added=counts["added"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        removed=counts["removed"],
        failed=[{"source": o.source, "error": o.error or ""} for o in report.failed],
        chunks=report.chunks,
    )


@router.get("/{doc_id}", response_model=DocumentDetail)
def get_document(doc_id: str, service: ServiceDep) -> DocumentDetail:
    """A document's metadata and its chunks as the index holds them."""
    info = service.curation.document(doc_id)
    passages = [
        IndexedChunk(chunk_id=c.chunk_id, index=c.index, section=c.section, text=c.text)
        for c in service.index.chunks(doc_id)
    ]
    return DocumentDetail(**info.model_dump(), passages=passages)


@router.patch("/{doc_id}", response_model=DocumentInfo)
def rank_document(doc_id: str, body: DocumentRanking, service: ServiceDep) -> DocumentInfo:
    """Boost (up to 2.0) or demote (down to 0.5) a document, or hide it: hidden documents are
    never cited. Applies on every replica within seconds."""
    return service.curation.rank(doc_id, body)


@router.delete("/{doc_id}", response_model=DocumentInfo)
def delete_document(doc_id: str, service: ServiceDep) -> DocumentInfo:
    return service.curation.remove(doc_id)
