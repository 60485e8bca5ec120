"""Structure-aware chunking: headings become each chunk's `section`, long sections are split
with overlap. Both steps are langchain-text-splitters; this module only wires them."""

from __future__ import annotations

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from ingest.documents import Chunk, LoadedDocument

_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]


class Chunker:
    def __init__(self, chunk_size: int = 900, chunk_overlap: int = 150) -> None:
        #: Part of every content hash: changing the chunking re-indexes each file once.
        self.signature = f"{chunk_size}/{chunk_overlap}"
        self._by_heading = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True)
        self._by_size = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
            keep_separator="end",
        )

    def split(self, document: LoadedDocument) -> list[Chunk]:
        chunks: list[Chunk] = []
        for part in self._by_heading.split_text(document.markdown):
            section = _section(part.metadata, document.title)
            for piece in self._by_size.split_text(part.page_content):
                text = piece.strip()
                if text:
                    chunks.append(Chunk(text=text, section=section, index=len(chunks)))
        return chunks


def _section(headings: dict[str, str], title: str) -> str | None:
    """The heading path below the title, e.g. 'Paying family members > Exceptions'."""
    path = [headings[key] for _, key in _HEADERS if headings.get(key)]
    if path and path[0].strip().lower() == title.strip().lower():
        path = path[1:]
    return " > ".join(path) if path else None
