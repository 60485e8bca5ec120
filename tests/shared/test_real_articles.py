"""The real Community Care articles, as a trainer would upload them: they load with their
titles and subheadings, and the survey figure behind Signpost's mission is answered from them."""

from __future__ import annotations

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
