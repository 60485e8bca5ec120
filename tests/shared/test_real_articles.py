"""The real Community Care articles, as a trainer would upload them: they load with their
titles and subheadings, and the survey figure behind Signpost's mission is answered from them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.factory import build_services
from assistant.schemas import AskRequest
from ingest.embedder import Embedder
from ingest.loaders import load_path
from tests.assistant.test_answers import assert_truthful

pytestmark = pytest.mark.shared


SKILLS = "000_a9f5712e992cce14.txt"


def test_every_real_article_loads(shared_corpus: Path) -> None:
    paths = sorted(shared_corpus.glob("*.txt"))
    assert len(paths) == 5
    for path in paths:
        doc = load_path(path)
        assert doc.title, path
        assert len(doc.markdown) > 1000, path
    assert "49%" in load_path(shared_corpus / SKILLS).markdown


def test_plain_text_subheadings_become_sections(shared_corpus: Path) -> None:
    doc = load_path(shared_corpus / "003_bcf7c47784668452.txt")
    assert doc.title == "Don’t rush personalisation"
    assert "## Confusing terminology" in doc.markdown
    assert "## For one person" not in doc.markdown


def test_the_skills_figure_is_answered_from_the_real_article(
    tmp_path: Path, embedder: Embedder, shared_corpus: Path
) -> None:
    service = build_services(
        Settings(data_dir=tmp_path / "data", _env_file=None), embedder=embedder
    )
    assert service.curation.ingest([shared_corpus]).counts["added"] == 5
    response = service.answering.ask(
        AskRequest(question="How many social workers felt they knew how to employ PAs?")
    )
    assert response.answered
    assert "49%" in response.answer
    assert "000-a9f5712e992cce14" in {c.doc_id for c in response.citations}
    assert_truthful(service, response)


def test_real_articles_are_labelled_as_articles_and_rare_names_are_answered(
    tmp_path: Path, embedder: Embedder, shared_corpus: Path
) -> None:
    """Uploaded with no front matter, a news article is an "article", never guidance; a case
    named word for word ("R(B) v Cornwall") is answered from it although the cosine similarity
    is low; and the near-domain question beside it is still refused."""
    service = build_services(
        Settings(data_dir=tmp_path / "data", _env_file=None), embedder=embedder
    )
    for path in sorted(shared_corpus.glob("*.txt")):
        service.curation.upload(path.read_bytes(), "text", filename=path.name, metadata={})
    kinds = {service.index.records()[d].genre for d in service.index.records()}
    assert kinds <= {"article", "document"}
    response = service.answering.ask(AskRequest(question="What happened in R(B) v Cornwall?"))
    assert response.answered, response.answer
    assert "R(B) v Cornwall" in response.answer.split("[1]")[0]
    assert response.citations[0].kind == "article"
    assert response.answer.startswith("Article: ")
    assert "guidance" not in response.answer.lower()
    assert_truthful(service, response)
    refused = service.answering.ask(AskRequest(question="How much is a dog licence?"))
    assert not refused.answered


def test_first_person_journalism_is_attributed(
    tmp_path: Path, embedder: Embedder, shared_corpus: Path
) -> None:
    service = build_services(
        Settings(data_dir=tmp_path / "data", _env_file=None), embedder=embedder
    )
    path = shared_corpus / "001_6304fa13fbf2734b.txt"
    service.curation.upload(
        path.read_bytes(),
        "text",
        filename=path.name,
        metadata={"publisher": "Community Care", "published": "2010-05-20"},
    )
    response = service.answering.ask(
        AskRequest(question="What share saw the impact of personalisation as negative?")
    )
    assert response.answered
    assert not re.search(r"\b[Oo]ur (?:latest )?survey", response.answer)
    assert_truthful(service, response)
