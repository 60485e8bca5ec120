"""Ingestion against a real embedded Chroma and the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.errors import SignpostError
from assistant.schemas import AskRequest, SearchRequest
from ingest.vector_store import chunk_id
from tests.conftest import DIRECT_PAYMENTS_MD, ServiceFactory, write


def _chunk_ids(service) -> list[str]:
    return sorted(c.chunk_id for c in service.index.store.iter_chunks())


def test_second_ingest_reports_every_file_unchanged(service, articles: Path) -> None:
    first = service.curation.ingest([articles])
    assert first.counts["added"] == 5
    assert first.chunks >= 15
    second = service.curation.ingest([articles])
    assert second.counts["unchanged"] == 5
    assert second.counts["added"] == second.counts["updated"] == 0
    assert "5 unchanged" in second.summary()


def test_changed_file_replaces_its_chunks(service, tmp_path: Path) -> None:
    path = write(tmp_path / "kb" / "dp-family.md", DIRECT_PAYMENTS_MD)
    service.curation.ingest([path])
    before = _chunk_ids(service)
    write(path, DIRECT_PAYMENTS_MD.replace("culturally appropriate care", "care in Welsh"))
    report = service.curation.ingest([path])
    assert report.counts["updated"] == 1
    after = _chunk_ids(service)
    assert set(before).isdisjoint(after), "old chunks must be gone"
    record = service.index.records()["dp-family"]
    assert len(after) == record.chunks
    assert all(cid.split("::")[1] == record.version for cid in after)
    texts = " ".join(c.text for c in service.index.chunks("dp-family"))
    assert "care in Welsh" in texts
    assert "culturally appropriate" not in texts


def test_broken_file_is_reported_and_the_others_go_in(service, tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    write(kb / "good.md", DIRECT_PAYMENTS_MD)
    write(kb / "bad.md", "---\nsource_type: rumour\n---\n# Bad\n\nText.")
    (kb / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    report = service.curation.ingest([kb, tmp_path / "missing.md"])
    assert report.counts["added"] == 1
    failed = {Path(o.source).name: o.error for o in report.failed}
    assert set(failed) == {"bad.md", "binary.txt", "missing.md"}
    assert "source_type" in (failed["bad.md"] or "")
    assert "no such file" in (failed["missing.md"] or "")
    assert [d.doc_id for d in service.curation.documents().documents] == ["good"]


def test_sync_removes_only_documents_whose_files_vanished_from_that_folder(
    service, tmp_path: Path
) -> None:
    kb, other = tmp_path / "kb", tmp_path / "other"
    write(kb / "keep.md", "# Keep\n\nContingency plans cover a PA's sickness.")
    write(kb / "drop.md", "# Drop\n\nEmployer's liability insurance is required.")
    write(other / "elsewhere.md", "# Elsewhere\n\nDBS checks for personal assistants.")
    service.curation.sync(kb)
    service.curation.ingest([other])
    service.curation.upload(
        b"# Uploaded\n\nPension auto-enrolment.", "markdown", filename="up.md", metadata={}
    )
    (kb / "drop.md").unlink()
    report = service.curation.sync(kb)
    assert report.counts["removed"] == 1
    assert report.counts["unchanged"] == 1
    ids = sorted(d.doc_id for d in service.curation.documents().documents)
    assert ids == ["elsewhere", "keep", "up"]


def test_same_file_name_in_two_folders_gets_two_documents(service, tmp_path: Path) -> None:
    write(tmp_path / "a" / "notes.md", "# Notes A\n\nAbout direct payments.")
    write(tmp_path / "b" / "notes.md", "# Notes B\n\nAbout personal budgets.")
    service.curation.ingest([tmp_path / "a", tmp_path / "b"])
    titles = sorted(d.title for d in service.curation.documents().documents)
    assert titles == ["Notes A", "Notes B"]
    assert len({d.doc_id for d in service.curation.documents().documents}) == 2


def test_interrupted_ingest_leaves_no_visible_half_document(
    make_service: ServiceFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash after the new chunks are written but before the commit: readers still see
    the old version only, and the next run finishes the job and removes the orphans."""
    service = make_service()
    path = write(tmp_path / "kb" / "dp-family.md", DIRECT_PAYMENTS_MD)
    service.curation.ingest([path])
    old = service.index.records()["dp-family"]

    def crash(record) -> None:
        raise KeyboardInterrupt("killed")

    write(path, DIRECT_PAYMENTS_MD + "\n## New section\n\nReviews happen yearly at least.\n")
    monkeypatch.setattr(service.index.store, "commit_documents", crash)
    with pytest.raises(KeyboardInterrupt):
        service.curation.ingest([path])
    monkeypatch.undo()

    # a fresh process sees the old version, and only it
    reader = make_service()
    assert reader.index.records()["dp-family"].version == old.version
    found = reader.answering.search(SearchRequest(query="Reviews happen yearly at least", top_k=10))
    assert found.results, "the old version is still searchable"
    assert not any("yearly" in r.text for r in found.results), "uncommitted text leaked"
    response = reader.answering.ask(
        AskRequest(question="Can a close relative in the same household be paid?")
    )
    assert all(c.doc_id == "dp-family" for c in response.citations)
    lexical_ids = set(reader.index.lexical._ids)
    assert all(cid.split("::")[1] == old.version for cid in lexical_ids)

    report = reader.curation.ingest([path])
    assert report.counts["updated"] == 1
    new = reader.index.records()["dp-family"]
    assert _chunk_ids(reader) == sorted(
        chunk_id("dp-family", new.version, i) for i in range(new.chunks)
    )


def test_upload_with_bad_metadata_leaves_the_index_as_it_was(service) -> None:
    service.curation.upload(DIRECT_PAYMENTS_MD.encode(), "markdown", filename="dp.md", metadata={})
    before = _chunk_ids(service)
    with pytest.raises(SignpostError, match="source_type"):
        service.curation.upload(
            b"# X\n\ntext", "markdown", filename="x.md", metadata={"source_type": "gossip"}
        )
    assert _chunk_ids(service) == before


def test_upload_file_name_is_sanitised(service) -> None:
    outcome = service.curation.upload(
        b"# Contingency\n\nPlan for PA sickness.",
        "markdown",
        filename="../../etc/passwd<script>.md",
        metadata={},
    )
    info = service.curation.document(outcome.doc_id or "")
    assert info.origin == "upload:passwd_script_.md"
    assert "/" not in (outcome.doc_id or "")


def test_sync_of_a_missing_folder_is_an_error(service, tmp_path: Path) -> None:
    with pytest.raises(SignpostError, match="not a folder"):
        service.curation.sync(tmp_path / "nope")


def test_lexical_index_is_persisted_and_reloaded(
    make_service: ServiceFactory, articles: Path, tmp_path: Path
) -> None:
    service = make_service()
    service.curation.ingest([articles])
    fp = service.index.lexical.fingerprint
    fresh = make_service()
    assert fresh.index.lexical.fingerprint is None
    hits = fresh.index.lexical_search("Unison personalisation survey", 5)
    assert fresh.index.lexical.fingerprint == fp
    assert hits
    assert all("::" in h.chunk_id for h in hits)
    shutil.rmtree(tmp_path / "data" / "lexical")
    rebuilt = make_service()
    assert rebuilt.index.lexical_search("Unison personalisation survey", 5)
    assert (tmp_path / "data" / "lexical" / "state.json").is_file()


def test_lexical_tokens_match_bm25s_tokenize(service, articles: Path) -> None:
    """The per-request tokenizer is a fast copy of bm25s.tokenize: they must agree exactly,
    or queries would be tokenised differently from the index."""
    import bm25s

    from ingest.lexical_index import STOPWORDS, as_tokenised

    lexical = service.index.lexical
    lines = [
        line
        for path in sorted(articles.iterdir())
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
    ]
    lines += ["", "   ", "Café naïve £40 2014 a_b x", "Can't, won't — it's the PA's"]
    expected = bm25s.tokenize(
        [as_tokenised(line) for line in lines],
        stopwords=STOPWORDS,
        stemmer=lexical._stemmer.stemWords,
        return_ids=False,
        show_progress=False,
    )
    assert lexical.tokenize(lines) == expected
    assert sum(map(len, expected)) > 500
    # an acronym's plural is the acronym ("her PAs" finds "a PA"); a word ending in s is not
    plural, single, word = lexical.tokenize(["her PAs and DPs", "a PA and a DP", "Unisons"])
    assert plural == single
    assert word == lexical.tokenize(["unisons"])[0]
    # a legal reference is a token of its own, beside its words
    (reference,) = lexical.tokenize(["Section 1 of the Care Act"])
    assert "section1" in reference
    assert "section" in reference


def test_replaced_document_is_never_served_from_the_chunk_cache(service, tmp_path: Path) -> None:
    path = write(tmp_path / "kb" / "dp-family.md", DIRECT_PAYMENTS_MD)
    service.curation.ingest([path])
    service.answering.warm_up()  # fills the chunk cache with the first version
    query = SearchRequest(query="culturally appropriate care from a relative", top_k=3)
    assert "culturally appropriate" in service.answering.search(query).results[0].text
    write(path, DIRECT_PAYMENTS_MD.replace("culturally appropriate care", "care in Welsh"))
    service.curation.ingest([path])
    texts = " ".join(r.text for r in service.answering.search(query).results)
    assert "care in Welsh" in texts
    assert "culturally appropriate" not in texts
