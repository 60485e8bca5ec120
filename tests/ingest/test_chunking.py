from __future__ import annotations

from pathlib import Path

from ingest.chunking import Chunker
from ingest.documents import DocumentMeta, LoadedDocument
from ingest.loaders import load_path


def _doc(markdown: str, title: str = "Guide") -> LoadedDocument:
    return LoadedDocument(title=title, markdown=markdown, meta=DocumentMeta())


def test_headings_become_the_section_path() -> None:
    doc = _doc(
        "# Guide\n\nIntro text.\n\n## Paying family\n\nRule.\n\n### Exceptions\n\nWhen necessary."
    )
    chunks = Chunker().split(doc)
    by_text = {c.text: c.section for c in chunks}
    assert by_text["Intro text."] is None  # the title itself is not a section
    assert by_text["Rule."] == "Paying family"
    assert by_text["When necessary."] == "Paying family > Exceptions"


def test_long_sections_are_split_with_overlap_and_bounded_size() -> None:
    sentences = [f"Sentence number {i} talks about direct payment reviews." for i in range(80)]
    doc = _doc("## Reviews\n\n" + " ".join(sentences))
    chunks = Chunker(chunk_size=400, chunk_overlap=100).split(doc)
    assert len(chunks) > 5
    assert all(len(c.text) <= 400 for c in chunks)
    assert all(c.section == "Reviews" for c in chunks)
    # consecutive chunks share text (the overlap), and nothing is lost
    assert any(chunks[0].text[-60:].split(". ")[-1] in chunks[1].text for _ in [0])
    joined = " ".join(c.text for c in chunks)
    assert all(s in joined for s in sentences)
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_article_chunks_carry_their_subheadings(articles: Path) -> None:
    doc = load_path(articles / "slow-down-personalisation.txt")
    sections = {c.section for c in Chunker().split(doc)}
    assert "Jargon gets in the way" in sections
