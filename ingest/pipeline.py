"""Files in, indexed documents out: add, update, skip unchanged, remove, sync a folder.

Each document is replaced atomically: its new chunks are written under a new version, the
catalog entry is flipped to that version (the commit), and only then are old chunks deleted.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunking import Chunker
from ingest.documents import (
    PIPELINE_VERSION,
    Chunk,
    DocumentError,
    DocumentRecord,
    LoadedDocument,
    guess_genre,
    slugify,
)
from ingest.embedder import Embedder
from ingest.isolation import load_bytes_isolated
from ingest.knowledge_index import KnowledgeIndex, retrieval_text
from ingest.loaders import SUPPORTED_SUFFIXES, load_bytes, load_path
from ingest.sentence_vectors import SentenceVectors

logger = logging.getLogger(__name__)

UPLOAD_PREFIX = "upload:"
EMBED_BATCH_CHUNKS = 256  # chunks embedded per model call during an ingest
Progress = Callable[[str], None]


@dataclass
class Outcome:
    """What happened to one file or upload."""

    source: str
    status: str  # added | updated | unchanged | failed | removed
    doc_id: str | None = None
    title: str | None = None
    chunks: int = 0
    error: str | None = None


@dataclass
class _Prepared:
    """A changed file, loaded and chunked, waiting for its embeddings."""

    document: LoadedDocument
    doc_id: str
    origin: str
    content_hash: str
    existing: DocumentRecord | None
    source: str
    chunks: list[Chunk]

    @property
    def version(self) -> str:
        return self.content_hash[:16]


@dataclass
class IngestReport:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)

    @property
    def chunks(self) -> int:
        return sum(o.chunks for o in self.outcomes if o.status in ("added", "updated"))

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> str:
        c = self.counts
        parts = [f"{c[s]} {s}" for s in ("added", "updated", "unchanged", "failed")]
        if c["removed"]:
            parts.append(f"{c['removed']} removed")
        return ", ".join(parts) + f"; {self.chunks} chunks indexed"


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[Outcome]]:
    """Expand folders into supported files; a missing path is a failure, not an abort."""
    files: list[Path] = []
    missing: list[Outcome] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(Outcome(str(path), "failed", error="no such file or directory"))
    return files, missing


class Ingestor:
    def __init__(
        self,
        index: KnowledgeIndex,
        embedder: Embedder,
        chunker: Chunker,
        *,
        parse_memory_mb: int = 0,
        sentences: SentenceVectors | None = None,
    ) -> None:
        self.index = index
        #: sentence vectors for the answer composer, computed here rather than at answer time
        self.sentences = sentences
        self.embedder = embedder
        self.chunker = chunker
        #: uploads (untrusted bytes) are parsed in a worker process under this memory limit
        self.parse_memory_mb = parse_memory_mb
        self._settings_tag = f"{PIPELINE_VERSION}:{chunker.signature}:{embedder.name}"

    # -- public operations ----------------------------------------------------------------
    def ingest_paths(self, paths: Iterable[Path], progress: Progress | None = None) -> IngestReport:
        files, report_missing = find_files(paths)
        report = IngestReport(list(report_missing))
        self.index.collect_garbage()
        catalog = self.index.store.documents()  # read once; kept up to date below
        by_origin = {r.origin: r for r in catalog.values()}
        batch: list[_Prepared] = []
        claimed = {doc_id: r.origin for doc_id, r in catalog.items()}  # doc id -> origin
        for path in files:
            prepared = self._prepare_file(path, by_origin, claimed)
            if isinstance(prepared, Outcome):
                report.outcomes.append(prepared)
                if progress:
                    progress(str(path))
                continue
            batch.append(prepared)
            if sum(len(p.chunks) for p in batch) >= EMBED_BATCH_CHUNKS:
                report.outcomes.extend(self._write_batch(batch, by_origin, progress))
                batch = []
        report.outcomes.extend(self._write_batch(batch, by_origin, progress))
        self.index.refresh()
        return report

    def sync_dir(self, folder: Path, progress: Progress | None = None) -> IngestReport:
        """Make the documents that came from `folder` match it; leave every other one alone."""
        if not folder.is_dir():
            raise DocumentError(f"{folder} is not a folder")
        report = self.ingest_paths([folder], progress)
        root = folder.resolve()
        present = {str(p.resolve()) for p in find_files([folder])[0]}
        for record in list(self.index.store.documents().values()):
            if record.origin.startswith(UPLOAD_PREFIX):
                continue
            origin = Path(record.origin)
            if origin.is_relative_to(root) and record.origin not in present:
                self._delete(record)
                report.outcomes.append(Outcome(record.origin, "removed", record.doc_id))
        self.index.refresh()
        return report

    def add_upload(
        self, data: bytes, fmt: str, *, filename: str, metadata: Mapping[str, object]
    ) -> Outcome:
        """Index an uploaded file; raises DocumentError and leaves the index as it was."""
        name = safe_filename(filename)
        if self.parse_memory_mb:
            document = load_bytes_isolated(
                data, fmt, name=name, overrides=metadata, memory_mb=self.parse_memory_mb
            )
        else:
            document = load_bytes(data, fmt, name=name, overrides=metadata)
        origin = f"{UPLOAD_PREFIX}{name}"
        content_hash = self._hash(data + repr(sorted(metadata.items())).encode())
        records = self.index.store.documents()
        doc_id = document.meta.id or slugify(Path(name).stem) or "document"
        existing = records.get(doc_id)
        if existing is not None and existing.origin != origin:
            doc_id = f"{doc_id}-{content_hash[:6]}"
            existing = records.get(doc_id)
        if existing is not None and existing.content_hash == content_hash:
            return Outcome(origin, "unchanged", doc_id, existing.title, existing.chunks)
        outcome = self._index_document(document, doc_id, origin, content_hash, existing)
        self.index.refresh()
        return outcome

    def remove(self, doc_id: str) -> DocumentRecord | None:
        record = self.index.store.documents().get(doc_id)
        if record is not None:
            self._delete(record)
            self.index.refresh()
        return record

    # -- internals ---------------------------------------------------------------------
    def _hash(self, data: bytes) -> str:
        return hashlib.sha256(self._settings_tag.encode() + b"\0" + data).hexdigest()

    def _prepare_file(
        self, path: Path, by_origin: dict[str, DocumentRecord], claimed: dict[str, str]
    ) -> _Prepared | Outcome:
        """Read, hash, load and chunk one file: an Outcome when there is nothing to embed."""
        origin = str(path.resolve())
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Outcome(str(path), "failed", error=f"cannot read file: {exc.strerror or exc}")
        content_hash = self._hash(data)
        existing = by_origin.get(origin)
        if existing is not None and existing.content_hash == content_hash:
            return Outcome(str(path), "unchanged", existing.doc_id, existing.title, existing.chunks)
        try:
            document = load_path(path)
            doc_id = self._doc_id_for(document, path, origin, claimed)
            chunks = self.chunker.split(document)
            if not chunks:
                raise DocumentError("the document produced no text chunks")
        except DocumentError as exc:
            logger.info("failed to ingest %s: %s", path, exc)
            return Outcome(str(path), "failed", error=str(exc))
        claimed[doc_id] = origin
        return _Prepared(document, doc_id, origin, content_hash, existing, str(path), chunks)

    def _write_batch(
        self,
        batch: list[_Prepared],
        by_origin: dict[str, DocumentRecord],
        progress: Progress | None,
    ) -> list[Outcome]:
        """Embed the chunks of several documents in one call (the model is fastest with big
        batches), then write and commit each document on its own."""
        if not batch:
            return []
        texts = [
            retrieval_text(p.document.title, c.section, c.text) for p in batch for c in p.chunks
        ]
        vectors = self.embedder.embed_documents(texts)
        for prepared in batch:
            if prepared.existing is not None and prepared.existing.doc_id != prepared.doc_id:
                self._delete(prepared.existing)  # its id changed (front matter `id:` edited)
                prepared.existing = None
        store = self.index.store
        # all the chunks first, then all the catalog entries (each document's commit point),
        # then the old chunks of updated documents: a crash anywhere leaves only invisible
        # orphans, which the next ingest removes
        store.put_many(
            [(p.doc_id, p.version, [(c.section, c.text) for c in p.chunks]) for p in batch],
            vectors,
        )
        records = [self._record(p) for p in batch]
        store.commit_documents(records)
        outcomes = []
        for prepared, record in zip(batch, records, strict=True):
            if prepared.existing is not None:
                store.delete_chunks(prepared.doc_id, keep_version=prepared.version)
            by_origin[prepared.origin] = record
            status = "updated" if prepared.existing is not None else "added"
            outcomes.append(
                Outcome(prepared.source, status, prepared.doc_id, record.title, record.chunks)
            )
            if progress:
                progress(prepared.source)
        self._prepare_sentences(batch)
        return outcomes

    def _prepare_sentences(self, batch: list[_Prepared]) -> None:
        """After the commit: a cache, so a failure here costs answer-time work, not data."""
        if self.sentences is None:
            return
        try:
            self.sentences.prepare(
                (c.section or p.document.title, c.text) for p in batch for c in p.chunks
            )
        except (OSError, sqlite3.Error) as exc:
            logger.warning("sentence vectors not stored (computed when needed): %s", exc)

    def _doc_id_for(
        self, document: LoadedDocument, path: Path, origin: str, claimed: dict[str, str]
    ) -> str:
        doc_id = document.meta.id or slugify(path.stem) or "document"
        holder_origin = claimed.get(doc_id)
        if holder_origin is not None and holder_origin != origin:
            if document.meta.id:
                raise DocumentError(f"id {doc_id!r} is already used by {holder_origin}")
            doc_id = f"{doc_id}-{hashlib.sha256(origin.encode()).hexdigest()[:6]}"
        return doc_id

    def _index_document(
        self,
        document: LoadedDocument,
        doc_id: str,
        origin: str,
        content_hash: str,
        existing: DocumentRecord | None,
    ) -> Outcome:
        chunks = self.chunker.split(document)
        if not chunks:
            raise DocumentError("the document produced no text chunks")
        prepared = _Prepared(document, doc_id, origin, content_hash, existing, origin, chunks)
        return self._write_batch([prepared], {}, None)[0]

    @staticmethod
    def _record(prepared: _Prepared) -> DocumentRecord:
        meta = prepared.document.meta
        return DocumentRecord(
            doc_id=prepared.doc_id,
            title=prepared.document.title,
            source_type=meta.source_type,
            topics=meta.topics,
            origin=prepared.origin,
            content_hash=prepared.content_hash,
            version=prepared.version,
            chunks=len(prepared.chunks),
            publisher=meta.publisher,
            source_url=meta.source_url,
            published=meta.published.isoformat() if meta.published else None,
            reviewed=meta.reviewed.isoformat() if meta.reviewed else None,
            jurisdiction=meta.jurisdiction,
            genre=guess_genre(meta, prepared.document.markdown),
        )

    def _delete(self, record: DocumentRecord) -> None:
        self.index.store.uncommit_document(record.doc_id)
        self.index.store.delete_chunks(record.doc_id)


def safe_filename(name: str) -> str:
    """The last path component, reduced to safe characters; never empty."""
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in base).strip(" .")
    return cleaned[:120] or "upload"
