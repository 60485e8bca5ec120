"""The contract's JSON shapes, shared by the service, the API, the CLI and Slack."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, field_validator

from ingest.documents import SOURCE_TYPES, SourceType

# Unicode White_Space: what the validator's `\S` (a Rust regex) does not match.
_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    map(chr, range(0x2000, 0x200B))
)


def _strip(text: str) -> str:
    return text.strip(_SPACE)


# Lengths are checked on the text as sent (as the OpenAPI schema states them), then it is
# stripped; a question must hold a non-space character, so it is never empty after stripping.
NOT_BLANK = r"\S"
#: A citation marker in an answer's text: "[n]" refers to citations[n-1].
MARKER = re.compile(r"\[(\d+)\]")

#: The longest question or comment accepted anywhere (API, page, Slack, CLI).
TEXT_MAX_CHARS = 2000
Question = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TEXT_MAX_CHARS, pattern=NOT_BLANK),
    AfterValidator(_strip),
]
Comment = Annotated[str, StringConstraints(max_length=TEXT_MAX_CHARS), AfterValidator(_strip)]


def error_text(error: Mapping[str, Any]) -> str:
    """Pydantic's message for one validation error, in plain words where it has none."""
    pattern = error.get("ctx", {}).get("pattern")
    if error.get("type") == "string_pattern_mismatch" and pattern == NOT_BLANK:
        return "must not be blank"
    return str(error.get("msg", "invalid value"))


class Filters(BaseModel):
    topics: list[Annotated[str, StringConstraints(max_length=80)]] = Field(
        default_factory=list, max_length=50
    )
    source_types: list[SourceType] = Field(default_factory=list, max_length=len(SOURCE_TYPES))

    @field_validator("source_types", mode="before")
    @classmethod
    def _known_types(cls, value: object) -> object:
        if isinstance(value, list):
            unknown = sorted({str(v) for v in value} - set(SOURCE_TYPES))
            if unknown:
                raise ValueError(
                    f"unknown source type(s) {', '.join(unknown)}; use {', '.join(SOURCE_TYPES)}"
                )
        return value

    @property
    def empty(self) -> bool:
        return not self.topics and not self.source_types


ConversationId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Returned by every answer; pass it back to ask a follow-up. Unknown or "
        "expired: 404 conversation_not_found.",
    ),
]


class AskRequest(BaseModel):
    question: Question
    top_k: int = Field(default=5, ge=1, le=20)
    filters: Filters = Field(default_factory=Filters)
    conversation_id: ConversationId | None = None


class SearchRequest(BaseModel):
    query: Question
    top_k: int = Field(default=5, ge=1, le=20)
    filters: Filters = Field(default_factory=Filters)


class FeedbackRequest(BaseModel):
    question_id: str = Field(min_length=1, max_length=64)
    helpful: bool
    comment: Comment | None = None


class FeedbackResponse(BaseModel):
    feedback_id: int
    question_id: str
    helpful: bool


class Citation(BaseModel):
    n: int
    doc_id: str
    title: str
    source_type: str
    kind: str = Field(
        default="practice guidance",
        description="legal duty | statutory guidance | practice guidance | curriculum | "
        "survey finding (YEAR)",
    )
    section: str | None = None
    source_url: str | None = None
    published: str | None = None
    snippet: str
    score: float


class Verified(BaseModel):
    answer_id: str
    verified_on: str

    @property
    def badge(self) -> str:
        """How every surface marks it: "Verified by trainers, 12 Nov 2026"."""
        day = dt.date.fromisoformat(self.verified_on)
        return f"Verified by trainers, {day.day} {day:%b %Y}"


class AskResponse(BaseModel):
    question_id: str
    conversation_id: str = Field(description="Pass it back with the next question to follow up.")
    interpreted_as: str | None = Field(
        default=None,
        description="The question as understood, when a follow-up was read with the earlier "
        "turns (shown on every surface so it can be corrected).",
    )
    verified: Verified | None = None
    answer: str
    answered: bool
    confidence: float = Field(ge=0.0, le=1.0)
    citations: list[Citation] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)


class SearchResult(BaseModel):
    doc_id: str
    chunk_id: str
    title: str
    source_type: str
    section: str | None = None
    source_url: str | None = None
    published: str | None = None
    text: str
    score: float


class SearchResponse(BaseModel):
    results: list[SearchResult]


class DocumentInfo(BaseModel):
    doc_id: str
    title: str
    source_type: str
    topics: list[str]
    chunks: int
    reviewed: str | None = None
    published: str | None = None
    publisher: str | None = None
    source_url: str | None = None
    jurisdiction: str | None = None
    origin: str
    indexed_at: str | None = None
    boost: float = Field(default=1.0, description="a trainer's boost (over 1) or demotion")
    hidden: bool = Field(default=False, description="hidden documents are never cited")
    helpful: int = Field(default=0, description="'helpful' votes on answers citing it")
    not_helpful: int = 0


class DocumentRanking(BaseModel):
    """`PATCH /documents/{doc_id}`: boost or demote a document, or hide it."""

    boost: float | None = Field(default=None, ge=0.5, le=2.0)
    hidden: bool | None = None


class DocumentList(BaseModel):
    documents: list[DocumentInfo]


class VerifiedAnswerCreate(BaseModel):
    """A trainer's answer: their text with [n] markers, the chunks the markers cite (from
    /search results, in marker order), the questions it answers, and when to review it."""

    question: Question
    answer: str = Field(min_length=1, max_length=TEXT_MAX_CHARS)
    citations: list[str] = Field(min_length=1, max_length=10, description="chunk ids, [1] first")
    questions: list[Question] = Field(default_factory=list, max_length=20)
    review_by: dt.date


class VerifiedAnswerPatch(BaseModel):
    answer: str | None = Field(default=None, min_length=1, max_length=TEXT_MAX_CHARS)
    citations: list[str] | None = Field(default=None, min_length=1, max_length=10)
    questions: list[Question] | None = Field(default=None, max_length=20)
    review_by: dt.date | None = None
    status: Literal["active", "retired"] | None = Field(
        default=None, description="'active' also reinstates a suspended answer after review"
    )


class VerifiedAnswerInfo(BaseModel):
    answer_id: str
    question: str
    answer: str
    status: Literal["active", "suspended", "retired"]
    status_reason: str | None = None
    review_by: str
    review_due: bool
    verified_by: str
    verified_on: str
    questions: list[str]
    citations: list[Citation]
    not_helpful: int = Field(default=0, description="'not helpful' votes on it: listed first")


class VerifiedAnswerList(BaseModel):
    answers: list[VerifiedAnswerInfo]
