"""Chroma, and nothing else, lives here: the chunk collection and the document catalog.

Chunks carry `doc_id` and `version`; a document's catalog entry names its current version.
A chunk whose version is not current is invisible to readers and removed by `gc()`, which is
what makes replacing a document atomic: new chunks go in first, the catalog entry flips, then
the old chunks go.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlparse

import numpy as np

from ingest.documents import DocumentRecord

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import GetResult

T = TypeVar("T")
CHUNKS = "signpost_chunks"
CATALOG = "signpost_documents"
META = "signpost_meta"  # one record: the catalog's revision, bumped on every change
_HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}
_PAGE = 2000
CHUNK_CACHE = 8192  # chunks kept in memory (~3 KB each with the vector)


class StoreUnavailable(RuntimeError):
    """Chroma cannot be reached or opened."""


@dataclass
class StoredChunk:
    chunk_id: str
    doc_id: str
    version: str
    index: int
    section: str | None
    text: str
    written_at: float = 0.0  # seconds since the epoch; 0 for chunks written before it was kept


def _connect(path: Path, url: str | None) -> ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if url:
            parsed = urlparse(url)
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=settings,
            )
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except Exception as exc:  # chromadb raises ValueError/ConnectionError/its own types
        where = url or str(path)
        raise StoreUnavailable(f"cannot open the Chroma index at {where}: {exc}") from exc


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Any failure talking to Chroma (server down, network, corrupt store) becomes
    StoreUnavailable, which every surface reports as 503."""

    @functools.wraps(method)
    def wrapper(*args: object, **kwargs: object) -> T:
        try:
            return method(*args, **kwargs)
        except StoreUnavailable:
            raise
        except Exception as exc:  # chromadb and httpx raise many unrelated types
            raise StoreUnavailable(f"the Chroma index is unavailable: {exc}") from exc

    return wrapper


class ChromaStore:
    def __init__(self, path: Path, url: str | None, *, embedding_model: str, dimension: int):
        self._client = _connect(path, url)
        self._dimension = dimension
        self._cache: OrderedDict[str, tuple[StoredChunk, np.ndarray]] = OrderedDict()
        self._cache_lock = threading.Lock()
        meta: dict[str, str | int] = {"embedding_model": embedding_model, "dimension": dimension}
        try:
            self.chunks = self._collection(CHUNKS, meta)
            self.catalog = self._collection(CATALOG, meta)
            self.meta = self._collection(META, meta)
        except StoreUnavailable:
            raise
        except Exception as exc:
            raise StoreUnavailable(f"cannot open Chroma collections: {exc}") from exc
        stored = (self.chunks.metadata or {}).get("embedding_model")
        if stored and stored != embedding_model:
            raise StoreUnavailable(
                f"the index was built with embedding model {stored!r}, not {embedding_model!r}; "
                "use a new data dir or the same model"
            )

    def _collection(self, name: str, meta: dict[str, str | int]) -> Collection:
        return self._client.get_or_create_collection(
            name,
            embedding_function=None,
            metadata=cast("dict[str, Any]", meta),
            configuration=cast("Any", {"hnsw": _HNSW}),
        )

    def heartbeat(self) -> None:
        try:
            self._client.heartbeat()
            self.catalog.count()
        except Exception as exc:
            raise StoreUnavailable(f"Chroma is unreachable: {exc}") from exc

    # -- catalog -------------------------------------------------------------------------
    @_guarded
    def revision(self) -> str:
        """Changes whenever the catalog does: a cheap way for replicas to notice."""
        got = self.meta.get(ids=["revision"], include=["metadatas"])
        metas = got["metadatas"] or []
        return str(metas[0].get("rev", "")) if metas else ""

    def _bump_revision(self) -> None:
        marker = np.zeros(self._dimension, dtype=np.float32)
        marker[0] = 1.0
        self.meta.upsert(
            ids=["revision"], embeddings=marker[None, :], metadatas=[{"rev": uuid.uuid4().hex}]
        )

    @_guarded
    def documents(self) -> dict[str, DocumentRecord]:
        got = self.catalog.get(include=["metadatas"])
        records: dict[str, DocumentRecord] = {}
        for meta in got["metadatas"] or []:
            record = _record_from_meta(dict(meta))
            records[record.doc_id] = record
        return records

    @_guarded
    def commit_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Commit several documents in one write (their chunks must already be in)."""
        if not records:
            return
        marker = np.zeros(self._dimension, dtype=np.float32)
        marker[0] = 1.0
        self.catalog.upsert(
            ids=[r.doc_id for r in records],
            embeddings=np.tile(marker, (len(records), 1)),
            metadatas=[_record_to_meta(r) for r in records],
            documents=[r.title for r in records],
        )
        self._bump_revision()

    @_guarded
    def put_many(
        self,
        items: Sequence[tuple[str, str, Sequence[tuple[str | None, str]]]],
        vectors: np.ndarray,
    ) -> None:
        """The chunks of several documents (doc_id, version, [(section, text)]) in few writes;
        `vectors` holds their embeddings in the same order."""
        ids, texts, metas = [], [], []
        written_at = time.time()  # garbage collection spares chunks younger than its grace
        for doc_id, version, chunks in items:
            for i, (section, text) in enumerate(chunks):
                ids.append(chunk_id(doc_id, version, i))
                texts.append(text)
                metas.append(
                    {"doc_id": doc_id, "version": version, "idx": i, "written_at": written_at}
                    | ({"section": section} if section else {})
                )
        for start in range(0, len(ids), _PAGE):
            end = start + _PAGE
            self.chunks.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end],
                documents=texts[start:end],
                metadatas=metas[start:end],  # type: ignore[arg-type]
            )

    @_guarded
    def uncommit_document(self, doc_id: str) -> None:
        self.catalog.delete(ids=[doc_id])
        self._bump_revision()

    # -- chunks --------------------------------------------------------------------------
    @_guarded
    def delete_chunks(self, doc_id: str, *, keep_version: str | None = None) -> None:
        where: dict[str, object] = {"doc_id": doc_id}
        if keep_version is not None:
            where = {"$and": [{"doc_id": doc_id}, {"version": {"$ne": keep_version}}]}
        self.chunks.delete(where=cast("dict[str, Any]", where))

    def iter_chunks(self) -> Iterator[StoredChunk]:
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            for cid, text, meta in zip(
                ids, got["documents"] or [], got["metadatas"] or [], strict=False
            ):
                yield _stored(cid, text, dict(meta))
            offset += len(ids)

    @_guarded
    def chunks_of(self, doc_id: str, version: str) -> list[StoredChunk]:
        got = self.chunks.get(
            where={"$and": [{"doc_id": doc_id}, {"version": version}]},
            include=["documents", "metadatas"],
        )
        found = [
            _stored(cid, text, dict(meta))
            for cid, text, meta in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            )
        ]
        return sorted(found, key=lambda c: c.index)

    @_guarded
    def get_chunks(self, ids: Sequence[str]) -> dict[str, tuple[StoredChunk, np.ndarray]]:
        """Chunks by id, with their stored embeddings. A chunk id names its document version
        and so never changes content: recently used chunks are served from memory."""
        found: dict[str, tuple[StoredChunk, np.ndarray]] = {}
        with self._cache_lock:
            for cid in ids:
                hit = self._cache.get(cid)
                if hit is not None:
                    self._cache.move_to_end(cid)
                    found[cid] = hit
        missing = [cid for cid in ids if cid not in found]
        if not missing:
            return found
        fetched = _with_vectors(
            self.chunks.get(ids=missing, include=["documents", "metadatas", "embeddings"])
        )
        with self._cache_lock:
            self._cache.update(fetched)
            while len(self._cache) > CHUNK_CACHE:
                self._cache.popitem(last=False)
        return found | fetched

    @_guarded
    def preload(self, limit: int = CHUNK_CACHE) -> int:
        """Fill the chunk cache (at start-up, so early questions need no fetch): all of a
        knowledge base up to `limit` chunks."""
        loaded = 0
        while loaded < limit:
            got = self.chunks.get(
                include=["documents", "metadatas", "embeddings"],
                limit=min(_PAGE, limit - loaded),
                offset=loaded,
            )
            if not got["ids"]:
                break
            with self._cache_lock:
                self._cache.update(_with_vectors(got))
            loaded += len(got["ids"])
        return loaded

    @_guarded
    def delete_ids(self, ids: list[str]) -> None:
        for start in range(0, len(ids), _PAGE):
            self.chunks.delete(ids=ids[start : start + _PAGE])

    @_guarded
    def nearest(
        self, vector: np.ndarray, k: int, *, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ids of the `k` chunks closest to `vector`, with their cosine similarity. Only
        ids and distances come back: texts are fetched (or found in memory) by `get_chunks`."""
        where = None
        if doc_ids is not None:
            if not doc_ids:
                return []
            where = {"doc_id": {"$in": list(doc_ids)}}
        got = self.chunks.query(
            query_embeddings=[vector.tolist()],
            n_results=k,
            where=cast("dict[str, Any]", where) if where else None,
            include=["distances"],
        )
        distances = (got["distances"] or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(got["ids"][0], distances, strict=False)]


def chunk_id(doc_id: str, version: str, index: int) -> str:
    return f"{doc_id}::{version}::{index:05d}"


def fingerprint(records: dict[str, DocumentRecord]) -> str:
    """Changes whenever any document is added, replaced or removed."""
    items = sorted((r.doc_id, r.version) for r in records.values())
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]


def _with_vectors(got: GetResult) -> dict[str, tuple[StoredChunk, np.ndarray]]:
    vectors = got["embeddings"] if got["embeddings"] is not None else []
    return {
        cid: (_stored(cid, text, dict(meta)), np.asarray(vec, dtype=np.float32))
        for cid, text, meta, vec in zip(
            got["ids"], got["documents"] or [], got["metadatas"] or [], vectors, strict=False
        )
    }


def _stored(cid: str, text: str | None, meta: dict[str, object]) -> StoredChunk:
    section = meta.get("section")
    return StoredChunk(
        chunk_id=cid,
        doc_id=str(meta.get("doc_id", "")),
        version=str(meta.get("version", "")),
        index=int(cast("int", meta.get("idx", 0))),
        section=str(section) if section else None,
        text=text or "",
        written_at=float(cast("float", meta.get("written_at", 0.0))),
    )


_LIST_FIELDS = ("topics",)


def _record_to_meta(record: DocumentRecord) -> dict[str, str | int | float | bool]:
    meta: dict[str, str | int | float | bool] = {}
    for key, value in record.to_dict().items():
        if value is None:
            continue
        meta[key] = json.dumps(value) if key in _LIST_FIELDS else cast("str | int", value)
    return meta


def _record_from_meta(meta: dict[str, object]) -> DocumentRecord:
    values = dict(meta)
    for key in _LIST_FIELDS:
        raw = values.get(key)
        values[key] = json.loads(raw) if isinstance(raw, str) and raw else []
    known = DocumentRecord.__dataclass_fields__
    return DocumentRecord(**{k: v for k, v in values.items() if k in known})  # type: ignore[arg-type]
