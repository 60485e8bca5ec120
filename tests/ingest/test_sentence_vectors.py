"""Sentence vectors for the answer composer: computed at ingest, kept on disk, never
recomputed at answer time; and what an undeclared document is."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.schemas import AskRequest
from assistant.services import Signpost
from ingest.documents import DocumentMeta, guess_genre
from ingest.embedder import Embedder
from ingest.sentence_vectors import SentenceVectors
from tests.conftest import DIRECT_PAYMENTS_MD, write


def test_vectors_are_stored_once_and_read_back(tmp_path: Path, embedder: Embedder) -> None:
    store = SentenceVectors(embedder, tmp_path / "v.sqlite")
    passage = ("Review", "The council reviews a direct payment. It does so within six months.")
    assert store.prepare([passage]) == 3  # two sentences and the heading
    assert store.prepare([passage]) == 0
    store.close()
    reopened = SentenceVectors(embedder, tmp_path / "v.sqlite")
    vectors = reopened.vectors(["Review: The council reviews a direct payment."])
    assert reopened.prepare([passage]) == 0  # read from disk, not embedded again
    expected = embedder.embed_documents(["Review: The council reviews a direct payment."])
    assert np.allclose(vectors, expected, atol=1e-5)


def test_answering_embeds_no_sentence_after_ingest(service: Signpost, tmp_path: Path) -> None:
    write(tmp_path / "kb" / "dp.md", DIRECT_PAYMENTS_MD)
    service.curation.ingest([tmp_path / "kb"])
    sentences = service.answering.composer.sentences
    assert sentences is not None
    before = sentences.embedded
    response = service.answering.ask(AskRequest(question="Can my client pay her daughter?"))
    assert response.answered
    assert sentences.embedded == before


def test_an_undeclared_document_is_an_article_or_a_document(articles: Path) -> None:
    declared = DocumentMeta.model_validate({"source_type": "guidance"})
    assert guess_genre(declared, "Mithran Samuel reports\n\nOur survey found...") is None
    genres = {p.name: guess_genre(DocumentMeta(), p.read_text()) for p in articles.iterdir()}
    assert genres["pa-skills-gap.txt"] == "article"
    assert set(genres.values()) <= {"article", "document"}
    assert guess_genre(DocumentMeta(), "Notes for the team meeting.\n\nBring the rota.") == (
        "document"
    )
