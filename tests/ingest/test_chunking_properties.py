"""Property tests (hypothesis): the chunker loses no text and keeps chunks within bounds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import Chunker
from ingest.documents import DocumentMeta, LoadedDocument

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
SENTENCE = st.lists(WORD, min_size=1, max_size=30).map(lambda ws: " ".join(ws).capitalize() + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=8).map(" ".join)
HEADING = st.tuples(st.sampled_from(["#", "##", "###"]), st.lists(WORD, min_size=1, max_size=4))
BLOCK = st.one_of(PARAGRAPH, HEADING.map(lambda h: f"{h[0]} {' '.join(h[1]).title()}"))


@settings(max_examples=150, deadline=None)
@given(
    blocks=st.lists(BLOCK, min_size=1, max_size=25),
    size=st.integers(min_value=120, max_value=1500),
    overlap_share=st.floats(min_value=0.0, max_value=0.4),
)
def test_no_text_is_lost_and_sizes_are_bounded(
    blocks: list[str], size: int, overlap_share: float
) -> None:
    markdown = "\n\n".join(blocks)
    chunker = Chunker(chunk_size=size, chunk_overlap=int(size * overlap_share))
    chunks = chunker.split(LoadedDocument(title="Doc", markdown=markdown, meta=DocumentMeta()))
    body_words = [
        w
        for block in blocks
        if not block.startswith("#")
        for w in re.findall(r"[a-z]+", block.lower())
    ]
    chunk_words = set(re.findall(r"[a-z]+", " ".join(c.text for c in chunks).lower()))
    assert set(body_words) <= chunk_words, "a word of the body is in no chunk"
    assert all(len(c.text) <= size for c in chunks)
    assert all(c.text.strip() for c in chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    headings = {" ".join(b.split()[1:]) for b in blocks if b.startswith("#")}
    assert all(
        c.section is None or all(part in headings for part in c.section.split(" > "))
        for c in chunks
    )
