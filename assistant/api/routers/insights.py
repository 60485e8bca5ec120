"""What trainers learn from use: unanswered questions (gaps) and feedback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from assistant.api.deps import ServiceDep, TrainerKey

router = APIRouter(tags=["insights"], dependencies=[TrainerKey])


class GapOut(BaseModel):
    question: str
    count: int
    last_asked: str
    answered: int


class Gaps(BaseModel):
    gaps: list[GapOut]


class FeedbackOut(BaseModel):
    id: int
    question_id: str
    question: str
    helpful: bool
    comment: str | None
    created_at: str
    answered: bool
    cited_doc_ids: list[str]


class FeedbackList(BaseModel):
    feedback: list[FeedbackOut]


@router.get("/gaps", response_model=Gaps)
def gaps(service: ServiceDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Gaps:
    """Unanswered and low-confidence questions, grouped, most frequent first (redacted)."""
    return Gaps(gaps=[GapOut(**g.__dict__) for g in service.gaps(limit)])


@router.get("/feedback", response_model=FeedbackList)
def feedback(
    service: ServiceDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> FeedbackList:
    """Feedback on answers, newest first, with the question and the documents it cited."""
    return FeedbackList(feedback=[FeedbackOut(**f.__dict__) for f in service.feedback_list(limit)])
