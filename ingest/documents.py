"""What a document and a chunk are, and the metadata rules a trainer's file must follow."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SOURCE_TYPES = ("guidance", "legislation", "curriculum", "survey", "practice-note")
SourceType = Literal["guidance", "legislation", "curriculum", "survey", "practice-note"]

#: Bump when loading or chunking changes, so every file is re-indexed once.
PIPELINE_VERSION = "3"  # 2: pdfplumber PDFs; tables become items; 3: sentence vectors, genre


class DocumentError(ValueError):
    """A file that cannot become a document: unreadable, malformed, or with bad metadata."""


class DocumentMeta(BaseModel):
    """Front matter (or upload form fields). Unknown keys are kept but not validated."""

    model_config = ConfigDict(extra="allow")

    id: str | None = Field(default=None, max_length=120)
    title: str | None = Field(default=None, max_length=300)
    source_type: SourceType = "practice-note"
    topics: list[str] = Field(default_factory=list)
    publisher: str | None = None
    source_url: str | None = None
    published: dt.date | None = None
    reviewed: dt.date | None = None
    jurisdiction: str | None = None

    @field_validator("topics", mode="before")
    @classmethod
    def _split_topics(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, str):
            return [t.strip() for t in value.split(",") if t.strip()]
        return value

    @field_validator("topics")
    @classmethod
    def _normalise_topics(cls, value: list[str]) -> list[str]:
        return [slugify(t) for t in value if slugify(t)]

    @field_validator("source_url", mode="before")
    @classmethod
    def _check_source_url(cls, value: object) -> object:
        """Only http(s) addresses: a `javascript:` or `data:` URL would run in the trainer's
        browser when the link is clicked (stored XSS)."""
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ValueError("source_url must be a web address")
        url = value.strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValueError("source_url must be an http:// or https:// address")
        if any(ch in url for ch in "<>\"'` |") or any(ord(ch) < 32 for ch in url):
            raise ValueError("source_url contains characters a web address cannot have")
        return url

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", value):
            raise ValueError("id must be lower-case letters, digits, '.', '_' or '-'")
        return value

    @classmethod
    def parse(cls, raw: dict[str, object], *, where: str) -> DocumentMeta:
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'metadata'}: {err['msg']}"
                for err in exc.errors()
            )
            raise DocumentError(f"bad metadata in {where}: {problems}") from None


@dataclass
class LoadedDocument:
    """A file's text as Markdown (headings marked with #), with its metadata."""

    title: str
    markdown: str
    meta: DocumentMeta


@dataclass
class Chunk:
    text: str
    section: str | None
    index: int


@dataclass
class DocumentRecord:
    """One indexed document as the catalog holds it."""

    doc_id: str
    title: str
    source_type: str
    topics: list[str]
    origin: str
    content_hash: str
    version: str
    chunks: int
    publisher: str | None = None
    source_url: str | None = None
    published: str | None = None
    reviewed: str | None = None
    jurisdiction: str | None = None
    #: what a document that declares no source_type is: "article" or "document" (None: declared)
    genre: str | None = None
    indexed_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


# A byline ("Mithran Samuel reports", "By Jane Smith"), first-person reporting ("our survey"),
# or quoted speech attributed with "says"/"said": the marks of a news or magazine article.
_ARTICLE_MARKS = (
    re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z'-]+){1,2} (?:reports|writes|investigates)\s*$", re.M),
    re.compile(r"^By [A-Z][a-z]+(?: [A-Z][a-z'-]+){1,2}\s*$", re.M),
    re.compile(r"\b(?:argues|writes|reports) [A-Z][a-z]+(?: [A-Z][a-z'-]+){1,2}\.?\s*$", re.M),
    re.compile(r"\b[Oo]ur (?:[\w'-]+ ){0,3}(?:survey|poll|research|investigation|readers)\b"),
    re.compile(r"\b(?:heard|told) (?:yesterday|this week|last week|delegates|reporters)\b"),
)
_SAYS = re.compile(r"\b(?:says|said|warns|admits|argues|adds|told|criticised|described)\b")
_QUOTE = re.compile(r"[“‘\"][^”’\"\n]{15,400}[”’\"]")


def guess_genre(meta: DocumentMeta, markdown: str) -> str | None:
    """For a document that does not declare its source_type: "article" when it reads like
    journalism, otherwise "document"; None when the type is declared. An undeclared source
    is never passed off as guidance."""
    if "source_type" in meta.model_fields_set:
        return None
    text = markdown[:20000]
    marks = sum(1 for mark in _ARTICLE_MARKS if mark.search(text))
    marks += len(_SAYS.findall(text)) >= 3  # people reported as saying things
    marks += len(_QUOTE.findall(text)) >= 2  # ... in their own words
    return "article" if marks >= 2 else "document"
