"""Two writers on one `chroma run` and one PostgreSQL: an upload through one replica while
another syncs or ingests never loses a chunk. Deterministic: replica A is held between writing
its chunks and committing its catalog entry (the window in which another writer's garbage
collection used to delete them) while replica B writes; 20 rounds."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.factory import build_services
from assistant.services import Signpost
from ingest.embedder import Embedder
from tests.conftest import ServiceFactory, write
from tests.servers import chroma_server, postgres_server

ROUNDS = 20


def _big_document(round_no: int) -> bytes:
    paragraphs = [
        f"## Part {i}\n\nRound {round_no}, part {i}: a personal assistant employed through a "
        "direct payment is owed the minimum wage, paid holiday, sick pay when eligible and a "
        "written statement of terms. " * 3
        for i in range(40)
    ]
    return (f"# Employer guide {round_no}\n\n" + "\n\n".join(paragraphs)).encode()


@pytest.fixture
def replicas(tmp_path: Path, embedder: Embedder) -> Iterator[tuple[Signpost, ...]]:
    with chroma_server(tmp_path / "chroma") as chroma, postgres_server(tmp_path / "pg") as pg:
        made = tuple(
            build_services(
                Settings(
                    data_dir=tmp_path / name,
                    chroma_url=chroma.url,
                    database_url=pg.url,
                    parse_memory_mb=0,
                    _env_file=None,
                ),
                embedder=embedder,
            )
            for name in ("a", "b")
        )
        yield made


def _hold_before_commit(
    service: Signpost, written: threading.Event, release: threading.Event
) -> None:
    store = service.index.store
    commit = store.commit_documents

    def held(records):  # noqa: ANN001, ANN202
        written.set()
        release.wait(30)
        return commit(records)

    store.commit_documents = held  # type: ignore[method-assign]


def _start(function: Callable[..., object], *args: object) -> tuple[threading.Thread, list[object]]:
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(function(*args)))
    thread.start()
    return thread, result


def test_an_upload_keeps_every_chunk_while_another_replica_writes(
    replicas: tuple[Signpost, Signpost], tmp_path: Path
) -> None:
    a, b = replicas
    folder = tmp_path / "b-knowledge"
    actions = (b.curation.sync, lambda f: b.curation.ingest([f]), b.curation.sync_if_free)
    for round_no in range(ROUNDS):
        written, release = threading.Event(), threading.Event()
        _hold_before_commit(a, written, release)
        upload, uploaded = _start(
            functools.partial(a.curation.upload, filename=f"guide-{round_no}.md", metadata={}),
            _big_document(round_no),
            "markdown",
        )
        assert written.wait(60), "replica A never reached its commit point"
        # replica B writes while A's chunks are written but not committed: a sync, an
        # ingest or a start-up sync, each of which begins with garbage collection
        write(folder / f"note-{round_no}.md", f"# Note {round_no}\n\nA short practice note.\n")
        writer, wrote = _start(actions[round_no % 3], folder)
        time.sleep(0.5)  # ample time for B's garbage collection, had it not waited
        release.set()
        upload.join(60)
        writer.join(60)
        assert not upload.is_alive()
        assert not writer.is_alive()
        a.index.refresh()
        record = a.index.records()[f"guide-{round_no}"]
        assert record.chunks > 30, (round_no, uploaded, wrote)
        stored = a.index.chunks(record.doc_id)
        assert [c.index for c in stored] == list(range(record.chunks)), (round_no, wrote)


def test_garbage_collection_spares_young_orphans(
    replicas: tuple[Signpost, Signpost],
) -> None:
    """Even a writer that ignores the lock cannot delete chunks another has just written:
    orphans are collected only past the grace period."""
    a, b = replicas
    written, release = threading.Event(), threading.Event()
    _hold_before_commit(a, written, release)
    upload, _ = _start(
        functools.partial(a.curation.upload, filename="young.md", metadata={}),
        _big_document(99),
        "markdown",
    )
    assert written.wait(60)
    assert b.index.collect_garbage() == 0  # the uncommitted chunks are young
    release.set()
    upload.join(60)
    a.index.refresh()
    record = a.index.records()["young"]
    assert len(a.index.chunks("young")) == record.chunks
    a.index.store.put_many([("stale", "v0", [(None, "left by a crash")])], _vectors(a, 1))
    assert b.index.collect_garbage(grace_s=0) == 1  # a real orphan, once old enough, goes


def _vectors(service: Signpost, n: int) -> np.ndarray:
    return service.answering.retriever.embedder.embed_documents(["x"] * n)


def test_only_one_process_syncs_at_start_up(make_service: ServiceFactory, tmp_path: Path) -> None:
    first, second = make_service(), make_service()
    write(tmp_path / "kb" / "note.md", "# Note\n\nA short practice note.\n")
    with first.activity.writer_lock(wait_s=0) as taken:
        assert taken
        assert second.curation.sync_if_free(tmp_path / "kb") is None  # another writer: skip
    report = second.curation.sync_if_free(tmp_path / "kb")
    assert report is not None
    assert report.counts["added"] == 1
